"""The live input, block by block, for a consumer off the audio thread (the captions)."""

from __future__ import annotations

import time

import numpy as np


class InputTap:
    """Bounded single-producer/single-consumer queue of mono input blocks.

    The audio thread `push`es, one consumer `read`s. Two counters index a
    preallocated ring; each is written by one side only, and an int assignment is
    atomic under the GIL, so no lock is needed. A full ring drops the new block
    (counted in `drops`) rather than ever making the audio thread wait.
    """

    def __init__(self, block_size: int, capacity: int = 256, poll_s: float = 0.001) -> None:
        self._ring = np.zeros((capacity, block_size), dtype=np.float32)
        self._capacity = capacity
        self._poll_s = poll_s
        self._written = 0  # producer only
        self._read = 0  # consumer only
        self.drops = 0  # producer only
        self.attached = False  # nothing is queued (or dropped) until a consumer says it reads

    def attach(self) -> None:
        """Start queueing blocks for a consumer (captions); `read` attaches too."""
        self._read = self._written
        self.attached = True

    def push(self, indata: np.ndarray) -> None:
        if not self.attached:
            return
        if self._written - self._read >= self._capacity:
            self.drops += 1
            return
        self._ring[self._written % self._capacity] = indata[:, 0]
        self._written += 1

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        """The oldest unread block (a copy), or None when none arrives within `timeout` s."""
        if not self.attached:
            self.attach()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._read >= self._written:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            # Polling keeps the producer free of any lock or event; each wake-up takes the GIL,
            # so the consumer wakes about twice a block, not every millisecond.
            time.sleep(self._poll_s)
        block = self._ring[self._read % self._capacity].copy()
        self._read += 1
        return block

    @property
    def pending(self) -> int:
        return self._written - self._read
