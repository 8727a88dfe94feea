"""What a screen reader and a keyboard user need from every window: each control that takes the
keyboard focus has an accessible name (a button's own text counts), and no two visible controls of
one window share an Alt+letter."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabBar, QWidget

_MNEMONIC = re.compile(r"&([^&\s])")


def walk_problems(window: QWidget) -> list[str]:
    """Every problem in what `window` shows now (hidden pages are walked by the caller)."""
    problems = []
    letters: dict[str, list[str]] = defaultdict(list)
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisibleTo(window) and widget is not window:
            continue
        name = widget.accessibleName()
        text = widget.text() if isinstance(widget, QAbstractButton | QLabel) else ""
        takes_focus = widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled()
        if takes_focus and not isinstance(widget, QTabBar) and not (name or _plain(text)):
            problems.append(
                f"{type(widget).__name__} {widget.objectName()!r} in {_where(widget)} has no name"
            )
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
            found = _MNEMONIC.search(text)
            if found:
                letters[found.group(1).lower()].append(_plain(text))
        if isinstance(widget, QGroupBox):
            found = _MNEMONIC.search(widget.title())
            if found:
                letters[found.group(1).lower()].append(_plain(widget.title()))
    for letter, owners in letters.items():
        if len(owners) > 1:
            problems.append(f"Alt+{letter.upper()} is shared by {' / '.join(owners)}")
    return problems


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _where(widget: QWidget) -> str:
    chain = []
    parent = widget.parentWidget()
    while parent is not None and len(chain) < 3:
        label = parent.accessibleName() or (parent.title() if isinstance(parent, QGroupBox) else "")
        chain.append(label or type(parent).__name__)
        parent = parent.parentWidget()
    return " < ".join(chain)
