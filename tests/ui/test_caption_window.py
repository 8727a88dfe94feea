"""The caption window: lines, partials, styling, keys, accessibility and the thread bridge."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QThread
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QApplication

from assistant.captions.events import Partial
from assistant.captions.style import MIN_FONT_PT, SCHEMES, CaptionStyle
from tests.ui.caption_windows import make, seg
from ui.caption_bridge import CaptionBridge
from ui.caption_text import display_lines
from ui.caption_window import CaptionWindow


def text(window: CaptionWindow) -> str:
    return window.captions.toPlainText()


def fragments(window: CaptionWindow) -> list[tuple[str, QTextCharFormat]]:
    found = []
    block = window.captions.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            found.append((fragment.text(), fragment.charFormat()))
            it += 1
        block = block.next()
    return found


def test_more_segments_than_lines_keeps_exactly_the_newest(qtbot) -> None:
    window = make(qtbot, lines=3)
    for n in range(1, 8):
        window.add_segment(seg(f"Sentence number {n}."))
    assert display_lines(window.captions.document()) == 3
    assert text(window).split("\n") == ["Sentence number 5.", "Sentence number 6.", "Sentence number 7."]


def test_lines_are_wrapped_display_lines_and_no_line_is_cut(qtbot) -> None:
    window = make(qtbot, lines=4)
    window.add_segment(seg(" ".join(f"word{n}" for n in range(80)) + " END"))
    assert display_lines(window.captions.document()) == 4
    assert text(window).endswith("END")
    assert not text(window).startswith("word0 ")  # the start scrolled away, whole lines only
    window.resize(1280, 300)  # too short for 4 lines at 48 pt: fewer whole lines, none clipped
    qtbot.waitUntil(lambda: display_lines(window.captions.document()) < 4)
    doc = window.captions.document()
    assert doc.size().height() <= window.captions.viewport().height()
    assert text(window).endswith("END")


def test_a_partial_is_replaced_by_the_next_and_finalised_by_a_segment(qtbot) -> None:
    window = make(qtbot)
    window.add_segment(seg("Hello Margaret."))
    window.show_partial(Partial("how are", 1.0))
    window.show_partial(Partial("how are you", 1.2))
    # toPlainText turns the no-break space into a space; the second partial is drawn within 150 ms.
    qtbot.waitUntil(lambda: text(window) == "Hello Margaret.\nhow are you …", timeout=1000)
    live = [fmt for t, fmt in fragments(window) if "how" in t]
    assert live and live[0].fontItalic()
    assert live[0].foreground().color() == QColor(SCHEMES["white-on-black"].live)
    window.add_segment(seg("How are you today?"))
    assert text(window) == "Hello Margaret.\nHow are you today?"
    assert not any(fmt.fontItalic() for _, fmt in fragments(window))


def test_rapid_partials_are_drawn_at_most_every_interval_and_the_newest_wins(qtbot) -> None:
    """Each layout holds the GIL the audio callback needs: 20 partials in 100 ms are two layouts
    (the first at once, the newest when the interval is up), not twenty."""
    from ui.caption_window import PARTIAL_INTERVAL_MS

    window = make(qtbot)
    before = window.renders
    clock = QElapsedTimer()
    clock.start()
    for n in range(20):
        window.show_partial(Partial(" ".join(["word"] * (n + 1)), 0.0))
        qtbot.wait(5)
    assert window.renders - before <= 1 + clock.elapsed() // PARTIAL_INTERVAL_MS
    assert text(window).startswith("word")  # the first was drawn at once
    qtbot.waitUntil(lambda: text(window).count("word") == 20, timeout=1000)
    window.add_segment(seg("Twenty words."))  # a finished line is drawn at once
    assert text(window) == "Twenty words."


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_colours_per_scheme_are_drawn(qtbot, scheme: str) -> None:
    window = make(qtbot, scheme=scheme)
    window.add_segment(seg("Tea is ready."))
    image = window.grab().toImage()
    assert image.pixelColor(10, 10) == QColor(SCHEMES[scheme].background)
    assert all(fmt.foreground().color() == QColor(SCHEMES[scheme].text) for _, fmt in fragments(window))


def test_font_size_and_upper_case_apply_live(qtbot) -> None:
    window = make(qtbot)
    window.add_segment(seg("Tea is ready."))
    assert window.captions.document().defaultFont().pointSize() == 48
    window.apply_style(CaptionStyle(font_pt=72, upper_case=True))
    assert window.captions.document().defaultFont().pointSize() == 72
    assert text(window) == "TEA IS READY."
    assert window.status_label.font().pointSize() >= 20


def test_low_confidence_words_are_underlined_not_hidden(qtbot) -> None:
    window = make(qtbot)
    window.add_segment(seg("The carers come on Tuesdays", uncertain=("carers",)))
    assert "carers" in text(window)
    marked = [
        t
        for t, fmt in fragments(window)
        if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    ]
    assert marked == ["carers"]
    window.apply_style(CaptionStyle(mark_low_confidence=False))
    assert "carers" in text(window)
    assert all(
        fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline for _, fmt in fragments(window)
    )


def test_profanity_is_masked_only_when_asked(qtbot) -> None:
    window = make(qtbot)
    window.add_segment(seg("Oh shit I dropped it"))
    assert "shit" in text(window)
    window.apply_style(CaptionStyle(profanity_filter=True))
    assert "s*** I dropped" in text(window)


def test_keys_full_screen_text_size_and_pause(qtbot) -> None:
    window = make(qtbot)
    window.set_status("Listening")
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_Plus)
    assert window.style_.font_pt == 52
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.style_.font_pt == 56
    for _ in range(20):
        qtbot.keyClick(window, Qt.Key.Key_Minus)
    assert window.style_.font_pt == MIN_FONT_PT
    with qtbot.waitSignal(window.pause_toggled) as paused:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert paused.args == [True] and "Paused" in window.status_label.text()
    window.larger_button.setFocus()  # Space still pauses, and does not press the focused button
    with qtbot.waitSignal(window.pause_toggled) as resumed:
        qtbot.keyClick(window.larger_button, Qt.Key.Key_Space)
    assert resumed.args == [False] and "Listening" in window.status_label.text()
    assert window.style_.font_pt == MIN_FONT_PT


def test_status_shows_engine_and_its_warning(qtbot) -> None:
    window = make(qtbot)
    window.set_engine("pocketsphinx: basic accuracy; install a Vosk model for better captions")
    window.set_status("Listening")
    assert "basic accuracy" in window.status_label.text()
    window.set_status("No speech model", "Install one with 'hark models install NAME'.")
    assert "No speech model" in window.status_label.text() and "hark models" in window.status_label.text()


def test_accessible_names_and_real_text(qtbot) -> None:
    window = make(qtbot)
    window.add_segment(seg("Good morning."))
    assert window.accessibleName() and window.accessibleDescription()
    assert window.captions.accessibleName() == "Captions" and window.captions.accessibleDescription()
    assert window.captions.toPlainText() == "Good morning."  # text a screen reader can read
    assert all(button.minimumHeight() >= 44 for button in (window.pause_button, window.larger_button))


def test_bridge_delivers_worker_thread_events_on_the_gui_thread(qtbot) -> None:
    window = make(qtbot)
    bridge = CaptionBridge()
    seen_on: list[bool] = []

    class Receiver(QObject):
        def take(self, event: object) -> None:
            seen_on.append(QThread.currentThread() is QApplication.instance().thread())  # type: ignore[union-attr]
            window.add_segment(event)

    receiver = Receiver()
    bridge.segment.connect(receiver.take)
    bridge.partial.connect(window.show_partial)
    bridge.status.connect(window.set_status)

    def work() -> None:
        for event in (Partial("from the", 0.1), seg("From the worker."), "Listening", object()):
            bridge.on_event(event)  # the unknown object() is ignored, not raised

    with qtbot.waitSignals([bridge.partial, bridge.segment, bridge.status]):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
    qtbot.waitUntil(lambda: text(window) == "From the worker.")
    assert seen_on == [True]
