"""The captions tap never stalls audio: a full ring drops new blocks and counts them."""

from __future__ import annotations

import numpy as np

from audio.input_tap import InputTap


def block(value: float) -> np.ndarray:
    return np.full((8, 1), value, dtype=np.float32)


def test_nothing_is_queued_until_a_consumer_attaches() -> None:
    tap = InputTap(block_size=8, capacity=4)
    for i in range(10):
        tap.push(block(i))
    assert tap.pending == 0 and tap.drops == 0
    tap.attach()
    tap.push(block(42))
    got = tap.read(timeout=0)
    assert got is not None and np.all(got == 42)


def test_full_ring_drops_new_blocks_counts_them_and_keeps_order() -> None:
    tap = InputTap(block_size=8, capacity=4)
    tap.attach()
    for i in range(7):
        tap.push(block(i))
    assert tap.drops == 3
    assert [float(tap.read(timeout=0)[0]) for _ in range(4)] == [0.0, 1.0, 2.0, 3.0]  # type: ignore[index]
    assert tap.read(timeout=0.01) is None
    tap.push(block(9))
    assert float(tap.read(timeout=0)[0]) == 9.0  # type: ignore[index]
