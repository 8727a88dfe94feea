"""How the caption window draws: the captions laid out as whole lines, newest at the bottom, and
the window's style sheet from the caption colours.

Lines are counted in *wrapped display lines*, not in caption segments: the text is laid out at
the window's width and only the last `style.lines` lines are kept. If the area is too short for
that many lines at this size, fewer whole lines are shown: a line is never cut in half and a word
is never clipped (words longer than the width break rather than run off the edge).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)

from assistant.captions.style import CaptionStyle, ColourScheme
from ui.caption_text import CaptionHistory, caption_words, trim_to_lines

MARGIN_PX = 24
# Ends the line still being spoken: "more to come" without a symbol people must learn.
# The no-break space keeps it from wrapping onto a line of its own.
LIVE_SUFFIX = "\u00a0…"


def caption_document(
    parent: QObject, history: CaptionHistory, style: CaptionStyle, font: QFont, width: int, height: int
) -> QTextDocument:
    """The newest captions as a document `width` wide that fits in `height`: whole lines only, as
    many as the style asks for or fewer, the newest line at the bottom."""
    colours = style.colours
    doc = QTextDocument(parent)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(MARGIN_PX)
    option = doc.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    doc.setDefaultTextOption(option)
    doc.setTextWidth(width)
    cursor = QTextCursor(doc)
    # Each segment takes at least one line, so only the newest `lines` can be seen; laying out
    # older ones would only add time holding the GIL that the audio callback needs.
    shown = list(history.segments)[-style.lines :]
    blocks = [(caption_words(s, style), False) for s in shown]
    if history.partial is not None:
        blocks.append((caption_words(history.partial, style), True))
    for number, (words, live) in enumerate(blocks):
        if number:
            cursor.insertBlock()
        plain = QTextCharFormat()
        plain.setForeground(QColor(colours.live if live else colours.text))
        plain.setFontItalic(live)
        for index, word in enumerate(words):
            fmt = QTextCharFormat(plain)
            if word.uncertain:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(QColor(colours.live if live else colours.text))
            cursor.insertText(("" if index == 0 else " "), plain)
            cursor.insertText(word.text, fmt)
        if live:
            cursor.insertText(LIVE_SUFFIX, plain)
    # Keep whole lines only: as many as asked for, fewer if the window is too short.
    line = QFontMetricsF(font).lineSpacing()
    fit = int(max(0.0, height - 2 * MARGIN_PX) // line) if line > 0 else style.lines
    lines = max(1, min(style.lines, fit))
    trim_to_lines(doc, lines)
    while lines > 1 and doc.size().height() > height:
        lines -= 1
        trim_to_lines(doc, lines)
    # Anchor the newest line at the bottom: pad the top by the unused height.
    frame = doc.rootFrame()
    frame_format = frame.frameFormat()
    frame_format.setTopMargin(MARGIN_PX + max(0.0, height - doc.size().height()))
    frame.setFrameFormat(frame_format)
    return doc


def window_style_sheet(colours: ColourScheme) -> str:
    """The caption window's look in one colour scheme: high contrast, with focus always obvious."""
    return (
        f"CaptionWindow, QTextBrowser {{ background: {colours.background}; color: {colours.text}; }}"
        f"#statusBar {{ background: {colours.status_background};"
        f" border-top: 2px solid {colours.text}; }}"
        f"QLabel {{ color: {colours.text}; background: transparent; }}"
        f"QPushButton {{ color: {colours.text}; background: {colours.background};"
        f" border: 2px solid {colours.text}; border-radius: 8px; padding: 6px 18px; }}"
        # Focus must be obvious: a thick ring in the accent colour, never the thin native dots.
        f"QPushButton:focus {{ border: 5px solid {colours.accent}; padding: 3px 15px; }}"
        f"QTextBrowser:focus {{ border: 5px solid {colours.accent}; }}"
        # The message panel: framed in the accent colour, on the status bar's shade.
        f"#messagePanel {{ background: {colours.status_background};"
        f" border: 6px solid {colours.accent}; border-radius: 12px; margin: 12px; }}"
        f"#messagePanel QPushButton {{ background: {colours.status_background}; }}"
    )
