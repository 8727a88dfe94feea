"""The record of practicable steps, as the assessor sees and adds to it during a session.

Hark's own steps arrive on other threads (engine events) as well as this one, so the list is
redrawn from the record when its length changes, a few times a second, rather than item by item.
A correction is added as its own step, and the corrected one stays in the list as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.errors import AssessmentError
from assistant.assessment.record import SOURCES, SessionRecord, Step, wall_time

NOTE_KINDS = {
    "interpreter": "Interpreter present",
    "supporter": "Supporter present",
    "information": "Information given (written, easy read)",
    "room": "Change to the room",
    "break": "Break",
    "note": "Note",
}
REFRESH_MS = 250


def step_line(step: Step) -> str:
    who = "Hark" if step.source == "hark" else "Assessor"
    return f"{step.seq}. {wall_time(step.at)}  [{who}]  {step.shown}"


class RecordPanel(QGroupBox):
    def __init__(self, record: SessionRecord, parent: QWidget | None = None) -> None:
        super().__init__("Record of practicable steps", parent)
        self.record = record
        self.steps = QListWidget()
        self.steps.setWordWrap(True)  # a long step wraps rather than hiding behind a scroll bar
        self.steps.setAccessibleName("Steps recorded so far")
        self.steps.setAccessibleDescription(
            f"{SOURCES['hark']} is marked Hark; your notes are marked Assessor."
        )
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of note")
        for kind, label in NOTE_KINDS.items():
            self.kind.addItem(label, kind)
        self.text = QLineEdit()
        self.text.setAccessibleName("Note text")
        self.text.setPlaceholderText("What happened, for example: BSL interpreter present")
        self.text.returnPressed.connect(self.add_note)
        self.add = QPushButton("Add &it to the record")
        self.add.clicked.connect(self.add_note)
        self.correct = QPushButton("&Correct the selected step…")
        self.correct.clicked.connect(self.correct_selected)

        row = QHBoxLayout()  # the note gets a line of its own: the column is narrow beside the others
        row.addWidget(self.kind, 1)
        row.addWidget(self.add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps, 1)
        note = QLabel("Note for the &record:")
        note.setBuddy(self.text)
        layout.addWidget(note)
        layout.addWidget(self.text)
        layout.addLayout(row)
        layout.addWidget(self.correct)
        self._shown = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)

    def stop(self) -> None:
        """Stop following the engine and the record (the window is closing)."""
        self._timer.stop()

    def refresh(self) -> None:
        steps = self.record.steps()
        if len(steps) == self._shown:
            return
        for step in steps[self._shown :]:
            self.steps.addItem(step_line(step))
        self._shown = len(steps)
        self.steps.scrollToBottom()

    def add_note(self) -> None:
        text = self.text.text().strip()
        if not text:
            self.text.setFocus()
            return
        self.record.noted(str(self.kind.currentData()), text)
        self.text.clear()
        self.refresh()

    def correct_selected(self) -> None:
        row = self.steps.currentRow()
        if row < 0:
            self.steps.setFocus()
            return
        original = self.record.steps()[row]
        text, ok = QInputDialog.getText(
            self, "Correct a step", f"Correction to step {original.seq}:", text=original.text
        )
        if ok and text.strip():
            try:
                self.record.correct(original.seq, text)
            except AssessmentError as error:
                self.text.setPlaceholderText(str(error))
            self.refresh()
