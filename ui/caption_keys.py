"""The caption window's own keys: F11 full screen, Esc hides a message (or leaves full screen),
Space pauses or carries on, plus and minus change the text size (also with Ctrl and on the keypad).

Window-wide shortcuts, so the keys work whichever part of the window has the keyboard focus. The
desk's keys (ui/desk_controls.py) are attached from outside and take none of these.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


class CaptionKeysTarget(Protocol):
    def toggle_fullscreen(self) -> None: ...

    def escape(self) -> None: ...

    def toggle_pause(self) -> None: ...

    def change_font_size(self, steps: int) -> None: ...


def add_caption_keys(window: QWidget, target: CaptionKeysTarget) -> list[QShortcut]:
    keypad = Qt.KeyboardModifier.KeypadModifier
    keys: list[tuple[list[Any], Any]] = [
        (["F11"], target.toggle_fullscreen),
        (["Esc"], target.escape),
        (["Space"], target.toggle_pause),
        (
            ["+", "=", "Ctrl+=", "Ctrl++", QKeySequence(keypad | Qt.Key.Key_Plus)],
            lambda: target.change_font_size(+1),
        ),
        (["-", "Ctrl+-", QKeySequence(keypad | Qt.Key.Key_Minus)], lambda: target.change_font_size(-1)),
    ]
    shortcuts = []
    for sequences, slot in keys:
        for key in sequences:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            shortcuts.append(shortcut)
    return shortcuts
