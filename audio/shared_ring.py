"""Lock-free exchange between two processes through shared memory: audio rings and snapshots.

The groundwork for running the ear path in its own process: one process writes and one reads,
neither ever waits for the other, and nothing is allocated on the writing side.
- `SharedRing`: a single-producer/single-consumer ring of float32 frames (the captions tap, the
  speech into the headphones). A full ring drops the new block and counts it; it never blocks.
- `SharedSnapshot`: a few float64 fields that one process publishes whole (meters, status) and
  another reads without locks; a sequence counter makes a torn read impossible (a reader that
  keeps meeting a write in progress gives up after a few tries).
The creating process owns the segment: it reserves every page up front, so a full /dev/shm fails
here and not later inside an audio callback, and it unlinks the segment when done. Each counter
has one writer, sits on its own cache line, and is published after the data it covers with
explicit memory fences, so the order holds on ARM as well as x86.
"""

from __future__ import annotations

import os
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory
from typing import Self

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from audio.errors import AudioError

LINE = 8  # int64 words per 64-byte cache line
MAGIC_RING, MAGIC_SNAPSHOT, MAGIC_QUEUE = 0x48524B52, 0x48524B53, 0x48524B51  # "HRKR", "HRKS", "HRKQ"
# Header words: the layout line (written once, before anyone attaches), then one line per counter.
MAGIC, CAPACITY, CHANNELS = 0, 1, 2
WRITTEN, DROPPED, READ = LINE, 2 * LINE, 3 * LINE  # ring: producer, producer, consumer
SEQUENCE = LINE  # snapshot: even when stable, odd while being written
HEADER_WORDS = 4 * LINE
HEADER_BYTES = HEADER_WORDS * 8


def _fence_of(ordering: str):
    """An LLVM memory fence with this ordering, callable from numba code."""

    @intrinsic
    def fence(typingctx):
        def codegen(context, builder, signature, args):
            builder.fence(ordering)
            return context.get_dummy_value()

        return types.void(), codegen

    return fence


_acquire = _fence_of("acquire")
_release = _fence_of("release")
# For other kernels that share memory between processes (the headphone speech queue).
acquire_fence, release_fence = _acquire, _release


@njit(cache=True)
def _push(header, data, block):
    capacity = header[CAPACITY]
    written = header[WRITTEN]
    read = header[READ]
    _acquire()  # the consumer's reads of the slots it freed are done
    n = block.shape[0]
    if capacity - (written - read) < n:
        header[DROPPED] = header[DROPPED] + n
        return False
    for i in range(n):
        slot = (written + i) % capacity
        for c in range(data.shape[1]):
            data[slot, c] = block[i, c]
    _release()  # the frames are in place before the count says so
    header[WRITTEN] = written + n
    return True


@njit(cache=True)
def _read_into(header, data, out):
    capacity = header[CAPACITY]
    read = header[READ]
    written = header[WRITTEN]
    _acquire()  # the frames counted are visible before they are copied
    n = min(written - read, out.shape[0])
    for i in range(n):
        slot = (read + i) % capacity
        for c in range(data.shape[1]):
            out[i, c] = data[slot, c]
    _release()  # copied before the producer may reuse the slots
    header[READ] = read + n
    return n


@njit(cache=True)
def _publish(header, fields, values):
    sequence = header[SEQUENCE] + 1
    header[SEQUENCE] = sequence  # odd: a write is in progress
    _release()
    for i in range(values.shape[0]):
        fields[i] = values[i]
    _release()
    header[SEQUENCE] = sequence + 1


@njit(cache=True)
def _try_read(header, fields, out):
    before = header[SEQUENCE]
    _acquire()
    for i in range(out.shape[0]):
        out[i] = fields[i]
    _acquire()
    return before % 2 == 0 and header[SEQUENCE] == before


def _create_segment(size: int) -> SharedMemory:
    try:
        segment = SharedMemory(create=True, size=size)
    except OSError as error:
        raise AudioError(
            f"Cannot create shared memory for the audio engine: {error.strerror or error}."
        ) from None
    try:
        fd = getattr(segment, "_fd", -1)
        if fd >= 0 and hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, size)  # the pages exist now, or this fails now
        np.ndarray((size,), dtype=np.uint8, buffer=segment.buf)[:] = 0  # and every page is touched
    except OSError as error:
        segment.close()
        segment.unlink()
        raise AudioError(
            f"There is not enough shared memory for the audio engine ({size} bytes): {error.strerror or error}. "
            "Free some space in /dev/shm (close other programs) and start again."
        ) from None
    return segment


def _open_untracked(name: str) -> SharedMemory:
    """Open an existing segment without registering it for removal: only its creator removes it,
    and the creator's registration is what cleans up after a crash. (Python 3.13 has track=False;
    before it, every attach registers with the one tracker the processes share.)"""
    try:
        return SharedMemory(name=name, track=False)  # type: ignore[call-arg]
    except TypeError:
        pass
    register = resource_tracker.register
    resource_tracker.register = lambda *_: None
    try:
        return SharedMemory(name=name)
    finally:
        resource_tracker.register = register


