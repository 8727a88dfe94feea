"""Soak: the real chain in a real-time JACK stream for minutes, speech looped into the mic.

Counts xruns, callback errors and tap drops (a consumer thread reads the tap, as
captions would), and records every callback's duration into a preallocated
array for its distribution.

Run: .venv/bin/python -m benchmarks.soak [--minutes M] [--method M] [--out PATH]
     -> benchmarks/results/soak.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from audio.chain import ListeningChain
from audio.noise_reduction import DEFAULT_METHOD, METHODS
from audio.offline import read_wav
from audio.stream import ListeningStream
from benchmarks.latency_jack import RATE, RESULTS, JackDummy

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
PERIOD = 128


def speech(max_files: int = 20) -> np.ndarray:
    parts = []
    for path in sorted(SPEECH.glob("*.wav"))[:max_files]:
        x, rate = read_wav(path)
        x = x.reshape(len(x), -1).mean(axis=1)
        parts.append(resample_poly(x, RATE, rate).astype(np.float32))
    if not parts:
        raise SystemExit(f"No speech recordings in {SPEECH}")
    return np.concatenate(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--method", choices=tuple(METHODS), default=DEFAULT_METHOD, help="noise reduction")
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args()
    seconds = 60.0 * args.minutes
    signal = speech()
    server = JackDummy(PERIOD)
    blocks_expected = int(seconds * RATE / PERIOD)
    stream = ListeningStream(
        ListeningChain(noise_reduction_method=args.method),
        "system",
        "system",
        RATE,
        PERIOD,
        timing_blocks=blocks_expected + 2000,
    )
    consumed = [0]
    done = threading.Event()

    def consume() -> None:
        while not done.is_set():
            if stream.tap.read(timeout=0.1) is not None:
                consumed[0] += 1

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    feeder: subprocess.Popen[str] | None = None
    try:
        stream.start()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "speech.npy"
            np.save(path, signal)
            # The feeder lives in its own process: in this one its Python callback would take
            # the GIL from the stream's callback every cycle, which a microphone never does.
            feeder = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.jack_feeder",
                    "--server",
                    server.name,
                    "--signal",
                    str(path),
                ],
                stdout=subprocess.PIPE,
                text=True,  # JackDummy exported the server's name to the environment
            )
            assert feeder.stdout is not None
            if feeder.stdout.readline().strip() != "ready":
                raise SystemExit("The JACK feeder did not start.")
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            time.sleep(1.0)
        status = stream.status
        durations = stream.callback_durations()
        elapsed = time.monotonic() - started
    finally:
        stream.close()
        done.set()
        reader.join()
        if feeder is not None:
            feeder.terminate()
            feeder.wait(10)
        server.close()
    period_us = 1e6 * PERIOD / RATE
    us = 1e6 * durations
    result = {
        "minutes": round(elapsed / 60, 3),
        "noise_reduction_method": args.method,
        "sample_rate": RATE,
        "period": PERIOD,
        "callbacks": status.callbacks,
        "xruns": status.xruns,
        "input_overflows": status.input_overflows,
        "output_underflows": status.output_underflows,
        "callback_errors": status.callback_errors,
        "tap_drops": status.tap_drops,
        "tap_blocks_consumed": consumed[0],
        "final_state": status.state,
        "callback_us": {
            "p50": round(float(np.percentile(us, 50)), 1),
            "p99": round(float(np.percentile(us, 99)), 1),
            "max": round(float(us.max()), 1),
            "period_us": round(period_us, 1),
            "over_half_period": int(np.sum(us > period_us / 2)),
        },
        "speech_seconds_looped": round(len(signal) / RATE, 1),
        "feeder": "separate process (benchmarks/jack_feeder.py)",
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
