"""When the app should lock itself: after some minutes without the assessor touching the keyboard
or mouse, and at once after the laptop has been asleep (its lid closed in a shared room).

No platform tells Qt about a suspend in the same way, so sleep is seen from the outside: the app
ticks every few seconds, and a tick that finds the wall clock far ahead of the previous one means
the machine was not running in between. Wall-clock time keeps counting through a suspend.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TICK_S = 5.0
SLEPT_GAP_S = 60.0  # a tick this late: the machine was asleep (or stopped), not merely busy


class IdleWatch:
    def __init__(self, lock_after_minutes: float, clock: Callable[[], float] = time.time) -> None:
        """`lock_after_minutes`: 0 never locks for idleness (sleep still locks)."""
        self.lock_after_s = 60.0 * lock_after_minutes
        self._clock = clock
        self._touched = self._ticked = clock()

    def touched(self) -> None:
        """The assessor used the keyboard or mouse."""
        self._touched = self._clock()

    def tick(self) -> str | None:
        """Called every TICK_S: why to lock now ("slept" or "idle"), or None."""
        now = self._clock()
        gap, self._ticked = now - self._ticked, now
        if gap > SLEPT_GAP_S:
            self._touched = now
            return "slept"
        if self.lock_after_s > 0 and now - self._touched >= self.lock_after_s:
            self._touched = now
            return "idle"
        return None
