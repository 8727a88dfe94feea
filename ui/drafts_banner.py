"""The home's banner of unfinished session records left in the store (after a crash, a closed lid
or a window closed mid-session): each can be resumed, or kept as it is with its person."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assistant.assessment.record import wall_time
from profiles.sessions import Draft


class DraftsBanner(QWidget):
    """Unfinished session records left in the store: resume one, or keep it as it is."""

    resume = Signal(object)
    finish = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._rows: dict[str, QWidget] = {}
        self.hide()

    def show_drafts(self, drafts: list[Draft], name_of: Any) -> None:
        self.hide_all()
        for draft in drafts:
            row = QWidget()
            line = QHBoxLayout(row)
            name = name_of(draft.profile_id)
            who = f"the session with {name}" if name else "a quick session"
            text = QLabel(
                f"An unfinished record of {who}, started {wall_time(draft.started_at)}, "
                f"last saved {wall_time(draft.saved_at)}."
            )
            text.setWordWrap(True)
            resume = QPushButton("Resume it")
            resume.setAccessibleName(f"Resume the session started {wall_time(draft.started_at)}")
            resume.clicked.connect(lambda _=False, d=draft: self.resume.emit(d))
            finish = QPushButton("Keep it as it is")
            finish.setAccessibleName(f"Keep the record started {wall_time(draft.started_at)} as finished")
            finish.clicked.connect(lambda _=False, d=draft: self.finish.emit(d))
            line.addWidget(text, 1)
            line.addWidget(resume)
            line.addWidget(finish)
            self._layout.addWidget(row)
            self._rows[draft.id] = row
        self.setVisible(bool(self._rows))

    def forget(self, draft_id: str) -> None:
        row = self._rows.pop(draft_id, None)
        if row is not None:
            row.deleteLater()
        self.setVisible(bool(self._rows))

    def hide_all(self) -> None:
        for draft_id in list(self._rows):
            self.forget(draft_id)
