"""The session's listening controls on a real audio engine (a recording as the microphone): each
change reaches the ears, mute silences them, the person's ceiling only comes down, and the record
gets one step per settled control, not one per slider movement."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

import pytest

from assistant.assessment.errors import AssessmentError
from assistant.assessment.listening import SETTLE_S, ListeningControl, status_line
from assistant.assessment.record import SessionRecord
from audio.engine import AudioEngine
from audio.settings import CompressionSettings, ListeningSettings
from tests.support.file_engine import running_file_engine

START = ListeningSettings(gain_db=-10.0, compression=CompressionSettings(enabled=False), max_output_dbfs=-6.0)


@pytest.fixture(scope="module")
def engine() -> Iterator[AudioEngine]:
    with running_file_engine(START) as running:
        yield running


@pytest.fixture
def control(engine: AudioEngine) -> ListeningControl:
    engine.configure(START)
    engine.mute(False)
    return ListeningControl(engine, None)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def settled_level(engine: AudioEngine) -> float:
    """The left ear's loudest peak over 2.5 s (more than one round of the looped file), in dBFS,
    once the newest settings are in use."""
    tag = engine.status.settings_tag
    wait_for(lambda: engine.status.settings_tag >= tag)
    time.sleep(1.0)  # the volume glides, and a peak meter falls at 20 dB a second
    peak = -200.0
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        peak = max(peak, engine.meters.left_peak_dbfs)
        time.sleep(0.01)
    return peak


def test_volume_reaches_the_ears_and_mute_silences_them(
    engine: AudioEngine, control: ListeningControl
) -> None:
    quiet = settled_level(engine)
    control.set_volume(0.0)  # 10 dB up
    louder = settled_level(engine)
    assert louder > quiet + 6.0 and engine.settings.gain_db == 0.0
    control.set_muted(True)
    wait_for(lambda: engine.meters.left_peak_dbfs < -90.0, 5.0)  # the peak meter falls to silence
    control.set_muted(False)
    assert settled_level(engine) > quiet


def test_the_persons_ceiling_comes_down_but_never_goes_up(
    engine: AudioEngine, control: ListeningControl
) -> None:
    with pytest.raises(AssessmentError, match="limited to -6 dBFS; the session can lower that, not raise it"):
        control.set_ceiling(-3.0)
    control.set_volume(40.0)
    control.set_ceiling(-20.0)
    assert settled_level(engine) <= -20.0 + 0.1
    control.set_ceiling(-6.0)  # back up to the person's own is allowed
    assert engine.settings.max_output_dbfs == -6.0


def test_balance_and_tone_change_the_engines_settings(engine: AudioEngine, control: ListeningControl) -> None:
    control.set_balance(6.0)
    assert (engine.settings.left_gain_db, engine.settings.right_gain_db) == (-6.0, 0.0)
    control.set_balance(-4.0)
    assert (engine.settings.left_gain_db, engine.settings.right_gain_db) == (0.0, -4.0)
    control.set_tone_preset("speech-clarity")
    assert (
        engine.settings.left_tone_db
        == engine.settings.right_tone_db
        == (-6.0, -3.0, 0.0, 2.0, 4.0, 6.0, 6.0, 4.0)
    )
    control.set_noise_reduction(0.0)
    assert not engine.settings.noise_reduction_enabled
    with pytest.raises(AssessmentError, match="no tone called 'loud'"):
        control.set_tone_preset("loud")
    with pytest.raises(AssessmentError, match="Balance goes from -20 to 20 dB"):
        control.set_balance(30.0)


def test_a_dragged_slider_is_one_step_of_the_record_once_it_settles(engine: AudioEngine) -> None:
    engine.configure(START)
    clock = Clock()
    record = SessionRecord(None, keep_words=False, clock=lambda: 0.0)
    control = ListeningControl(engine, record, clock=clock)
    for db in (6.0, 7.0, 8.5, 10.0, 12.0):
        control.set_volume(db)
        clock.now += 0.05
        control.tick()
    assert record.steps() == []  # still moving
    control.set_noise_reduction(0.3)
    clock.now += SETTLE_S
    control.tick()
    assert [s.text for s in record.steps()] == [
        "Volume: -10 dB → 12 dB",
        "Noise reduction strength: 0.7 → 0.3",
    ]
    control.set_volume(12.0)  # back where it was: nothing to record
    control.flush()
    control.set_muted(True)
    control.set_muted(True)
    assert [s.text for s in record.steps()][2:] == ["Sound muted"]
    assert record.steps()[0].detail == {"setting": "volume", "before": -10.0, "after": 12.0}
    engine.mute(False)


def test_the_status_line_says_what_matters_most_first(engine: AudioEngine) -> None:
    status = engine.status
    assert status_line(status, muted=False).startswith("Listening.")
    assert status_line(status, muted=True) == "Muted: the person hears nothing from Hark."
    howling = dataclasses.replace(status, howl_reduction_db=9.0, xruns=2, engine_restarts=1)
    assert status_line(howling, False) == "Listening. Whistling turned down by 9 dB. 3 dropouts so far."
    gone = dataclasses.replace(status, state="waiting", message="No input device matches 'USB'.")
    assert status_line(gone, False) == "Microphone or headphones missing: No input device matches 'USB'."
