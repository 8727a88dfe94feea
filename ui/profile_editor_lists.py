"""The profile editor's lists: needs, hearing devices and supporters, one box of fields per item.

Each item is a group of ordinary fields (profile_editor_fields) with a Remove button; "Add" (above
the items) puts a new item at the end and moves the focus into it. Items are numbered in their titles and in the
accessible names of their buttons, so a screen reader user knows which one they are in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from profiles.needs import CATEGORIES, COMMON_NEEDS
from ui.profile_editor_fields import Binding, block, choice, flag, line, notify

NEED_CATEGORIES = {
    "contact_method": "How to contact them",
    "information_format": "How to give them information",
    "communication_professional": "A communication professional",
    "communication_support": "Communication support they use",
}
assert set(NEED_CATEGORIES) == set(CATEGORIES)
DEVICE_TYPES = {"hearing_aid": "Hearing aid", "cochlear_implant": "Cochlear implant"}
DEVICE_SIDES = {"left": "Left ear", "right": "Right ear", "both": "Both ears"}
SUPPORTER_ROLES = {
    "imca": "IMCA (Independent Mental Capacity Advocate)",
    "attorney_or_deputy": "Attorney or deputy",
}

# An item's fields, and the helpers shown above them with their labels (the NHS list of needs).
RowMaker = Callable[[], tuple[list[Binding], list[tuple[str, QWidget]]]]


class _Row(QGroupBox):
    def __init__(self, bindings: list[Binding], extras: list[tuple[str, QWidget]], noun: str) -> None:
        super().__init__()
        self.bindings = {binding.path.rsplit(".", 1)[-1]: binding for binding in bindings}  # by key
        self.extras = extras
        self.focus_order = [widget for _, widget in extras] + [binding.widget for binding in bindings]
        self.remove = QPushButton(f"Remove this {noun}")
        self.remove.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        form = QFormLayout(self)
        for caption, widget in extras:
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
        for binding in bindings:
            if isinstance(binding.widget, QCheckBox):
                form.addRow(binding.widget)
            else:
                label = QLabel(binding.caption)
                label.setBuddy(binding.widget)
                label.setWordWrap(True)
                form.addRow(label, binding.widget)
            form.addRow(binding.problem)
        form.addRow(self.remove)
        self.focus_order.append(self.remove)


class ItemList(QWidget):
    """The items of one list field (`path`, such as `needs`), each made by `make_row`."""

    changed = Signal()

    def __init__(self, path: str, noun: str, make_row: RowMaker, add_caption: str) -> None:
        super().__init__()
        self.path, self.noun, self._make_row = path, noun, make_row
        self._rows: list[_Row] = []
        self._items = QVBoxLayout()
        self.empty = QLabel(f"No {noun}s recorded.")
        self.add_button = QPushButton(add_caption)
        self.add_button.setAccessibleName(add_caption.replace("&", ""))
        self.add_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.add_button.clicked.connect(self.add_item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.add_button)  # above the items: Tab goes on from it through them
        layout.addLayout(self._items)

    def read(self) -> list[dict[str, Any]]:
        return [{key: binding.read() for key, binding in row.bindings.items()} for row in self._rows]

    def write(self, items: Any) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows = []
        for item in items if isinstance(items, list) else []:
            self._append(item if isinstance(item, dict) else {})
        self._renumber()

    def bindings(self) -> list[Binding]:
        """Every item's fields with their whole paths, such as `needs[1].code`, as they are now."""
        found = []
        for index, row in enumerate(self._rows):
            for key, binding in row.bindings.items():
                binding.path = f"{self.path}[{index}].{key}"
                found.append(binding)
        return found

    def add_item(self) -> None:
        row = self._append({})
        self._renumber()
        self.changed.emit()
        row.focus_order[0].setFocus()

    def _append(self, item: dict[str, Any]) -> _Row:
        bindings, extras = self._make_row()
        for binding in bindings:
            key = binding.path.rsplit(".", 1)[-1]
            if key in item:
                binding.write(item[key])
            binding.on_change(self.changed.emit)
        row = _Row(bindings, extras, self.noun)
        row.remove.clicked.connect(lambda: self._remove(row))
        self._rows.append(row)
        self._items.addWidget(row)
        return row

    def _remove(self, row: _Row) -> None:
        index = self._rows.index(row)
        self._rows.remove(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        self.changed.emit()
        after = self._rows[min(index, len(self._rows) - 1)].remove if self._rows else self.add_button
        after.setFocus()  # the focus stays near where it was, never lost with the removed box

    def _renumber(self) -> None:
        self.empty.setVisible(not self._rows)
        previous: QWidget = self.add_button
        for row in self._rows:  # items made after the dialog would otherwise come after its buttons
            for widget in row.focus_order:
                QWidget.setTabOrder(previous, widget)
                previous = widget
        for number, row in enumerate(self._rows, 1):
            title = f"{self.noun.capitalize()} {number}"
            row.setTitle(title)
            row.setAccessibleName(title)
            row.remove.setAccessibleName(f"Remove {self.noun} {number}")
            for binding in row.bindings.values():
                binding.widget.setAccessibleName(f"{title}: {binding.caption}")
            for caption, widget in row.extras:
                widget.setAccessibleName(f"{title}: {caption}")
        self.bindings()


def need_row() -> tuple[list[Binding], list[tuple[str, QWidget]]]:
    """A need: pick one from the NHS catalogue (which fills the rest), or type another code."""
    fields = [
        choice("needs[].category", "Kind of need", NEED_CATEGORIES),
        line("needs[].code", "SNOMED CT code", "digits, such as 716537007"),
        line("needs[].display", "What the code says"),
        block("needs[].note", "Note (optional)", rows=2),
    ]
    category, code, display, _ = fields
    catalogue = QComboBox()
    catalogue.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    catalogue.addItem("Choose from the NHS list, or type a code below", None)
    for need in COMMON_NEEDS:
        catalogue.addItem(f"{need.display} ({NEED_CATEGORIES[need.category].lower()})", need.code)

    def pick(index: int) -> None:
        wanted = catalogue.itemData(index)
        for need in COMMON_NEEDS:
            if need.code == wanted:
                category.write(need.category)
                code.write(need.code)
                display.write(need.display)

    def follow_code() -> None:  # a typed or loaded catalogue code shows as chosen in the list
        index = catalogue.findData(code.read())
        catalogue.blockSignals(True)
        catalogue.setCurrentIndex(max(index, 0))
        catalogue.blockSignals(False)

    catalogue.activated.connect(pick)
    code.on_change(follow_code)
    return fields, [("From the NHS list", catalogue)]


def device_row() -> tuple[list[Binding], list[tuple[str, QWidget]]]:
    return [
        choice("hearing.devices[].type", "Kind of device", DEVICE_TYPES),
        choice("hearing.devices[].side", "Which ear", DEVICE_SIDES),
        flag("hearing.devices[].telecoil", "Has a telecoil (T setting) for hearing loops"),
    ], []


def supporter_row() -> tuple[list[Binding], list[tuple[str, QWidget]]]:
    return [
        line("supporters[].name", "Name"),
        choice("supporters[].role", "Role", SUPPORTER_ROLES),
        line("supporters[].relationship", "Relationship (optional)", "such as Daughter"),
        block("supporters[].contact", "How to reach them (optional)", rows=2),
    ], []


def list_binding(items: ItemList, caption: str) -> Binding:
    """The list as one field too, for problems about the list itself ("holds 51 items")."""
    return Binding(items.path, caption, items.add_button, items.read, items.write, notify(items.changed))
