"""The record of practicable steps: what Hark saw apart from what the assessor noted, corrections
that keep the original, words kept only with consent, engine events, wall-clock times, plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.assessment.errors import AssessmentError
from assistant.assessment.record import SessionRecord
from assistant.assessment.text import record_text
from audio.engine_protocol import EngineEvent

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def test_steps_say_who_saw_them_and_a_correction_keeps_the_original() -> None:
    clock = Clock()
    record = SessionRecord("prf_AAAAAAAAAAAAAAAA", keep_words=True, clock=clock)
    record.saw("listening", "Listening started: USB microphone to headphones, volume 15 dB")
    clock.now += 60
    interpreter = record.noted("interpreter", "BSL interpreter present (J. Smith)")
    clock.now += 30
    record.correct(interpreter.seq, "BSL interpreter present (J. Smyth)")
    steps = record.steps()
    assert [(s.seq, s.source, s.kind) for s in steps] == [
        (1, "hark", "listening"),
        (2, "assessor", "interpreter"),
        (3, "assessor", "correction"),
    ]
    assert steps[1].text == "BSL interpreter present (J. Smith)" and steps[2].corrects == 2
    assert steps[0].at == "2026-12-07T10:00:00+00:00" and steps[2].at == "2026-12-07T10:01:30+00:00"
    with pytest.raises(AssessmentError, match="no step 9 to correct"):
        record.correct(9, "x")
    with pytest.raises(AssessmentError, match="not a kind of note"):
        record.noted("listening", "Hark's kind, typed by hand")
    with pytest.raises(AssessmentError, match="not something Hark records"):
        record.saw("interpreter", "the assessor's kind")


def test_without_consent_phrases_and_typed_messages_keep_counts_and_times_never_words() -> None:
    for keep in (False, True):
        record = SessionRecord(None, keep_words=keep, clock=Clock())
        record.phrase("intro.hello", "Hello, I am Tess, a social worker", spoken=True, shown=True)
        record.typed("person", "I want to stay in my flat")
        record.typed("assessor", "Thank you")
        words = [s.text for s in record.steps()]
        data = str(record.to_data())
        if keep:
            assert "“I want to stay in my flat”" in words[1] and "social worker" in words[0]
        else:
            assert words == [
                "A quick phrase was spoken and shown large",
                "The person typed a message",
                "The assessor typed a message",
            ]
            assert "flat" not in data and "social worker" not in data and "Thank you" not in data
        summary = record.summary()
        assert summary["phrases"] == 1 and summary["typed_messages"] == 2


def test_engine_events_become_steps_at_their_own_time() -> None:
    clock = Clock()
    record = SessionRecord(None, keep_words=False, clock=clock)
    events = [
        EngineEvent("state", "Running", T0 + 1, {"state": "running"}),  # the start: no news
        EngineEvent("howl", "Whistling at 3150 Hz: gain cut", T0 + 5, {"hz": 3150.0, "cut_db": 12.0}),
        EngineEvent("howl-released", "Whistling gone", T0 + 9, {"hz": 3150.0}),
        EngineEvent("restarted", "Audio back after 1.76 s", T0 + 20, {"gap_s": 1.76}),
        EngineEvent("xruns", "3 late blocks", T0 + 21, {"total": 3}),
        EngineEvent("state", "No input device matches 'USB'", T0 + 30, {"state": "waiting"}),
        EngineEvent("state", "Running", T0 + 40, {"state": "running"}),
    ]
    steps = [record.engine_event(e.kind, e.message, e.at, e.data) for e in events]
    assert steps[0] is None and steps[4] is None  # xruns are counted by the engine, not listed
    texts = [s.text for s in record.steps()]
    assert texts[0] == "Whistling (feedback) at 3,150 Hz: Hark turned the sound down"
    assert texts[2] == "The audio stopped and Hark restarted it (Audio back after 1.76 s)"
    assert (
        texts[3].startswith("Sound device problem: No input device")
        and texts[4] == "The sound device came back"
    )
    assert record.steps()[2].at == "2026-12-07T10:00:20+00:00"
    summary = record.summary()
    assert summary["whistling"] == 1 and summary["audio_restarts"] == 1


def test_times_are_wall_clock_and_survive_a_suspended_laptop() -> None:
    clock = Clock()
    record = SessionRecord(None, keep_words=False, clock=clock)
    record.saw("listening", "Listening started")
    clock.now += 3 * 3600  # the lid closed for three hours: time.time() goes on, a monotonic clock need not
    record.saw("listening", "Listening resumed")
    record.end()
    assert record.steps()[1].at == "2026-12-07T13:00:00+00:00"
    assert record.summary()["minutes"] == 180.0


def test_a_saved_record_resumes_exactly() -> None:
    clock = Clock()
    record = SessionRecord("prf_AAAAAAAAAAAAAAAA", keep_words=True, clock=clock)
    record.saw("setting", "Volume 15 → 18 dB", setting="gain_db", old=15.0, new=18.0)
    record.noted("note", "Asked to move away from the window")
    record.room_level(-41.5)
    back = SessionRecord.from_data(record.to_data(), clock)
    assert back.to_data() == record.to_data()
    back.correct(2, "Moved away from the window")
    assert back.steps()[-1].seq == 3
    with pytest.raises(AssessmentError, match="not a Hark session record"):
        SessionRecord.from_data({"schema": "hark.conversation", "version": 1})


def test_the_plain_text_marks_sources_corrections_and_an_uncalibrated_level() -> None:
    clock = Clock()
    record = SessionRecord(None, keep_words=False, clock=clock)
    record.saw("listening", "Listening started")
    record.noted("information", "Easy-read leaflet given")
    record.correct(2, "Easy-read leaflet given and read together")
    for level in (-50.0, -45.0, -30.0):
        record.room_level(level)
    clock.now += 45 * 60
    record.end()
    text = record_text(record, None, "Tess Tester")
    lines = text.splitlines()
    assert lines[0] == "Record of practicable steps taken to help the person communicate"
    assert lines[1] == "Person: Quick session: no profile was used"
    assert "(45 minutes). Assessor: Tess Tester" in lines[2]
    assert any(line.endswith("[Hark] Listening started") for line in lines)
    assert any(line.endswith("[Assessor] Easy-read leaflet given") for line in lines)
    assert any(
        "[Assessor] Correction to step 2: Easy-read leaflet given and read together" in line for line in lines
    )
    assert "typically -45 dBFS, loudest -30 dBFS (uncalibrated" in text
    assert "their words were not kept" in text
