"""The conversation so far, as a list the assessor can read back: one line per entry of the
session's timeline (assistant/conversation/timeline.py), changed in place when a line is later
shown large or spoken aloud.

The timeline tells its listeners on whichever thread made the change (captions arrive from the
caption worker, speech ends on the speech thread), so the list hears of it through a signal,
which Qt delivers on the GUI thread.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from assistant.conversation.entries import Entry
from assistant.conversation.timeline import LABELS, REDACTED_TEXT, Conversation


def entry_line(entry: Entry) -> str:
    """`HH:MM:SS  Label: text (shown large, spoken aloud)`, the time as the assessor's clock reads it."""
    when = datetime.fromisoformat(entry.wall_time).astimezone().strftime("%H:%M:%S")
    flags = [
        name for name, on in (("shown large", entry.shown_large), ("spoken aloud", entry.spoken_aloud)) if on
    ]
    text = REDACTED_TEXT if entry.redacted else " ".join(entry.text.split())
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{when}  {LABELS[entry.source]}: {text}{suffix}"


class TimelineView(QListWidget):
    changed = Signal(str, object)  # ("added" | "changed", Entry), from any thread

    def __init__(self, conversation: Conversation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversation so far")
        self.setAccessibleDescription(
            "Everything captioned, said and typed in this session, newest last, with what was "
            "shown large or spoken aloud."
        )
        self.setWordWrap(True)
        self.changed.connect(self._show)
        self._remove = conversation.add_listener(self.changed.emit)
        for entry in conversation.entries():  # after adding the listener: nothing is missed
            self._show("added", entry)

    def stop(self) -> None:
        """Stop following the conversation (before this view goes)."""
        self._remove()

    def _show(self, kind: str, entry: Entry) -> None:
        row = entry.id - 1
        if row < self.count():  # already shown (listed at the start, or a change)
            self.item(row).setText(entry_line(entry))
            return
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum()
        while self.count() < row:  # never expected: keeps rows and ids in step all the same
            self.addItem(QListWidgetItem(""))
        self.addItem(entry_line(entry))
        if at_bottom:
            self.scrollToBottom()
