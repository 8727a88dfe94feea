"""What the caption window tests share: recognised segments and a window on screen."""

from __future__ import annotations

from assistant.captions.events import Segment, Word
from assistant.captions.style import CaptionStyle
from ui.caption_window import CaptionWindow


def seg(text: str, uncertain: tuple[str, ...] = ()) -> Segment:
    """A finished segment; words in `uncertain` have low confidence."""
    words = tuple(Word(w, 0.0, 0.1, 0.2 if w in uncertain else 0.95) for w in text.split())
    return Segment(text, 0.0, 1.0, words, "test")


def make(
    qtbot, width: int = 1280, height: int = 800, *, active: bool = True, **style: object
) -> CaptionWindow:  # type: ignore[no-untyped-def]
    window = CaptionWindow(CaptionStyle(**style))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    if active:
        window.activateWindow()  # window-wide shortcuts need the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # waitActive returns early offscreen
    return window
