"""The profile editor's fields: each widget bound to one path of the profile (profiles/SCHEMA.md).

A `Binding` reads and writes one value and has a line beneath its widget for the problem the
model's validator reports there. Ranges, choices and lengths come from the model's own schema
(profiles/model.py), so the editor offers only values the validator accepts. A value loaded from a
profile is shown as it is, even out of range, and a number nobody touched is given back exactly
as it came (a spin box's rounding never changes a saved value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)

from profiles import model
from profiles.fields import Choice, Field, Items, Number, Section

MISSING: Any = (
    object()
)  # what a field reads when its key is to be left out (an audiogram frequency not tested)
PROBLEM_STYLE = "color: #a00000; font-weight: bold;"  # the words say it too: colour is never the only sign


def schema_field(path: str) -> Field:
    """The model's checker for a path such as `hearing.listening.gain_db`, `needs[0].code`, `needs[].code`."""
    found: Field = model.SCHEMA  # the one schema
    for part in path.split("."):
        name, _, index = part.partition("[")
        assert isinstance(found, Section), path
        if name in found.fields:
            found = found.fields[name]
        else:
            assert found.open_keys is not None and name in found.key_names, path
            found = found.open_keys
        if index:
            assert isinstance(found, Items), path
            found = found.item
    return found


def plain(value: str) -> str:
    """A schema value in words when no better ones are given: `hearing_aid` -> "Hearing aid"."""
    return value.replace("_", " ").replace("-", " ").capitalize()


@dataclass
class Binding:
    """One field of the profile: its path, its words, its widget, and its problem line."""

    path: str
    caption: str  # the label's words, also the widget's accessible name
    widget: QWidget
    read: Callable[[], Any]
    write: Callable[[Any], None]
    on_change: Callable[[Callable[[], object]], None]  # connects a callback to the widget's edits
    problem: QLabel = field(default_factory=lambda: _problem_label())

    def show_problem(self, message: str) -> None:
        if message and message[-1] not in ".?!":
            message += "."
        text = f"Problem: {self.widget.accessibleName()} – {message}" if message else ""
        self.problem.setText(text)
        self.problem.setAccessibleName(text or "No problem")
        self.problem.setVisible(bool(text))
        self.widget.setAccessibleDescription(text)  # read out with the field when it has the focus

    @property
    def problem_text(self) -> str:
        return self.problem.text()


def notify(signal: SignalInstance) -> Callable[[Callable[[], object]], None]:
    """Connects callbacks that take no arguments to a signal that may carry some."""

    def connect(call: Callable[[], object]) -> None:
        signal.connect(lambda *_: call())

    return connect


