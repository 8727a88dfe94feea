"""The assessor's keys in the caption window (Ctrl+P phrases, Ctrl+T type to say, Ctrl+R the person's
reply), wired as `hark captions` wires them: real window, real desk, real speech service (eSpeak NG) into
the listening engine's SpeechInput, a WAV file as the room speaker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget

from assistant.conversation.desk import Desk
from assistant.conversation.desk_actions import DeskActions
from assistant.conversation.phrase_files import builtin_library
from assistant.conversation.timeline import Conversation
from assistant.personalise.settings import SpeechPreferences
from assistant.speech.service import SpeechService
from assistant.speech.sinks import FileSink, HeadphonesSink
from assistant.speech.synthesis import Synthesiser
from audio.mixer import SpeechInput
from ui.caption_bridge import CaptionBridge
from ui.caption_window import CaptionWindow
from ui.desk_controls import DeskControls

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
FAVOURITES = ["endings.thank-you", "comfort.hear-me", "no.such-phrase"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "caption-phrase-picker.png"


@pytest.fixture(scope="module")
def synthesiser() -> Iterator[Synthesiser]:
    with Synthesiser() as synth:
        synth.start()
        yield synth


class App:
    def __init__(self, qtbot, synthesiser: Synthesiser, tmp: Path, fields: dict[str, str]) -> None:
        self.speech = SpeechInput()
        self.speech.prepare(48000, 128)  # nothing reads it: queued speech stays measurable
        self.room = tmp / "room.wav"
        self.window = CaptionWindow()
        qtbot.addWidget(self.window)
        self.window.resize(1280, 800)
        self.bridge = CaptionBridge()
        self.bridge.show.connect(self.window.show_message)
        self.conversation = Conversation()
        self.service = SpeechService(HeadphonesSink(self.speech), synthesiser)
        self.desk = Desk(
            self.conversation,
            self.service,
            self.bridge.show.emit,
            HeadphonesSink(self.speech),
            FileSink(self.room),
            SpeechPreferences(None, 150, 1.0, "headphones"),
        )
        self.library = builtin_library()
        self.controls = DeskControls(self.window, DeskActions(self.desk, self.library, FAVOURITES, fields))
        self.window.show()
        qtbot.waitExposed(self.window)
        self.activate(qtbot)

    def activate(self, qtbot) -> None:
        self.window.activateWindow()  # window-wide shortcuts need the active window
        qtbot.waitUntil(self.window.isActiveWindow, timeout=3000)

    def close(self) -> None:
        self.controls.close_all()
        self.service.stop()
        self.service.close()


@pytest.fixture
def app(qtbot, synthesiser: Synthesiser, tmp_path: Path) -> Iterator[App]:
    made = App(qtbot, synthesiser, tmp_path, {"assessor": "Sam Jones", "person": "Ada"})
    yield made
    made.close()


def press(
    qtbot, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(widget, key, modifier)


def open_picker(qtbot, app: App) -> None:
    qtbot.waitUntil(app.window.isActiveWindow, timeout=3000)  # back from any dialog closed before
    press(qtbot, app.window, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(app.controls.picker.list.hasFocus, timeout=3000)  # the dialog is active, the list focused


def test_ctrl_p_lists_phrases_in_groups_with_favourites_first(qtbot, app: App) -> None:
    open_picker(qtbot, app)
    picker = app.controls.picker
    assert picker.list.hasFocus() and picker.list.count() > len(app.library)
    ids = picker.phrase_ids()
    assert ids[:2] == ["endings.thank-you", "comfort.hear-me"]  # the unknown favourite is skipped
    assert ids.count("endings.thank-you") == 2 and len(ids) == len(app.library) + 2
    headings = [
        picker.list.item(r).text()
        for r in range(picker.list.count())
        if not picker.list.item(r).data(Qt.ItemDataRole.UserRole)
    ]
    assert headings[:2] == ["Favourites", "Introductions"] and len(headings) == 7
    texts = [picker.list.item(r).text().strip() for r in range(picker.list.count())]
    assert "My name is Sam Jones." in texts and "We need to talk about {decision}." in texts
    assert picker.list.currentItem().data(Qt.ItemDataRole.UserRole) == "endings.thank-you"  # not a heading
    assert picker.accessibleName() == "Quick phrases" and picker.list.accessibleName() == "Phrases"
    assert picker.list.font().pointSize() >= 20


def test_enter_shows_the_phrase_and_speaks_it_into_the_headphones(qtbot, app: App) -> None:
    open_picker(qtbot, app)
    press(qtbot, app.controls.picker.list, Qt.Key.Key_Down)  # "Can you hear me?"-style comfort favourite
    phrase = app.library.get("comfort.hear-me").text
    press(qtbot, app.controls.picker.list, Qt.Key.Key_Return)
    assert not app.controls.picker.isVisible()
    assert app.window.message.isVisible()
    assert (app.window.message.heading.text(), app.window.message.text.text()) == ("Assessor says", phrase)
    entry = app.conversation.get(1)
    assert (entry.phrase_id, entry.shown_large) == ("comfort.hear-me", True)
    qtbot.waitUntil(lambda: app.speech.pending_seconds > 0.3, timeout=20000)  # speech queued for the ears
    assert not app.room.exists()


def test_shift_enter_only_shows_and_esc_closes_without_hiding_the_message(qtbot, app: App) -> None:
    open_picker(qtbot, app)
    press(qtbot, app.controls.picker.list, Qt.Key.Key_Return, SHIFT)
    assert app.window.message.text.text() == app.library.get("endings.thank-you").text
    open_picker(qtbot, app)
    press(qtbot, app.controls.picker.list, Qt.Key.Key_Escape)
    assert not app.controls.picker.isVisible() and app.window.message.isVisible()  # Esc was the picker's
    qtbot.wait(500)
    assert app.speech.pending_seconds == 0.0 and app.service._queue.empty()
    assert [(e.shown_large, e.spoken_aloud) for e in app.conversation.entries()] == [(True, False)]


def test_a_phrase_that_cannot_be_filled_in_says_why_and_stays_open(qtbot, app: App) -> None:
    open_picker(qtbot, app)
    picker = app.controls.picker
    row = next(r for r in range(picker.list.count()) if "{decision}" in picker.list.item(r).text())
    picker.list.setCurrentRow(row)
    press(qtbot, picker.list, Qt.Key.Key_Return)
    assert picker.isVisible() and not picker.problem.isHidden()
    assert (
        "--decision TEXT" in picker.problem.text()
        and "the decision, in a few plain words" in picker.problem.text()
    )
    assert app.conversation.entries() == [] and not app.window.message.isVisible()


def test_type_to_say_takes_space_and_plus_as_text(qtbot, app: App) -> None:
    font_pt = app.window.style_.font_pt
    press(qtbot, app.window, Qt.Key.Key_T, CTRL)
    bar = app.controls.say
    qtbot.waitUntil(bar.entry.hasFocus, timeout=3000)
    assert bar.entry.font().pointSize() >= 32
    qtbot.keyClicks(bar.entry, "Tea + biscuits now?")
    assert bar.entry.text() == "Tea + biscuits now?"
    assert not app.window.paused and app.window.style_.font_pt == font_pt  # the window's keys did not fire
    press(qtbot, bar.entry, Qt.Key.Key_Return)
    assert not bar.isVisible() and bar.entry.text() == ""
    assert app.window.message.text.text() == "Tea + biscuits now?"
    assert app.conversation.get(1).source == "assessor_typed"
    qtbot.waitUntil(lambda: app.speech.pending_seconds > 0.3, timeout=20000)


def test_empty_typing_is_refused_and_kept_open(qtbot, app: App) -> None:
    press(qtbot, app.window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(app.controls.say.entry.hasFocus, timeout=3000)
    qtbot.keyClicks(app.controls.say.entry, "   ")
    press(qtbot, app.controls.say.entry, Qt.Key.Key_Return)
    assert app.controls.say.isVisible() and "the text is empty" in app.controls.say.problem.text()
    assert app.conversation.entries() == []


def test_the_persons_reply_is_shown_and_read_to_the_room(qtbot, app: App) -> None:
    press(qtbot, app.window, Qt.Key.Key_R, CTRL)
    bar = app.controls.reply
    qtbot.waitUntil(bar.entry.hasFocus, timeout=3000)
    assert bar.read_aloud.isVisible() and bar.read_aloud.text().startswith("Read it out to me")
    qtbot.keyClicks(bar.entry, "I want to go home")
    press(qtbot, bar.entry, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # ticks the box; the text stays
    assert bar.read_aloud.isChecked() and bar.entry.text() == "I want to go home"
    press(qtbot, bar.entry, Qt.Key.Key_Return)
    assert (app.window.message.heading.text(), app.window.message.text.text()) == (
        "You wrote",
        "I want to go home",
    )
    qtbot.waitUntil(lambda: app.conversation.get(1).spoken_aloud, timeout=20000)
    assert app.room.stat().st_size > 10_000 and app.speech.pending_seconds == 0.0  # the room, not their ears
    assert app.conversation.get(1).speech.route == "room"  # type: ignore[union-attr]


def test_the_windows_own_keys_still_work(qtbot, app: App) -> None:
    font_pt = app.window.style_.font_pt
    press(qtbot, app.window, Qt.Key.Key_Plus)
    assert app.window.style_.font_pt > font_pt
    press(qtbot, app.window, Qt.Key.Key_Space)
    assert app.window.paused
    press(qtbot, app.window, Qt.Key.Key_F11)
    assert app.window.isFullScreen()
    press(qtbot, app.window, Qt.Key.Key_Escape)
    assert not app.window.isFullScreen()
    assert "Ctrl+P quick phrases" in app.window.accessibleDescription()


def test_screenshot_of_the_picker_over_the_caption_window(qtbot, app: App) -> None:
    from assistant.captions.events import Segment, Word

    line = "so we are here today to talk about where you would like to live"
    app.window.add_segment(Segment(line, 0.0, 2.0, tuple(Word(w, 0, 0, 0.9) for w in line.split()), "test"))
    app.window.show_message("My name is Sam Jones.", "phrase")
    open_picker(qtbot, app)
    press(qtbot, app.controls.picker.list, Qt.Key.Key_Down)
    QApplication.processEvents()
    # Offscreen, each top-level window is drawn on its own: paint the picker where it sits over the window.
    shot = app.window.grab()
    picker = app.controls.picker
    offset = app.window.mapFromGlobal(picker.frameGeometry().topLeft())
    painter = QPainter(shot)
    painter.drawPixmap(QPoint(offset.x(), offset.y()), picker.grab())
    painter.end()
    assert 0 < offset.x() < app.window.width() // 2 and 0 < offset.y() < app.window.height() // 2
    image = shot.toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 40)
        for y in range(0, image.height(), 40)
    }
    assert len(colours) > 2  # not blank
    if os.environ.get("HARK_SCREENSHOTS", "1") != "0":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert shot.save(str(SCREENSHOT))
