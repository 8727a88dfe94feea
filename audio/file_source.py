"""A WAV file as the microphone, looped at the real pace, with the ears sent nowhere.

`PacedFileStream` stands where a PortAudio stream would (start, abort, close, active,
latency) and calls the same callback from its own thread, one block per block period
on the monotonic clock. The app's demonstration mode and tests without a sound device
use it; the listening chain, tap and meters cannot tell the difference.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audio.mixer import resample
from audio.offline import read_wav

FILE_SOURCE_NAME = "file"


@dataclass
class FileTime:
    """What PortAudio's time info gives a callback, on the paced clock (seconds)."""

    currentTime: float
    inputBufferAdcTime: float
    outputBufferDacTime: float


class PacedFileStream:
    def __init__(
        self,
        path: Path,
        sample_rate: int,
        block_size: int,
        callback: Callable[[np.ndarray, np.ndarray, int, Any, Any], None],
        no_flags: Any = 0,
    ) -> None:
        data, rate = read_wav(path)
        mono = data[:, 0]
        if rate != sample_rate:
            mono = resample(mono, rate, sample_rate)
        blocks = max(1, len(mono) // block_size)
        self._signal = np.zeros((blocks * block_size, 1), dtype=np.float32)
        self._signal[: min(len(mono), len(self._signal)), 0] = mono[: len(self._signal)]
        self._rate, self._block = sample_rate, block_size
        self._callback, self._no_flags = callback, no_flags
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.latency = (0.0, 0.0)

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hark-file-source", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        block, period = self._block, self._block / self._rate
        indata = np.zeros((block, 1), dtype=np.float32)
        outdata = np.zeros((block, 2), dtype=np.float32)
        pos, due = 0, time.monotonic()
        while not self._stop.is_set():
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            indata[:] = self._signal[pos : pos + block]
            pos = (pos + block) % len(self._signal)
            now = time.monotonic()
            self._callback(indata, outdata, block, FileTime(now, due, due + period), self._no_flags)
            due += period
            if now - due > 0.5:  # far behind (the machine slept): start the pace again from now
                due = now

    def abort(self, ignore_errors: bool = True) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(1.0)

    def close(self, ignore_errors: bool = True) -> None:
        self.abort()
