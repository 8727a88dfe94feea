"""When the app locks itself: idle minutes, and a laptop that slept (the wall clock jumped)."""

from __future__ import annotations

from assistant.idle import SLEPT_GAP_S, TICK_S, IdleWatch


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_locks_after_the_idle_minutes_and_not_while_the_assessor_works() -> None:
    clock = Clock()
    watch = IdleWatch(2, clock)
    for _ in range(int(119 / TICK_S)):
        clock.now += TICK_S
        assert watch.tick() is None
        if clock.now % 50 < TICK_S:
            watch.touched()
    assert watch.tick() is None  # touched within the last two minutes
    for _ in range(int(120 / TICK_S)):
        clock.now += TICK_S
        reason = watch.tick()
        if reason:
            break
    assert reason == "idle"
    clock.now += TICK_S
    assert watch.tick() is None  # once, not on every tick after


def test_a_late_tick_means_the_laptop_slept_and_locks_at_once() -> None:
    clock = Clock()
    watch = IdleWatch(0, clock)  # idleness never locks; sleep still does
    clock.now += TICK_S
    assert watch.tick() is None
    clock.now += SLEPT_GAP_S + 1
    assert watch.tick() == "slept"
    clock.now += 3600 * 5
    watch.touched()
    assert watch.tick() == "slept"
    for _ in range(100):
        clock.now += TICK_S
        assert watch.tick() is None
