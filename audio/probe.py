"""Measurements that play a known signal in place of the listening chain's output and record the
input meanwhile, through `ListeningChain.probe`: `hark latency`'s chirp, `hark feedback`'s sweep.
The audio engine runs `ReplacingProbe` (AudioEngine.run_probe); `play` does the same on a stream
in this process."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from audio.errors import AudioError

if TYPE_CHECKING:  # the stream brings PortAudio: the engine process runs it, the app never does
    from audio.stream import ListeningStream

WAIT_BEYOND_S = 5.0  # how long past the signal's own length a stalled stream is waited for


class ReplacingProbe:
    """Plays `played` (padded with silence to whole blocks) in place of the chain's output and
    records the input's first channel alongside it, sample for sample."""

    def __init__(self, played: np.ndarray, block_size: int) -> None:
        total = -(-len(played) // block_size) * block_size
        self.played = np.zeros(total, dtype=np.float32)
        self.played[: len(played)] = played
        self.recorded = np.zeros(total, dtype=np.float32)
        self.pos = 0

    def process(self, indata: np.ndarray, outdata: np.ndarray) -> None:
        if self.pos < len(self.recorded):
            n = min(indata.shape[0], len(self.recorded) - self.pos)
            self.recorded[self.pos : self.pos + n] = indata[:n, 0]
            outdata[:n] = self.played[self.pos : self.pos + n, None]
            outdata[n:] = 0.0
            self.pos += n
        else:
            outdata[:] = 0.0  # finished but not yet taken off: no sudden return to full sound

    @property
    def done(self) -> bool:
        return self.pos >= len(self.recorded)


def play(stream: ListeningStream, played: np.ndarray, what: str) -> np.ndarray:
    """Play `played` through the running `stream` in place of its chain's output and return the input
    recorded meanwhile (as long as `played`, padded to whole blocks). The chain's sound comes back
    with its fade-in. `what` names the measurement in the error if the stream stops."""
    probe = ReplacingProbe(played, stream.block_size)
    stream.chain.probe = probe
    try:
        deadline = time.monotonic() + len(probe.played) / stream.sample_rate + WAIT_BEYOND_S
        while not probe.done and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stream.chain.ramp_in()
        stream.chain.probe = None
    if not probe.done:
        raise AudioError(f"The audio stream stopped during the {what} ({stream.status.message}).")
    return probe.recorded
