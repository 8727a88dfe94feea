"""The People page's three faces: the store locked, no store yet, and the people with one opened.

Only widgets here, each named for screen readers and reachable by keyboard (a mnemonic on each
button, a buddy on each field's label); ui/people_page.py decides what they do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.personalise.store import MIN_PASSPHRASE

NAME_PT, KEY_NEEDS_PT, HEADING_PT, LIST_PT = 24, 20, 16, 14


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    return button


def _field(name: str, *, secret: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    if secret:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _heading(text: str, size_pt: int = HEADING_PT) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSize(size_pt)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class LockedView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.passphrase = _field("Passphrase for the profile store", secret=True)
        self.unlock = _button("&Unlock", "Unlock the profile store")
        self.unlock.setDefault(True)
        self.quick = _button("&Quick session (no profile)", "Quick session, without a profile")
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        row = QHBoxLayout()
        row.addWidget(self.unlock)
        row.addStretch(1)
        row.addWidget(self.quick)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("The profile store is locked"))
        layout.addWidget(QLabel("Type its passphrase to see the people in it."))
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addStretch(1)


class CreateView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        intro = QLabel(
            "There is no profile store on this computer yet. It keeps each person's communication "
            "profile, encrypted with a passphrase. Without the passphrase nobody, including you, "
            "can read the profiles, so keep it safe."
        )
        intro.setWordWrap(True)
        self.first = _field("New passphrase", secret=True)
        self.second = _field("New passphrase again", secret=True)
        self.rule = QLabel(f"At least {MIN_PASSPHRASE} characters; a few ordinary words make a good one.")
        self.rule.setWordWrap(True)
        self.create_store = _button("&Create a profile store", "Create a profile store")
        self.skip = _button("&Skip: use quick sessions only", "Skip: use quick sessions only")
        form = QFormLayout()
        form.addRow("New &passphrase:", self.first)
        form.addRow("Type it &again:", self.second)
        form.addRow("", self.rule)
        row = QHBoxLayout()
        row.addWidget(self.create_store)
        row.addStretch(1)
        row.addWidget(self.skip)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("No profile store yet"))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addStretch(1)


class DirectoryView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.search = _field("Find a person by preferred name")
        self.search.setPlaceholderText("Type part of a name")
        self.search.setClearButtonEnabled(True)
        search_label = QLabel("&Find by name:")
        search_label.setBuddy(self.search)
        self.people = QListWidget()
        self.people.setAccessibleName("People")
        list_font = QFont(self.people.font())
        list_font.setPointSize(LIST_PT)
        self.people.setFont(list_font)
        self.people.setAccessibleDescription(
            "Press Enter to open the person. Review overdue is said in words."
        )
        self.count = QLabel()
        self.new = _button("&New person…", "Add a new person")
        self.quick = _button("&Quick session (no profile)", "Quick session, without a profile")
        self.lock = _button("&Lock", "Lock the profile store")

        self.name = _heading("", NAME_PT)
        self.name.setAccessibleName("Person")
        self.review = QLabel()
        self.review.setWordWrap(True)
        self.needs = QLabel()
        self.needs.setAccessibleName("Key needs")
        self.needs.setWordWrap(True)
        font = QFont(self.needs.font())
        font.setPointSize(KEY_NEEDS_PT)
        self.needs.setFont(font)
        self.needs.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Tab reaches the needs, so a screen reader reads them and they can be copied.
        self.needs.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.start = _button("&Start a session with this person", "Start a session with this person")
        self.edit = _button("&Edit…", "Edit this person's profile")
        self.history = _button("&History…", "History of this person's profile, with undo")
        self.export = _button("E&xport…", "Export this person's profile")
        self.delete = _button("&Delete…", "Delete this person")

        left = QVBoxLayout()
        left.addWidget(search_label)
        left.addWidget(self.search)
        left.addWidget(self.people, 1)
        left.addWidget(self.count)
        left.addWidget(self.new)
        details = QGroupBox("Person")
        actions = QHBoxLayout()
        for button in (self.edit, self.history, self.export, self.delete):
            actions.addWidget(button)
        actions.addStretch(1)
        right = QVBoxLayout(details)
        right.addWidget(self.name)
        right.addWidget(self.review)
        right.addWidget(self.needs, 1)
        right.addWidget(self.start)
        right.addLayout(actions)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(details, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.quick)
        bottom.addStretch(1)
        bottom.addWidget(self.lock)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(bottom)
