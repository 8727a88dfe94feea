"""A store call's outcome, handed to the interface thread: the People page never waits for the store.

`PeopleDirectory` (assistant/people/directory.py) runs each call on its worker thread and returns a
`Future`. Its done-callback runs on that worker, where widgets must not be touched, so it only
emits a signal; the queued connection delivers it on the thread this object lives on (the GUI
thread), where the handler runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from profiles.errors import ProfileError


class FutureDelivery(QObject):
    """Runs `on_result(value)` or `on_error(exception)` on the GUI thread when a future finishes."""

    _arrived = Signal(object, object)  # (the handlers, the finished future)
    settled = Signal()  # after each handler: nothing is waiting when `pending` is 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pending = 0
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def when_done(
        self, future: Future[Any], on_result: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        self.pending += 1
        future.add_done_callback(lambda done: self._emit((on_result, on_error), done))

    def _emit(self, handlers: object, future: Future[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the page was closed meanwhile: nobody to tell
            self._arrived.emit(handlers, future)

    def _deliver(
        self, handlers: tuple[Callable[[Any], None], Callable[[BaseException], None]], future: Future[Any]
    ) -> None:
        self.pending -= 1
        on_result, on_error = handlers
        try:
            error = future.exception()
            if error is None:
                on_result(future.result())
            else:
                on_error(error)
        finally:
            self.settled.emit()


def in_words(error: BaseException) -> str:
    """The sentence to show for a failed store call."""
    if isinstance(error, ProfileError):
        return str(error)
    return f"Something went wrong with the profile store: {error}. Try again."
