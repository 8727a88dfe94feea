"""The caption window's status line: a bold headline and a detail, never taller than two lines.

On a narrow window a long detail ("pocketsphinx: basic accuracy. Install a Vosk model ...")
would wrap into five or six lines and push the captions away, so the detail is shortened
at a word boundary and ends in "…". The headline ("Listening", "Paused", "No speech model")
is never shortened. The whole text stays in the tooltip and the accessible description,
so nothing is lost to a screen reader or a mouse.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

MAX_LINES = 2
ELLIPSIS = "…"


def status_html(headline: str, detail: str) -> str:
    text = f"<b>{html.escape(headline)}</b>"
    return text + f"&nbsp;&nbsp;{html.escape(detail)}" if detail else text


def line_count(rich_text: str, font: QFont, width: int) -> int:
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setTextWidth(max(1, width))
    doc.setHtml(rich_text)
    doc.size()
    count, block = 0, doc.begin()
    while block.isValid():
        count += block.layout().lineCount()
        block = block.next()
    return count


def fit_status(headline: str, detail: str, font: QFont, width: int, max_lines: int = MAX_LINES) -> str:
    """Rich text for the status at `width` px: the detail cut at a word to fit `max_lines`."""
    full = status_html(headline, detail)
    if not detail or line_count(full, font, width) <= max_lines:
        return full
    words = detail.split()
    low, high = 0, len(words) - 1  # the most detail words that still fit, with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if line_count(status_html(headline, " ".join(words[:middle]) + ELLIPSIS), font, width) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return status_html(headline, (" ".join(words[:low]) + ELLIPSIS) if low else ELLIPSIS)


class StatusLine(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self.setWordWrap(True)
        self.setAccessibleName("Status")
        self.headline, self.detail = "", ""

    def set_status(self, headline: str, detail: str) -> None:
        self.headline, self.detail = headline, detail
        whole = f"{headline}. {detail}".strip() if detail else headline
        self.setToolTip(whole)
        self.setAccessibleDescription(whole)
        self._fit()

    def setFont(self, font: QFont) -> None:  # type: ignore[override]
        super().setFont(font)
        # A fixed height of two lines: a changing status must not make the captions jump.
        self.setFixedHeight(int(MAX_LINES * QFontMetricsF(font).lineSpacing()) + 4)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width()
        self.setText(fit_status(self.headline, self.detail, self.font(), width))
