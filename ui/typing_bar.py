"""A large one-line typing box opened over the caption window, for two people:

- "Type to say" (Ctrl+T there): the assessor types; Enter speaks it into the person's
  headphones and shows it large.
- "Type your answer here" (Ctrl+R): the person types; Enter shows it large as "You wrote";
  the checkbox "Read it out to me" has it spoken to the room for the assessor (Alt+R).

Like the phrase picker it is a dialog of its own, so Space, + and - type into the box rather
than pausing or resizing the captions. It only presents: `submitted(text, read_aloud)` goes to
the controller, which calls `done()` when the text was used or `show_problem(...)` when not;
the text is kept until it was used, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.announce import Announcer
from ui.phrase_picker import dialog_font, overlay_on

ENTRY_PT = 32
LABEL_PT = 22


class TypingBar(QDialog):
    submitted = Signal(str, bool)  # (text, read it out to the room)

    def __init__(
        self, prompt: str, description: str, with_read_aloud: bool, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(prompt)
        self.setAccessibleName(prompt)
        self.setAccessibleDescription(description)
        self.setMinimumSize(420, 160)
        self.prompt = QLabel(prompt, self)
        self.prompt.setFont(dialog_font(LABEL_PT, bold=True))
        self.prompt.setWordWrap(True)
        self.entry = QLineEdit(self)
        self.entry.setObjectName(f"{name}Entry")
        self.entry.setAccessibleName(prompt)
        self.entry.setAccessibleDescription(description)
        self.entry.setFont(dialog_font(ENTRY_PT))
        self.entry.setMinimumHeight(72)
        self.prompt.setBuddy(self.entry)
        self.entry.returnPressed.connect(self._submit)
        self.read_aloud = QCheckBox("Read it out to me (Alt+R)", self)
        self.read_aloud.setObjectName(f"{name}ReadAloud")
        self.read_aloud.setAccessibleDescription("Also say the answer out loud, on the room speaker (Alt+R).")
        self.read_aloud.setFont(dialog_font(LABEL_PT))
        self.read_aloud.setVisible(with_read_aloud)
        self._with_read_aloud = with_read_aloud
        if with_read_aloud:  # a plain shortcut: mnemonics are off on some platforms
            toggle = QShortcut(QKeySequence("Alt+R"), self)
            toggle.activated.connect(self.read_aloud.toggle)
        self.problem = QLabel(self)
        self.problem.setObjectName(f"{name}Problem")
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.setFont(dialog_font(LABEL_PT - 2))
        self.problem.hide()
        self.announcer = Announcer(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.prompt)
        layout.addWidget(self.entry)
        layout.addWidget(self.read_aloud)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.setStyleSheet(
            "QDialog { background: #101010; border: 3px solid #ffffff; } QLabel, QCheckBox { color: #ffffff; }"
            "QLineEdit { background: #000000; color: #ffffff; border: 2px solid #ffffff; padding: 4px; }"
            "QLineEdit:focus, QCheckBox:focus { border: 5px solid #ffd400; }"
            "QCheckBox::indicator { width: 28px; height: 28px; }"
            f"#{name}Problem {{ color: #ffd400; }}"
        )

    def open_over(self, parent: QWidget | None) -> None:
        overlay_on(self, parent, share=0.7)
        self.resize(self.width(), self.minimumSizeHint().height() + 40)
        self.problem.hide()
        self.show()
        self.raise_()
        self.activateWindow()
        self.entry.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def done_with_text(self) -> None:
        """The text was used: empty the box and close, ready for next time."""
        self.entry.clear()
        self.problem.hide()
        self.close()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.announcer.announce(text, assertive=True, source=self.problem)

    def _submit(self) -> None:
        self.submitted.emit(self.entry.text(), self._with_read_aloud and self.read_aloud.isChecked())


def say_bar(parent: QWidget | None = None) -> TypingBar:
    return TypingBar(
        "Type to say",
        "Type what to say to the person. Enter says it in their headphones and shows it large. Esc closes.",
        False,
        "typeToSay",
        parent,
    )


def reply_bar(parent: QWidget | None = None) -> TypingBar:
    return TypingBar(
        "Type your answer here",
        "Type your answer. Enter shows it large. Tick Read it out to me "
        "to have it said out loud. Esc closes.",
        True,
        "personReply",
        parent,
    )
