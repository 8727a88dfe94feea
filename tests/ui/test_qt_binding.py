"""The Qt binding must not leak references to None.

PySide6-Essentials 6.12.0 on CPython 3.11 lowers None's reference count on every call of a
Qt method that returns nothing; a caption window updating for an hour, or twenty passport
exports, then abort the interpreter ("none_dealloc"). pyproject.toml excludes that release;
this test catches any other release with the same fault before a person's session does.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(500):
        font.setBold(True)
        label.setText("Hello")
    lost = before - sys.getrefcount(None)
    assert lost < 50, f"PySide6 lost {lost} references to None in 1000 calls: use another PySide6 release"
