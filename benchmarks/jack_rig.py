"""A JACK client wired around Hark's live stream, for tests and benchmarks.

The rig plays a known signal into the stream's input port and records the stream's output
port in the same JACK cycle, so sample j of the recording and sample j of the signal share
one JACK frame: the lag between them is the true end-to-end latency on JACK's sample clock.
Needs JACK-Client (a test and benchmark extra) and a running JACK server.
"""

from __future__ import annotations

import time

import jack
import numpy as np

PORTAUDIO_PORTS = "PortAudio.*"


def wire_stream(client: jack.Client, feed: jack.Port | None = None, rec: jack.Port | None = None,
                *, loopback: bool = False) -> None:
    """Connect feed -> the stream's input and the stream's output -> rec (the first channel of
    each), or, with `loopback`, the stream's output straight back to its input. Whatever
    JACK auto-connected to the stream's input is disconnected first."""
    pa_in = client.get_ports(PORTAUDIO_PORTS, is_audio=True, is_input=True)[0]
    pa_out = client.get_ports(PORTAUDIO_PORTS, is_audio=True, is_output=True)[0]
    for port in client.get_all_connections(pa_in):
        client.disconnect(port, pa_in)
    if loopback:
        client.connect(pa_out, pa_in)
        return
    if feed is not None:
        client.connect(feed, pa_in)
    if rec is not None:
        client.connect(pa_out, rec)


class Rig:
    """Plays `signal` (silence when empty) into the stream's input and records its left output,
    frame-locked, for `record_frames` frames once armed by `run`."""

    def __init__(self, server: str, signal: np.ndarray, record_frames: int, name: str = "hark-rig") -> None:
        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.feed = self.client.outports.register("feed")
        self.rec = self.client.inports.register("rec")
        period = self.client.blocksize
        self.signal = np.zeros(record_frames + period, dtype=np.float32)
        self.signal[: len(signal)] = signal[: record_frames + period]
        self.recording = np.zeros(record_frames + period, dtype=np.float32)
        self.frames = record_frames
        self.pos = 0
        self.armed = False
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        out = self.feed.get_array()
        if self.armed and self.pos < self.frames:
            out[:] = self.signal[self.pos : self.pos + frames]
            self.recording[self.pos : self.pos + frames] = self.rec.get_array()
            self.pos += frames
        else:
            out.fill(0.0)

    def wire(self, loopback: bool = False) -> None:
        wire_stream(self.client, self.feed, self.rec, loopback=loopback)

    def run(self, timeout: float = 30.0, settle_s: float = 0.0) -> np.ndarray:
        """Wait `settle_s`, then play and record; the recording (`record_frames` long)."""
        time.sleep(settle_s)
        self.armed = True
        deadline = time.monotonic() + timeout
        while self.pos < self.frames and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.pos < self.frames:
            raise RuntimeError("the JACK rig stopped running before the recording was complete")
        return self.recording[: self.frames].copy()

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()
