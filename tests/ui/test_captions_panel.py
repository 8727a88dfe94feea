"""The assessor's captions panel on a real audio engine (a speech recording looping as the microphone)
with the real pocketsphinx recogniser: captions reach the assessor's view and the person's window,
copying happens only on a click, scroll-back stays put, and the session shares the app's engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QWidget

from assistant.assessment.record import SessionRecord
from assistant.captions.session import OPENING, CaptionSession, SessionOptions
from assistant.captions.style import CaptionStyle
from audio.engine import AudioEngine
from audio.settings import ListeningSettings
from tests.support.file_engine import SPEECH_2S, running_file_engine
from tests.ui.caption_windows import seg
from ui.caption_bridge import CaptionBridge
from ui.captions_panel import CaptionsPanel

CAPTION_WAIT_MS = 60_000  # the recogniser's child process starts, then a line every 2 s of the loop


@pytest.fixture(scope="module")
def engine() -> Iterator[AudioEngine]:
    with running_file_engine(ListeningSettings()) as running:
        yield running


class Panel:
    def __init__(self, qtbot, engine: AudioEngine, style: CaptionStyle | None = None) -> None:  # type: ignore[no-untyped-def]
        self.record = SessionRecord(None, keep_words=False)
        self.bridge = CaptionBridge()
        options = SessionOptions(engine="pocketsphinx")
        self.session = CaptionSession(options, engine.settings, self.bridge, engine=engine)
        self.panel = CaptionsPanel(self.session, self.bridge, self.record, style)
        qtbot.addWidget(self.panel)
        self.panel.resize(700, 600)
        self.panel.fullscreen.setChecked(False)  # a window the offscreen platform can measure
        self.panel.show()
        qtbot.waitExposed(self.panel)
        self.panel.start()

    def lines(self) -> list[str]:
        return [line for line in self.panel.view.toPlainText().splitlines() if line.strip()]

    def captions_steps(self) -> list[str]:
        return [step.text for step in self.record.steps() if step.kind == "captions"]


@pytest.fixture
def made(qtbot, engine: AudioEngine) -> Iterator[Panel]:  # type: ignore[no-untyped-def]
    panel = Panel(qtbot, engine, CaptionStyle(scheme="yellow-on-black", font_pt=40))
    yield panel
    panel.panel.stop()


def test_captions_from_the_microphone_appear_for_the_assessor_and_in_the_persons_window(
    qtbot, made: Panel, engine: AudioEngine
) -> None:  # type: ignore[no-untyped-def]
    panel = made.panel
    # The recording says "if the medical practitioners..."; the first line may start mid-way.
    qtbot.waitUntil(lambda: "medical" in panel.view.toPlainText(), timeout=CAPTION_WAIT_MS)
    assert panel.status.text().startswith("Listening: pocketsphinx")
    assert made.captions_steps()[0].startswith("Captions on. Speech recognition: pocketsphinx")
    qtbot.mouseClick(panel.show_person, Qt.MouseButton.LeftButton)
    window = panel.person_window
    assert window is not None and window.isVisible() and panel.person_window_open()
    assert window.style_.scheme == "yellow-on-black" and window.style_.font_pt == 40  # the person's style
    assert made.captions_steps()[-1].startswith("Captions shown to the person on screen 1")
    assert panel.show_person.text() == "&Hide the person's captions"
    seen = len(made.lines())
    qtbot.waitUntil(lambda: len(made.lines()) > seen, timeout=CAPTION_WAIT_MS)
    newest = made.lines()[-1].split("  ", 1)[1]  # after the time
    assert " ".join(newest.split()) in " ".join(window.captions.toPlainText().split())
    window.close()  # as the person's window's own close button
    assert not panel.person_window_open() and panel.show_person.text() == "S&how captions to the person"
    assert made.captions_steps()[-1] == "The person's caption window was closed"
    assert engine.status.state == "running"


def test_copy_puts_the_captions_on_the_clipboard_only_when_clicked(qtbot, made: Panel) -> None:  # type: ignore[no-untyped-def]
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("something of the assessor's own")
    qtbot.waitUntil(lambda: len(made.lines()) >= 1, timeout=CAPTION_WAIT_MS)
    assert clipboard.text() == "something of the assessor's own"
    qtbot.mouseClick(made.panel.copy, Qt.MouseButton.LeftButton)
    copied = clipboard.mimeData()
    assert copied.text() == made.panel.view.toPlainText() != ""
    assert bytes(copied.data("x-kde-passwordManagerHint").data()) == b"secret"  # kept out of histories


def test_scrolled_back_the_view_stays_put_while_new_lines_arrive(qtbot, made: Panel) -> None:  # type: ignore[no-untyped-def]
    panel = made.panel
    for n in range(80):
        panel.add_segment(seg(f"earlier line number {n}"))
    bar = panel.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()  # at the bottom, it followed
    bar.setValue(5)  # the assessor reads back
    count = len(made.lines())
    qtbot.waitUntil(lambda: len(made.lines()) > count, timeout=CAPTION_WAIT_MS)  # a real new line
    assert bar.value() == 5
    bar.setValue(bar.maximum())  # back at the bottom: the view follows again
    count = len(made.lines())
    qtbot.waitUntil(lambda: len(made.lines()) > count, timeout=CAPTION_WAIT_MS)
    assert bar.value() == bar.maximum()


def test_pausing_stops_captions_here_and_in_the_persons_window_and_is_recorded(qtbot, made: Panel) -> None:  # type: ignore[no-untyped-def]
    panel = made.panel
    qtbot.waitUntil(lambda: made.session.worker is not None, timeout=CAPTION_WAIT_MS)
    panel.open_person_window()
    window = panel.person_window
    assert window is not None
    qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)
    assert made.session.worker is not None and made.session.worker.paused and window.paused
    assert panel.status.text().startswith("Paused") and panel.pause.text() == "Carry on with capt&ions"
    assert made.captions_steps()[-1] == "Captions paused"
    window.toggle_pause()  # Space in the person's window carries on for both
    assert not panel.paused and not made.session.worker.paused
    assert made.captions_steps()[-1] == "Captions carried on after a pause"


def test_the_session_shares_the_apps_engine_and_leaves_it_running(qtbot, engine: AudioEngine) -> None:  # type: ignore[no-untyped-def]
    made = Panel(qtbot, engine)
    qtbot.waitUntil(lambda: made.captions_steps() != [], timeout=CAPTION_WAIT_MS)  # captions on
    assert made.session.engine is engine and not made.session.owns_engine and engine.tap.attached
    made.panel.stop()
    made.panel.stop()  # a second stop does nothing
    assert not engine.tap.attached and engine.status.state == "running"
    assert made.captions_steps()[-1] == "Captions stopped"
    assert [s for s in made.captions_steps() if s == "Captions stopped"] == ["Captions stopped"]


def test_a_shared_engine_not_yet_started_reads_as_starting() -> None:
    engine = AudioEngine(source=SPEECH_2S)
    try:
        session = CaptionSession(SessionOptions(), engine.settings, None, engine=engine)
        assert session.status() == ("Starting", OPENING)
    finally:
        engine.release()


def test_every_control_has_a_name_and_the_screens_are_listed(made: Panel) -> None:
    panel = made.panel
    screens = QGuiApplication.screens()
    assert panel.screen_choice.count() == len(screens)
    assert panel.screen_choice.itemText(0).startswith("Screen 1: ")
    focusable = [w for w in panel.findChildren(QWidget) if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert len(focusable) >= 6
    for control in focusable:
        assert control.accessibleName(), type(control).__name__
    for button in panel.findChildren(QAbstractButton):
        assert "&" in button.text(), f"{button.text()} has no Alt key"
