"""Hark's helper processes (the audio engine, the device lister, the speech and recogniser
workers) and Ctrl+C. A terminal's Ctrl+C reaches the whole process group, but the app decides when
its helpers stop, so each ignores SIGINT. Setting that in the child's entry point leaves a gap: a
spawned child first starts a new interpreter and unpickles its task, and a Ctrl+C then would end
it with a traceback. So the parent starts each child with SIGINT blocked (a thread's signal mask
survives fork and exec), and the child ignores it before unblocking it: one pressed in between is
dropped. Where there are no signal masks (Windows), only the child's part applies.
"""

from __future__ import annotations

import signal
from typing import Any

_MASKS = hasattr(signal, "pthread_sigmask")


def start_ignoring_ctrl_c(process: Any) -> None:
    """`process.start()`, the child starting with Ctrl+C held off until it calls `ignore_ctrl_c`."""
    if not _MASKS:
        process.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_ctrl_c() -> None:
    """In the child, first thing: ignore Ctrl+C from now on (and drop one that came meanwhile)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _MASKS:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