def _problem_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(PROBLEM_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.hide()
    return label


def _named(widget: QWidget, caption: str) -> None:
    widget.setAccessibleName(caption.replace("&", ""))
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    if isinstance(widget, QAbstractSpinBox):  # the focus goes to its text field, which is announced
        widget.lineEdit().setAccessibleName(caption.replace("&", ""))


def line(path: str, caption: str, placeholder: str = "") -> Binding:
    """One line of text; an empty line reads as None where the field may be null."""
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    _named(box, caption)
    nullable = schema_field(path).default() is None  # names, dates and times: empty means null

    def write(value: Any) -> None:
        box.setText("" if value is None else str(value))

    def read() -> Any:
        text = box.text()
        return None if nullable and not text.strip() else text

    return Binding(path, caption, box, read, write, notify(box.textChanged))


def block(path: str, caption: str, rows: int = 3) -> Binding:
    """Free text of several lines; Tab moves on to the next field rather than typing a tab."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * rows + 16)
    _named(box, caption)
    return Binding(
        path,
        caption,
        box,
        box.toPlainText,
        lambda value: box.setPlainText("" if value is None else str(value)),
        notify(box.textChanged),
    )


def choice(path: str, caption: str, words: dict[Any, str] | None = None, none_text: str = "") -> Binding:
    """A drop-down of the schema's options in plain words (and `none_text` for null, if allowed)."""
    checker = schema_field(path)
    assert isinstance(checker, Choice), path
    words = words or {}
    box = QComboBox()
    _named(box, caption)
    if checker.nullable:
        box.addItem(none_text or "None", None)
    for option in checker.options:
        box.addItem(words.get(option, plain(str(option))), option)

    def write(value: Any) -> None:
        index = box.findData(value)
        if index < 0:  # a value the schema does not know: shown, so the problem can be seen and fixed
            box.addItem(f"{value} (not a known choice)", value)
            index = box.count() - 1
        box.setCurrentIndex(index)

    return Binding(path, caption, box, box.currentData, write, notify(box.currentIndexChanged))


def flag(path: str, caption: str) -> Binding:
    box = QCheckBox(caption)
    _named(box, caption)
    return Binding(
        path,
        caption,
        box,
        box.isChecked,
        lambda value: box.setChecked(value is True),
        notify(box.toggled),
    )


def number(
    path: str,
    caption: str,
    *,
    step: float = 1.0,
    decimals: int = 1,
    scale: float = 1.0,
    suffix: str = "",
    missing_text: str = "",
) -> Binding:
    """A spin box over the schema's range; `scale` shows 0..1 as 0..100 %, `missing_text` is the
    one step below the range that means "leave it out"."""
    checker = schema_field(path)
    assert isinstance(checker, Number), path
    box = QDoubleSpinBox()
    _named(box, caption)
    box.setDecimals(0 if checker.whole else decimals)
    low = checker.low * scale - (step if missing_text else 0)
    box.setRange(low, checker.high * scale)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    if missing_text:
        box.setSpecialValueText(missing_text)
    loaded: dict[str, Any] = {"value": MISSING, "shown": None}

    def write(value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = value * scale
            box.setRange(min(box.minimum(), shown), max(box.maximum(), shown))  # shown as it is
            box.setValue(shown)
        elif missing_text:
            box.setValue(box.minimum())
        loaded.update(value=value, shown=box.value())

    def read() -> Any:
        if box.value() == loaded["shown"]:
            return loaded["value"]
        if missing_text and box.value() == box.minimum():
            return MISSING
        value = box.value() / scale
        return round(value) if checker.whole else round(value, 6)

    return Binding(path, caption, box, read, write, notify(box.valueChanged))


class Form(QScrollArea):
    """One tab: rows of label, field and the field's problem line, scrolling when the text is large.

    Mnemonics are picked here, the first letter of each caption not yet used on this tab (nor in
    `reserved`, the dialog's own buttons), so no two fields on a tab share Alt and a letter.
    """

    def __init__(self, reserved: str = "") -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget()
        self.rows = QFormLayout(inner)
        self.rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.setWidget(inner)
        self.used = set(reserved.lower())
        self.bindings: list[Binding] = []

    def mnemonic(self, caption: str) -> str:
        for index, char in enumerate(caption):
            if char.isalpha() and char.lower() not in self.used:
                self.used.add(char.lower())
                return f"{caption[:index]}&{caption[index:]}"
        return caption

    def add(self, binding: Binding, *, mnemonic: bool = True) -> Binding:
        text = self.mnemonic(binding.caption) if mnemonic else binding.caption
        if isinstance(binding.widget, QCheckBox):
            binding.widget.setText(text)
            self.rows.addRow(binding.widget)
        else:
            label = QLabel(text)
            label.setBuddy(binding.widget)  # Alt and the underlined letter moves the focus there
            label.setWordWrap(True)
            self.rows.addRow(label, binding.widget)
        self.rows.addRow(binding.problem)
        self.bindings.append(binding)
        return binding

    def heading(self, text: str) -> QLabel:
        label = QLabel(f"<b>{text}</b>")
        label.setAccessibleName(text)
        self.rows.addRow(label)
        return label

    def note(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(text)
        self.rows.addRow(label)
        return label

    def add_widget(self, widget: QWidget) -> None:
        self.rows.addRow(widget)
