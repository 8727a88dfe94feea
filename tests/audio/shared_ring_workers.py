"""What the other process does in tests/audio/test_shared_ring.py (spawned: importable by name)."""

from __future__ import annotations

import time

import numpy as np

from audio.shared_ring import SharedRing, SharedSnapshot


def produce(name: str, signal: np.ndarray, block: int, pause_s: float) -> None:
    """Push `signal` (frames, channels) in blocks, never waiting for the reader."""
    ring = SharedRing.attach(name)
    try:
        for start in range(0, len(signal), block):
            ring.push(signal[start : start + block])
            if pause_s:
                time.sleep(pause_s)
    finally:
        ring.close()


def publish_counts(name: str, count: int) -> None:
    """Publish snapshots whose fields are all equal to k, for k = 1 .. count, as fast as possible."""
    snapshot = SharedSnapshot.attach(name)
    values = np.zeros(snapshot.size)
    try:
        for k in range(1, count + 1):
            values[:] = k
            snapshot.publish(values)
    finally:
        snapshot.close()


def attach_and_leave(name: str) -> None:
    SharedRing.attach(name).close()
