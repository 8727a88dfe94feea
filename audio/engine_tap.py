"""The captions' side of the microphone tap: blocks from the audio engine's shared ring."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from audio.shared_ring import SharedRing


class EngineTap:
    """The microphone's blocks for one reader (the captions), with the reading interface of
    audio.input_tap.InputTap. The engine queues blocks only while a reader is attached."""

    def __init__(
        self, ring: SharedRing, block_size: int, sample_rate: int, tell_engine: Callable[[bool], None]
    ) -> None:
        self._ring, self._block_size = ring, block_size
        self._poll_s = 0.5 * block_size / sample_rate  # about twice a block
        self._tell_engine = tell_engine
        self._block = np.zeros((block_size, 1), dtype=np.float32)
        self.attached = False

    def attach(self) -> None:
        """Start receiving blocks from now on (nothing older)."""
        self._ring.skip_unread()
        self.attached = True
        self._tell_engine(True)

    def detach(self) -> None:
        self.attached = False
        self._tell_engine(False)

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        """The oldest unread block (a new array), or None when none arrives within `timeout` s."""
        if not self.attached:
            self.attach()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._ring.pending < self._block_size:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(self._poll_s)
        self._ring.read_into(self._block)
        return self._block[:, 0].copy()

    @property
    def pending(self) -> int:
        return self._ring.pending // self._block_size

    @property
    def drops(self) -> int:
        """Blocks the engine dropped because this reader fell behind (across engine restarts)."""
        return self._ring.dropped // self._block_size