class _SharedSegment:
    """One segment: the header above, then the subclass's `_data`. The creator owns (unlinks) it."""

    MAGIC = 0

    def __init__(self, segment: SharedMemory, owner: bool) -> None:
        self._segment, self._owner = segment, owner
        self._header = np.ndarray((HEADER_WORDS,), dtype=np.int64, buffer=segment.buf)
        self._data: np.ndarray

    @classmethod
    def _create(cls, data_bytes: int, capacity: int, channels: int = 0) -> Self:
        segment = _create_segment(HEADER_BYTES + data_bytes)
        header = np.ndarray((HEADER_WORDS,), dtype=np.int64, buffer=segment.buf)
        header[CAPACITY], header[CHANNELS], header[MAGIC] = capacity, channels, cls.MAGIC
        del header  # a view left on the buffer would stop the segment from closing
        return cls(segment, owner=True)

    @classmethod
    def attach(cls, name: str) -> Self:
        """The segment another process created under `name`."""
        try:
            segment = _open_untracked(name)
        except FileNotFoundError:
            raise AudioError(f"The audio engine's shared memory {name!r} is gone.") from None
        if np.ndarray((1,), dtype=np.int64, buffer=segment.buf)[MAGIC] != cls.MAGIC:
            segment.close()
            raise AudioError(f"The shared memory {name!r} is not one of the audio engine's.")
        return cls(segment, owner=False)

    @property
    def name(self) -> str:
        return self._segment.name

    def close(self) -> None:
        """Let go of the segment; the creator also removes it."""
        del self._data, self._header
        self._segment.close()
        if self._owner:
            self._segment.unlink()


class SharedRing(_SharedSegment):
    """A ring of float32 frames (frames, channels) from one process to another."""

    MAGIC = MAGIC_RING

    def __init__(self, segment: SharedMemory, owner: bool) -> None:
        super().__init__(segment, owner)
        # The capacity comes from the header: the segment may be larger than asked for.
        self.capacity, self.channels = int(self._header[CAPACITY]), int(self._header[CHANNELS])
        self._data = np.ndarray(
            (self.capacity, self.channels), dtype=np.float32, buffer=segment.buf, offset=HEADER_BYTES
        )

    @classmethod
    def create(cls, capacity: int, channels: int = 1) -> SharedRing:
        if capacity < 1 or channels < 1:
            raise AudioError(f"A ring needs at least one frame and one channel, got {capacity} x {channels}.")
        return cls._create(capacity * channels * 4, capacity, channels)

    def push(self, block: np.ndarray) -> bool:
        """Producer: queue a (frames, channels) float32 block, or drop it whole (counted) if it does
        not fit. Allocates nothing: safe in an audio callback."""
        return bool(_push(self._header, self._data, block))

    def read_into(self, out: np.ndarray) -> int:
        """Consumer: copy up to len(out) of the oldest frames into `out`; how many were copied."""
        return int(_read_into(self._header, self._data, out))

    def read(self, max_frames: int | None = None) -> np.ndarray:
        """Consumer: the oldest unread frames (up to `max_frames`), as a new array."""
        out = np.empty((max_frames or self.capacity, self.channels), dtype=np.float32)
        return out[: self.read_into(out)]

    def skip_unread(self) -> int:
        """Consumer: drop everything queued (a reader starting afresh); how many frames that was."""
        written = int(self._header[WRITTEN])
        skipped = written - int(self._header[READ])
        self._header[READ] = written
        return skipped

    @property
    def pending(self) -> int:
        return int(self._header[WRITTEN] - self._header[READ])

    @property
    def dropped(self) -> int:
        """Frames the producer dropped because the ring was full."""
        return int(self._header[DROPPED])


class SharedSnapshot(_SharedSegment):
    """A fixed number of float64 fields, published whole by one process and read by another."""

    MAGIC = MAGIC_SNAPSHOT

    def __init__(self, segment: SharedMemory, owner: bool) -> None:
        super().__init__(segment, owner)
        self.size = int(self._header[CAPACITY])
        self._data = np.ndarray((self.size,), dtype=np.float64, buffer=segment.buf, offset=HEADER_BYTES)

    @classmethod
    def create(cls, size: int) -> SharedSnapshot:
        return cls._create(max(size, 1) * 8, size)

    def publish(self, values: np.ndarray) -> None:
        """Writer (one process only): replace every field. Allocates nothing."""
        _publish(self._header, self._data, values)

    def read(self, retries: int = 8) -> np.ndarray | None:
        """Reader: every field as of one publish, or None if each try met a write in progress."""
        out = np.empty(self.size, dtype=np.float64)
        for _ in range(retries):
            if _try_read(self._header, self._data, out):
                return out
        return None


class SharedQueueMemory(_SharedSegment):
    """Raw memory for a queue whose logic lives elsewhere (audio.mixer.SpeechInput): `index`, eight
    int64 words each on no one else's cache line, and `samples`, float32 frames."""

    MAGIC = MAGIC_QUEUE

    def __init__(self, segment: SharedMemory, owner: bool) -> None:
        super().__init__(segment, owner)
        self.capacity = int(self._header[CAPACITY])
        # The header's last line is free: the queue's eight index words go there.
        self.index = self._header[3 * LINE : 4 * LINE]
        self._data = np.ndarray((self.capacity,), dtype=np.float32, buffer=segment.buf, offset=HEADER_BYTES)

    @classmethod
    def create(cls, capacity: int) -> SharedQueueMemory:
        if capacity < 1:
            raise AudioError(f"A queue needs at least one frame, got {capacity}.")
        return cls._create(capacity * 4, capacity)

    @property
    def samples(self) -> np.ndarray:
        return self._data

    def close(self) -> None:
        del self.index
        super().close()
