"""The shared-memory ring and snapshot, across real processes started the way the engine will be."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import numpy as np
import pytest

from audio.errors import AudioError
from audio.shared_ring import SharedRing, SharedSnapshot
from tests.audio import shared_ring_workers as workers
from tests.audio.recordings import load

SPAWN = mp.get_context("spawn")


def _run(target, *args) -> mp.process.BaseProcess:  # type: ignore[no-untyped-def]
    process = SPAWN.Process(target=target, args=args)
    process.start()
    return process


def test_frames_come_out_in_order_across_the_wrap() -> None:
    ring = SharedRing.create(300, channels=2)
    try:
        frames = np.arange(2 * 1000, dtype=np.float32).reshape(1000, 2)
        out = []
        for start in range(0, 1000, 128):
            assert ring.push(frames[start : start + 128])
            out.append(ring.read(200))
            out.append(ring.read())
        assert np.array_equal(np.concatenate(out), frames)
        assert ring.pending == 0 and ring.dropped == 0
    finally:
        ring.close()


def test_a_full_ring_drops_whole_blocks_and_counts_them() -> None:
    ring = SharedRing.create(300)
    try:
        block = np.ones((128, 1), dtype=np.float32)
        assert [ring.push(block) for _ in range(4)] == [True, True, False, False]
        assert ring.dropped == 256 and ring.pending == 256
        assert len(ring.read()) == 256
        assert ring.push(block) and ring.dropped == 256
    finally:
        ring.close()


def test_a_real_recording_crosses_processes_without_loss() -> None:
    speech = load("speech_1089-134686-0000.wav", 48000)[:, None]  # about 10 s
    ring = SharedRing.create(48000)
    try:
        producer = _run(workers.produce, ring.name, speech, 128, 0.0005)
        received, deadline = [], time.monotonic() + 60
        count = 0
        while count < len(speech) and time.monotonic() < deadline:
            frames = ring.read()
            received.append(frames)
            count += len(frames)
            time.sleep(0.002)
        producer.join(10)
        assert producer.exitcode == 0
        assert ring.dropped == 0
        assert np.array_equal(np.concatenate(received), speech)
    finally:
        ring.close()


def test_when_the_reader_stops_the_writer_drops_and_counts_instead_of_waiting() -> None:
    noise = load("noise_air_conditioner_a_8s.wav", 16000)[:, None]
    ring = SharedRing.create(1024)
    try:
        producer = _run(workers.produce, ring.name, noise, 128, 0.0)
        producer.join(30)
        assert producer.exitcode == 0  # it finished: nothing waited for a reader
        blocks = -(-len(noise) // 128)
        assert ring.pending == 1024
        assert ring.dropped == len(noise) - 1024
        assert np.array_equal(ring.read(), noise[:1024])
        assert blocks > 8
    finally:
        ring.close()


def test_a_snapshot_is_never_read_torn() -> None:
    snapshot = SharedSnapshot.create(64)
    try:
        writer = _run(workers.publish_counts, snapshot.name, 2_000_000)
        seen, refused = set(), 0
        while writer.is_alive() or not seen:
            values = snapshot.read(retries=1)
            if values is None:
                refused += 1
                continue
            assert np.all(values == values[0]), "a read mixed two publishes"
            seen.add(float(values[0]))
        writer.join(30)
        assert writer.exitcode == 0
        assert len(seen) > 10  # reads happened while the writer was writing
        last = snapshot.read()
        assert last is not None and np.all(last == 2_000_000)
    finally:
        snapshot.close()


def test_capacity_comes_from_the_header_and_only_the_creator_removes_the_segment() -> None:
    ring = SharedRing.create(1000)  # the segment is rounded up to whole pages
    name = ring.name
    child = _run(workers.attach_and_leave, name)
    child.join(30)
    assert child.exitcode == 0
    other = SharedRing.attach(name)  # still there after the other process let go
    assert other.capacity == 1000
    other.close()
    ring.close()
    with pytest.raises(AudioError, match="gone"):
        SharedRing.attach(name)


def test_too_little_shared_memory_fails_at_creation_with_a_clear_message() -> None:
    shm = Path("/dev/shm")
    before = set(shm.iterdir()) if shm.exists() else set()
    with pytest.raises(AudioError, match="shared memory"):
        SharedRing.create(1 << 44)  # 64 TiB
    if shm.exists():
        assert set(shm.iterdir()) == before  # nothing left behind


def test_attaching_to_something_else_is_refused() -> None:
    snapshot = SharedSnapshot.create(4)
    try:
        with pytest.raises(AudioError, match="not one of"):
            SharedRing.attach(snapshot.name)
    finally:
        snapshot.close()
