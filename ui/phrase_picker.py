"""The assessor's quick-phrase picker, opened over the caption window (Ctrl+P there).

A list grouped under headings, the person's favourites first. Enter speaks the phrase to the
person and shows it large; Shift+Enter only shows it; Esc closes. Up and Down skip the
headings, and typing a letter jumps to the next phrase starting with it (Qt's keyboard search).
It is a dialog of its own, so the caption window's single-key shortcuts (Space, +, -) do not
fire while the assessor picks. The picker only presents: `chosen(phrase_id, speak)` goes to
the controller, and `show_problem` shows its answer when a phrase cannot be used.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.announce import Announcer
from ui.caption_window import FONT_FAMILIES

LIST_PT = 20
TITLE_PT = 22
ID_ROLE = Qt.ItemDataRole.UserRole
# (heading, [(phrase id, the text as it will be said)])
Groups = Sequence[tuple[str, Sequence[tuple[str, str]]]]


def overlay_on(dialog: QDialog, parent: QWidget | None, share: float = 0.8) -> None:
    """Size the dialog to `share` of its parent window and centre it there."""
    if parent is None:
        return
    window = parent.window()
    width, height = int(window.width() * share), int(window.height() * share)
    dialog.resize(max(dialog.minimumWidth(), width), max(dialog.minimumHeight(), height))
    centre = window.mapToGlobal(window.rect().center())
    dialog.move(centre.x() - dialog.width() // 2, centre.y() - dialog.height() // 2)


def dialog_font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(points)
    font.setBold(bold)
    return font


class PhrasePicker(QDialog):
    chosen = Signal(str, bool)  # (phrase id, speak): Enter speaks and shows, Shift+Enter only shows

    def __init__(self, groups: Groups, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phrasePicker")
        self.setWindowTitle("Quick phrases")
        self.setAccessibleName("Quick phrases")
        self.setAccessibleDescription(
            "Choose a phrase. Enter says it and shows it large, Shift+Enter only shows it, Esc closes."
        )
        self.setMinimumSize(420, 300)
        self.title = QLabel("Quick phrases. Enter: say and show. Shift+Enter: show only. Esc: close.", self)
        self.title.setObjectName("phrasePickerTitle")
        self.title.setWordWrap(True)
        self.title.setFont(dialog_font(TITLE_PT, bold=True))
        self.title.setAccessibleName("How to use the phrase list")
        self.list = QListWidget(self)
        self.list.setObjectName("phraseList")
        self.list.setAccessibleName("Phrases")
        self.list.setAccessibleDescription("Quick phrases in groups, favourites first.")
        self.list.setFont(dialog_font(LIST_PT))
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda item: self._choose(item, True))
        self.problem = QLabel(self)
        self.problem.setObjectName("phraseProblem")
        self.problem.setWordWrap(True)
        self.problem.setFont(dialog_font(LIST_PT - 2))
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        self.announcer = Announcer(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problem)
        self.setStyleSheet(
            "QDialog { background: #101010; color: #ffffff; border: 3px solid #ffffff; }"
            "QLabel { color: #ffffff; }"
            "QListWidget { background: #000000; color: #ffffff; border: 2px solid #ffffff; }"
            "QListWidget::item:selected { background: #ffd400; color: #000000; }"
            "QListWidget:focus { border: 5px solid #ffd400; }"
            "#phraseProblem { color: #ffd400; }"
        )
        self.set_groups(groups)

    def set_groups(self, groups: Groups) -> None:
        self.list.clear()
        heading_font = dialog_font(LIST_PT, bold=True)
        for heading, phrases in groups:
            if not phrases:
                continue
            head = QListWidgetItem(heading)
            head.setFlags(Qt.ItemFlag.NoItemFlags)  # not selectable: the arrow keys skip it
            head.setFont(heading_font)
            head.setForeground(Qt.GlobalColor.yellow)
            self.list.addItem(head)
            for phrase_id, text in phrases:
                item = QListWidgetItem(f"   {text}")
                item.setData(ID_ROLE, phrase_id)
                item.setToolTip(phrase_id)
                self.list.addItem(item)
        first = self.first_phrase_row()
        if first is not None:
            self.list.setCurrentRow(first)

    def first_phrase_row(self) -> int | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE):
                return row
        return None

    def phrase_ids(self) -> list[str]:
        """The ids in the order listed (favourites first)."""
        return [
            self.list.item(r).data(ID_ROLE)
            for r in range(self.list.count())
            if self.list.item(r).data(ID_ROLE)
        ]

    def open_over(self, parent: QWidget | None) -> None:
        overlay_on(self, parent)
        self.problem.hide()
        self.show()
        self.raise_()
        self.activateWindow()
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_problem(self, text: str) -> None:
        """Why the chosen phrase was not used; the picker stays open to choose another."""
        self.problem.setText(text)
        self.problem.show()
        self.announcer.announce(text, assertive=True, source=self.problem)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                speak = not (event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self._choose(self.list.currentItem(), speak)
                return True
        return super().eventFilter(watched, event)

    def _choose(self, item: QListWidgetItem | None, speak: bool) -> None:
        if item is None or not item.data(ID_ROLE):
            return
        self.problem.hide()
        self.chosen.emit(item.data(ID_ROLE), speak)
