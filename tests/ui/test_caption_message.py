"""show_message: a quick phrase or the person's typed reply, large, apart from the captions."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from assistant.captions.events import Partial
from tests.ui.caption_windows import make, seg
from ui.caption_text import display_lines


@pytest.mark.parametrize(
    "source, heading",
    [
        ("phrase", "Assessor says"),
        ("assessor_typed", "Assessor says"),
        ("assessor", "Assessor says"),
        ("person_typed", "You wrote"),
        ("person", "You wrote"),
    ],
)
def test_message_shows_large_above_the_captions_with_whose_words(qtbot, source: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.add_segment(seg("Hello Margaret."))
    window.show_message("  I would like to stay at home.  ", source)
    panel = window.message
    assert panel.isVisible()
    assert panel.heading.text() == heading
    assert panel.text.text() == "I would like to stay at home."
    assert panel.geometry().bottom() <= window.captions.geometry().top()  # above, not over, the captions
    assert panel.text.font().pointSize() == window.style_.font_pt  # as large as the captions
    assert panel.text.font().bold() and not panel.text.font().italic()  # unlike the live line
    assert window.captions.toPlainText() == "Hello Margaret."  # the message is not a caption


def test_typed_text_is_shown_as_typed_never_as_markup(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.show_message("<b>no</b> & 'yes' שלום", "person_typed")
    assert window.message.text.textFormat() == Qt.TextFormat.PlainText
    assert window.message.text.text() == "<b>no</b> & 'yes' שלום"


def test_a_new_message_replaces_the_last(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.show_message("First", "phrase")
    window.show_message("Second", "person_typed")
    assert (window.message.heading.text(), window.message.text.text()) == ("You wrote", "Second")


def test_clear_message_hide_button_and_escape(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    cleared: list[bool] = []
    window.message_cleared.connect(lambda: cleared.append(True))
    window.show_message("One", "phrase")
    window.clear_message()
    assert window.message.isHidden() and cleared == [True]
    window.clear_message()  # nothing shown: nothing to report
    assert cleared == [True]

    window.show_message("Two", "phrase")
    qtbot.mouseClick(window.message.hide_button, Qt.MouseButton.LeftButton)
    assert window.message.isHidden() and len(cleared) == 2

    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen, timeout=3000)
    window.show_message("Three", "phrase")
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.message.isHidden() and window.isFullScreen()  # Esc hides the message first
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)  # then leaves full screen


def test_message_hides_itself_after_the_given_seconds(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.show_message("Back in five minutes", "phrase", seconds=0.2)
    assert window.message.isVisible()
    with qtbot.waitSignal(window.message_cleared, timeout=3000):
        pass
    assert window.message.isHidden()
    window.show_message("Stays", "phrase", seconds=0.2)
    window.show_message("Stays until hidden", "phrase", seconds=None)  # replaces the timed one
    qtbot.wait(400)
    assert window.message.isVisible()


@pytest.mark.parametrize(
    "text, source, seconds, words",
    [
        ("", "phrase", None, "empty"),
        ("   ", "phrase", None, "empty"),
        ("Hello", "doctor", None, "Unknown message source 'doctor'"),
        ("Hello", "phrase", 0, "positive number of seconds"),
        ("Hello", "phrase", -1.0, "positive number of seconds"),
        ("Hello", "phrase", math.nan, "positive number of seconds"),
        ("Hello", "phrase", True, "positive number of seconds"),
    ],
)
def test_bad_messages_are_one_clear_error_and_change_nothing(
    qtbot,
    text: str,
    source: str,
    seconds: object,  # type: ignore[no-untyped-def]
    words: str,
) -> None:
    window = make(qtbot)
    window.show_message("Kept", "phrase")
    with pytest.raises(ValueError, match=words):
        window.show_message(text, source, seconds)  # type: ignore[arg-type]
    assert window.message.isVisible() and window.message.text.text() == "Kept"


def test_captions_keep_whole_lines_below_a_message(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, lines=6)
    for n in range(10):
        window.add_segment(seg(f"Sentence number {n}."))
    window.show_partial(Partial("and then", 0.0))
    before = display_lines(window.captions.document())
    window.show_message("We will stop for lunch soon and carry on at two o'clock.", "phrase")
    qtbot.wait(50)
    after = display_lines(window.captions.document())
    assert 1 <= after < before  # fewer lines fit; none is cut in half
    assert window.captions.document().size().height() <= window.captions.viewport().height()
    window.clear_message()
    qtbot.wait(50)
    assert display_lines(window.captions.document()) == before


def test_profanity_filter_applies_to_messages_too(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, profanity_filter=True)
    window.show_message("this is bullshit", "person_typed")
    assert window.message.text.text() == "this is b*******"
