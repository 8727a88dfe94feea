"""Starting, talking to and stopping the audio engine process; the shared memory it is given.

The engine is started with multiprocessing's `spawn` context, the same on Linux, Windows and
macOS. Spawning normally re-imports the app's main module in the child; the engine needs none
of it (a Qt app, a recogniser), so the main module is hidden while the child is prepared and the
child imports only audio.engine_process and what audio needs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from audio import engine_process
from audio.child_processes import start_ignoring_ctrl_c
from audio.engine_protocol import STATUS_FIELDS, STOP, TIMING_CHANNELS, EngineConfig, SegmentNames
from audio.errors import AudioError
from audio.kernel_cache import use_user_cache
from audio.shared_ring import SharedQueueMemory, SharedRing, SharedSnapshot

STOP_WAIT_S = 3.0
_spawning = threading.Lock()


@dataclass
class Segments:
    """The engine's shared memory, made once by the app and kept across engine restarts."""

    tap: SharedRing
    status: SharedSnapshot
    speech: SharedQueueMemory
    timing: SharedRing | None

    @classmethod
    def create(cls, tap_frames: int, speech_seconds: float, sample_rate: int, timing_blocks: int) -> Segments:
        made: list[Any] = []
        try:
            made.append(SharedRing.create(tap_frames))
            made.append(SharedSnapshot.create(len(STATUS_FIELDS)))
            made.append(SharedQueueMemory.create(int(speech_seconds * sample_rate)))
            made.append(SharedRing.create(timing_blocks, TIMING_CHANNELS) if timing_blocks else None)
        except AudioError:
            for segment in made:
                segment.close()
            raise
        return cls(*made)

    @property
    def names(self) -> SegmentNames:
        return SegmentNames(
            self.tap.name, self.status.name, self.speech.name, self.timing.name if self.timing else None
        )

    def close(self) -> None:
        for segment in (self.tap, self.status, self.speech, self.timing):
            if segment is not None:
                with contextlib.suppress(BufferError):  # a view someone still holds: freed at exit
                    segment.close()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None  # multiprocessing reads it unconditionally
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class EngineProcess:
    """One running engine: a child process, or (inline) a thread of this one."""

    def __init__(self, conn: Connection, process: Any, thread: threading.Thread | None) -> None:
        self._conn, self._process, self._thread = conn, process, thread
        self._send_lock = threading.Lock()

    @classmethod
    def start(cls, config: EngineConfig, segments: Segments, inline: bool) -> EngineProcess:
        use_user_cache()  # before the child imports numba: it inherits the environment
        if inline:
            ours, theirs = multiprocessing.Pipe()
            core = engine_process.EngineCore(theirs, config, segments.names, own_process=False)
            thread = threading.Thread(target=core.run, args=(None,), name="hark-engine-inline", daemon=True)
            thread.start()
            return cls(ours, None, thread)
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=engine_process.run,
            args=(theirs, config, segments.names),
            name="hark-audio-engine",
            daemon=True,
        )
        with _spawning, _main_module_hidden():
            start_ignoring_ctrl_c(process)
        theirs.close()  # so that the engine's end closing reads as end-of-file here
        return cls(ours, process, None)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def exit_code(self) -> int | None:
        """The ended engine's exit code (negative: the signal that ended it)."""
        if self._process is None:
            return None
        # Its pipe and sentinel close a moment before the kernel has its exit status to give.
        self._process.join(1.0)
        return self._process.exitcode

    def send(self, command: tuple[object, ...]) -> None:
        # A send that fails means the engine has ended: the monitor notices and says so.
        with self._send_lock, contextlib.suppress(OSError, EOFError):
            self._conn.send(command)

    def receive(self) -> Any:
        """The engine's next message, or None once it has ended (however it ended)."""
        watched: list[Any] = [self._conn]
        if self._process is not None:
            watched.append(self._process.sentinel)
        while True:
            ready = wait(watched, timeout=None if self._process is not None else 0.1)
            if self._conn in ready or self._conn.poll():
                try:
                    return self._conn.recv()
                except (EOFError, OSError):
                    return None
            if self._process is not None and self._process.sentinel in ready:
                return None
            if self._thread is not None and not self._thread.is_alive():
                return None

    def stop(self) -> None:
        """Ask the engine to stop (it fades out); end it if it does not within STOP_WAIT_S."""
        self.send((STOP,))
        if self._thread is not None:
            self._thread.join(STOP_WAIT_S)
        elif self._process is not None:
            self._process.join(STOP_WAIT_S)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1.0)
        with contextlib.suppress(OSError):
            self._conn.close()

    def kill(self) -> None:
        """End the engine at once, as a crash would (tests and benchmarks of recovery)."""
        if self._process is not None:
            self._process.kill()
