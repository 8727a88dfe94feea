"""Speech into the person's ears through a real audio engine (a recording stands in for the
microphone), and what happens when the engine dies in the middle of an utterance."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.speech.errors import SpeechError
from assistant.speech.service import SpeechService, TicketState
from assistant.speech.sinks import HeadphonesSink
from assistant.speech.synthesis import Synthesiser, Utterance
from audio.engine import AudioEngine

SPEECH = Path(__file__).resolve().parents[1] / "data" / "speech_1089-134686-0000.wav"


def spoken(synthesiser: Synthesiser, text: str) -> Utterance:
    return synthesiser.synthesise(text, None, 175, 1.0)


def test_an_utterance_cut_off_by_an_engine_restart_is_reported_interrupted_never_finished(
    synthesiser: Synthesiser,
) -> None:
    long = spoken(synthesiser, "This sentence is long enough to be playing when the audio engine is killed.")
    short = spoken(synthesiser, "Said again.")
    assert long.duration_s > 2.0
    with AudioEngine(source=SPEECH) as engine:
        sink = HeadphonesSink.for_engine(engine)
        playback = sink.start(long)
        time.sleep(0.5)
        assert engine.speech.pending_seconds > 0.5  # the engine is part-way through it
        assert engine.pid is not None
        os.kill(engine.pid, signal.SIGKILL)
        with pytest.raises(SpeechError, match=r"interrupted.*can be said again"):
            while not playback.wait(0.1):
                pass
        assert engine.speech_interruptions == 1
        # The new engine takes speech again: the caller's replay plays to its end.
        deadline = time.monotonic() + 60
        while engine.status.state != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sink.start(short).wait(30)
        assert engine.speech_interruptions == 1


def test_the_speech_service_marks_the_interrupted_request_failed_and_goes_on(
    synthesiser: Synthesiser,
) -> None:
    with (
        AudioEngine(source=SPEECH) as engine,
        SpeechService(HeadphonesSink.for_engine(engine), synthesiser) as service,
    ):
        first = service.speak("This sentence is long enough to be playing when the audio engine is killed.")
        deadline = time.monotonic() + 10
        while engine.speech.pending_seconds < 0.5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.pid is not None
        os.kill(engine.pid, signal.SIGKILL)
        assert first.wait(30)
        assert first.state is TicketState.FAILED and "interrupted" in first.error
        again = service.speak("Said again.")  # at once, while the engine starts again
        assert again.wait(60) and again.state is TicketState.FINISHED, again.error


def test_speech_that_plays_through_is_finished(synthesiser: Synthesiser) -> None:
    with AudioEngine(source=SPEECH) as engine:
        playback = HeadphonesSink.for_engine(engine).start(spoken(synthesiser, "Hello."))
        assert playback.wait(30)
        assert engine.speech_interruptions == 0 and np.isfinite(engine.meters.left_rms_dbfs)
