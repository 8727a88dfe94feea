"""The app's three looks: standard (the system's own colours and font size), large text, and high
contrast (white on black, yellow for focus and selection). Every theme keeps a visible focus frame,
and sizes follow the system font: large text scales it rather than setting pixels."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from assistant.app_settings import THEMES

LARGE_TEXT_SCALE = 1.5
FOCUS = "QAbstractButton:focus, QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QListWidget:focus, QSlider:focus, QSpinBox:focus, QDoubleSpinBox:focus {{ border: 3px solid {colour}; }}"  # noqa: E501


def apply_theme(app: QApplication, name: str, system_font: QFont | None = None) -> None:
    """Apply theme `name` to the whole app; `system_font` is the font before any theme (kept by the
    caller so switching themes does not compound the scale)."""
    if name not in THEMES:
        raise ValueError(f"Unknown theme {name!r}; choose one of {', '.join(THEMES)}.")
    base = QFont(system_font) if system_font is not None else QFont(app.font())
    font = QFont(base)
    if name in ("large-text", "high-contrast"):
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        font.setPointSizeF(size * LARGE_TEXT_SCALE)
    app.setFont(font)
    style = app.style()
    if name == "high-contrast":
        app.setPalette(_high_contrast())
        app.setStyleSheet(FOCUS.format(colour="yellow"))
    else:
        app.setPalette(style.standardPalette())
        app.setStyleSheet(FOCUS.format(colour="palette(highlight)"))


def _high_contrast() -> QPalette:
    palette = QPalette()
    black, white, yellow = QColor("black"), QColor("white"), QColor("yellow")
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        palette.setColor(role, black)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.ToolTipText,
        QPalette.ColorRole.PlaceholderText,
    ):
        palette.setColor(role, white)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#202020"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, black)
    palette.setColor(QPalette.ColorRole.Highlight, yellow)
    palette.setColor(QPalette.ColorRole.HighlightedText, black)
    palette.setColor(QPalette.ColorRole.Link, QColor("cyan"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#b0b0b0"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#b0b0b0"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#b0b0b0"))
    return palette
