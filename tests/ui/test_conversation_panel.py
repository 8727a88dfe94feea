"""The assessor's conversation panel, wired as the app wires it: a real audio engine (a recording
looping as the microphone), the caption session's desk and speech service (eSpeak NG) into that
engine, the person's caption window from the captions panel, and the session's record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWidget

from assistant.assessment.record import SessionRecord
from assistant.captions.session import CaptionSession, SessionOptions
from assistant.conversation.desk_actions import DeskActions
from assistant.conversation.phrase_files import builtin_library
from audio.engine import AudioEngine
from audio.settings import ListeningSettings
from tests.support.file_engine import running_file_engine
from ui.caption_bridge import CaptionBridge
from ui.captions_panel import CaptionsPanel
from ui.conversation_panel import ConversationPanel

CTRL = Qt.KeyboardModifier.ControlModifier
SPEECH_WAIT_MS = 60_000  # the synthesis process starts, then the sentence plays in real time
FAVOURITES = ["comfort.hear-me", "endings.thank-you"]


@pytest.fixture(scope="module")
def engine() -> Iterator[AudioEngine]:
    with running_file_engine(ListeningSettings()) as running:
        yield running


class Desk:
    def __init__(self, qtbot, engine: AudioEngine, keep_words: bool) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.record = SessionRecord("prf_TEST" if keep_words else None, keep_words=keep_words)
        self.bridge = CaptionBridge()
        self.session = CaptionSession(
            SessionOptions(engine="pocketsphinx"), engine.settings, self.bridge, engine=engine
        )
        self.captions = CaptionsPanel(self.session, self.bridge, self.record)
        self.captions.fullscreen.setChecked(False)
        self.captions.start()
        self.library = builtin_library()
        actions = DeskActions(self.session.make_desk(None), self.library, FAVOURITES, {"person": "Ada"})
        self.panel = ConversationPanel(actions, self.record, self.captions.person_window_open)
        self.conversation = self.session.conversation
        for widget in (self.captions, self.panel):
            qtbot.addWidget(widget)
        self.panel.resize(800, 800)
        self.panel.show()
        qtbot.waitExposed(self.panel)
        self.panel.activateWindow()  # window-wide shortcuts need the active window
        qtbot.waitUntil(self.panel.isActiveWindow, timeout=3000)

    def steps(self, kind: str) -> list[str]:
        return [step.text for step in self.record.steps() if step.kind == kind]

    def close(self) -> None:
        self.panel.stop()
        self.captions.stop()


@pytest.fixture
def desk(qtbot, engine: AudioEngine) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    made = Desk(qtbot, engine, keep_words=False)
    yield made
    made.close()


def entries(desk: Desk, source: str) -> list:  # type: ignore[type-arg]
    return [e for e in desk.conversation.entries() if e.source == source]


def test_a_typed_sentence_is_spoken_into_the_headphones_and_counted_in_the_record(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    panel = desk.panel
    assert panel.headphones.isChecked() and not panel.room.isEnabled()  # no room speaker in this session
    qtbot.keyClick(panel, Qt.Key.Key_T, CTRL)
    assert panel.say_entry.hasFocus()
    qtbot.keyClicks(panel.say_entry, "Would you like a cup of tea?")
    qtbot.mouseClick(panel.say_button, Qt.MouseButton.LeftButton)
    assert panel.say_entry.text() == "" and panel.problem.isHidden()
    assert desk.steps("typed") == ["The assessor typed a message"]  # counted; no words without consent
    assert desk.record.steps()[-1].detail["characters"] == len("Would you like a cup of tea?")
    qtbot.waitUntil(lambda: desk.engine.speech.pending_seconds > 0.3, timeout=SPEECH_WAIT_MS)  # in their ears
    [line] = entries(desk, "assessor_typed")
    assert line.text == "Would you like a cup of tea?" and not line.shown_large  # their captions are closed
    qtbot.waitUntil(lambda: entries(desk, "assessor_typed")[0].spoken_aloud, timeout=SPEECH_WAIT_MS)
    assert entries(desk, "assessor_typed")[0].speech.route == "headphones"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Assessor typed: Would you like a cup of tea? (spoken aloud)" in _timeline(panel))


def test_empty_typing_says_what_to_do_and_records_nothing(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(desk.panel.say_entry, "   ")
    qtbot.keyClick(desk.panel.say_entry, Qt.Key.Key_Return)
    assert not desk.panel.problem.isHidden() and "the text is empty" in desk.panel.problem.text()
    assert desk.steps("typed") == [] and desk.conversation.entries() == []


def test_a_phrase_button_speaks_and_is_recorded_once_spoken(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    panel = desk.panel
    buttons = {b.property("phrase_id"): b for b in panel.phrase_buttons}
    assert list(buttons) == FAVOURITES  # the person's favourites, first and in their order
    assert buttons["comfort.hear-me"].text() == "Can you hear me?"
    qtbot.mouseClick(buttons["comfort.hear-me"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.engine.speech.pending_seconds > 0.3, timeout=SPEECH_WAIT_MS)
    assert desk.steps("phrase") == []  # not yet: the record claims only speech that ended
    qtbot.waitUntil(lambda: desk.steps("phrase") != [], timeout=SPEECH_WAIT_MS)
    assert desk.steps("phrase") == ["A quick phrase was spoken"]
    assert desk.record.steps()[-1].detail["phrase_id"] == "comfort.hear-me"
    [said] = entries(desk, "phrase")
    assert (said.phrase_id, said.spoken_aloud, said.shown_large) == ("comfort.hear-me", True, False)


def test_with_the_persons_captions_open_a_phrase_is_shown_there_and_recorded_with_its_words(
    qtbot, engine: AudioEngine
) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(qtbot, engine, keep_words=True)
    try:
        desk.captions.open_person_window()
        window = desk.captions.person_window
        assert window is not None
        desk.panel.activateWindow()
        qtbot.waitUntil(desk.panel.isActiveWindow, timeout=3000)
        qtbot.keyClick(desk.panel, Qt.Key.Key_P, CTRL)  # every phrase, in the picker
        picker = desk.panel.picker
        qtbot.waitUntil(picker.list.hasFocus, timeout=3000)
        row = next(
            r
            for r in range(picker.list.count())
            if picker.list.item(r).text().strip() == "Can I call you Ada?"
        )
        picker.list.setCurrentRow(row)
        qtbot.keyClick(picker.list, Qt.Key.Key_Return)
        assert not picker.isVisible()
        assert (window.message.heading.text(), window.message.text.text()) == (
            "Assessor says",
            "Can I call you Ada?",
        )
        qtbot.waitUntil(lambda: desk.steps("phrase") != [], timeout=SPEECH_WAIT_MS)
        assert desk.steps("phrase") == ["Phrase spoken and shown large: “Can I call you Ada?”"]
    finally:
        desk.close()


def test_the_persons_reply_is_shown_large_here_and_in_their_window(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    panel = desk.panel
    desk.captions.open_person_window()
    window = desk.captions.person_window
    assert window is not None
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=3000)
    qtbot.keyClick(panel, Qt.Key.Key_R, CTRL)
    assert panel.reply_entry.hasFocus() and not panel.read_aloud.isEnabled()
    qtbot.keyClicks(panel.reply_entry, "I want to go home")
    qtbot.keyClick(panel.reply_entry, Qt.Key.Key_Return)
    assert panel.reply_shown.isVisible() and panel.reply_shown.text() == "You wrote: I want to go home"
    assert panel.reply_shown.font().pointSize() >= 28 and panel.reply_entry.text() == ""
    assert (window.message.heading.text(), window.message.text.text()) == ("You wrote", "I want to go home")
    assert desk.steps("typed") == ["The person typed a message"]
    assert desk.engine.speech.pending_seconds == 0.0  # never into the person's own ears
    [reply] = entries(desk, "person_typed")
    assert reply.shown_large and not reply.spoken_aloud


def test_every_control_has_a_name_and_its_key(desk: Desk) -> None:
    panel = desk.panel
    focusable = [w for w in panel.findChildren(QWidget) if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert len(focusable) >= 10
    for control in focusable:
        assert control.accessibleName(), type(control).__name__
    for button in panel.findChildren(QAbstractButton):
        assert button.accessibleName(), button.text()
    assert "(Ctrl+P)" in panel.all_phrases.text()
    assert [s.key().toString() for s in panel.shortcuts] == ["Ctrl+P", "Ctrl+T", "Ctrl+R"]


def _timeline(panel: ConversationPanel) -> str:
    return "\n".join(panel.timeline.item(r).text() for r in range(panel.timeline.count()))
