"""The app's looks: large text scales the system's font (switching back restores it, never
compounding), high contrast is white on black with yellow selection and focus, every look keeps a
visible focus frame, and a look that does not exist is refused in words."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QPalette

from ui.themes import LARGE_TEXT_SCALE, apply_theme


def test_large_text_scales_the_system_font_and_standard_puts_it_back(qapp) -> None:  # type: ignore[no-untyped-def]
    system = QFont(qapp.font())
    try:
        apply_theme(qapp, "large-text", system)
        apply_theme(qapp, "large-text", system)  # twice: still one step larger, not two
        assert qapp.font().pointSizeF() == pytest.approx(system.pointSizeF() * LARGE_TEXT_SCALE)
        apply_theme(qapp, "standard", system)
        assert qapp.font().pointSizeF() == pytest.approx(system.pointSizeF())
        assert ":focus" in qapp.styleSheet()
    finally:
        apply_theme(qapp, "standard", system)


def test_high_contrast_is_white_on_black_with_yellow_focus(qapp) -> None:  # type: ignore[no-untyped-def]
    system = QFont(qapp.font())
    try:
        apply_theme(qapp, "high-contrast", system)
        palette = qapp.palette()
        assert palette.color(QPalette.ColorRole.Window) == QColor("black")
        assert palette.color(QPalette.ColorRole.WindowText) == QColor("white")
        assert palette.color(QPalette.ColorRole.Highlight) == QColor("yellow")
        assert "yellow" in qapp.styleSheet() and qapp.font().pointSizeF() > system.pointSizeF()
    finally:
        apply_theme(qapp, "standard", system)
    assert qapp.palette().color(QPalette.ColorRole.Window) != QColor("black")


def test_an_unknown_look_is_refused_in_words(qapp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        ValueError, match="Unknown theme 'neon'; choose one of standard, large-text, high-contrast"
    ):
        apply_theme(qapp, "neon")
