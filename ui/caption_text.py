"""What the caption window shows, decided without widgets.

Which words, in which case, which of them are uncertain, which segments are kept,
and how a laid-out document is trimmed to whole display lines. The window only
renders what this module decides.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QTextCursor, QTextDocument

from assistant.captions.profanity import mask_profanity
from assistant.captions.style import MAX_LINES, CaptionStyle


@dataclass(frozen=True)
class CaptionWord:
    text: str
    uncertain: bool


def caption_words(event: Any, style: CaptionStyle) -> list[CaptionWord]:
    """The words of a Partial or Segment as they should be shown under `style`."""

    def clean(text: str) -> str:
        text = mask_profanity(text) if style.profanity_filter else text
        return text.upper() if style.upper_case else text

    words = getattr(event, "words", ())
    if words:
        return [
            CaptionWord(
                clean(w.text), style.mark_low_confidence and w.confidence < style.low_confidence_threshold
            )
            for w in words
            if w.text.strip()
        ]
    return [CaptionWord(clean(text), False) for text in event.text.split()]


class CaptionHistory:
    """Finished segments worth keeping plus the current partial.

    Each segment takes at least one display line, so MAX_LINES segments are enough
    to refill the window after the text gets smaller or the window wider.
    """

    def __init__(self) -> None:
        self.segments: deque[Any] = deque(maxlen=MAX_LINES)
        self.partial: Any = None

    def add_partial(self, partial: Any) -> None:
        self.partial = partial if partial.text.strip() else None  # a new partial replaces the last

    def add_segment(self, segment: Any) -> None:
        if segment.text.strip() or getattr(segment, "words", ()):
            self.segments.append(segment)
        self.partial = None  # the segment is the final form of the partial


def display_lines(doc: QTextDocument) -> int:
    """How many wrapped lines `doc` lays out into at its current text width."""
    doc.size()  # forces the layout of every block
    count, block = 0, doc.begin()
    while block.isValid():
        if block.length() > 1:  # an empty document still has one empty block
            count += block.layout().lineCount()
        block = block.next()
    return count


def trim_to_lines(doc: QTextDocument, max_lines: int) -> None:
    """Delete text from the start of `doc` until it lays out into at most `max_lines` lines."""
    doc.size()
    kept, block = 0, doc.lastBlock()
    while block.isValid():
        lines = block.layout().lineCount()
        if kept + lines > max_lines:
            keep = max_lines - kept
            layout = block.layout()
            cut = (
                block.position() + layout.lineAt(lines - keep).textStart()
                if keep
                else block.next().position()
            )
            cursor = QTextCursor(doc)
            cursor.setPosition(cut, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            return
        kept += lines
        block = block.previous()
