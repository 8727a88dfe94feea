"""A framed panel above the captions for a quick phrase or the person's typed reply.

It must not be mistaken for live captions: a thick frame in the scheme's accent colour, a
heading that says whose words these are ("Assessor says", "You wrote"), upright bold text
(live captions are plain, the line being spoken italic), and a Hide button. The caption
window decides when it shows and hides; this module only lays it out.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

# Sources as the conversation timeline names them (assistant/conversation/timeline.py), plus short forms.
HEADINGS = {
    "phrase": "Assessor says",
    "assessor_typed": "Assessor says",
    "app_spoken": "Assessor says",
    "assessor": "Assessor says",
    "person_typed": "You wrote",
    "person": "You wrote",
}
HEADING_PT = 22
MIN_TEXT_PT = 20  # the caption style's smallest size
FRAME_PX = 12 + 6  # the style sheet's margin and border, on each side
MARGINS = (20, 12, 20, 16)  # left, top, right, bottom inside the frame
SPACING_PX = 6


def check_message(text: str, source: str, seconds: float | None) -> None:
    """ValueError unless `text` can be shown as a message from `source` for `seconds` (None: until hidden)."""
    if source not in HEADINGS:
        raise ValueError(f"Unknown message source {source!r}; use one of: {', '.join(HEADINGS)}.")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("There is no message to show: the text is empty.")
    if seconds is not None and (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds <= 0
    ):
        raise ValueError(
            f"A message must show for a positive number of seconds or None (until hidden), not {seconds!r}."
        )


class MessagePanel(QFrame):
    def __init__(self, on_hide: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagePanel")
        self.setAccessibleName("Message")
        self.setAccessibleDescription("A phrase or a typed reply shown large. Esc or Hide clears it.")
        self.heading = QLabel(self)
        self.heading.setObjectName("messageHeading")
        self.heading.setAccessibleName("Whose message")
        self.heading.setAccessibleDescription("Who the message is from.")
        self.text = QLabel(self)
        self.text.setObjectName("messageText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # typed replies are shown as typed, never as markup
        self.text.setAccessibleName("Message text")
        self.text.setAccessibleDescription("The message, in large letters.")
        self.hide_button = QPushButton("Hide", self)
        self.hide_button.setObjectName("hideMessageButton")
        self.hide_button.setAccessibleDescription("Hide this message (Esc).")
        self.hide_button.setMinimumHeight(56)
        self.hide_button.clicked.connect(on_hide)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(SPACING_PX)
        layout.addLayout(top)
        layout.addWidget(self.text)
        self.hide()

    def apply_fonts(self, caption_font: QFont, button_font: QFont) -> None:
        heading = QFont(caption_font)
        heading.setPointSize(HEADING_PT)
        heading.setBold(True)
        self.heading.setFont(heading)
        self._big = QFont(caption_font)
        self._big.setBold(True)
        self._big.setItalic(False)
        self.text.setFont(self._big)
        self.hide_button.setFont(button_font)

    def fit(self, window_width: int, max_height: int) -> None:
        """Shrink the text from the captions' size, if it must, to fit `max_height` px at this
        width; never below MIN_TEXT_PT (a very long reply is then cut, and whole in the tooltip)."""
        width = window_width - 2 * FRAME_PX - MARGINS[0] - MARGINS[2]
        room = (
            max_height
            - 2 * FRAME_PX
            - MARGINS[1]
            - MARGINS[3]
            - SPACING_PX
            - max(self.heading.sizeHint().height(), self.hide_button.sizeHint().height())
        )
        font = QFont(self._big)
        for size in range(self._big.pointSize(), MIN_TEXT_PT - 1, -2):
            font.setPointSize(size)
            flags = int(Qt.TextFlag.TextWordWrap)
            if (
                QFontMetrics(font)
                .boundingRect(QRect(0, 0, max(1, width), 1 << 20), flags, self.text.text())
                .height()
                <= room
            ):
                break
        self.text.setFont(font)

    def show_text(self, heading: str, text: str) -> None:
        self.heading.setText(heading)
        self.text.setText(text)
        self.setAccessibleDescription(f"{heading}: {text}")
        self.setToolTip(text)
        self.show()
