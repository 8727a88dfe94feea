"""The assessor's listening panel on a real audio engine (a recording as the microphone): keys move
the controls and the engine follows, mute and volume work from any window of the app, the
ceiling cannot pass the person's own, meters and status are text too, every control is named."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QComboBox, QWidget

from assistant.assessment.listening import ListeningControl
from assistant.assessment.record import SessionRecord
from audio.engine import AudioEngine
from audio.settings import CompressionSettings, ListeningSettings
from tests.support.file_engine import running_file_engine
from ui.listening_panel import ListeningPanel

START = ListeningSettings(gain_db=10.0, compression=CompressionSettings(enabled=False), max_output_dbfs=-13.5)


@pytest.fixture(scope="module")
def engine() -> Iterator[AudioEngine]:
    with running_file_engine(START) as running:
        yield running


@pytest.fixture
def panel(qtbot, engine: AudioEngine) -> ListeningPanel:  # type: ignore[no-untyped-def]
    engine.configure(START)
    engine.mute(False)
    record = SessionRecord(None, keep_words=False)
    made = ListeningPanel(ListeningControl(engine, record), engine)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def test_keys_move_the_volume_and_the_engine_follows(
    qtbot, panel: ListeningPanel, engine: AudioEngine
) -> None:  # type: ignore[no-untyped-def]
    panel.volume.setFocus()
    for _ in range(3):
        qtbot.keyClick(panel.volume, Qt.Key.Key_Right)
    assert engine.settings.gain_db == 13.0 and panel.volume_text.text() == "13 dB"
    qtbot.keyClick(panel.volume, Qt.Key.Key_PageDown)
    assert engine.settings.gain_db == 8.0


def test_mute_and_volume_shortcuts_work_from_another_window(
    qtbot, panel: ListeningPanel, engine: AudioEngine
) -> None:  # type: ignore[no-untyped-def]
    other = QWidget()  # stands for the person's caption window, which has the focus
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    qtbot.keyClick(other, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert panel.mute.isChecked() and engine.settings.muted
    assert panel.status.text() == "Muted: the person hears nothing from Hark."
    qtbot.keyClick(other, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert engine.settings.gain_db == 11.0
    qtbot.keyClick(other, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert not panel.mute.isChecked() and not engine.settings.muted


def test_the_ceiling_slider_stops_at_the_persons_own(panel: ListeningPanel, engine: AudioEngine) -> None:
    assert panel.ceiling.maximum() == -14  # -13.5 rounded down: the slider can never pass it
    panel.ceiling.setValue(panel.ceiling.maximum() + 5)
    assert panel.ceiling.value() == -14 and engine.settings.max_output_dbfs == -13.5  # still the person's own
    panel.ceiling.setValue(-30)
    assert engine.settings.max_output_dbfs == -30.0


def test_tone_noise_and_balance_reach_the_engine(panel: ListeningPanel, engine: AudioEngine) -> None:
    panel.tone.setCurrentIndex(panel.tone.findData("high-frequency-boost"))
    assert engine.settings.left_tone_db[-1] == 14.0
    panel.noise.setValue(0)
    assert not engine.settings.noise_reduction_enabled
    panel.balance.setValue(5)
    assert (engine.settings.left_gain_db, engine.settings.right_gain_db) == (-5.0, 0.0)


def test_meters_show_the_level_as_text_and_the_status_says_listening(qtbot, panel: ListeningPanel) -> None:  # type: ignore[no-untyped-def]
    seen: set[str] = set()  # each meter, at some moment of the speech (its pauses read "silent")
    deadline = time.monotonic() + 10
    while len(seen) < len(panel.meters) and time.monotonic() < deadline:
        seen |= {key for key, meter in panel.meters.items() if meter.text().endswith(" dBFS")}
        qtbot.wait(50)
    assert seen == set(panel.meters)
    assert panel.status.text().startswith("Listening.")


def test_every_focusable_control_has_an_accessible_name(panel: ListeningPanel) -> None:
    controls = (
        panel.findChildren(QAbstractSlider)
        + panel.findChildren(QAbstractButton)
        + panel.findChildren(QComboBox)
    )
    assert len(controls) >= 6
    for control in controls:
        if control.focusPolicy() != Qt.FocusPolicy.NoFocus:
            assert control.accessibleName(), type(control).__name__


def test_the_whistling_check_is_a_button_and_its_verdict_goes_to_the_record(
    qtbot, panel: ListeningPanel
) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[bool, bool, str | None]] = []  # what the check looked like as the sweep began and ended
    panel.feedback.around = lambda on: seen.append((on, panel.feedback.running, panel.feedback.line))
    qtbot.mouseClick(panel.check, Qt.MouseButton.LeftButton)
    assert panel.feedback.wait(30)
    assert seen[0][:2] == (True, True) and str(seen[0][2]).startswith("Checking for whistling")
    assert [on for on, _, _ in seen] == [True, False]
    panel.refresh()
    step = panel.control.record.steps()[-1]  # type: ignore[union-attr]
    assert step.kind == "feedback_check" and step.source == "hark"
    # A recording as the microphone cannot hear the sweep: the check says so rather than guess.
    assert step.detail["verdict"] == "not checked", step.text
    assert "Whistling not checked: the microphone is a recording" in panel.status.text()
    assert panel.check.isEnabled()
