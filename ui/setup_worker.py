"""One piece of slow work (listing devices, starting the engine, installing a model, creating the store)
on a worker thread, its result or its problem in words delivered to the GUI thread by signals."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance


class Task(QObject):
    """Connect `done`, `failed` and `progress` to a widget's methods, then `start`. Signals from the
    worker thread reach those methods queued, on the GUI thread."""

    done = Signal(object)  # what the work returned
    failed = Signal(str)  # the problem, as the error's own sentence
    progress = Signal(object, object)  # (bytes so far, total bytes or None), for work that reports it

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._thread: threading.Thread | None = None
        self._busy = False

    @property
    def running(self) -> bool:
        return self._busy

    def start(self, work: Callable[[], object], expected: tuple[type[Exception], ...]) -> None:
        """Run `work` on a new thread; an `expected` error arrives as `failed` with its message."""

        def run() -> None:
            outcome: tuple[SignalInstance, object]
            try:
                result = work()
            except expected as error:
                outcome = (self.failed, str(error))
            except BaseException:
                self._busy = False
                raise
            else:
                outcome = (self.done, result)
            # Before telling: the handler asks whether work is still running (the thread still is).
            self._busy = False
            self._emit(*outcome)

        self._busy = True
        self._thread = threading.Thread(target=run, name=f"hark-setup-{self._name}", daemon=True)
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def report(self, done: int, total: int | None) -> None:
        """For the work to call from its thread."""
        self._emit(self.progress, done, total)

    @staticmethod
    def _emit(signal: SignalInstance, *values: object) -> None:
        # The window may have been closed while the work ran: then nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(*values)
