"""Caption events from the recognition thread, delivered on the GUI thread.

`CaptionWorker` calls `on_event` on its own thread. Widgets may only be touched on
the GUI thread, so the bridge only emits Qt signals: a signal emitted from another
thread reaches slots of objects living on the GUI thread through a queued
connection (Qt's AutoConnection decides this at emit time), and the event object
travels with it. The events are frozen dataclasses, so sharing them is safe.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class CaptionBridge(QObject):
    partial = Signal(object)  # assistant.captions.events.Partial: the line still being spoken
    segment = Signal(object)  # assistant.captions.events.Segment: a finished line
    status = Signal(str)  # a short status sentence for the window's status line
    message = Signal(str, str)  # (headline, detail): a status with what it means or what to do
    engine = Signal(str)  # the speech engine's label, once it has loaded
    show = Signal(str, str)  # (text, source): a phrase or typed reply for CaptionWindow.show_message

    def on_event(self, event: object) -> None:
        """Route one event to its signal. Safe to call from any thread; never raises.

        Events are told apart by shape rather than by class, so this module need not
        import the recognition package (and its engines) to start the window.
        """
        if isinstance(event, str):
            self.status.emit(event)
        elif hasattr(event, "words"):
            self.segment.emit(event)
        elif hasattr(event, "text"):
            self.partial.emit(event)
        # Anything else (a future event kind) is ignored rather than raised into the worker.
