"""Loop a recording into a JACK input port from its own process.

The soak runs this as a child process so that the feeder's Python callback does
not compete with the stream's audio callback for one interpreter's GIL, as a
microphone would not. Prints "ready" once connected; runs until terminated.

Run: python -m benchmarks.jack_feeder --server NAME --signal FILE.npy --to 'PortAudio.*'
"""

from __future__ import annotations

import argparse
import signal as signals
import sys
import threading

import jack
import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--signal", required=True, help="float32 .npy at the server's rate")
    parser.add_argument("--to", default="PortAudio.*", help="input port name pattern to feed")
    args = parser.parse_args()
    audio = np.load(args.signal).astype(np.float32)
    client = jack.Client("hark-feeder", servername=args.server, no_start_server=True)
    feed = client.outports.register("feed")
    position = [0]

    @client.set_process_callback
    def process(frames: int) -> None:
        out = feed.get_array()
        start = position[0] % len(audio)
        take = min(frames, len(audio) - start)
        out[:take] = audio[start : start + take]
        out[take:] = audio[: frames - take]
        position[0] += frames

    stop = threading.Event()
    signals.signal(signals.SIGTERM, lambda *_: stop.set())
    with client:
        target = client.get_ports(args.to, is_audio=True, is_input=True)[0]
        for port in client.get_all_connections(target):
            client.disconnect(port, target)
        client.connect(feed, target)
        print("ready", flush=True)
        stop.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
