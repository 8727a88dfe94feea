"""Sound devices asked about, and room sounds played, from a short-lived process of their own.

For when no audio engine is running (`hark devices`, checking a `--room-output` before a session,
`hark speak` to a speaker): PortAudio stays out of the app's process, as it does when the engine
runs (audio.engine). Each call spawns a process the way the engine is spawned (the app's main
module hidden, so the child imports only audio), which lists, resolves or plays, answers over a
pipe and exits. With an engine running, use its `list_devices` and `play_in_room` instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from audio.child_processes import ignore_ctrl_c, start_ignoring_ctrl_c
from audio.devices import Device, Direction
from audio.engine_launch import _main_module_hidden, _spawning
from audio.errors import AudioError

ANSWER_TIMEOUT_S = 60.0  # a first start of PortAudio on a slow machine with many devices
POLL_S = 0.02


def _child(conn: Connection, verb: str, args: tuple[Any, ...]) -> None:
    ignore_ctrl_c()  # the app decides when this stops
    try:
        if verb == "list":
            from audio.devices import list_devices

            conn.send(("ok", list_devices()))
        elif verb == "resolve":
            from audio.devices import resolve

            conn.send(("ok", resolve(*args)))
        elif verb == "play":
            _play(conn, *args)
    except AudioError as error:
        conn.send(("error", str(error)))
    finally:
        conn.close()


def _play(conn: Connection, samples: np.ndarray, sample_rate: int, device: int | str | None) -> None:
    from audio.playback import play

    handle = play(samples, sample_rate, device)
    conn.send(("ok", None))
    while not handle.wait(POLL_S):
        if conn.poll():  # "stop", or the app has gone (end of file): either way, stop
            handle.stop()
            break
    conn.send(("done", None))


def _spawn(verb: str, *args: object) -> tuple[Connection, Any]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_child, args=(theirs, verb, args), name=f"hark-audio-{verb}", daemon=True
    )
    with _spawning, _main_module_hidden():
        start_ignoring_ctrl_c(process)
    theirs.close()  # so that the child's end closing reads as end of file here
    return ours, process


def _answer(conn: Connection, process: Any, what: str) -> Any:
    try:
        if not conn.poll(ANSWER_TIMEOUT_S):
            raise AudioError(f"The sound system did not answer while {what}; check that it is running.")
        kind, payload = conn.recv()
    except (EOFError, OSError):
        process.join(1.0)
        raise AudioError(
            f"The audio process ended while {what} (exit code {process.exitcode}); check the sound system."
        ) from None
    if kind == "error":
        raise AudioError(str(payload))
    return payload


def _ask(verb: str, what: str, *args: object) -> Any:
    conn, process = _spawn(verb, *args)
    try:
        return _answer(conn, process, what)
    finally:
        conn.close()
        process.join(5.0)
        if process.is_alive():
            process.kill()


def list_devices() -> list[Device]:
    """Every sound device PortAudio sees now (a fresh process: newly plugged devices included)."""
    return list(_ask("list", "listing the sound devices"))


def resolve(spec: int | str | None, direction: Direction) -> Device:
    """audio.devices.resolve, in the audio process: AudioError when there is no such device."""
    device: Device = _ask("resolve", f"looking for the {direction} device", spec, direction)
    return device


class ChildPlayback:
    """One sound playing on a device from its own process: wait on it or stop it from any thread."""

    def __init__(self, conn: Connection, process: Any) -> None:
        self._conn, self._process = conn, process
        self._lock = threading.Lock()
        self._done = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the sound has finished or was stopped (or its process ended)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.is_set():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            with self._lock:
                if self._done.is_set():
                    break
                try:
                    if self._conn.poll(POLL_S if left is None else min(POLL_S, left)):
                        self._conn.recv()  # "done"
                        self._finish()
                        break
                except (EOFError, OSError):
                    self._finish()
                    break
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    @property
    def done(self) -> bool:
        return self.wait(0.0)

    def stop(self) -> None:
        with self._lock:
            if self._done.is_set():
                return
            with contextlib.suppress(OSError, EOFError):
                self._conn.send("stop")
            self._process.join(2.0)
            self._finish()

    def _finish(self) -> None:
        self._done.set()
        with contextlib.suppress(OSError):
            self._conn.close()
        self._process.join(2.0)
        if self._process.is_alive():
            self._process.kill()


def play(samples: np.ndarray, sample_rate: int, device: int | str | None = None) -> ChildPlayback:
    """audio.playback.play from a process of its own; returns once the sound has started (AudioError
    when the device cannot play it)."""
    conn, process = _spawn("play", np.ascontiguousarray(samples, dtype=np.float32), sample_rate, device)
    try:
        _answer(conn, process, "starting to play")
    except AudioError:
        conn.close()
        process.join(5.0)
        raise
    return ChildPlayback(conn, process)
