"""The caption window on half a small laptop screen: from about 480 px wide."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton

from assistant.captions.events import Partial
from tests.ui.caption_windows import make as shown
from tests.ui.caption_windows import seg
from ui.caption_text import display_lines
from ui.caption_window import CaptionWindow
from ui.status_line import ELLIPSIS

PSPHINX = (
    "pocketsphinx: basic accuracy. Install a Vosk model for better captions: "
    "hark models install vosk-model-small-en-us-0.15"
)


def make(qtbot, width: int, height: int = 700, **style: object) -> CaptionWindow:  # type: ignore[no-untyped-def]
    window = shown(qtbot, width, height, active=False, **style)
    qtbot.waitUntil(lambda: window.width() == width)
    window.set_engine(PSPHINX)
    window.set_status("Listening")
    for text in ("Hello Dad, it's Tom.", "The nurse said your new hearing aids arrive on Friday."):
        window.add_segment(seg(text))
    window.show_partial(Partial("Shall we have a cup of", 0.0))
    qtbot.wait(20)
    return window


def buttons(window: CaptionWindow) -> list[QPushButton]:
    return [window.pause_button, window.smaller_button, window.larger_button, window.fullscreen_button]


def in_window(window: CaptionWindow, button: QPushButton) -> QRect:
    return QRect(button.mapTo(window, button.rect().topLeft()), button.size())


def test_the_window_can_be_480_px_wide(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, 480)
    assert window.minimumSizeHint().width() <= 480
    assert window.width() == 480


@pytest.mark.parametrize("width", [480, 560, 640])
@pytest.mark.parametrize("font_pt", [48, 80])
def test_every_button_fits_whole_and_none_overlap(qtbot, width: int, font_pt: int) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, width, font_pt=font_pt)
    rects = [in_window(window, b) for b in buttons(window)]
    for button, rect in zip(buttons(window), rects, strict=True):
        assert button.isVisible()
        assert window.rect().contains(rect), (button.text(), rect, window.rect())
        assert rect.width() >= button.sizeHint().width()  # the label is never squeezed or cut
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)


def test_buttons_wrap_when_narrow_and_share_a_row_when_wide(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, 1280)
    assert len({in_window(window, b).top() for b in buttons(window)}) == 1
    window.resize(480, 700)
    qtbot.waitUntil(lambda: window.width() == 480)
    qtbot.wait(20)
    assert len({in_window(window, b).top() for b in buttons(window)}) >= 2
    window.resize(1280, 700)
    qtbot.waitUntil(lambda: window.width() == 1280)
    qtbot.wait(20)
    assert len({in_window(window, b).top() for b in buttons(window)}) == 1


def test_a_long_status_is_shortened_to_two_lines_and_kept_whole_for_screen_readers(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, 480)
    status = window.status_label
    shown = status.text()
    assert shown.startswith("<b>Listening</b>") and shown.endswith(ELLIPSIS)
    assert status.heightForWidth(status.width()) <= status.height()  # nothing clipped below
    whole = f"Listening. {PSPHINX}"
    assert status.toolTip() == whole and status.accessibleDescription() == whole
    window.resize(1600, 700)
    qtbot.waitUntil(lambda: window.width() == 1600)
    qtbot.wait(20)
    assert not status.text().endswith(ELLIPSIS)  # wide enough: the whole detail again


def test_captions_wrap_whole_words_and_keep_whole_lines_at_480(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, 480, lines=4)
    doc = window.captions.document()
    assert 1 <= display_lines(doc) <= 4
    assert doc.size().height() <= window.captions.viewport().height()
    assert doc.idealWidth() <= window.captions.viewport().width()  # no line runs off the side
    assert window.captions.toPlainText().endswith("Shall we have a cup of …")


def test_a_message_fits_at_480(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, 480)
    window.show_message("Is it all right if I ask you some questions about where you live?", "phrase")
    qtbot.wait(20)
    panel = window.message
    assert window.rect().contains(QRect(panel.mapTo(window, panel.rect().topLeft()), panel.size()))
    text = panel.text
    assert text.heightForWidth(text.width()) <= text.height()  # every line of the message shows
    assert text.font().pointSize() >= 20
    assert panel.height() <= 0.6 * window.height() + 1
    assert window.captions.height() > 0
