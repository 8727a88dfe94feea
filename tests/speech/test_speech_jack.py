"""The speech service into a running listening stream on the JACK dummy server: heard, under the ceiling,
and silenced by stop()."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from assistant.speech.service import SpeechEvent, SpeechService, TicketState
from assistant.speech.sinks import HeadphonesSink
from assistant.speech.synthesis import Synthesiser
from audio.chain import ListeningChain
from audio.settings import ListeningSettings
from audio.stream import ListeningStream
from tests.support.jack_rig import Rig

RATE, PERIOD = 48000, 128


def test_speech_reaches_the_ears_under_the_ceiling_and_stop_silences_it(
    jack_server: Any, synthesiser: Synthesiser
) -> None:
    ceiling = -6.0
    stream = ListeningStream(
        ListeningChain(ListeningSettings(gain_db=30.0, max_output_dbfs=ceiling)),
        "system",
        "system",
        RATE,
        PERIOD,
    )
    recorder = Rig(jack_server.name, np.zeros(0, dtype=np.float32), 20 * RATE, name="hark-speech-rig")
    marks: dict[str, int] = {}
    started = threading.Event()

    def note(event: SpeechEvent) -> None:
        marks[f"{event.ticket.number}-{event.kind}"] = recorder.pos
        if event.kind == "utterance" and event.ticket.number == long.number:
            started.set()

    try:
        stream.start()
        recorder.wire()
        recorder.armed = True  # silence in, the stream's output recorded from now on
        with SpeechService(HeadphonesSink(stream.speech), synthesiser) as service:
            service.subscribe(note)
            short = service.speak("Can you hear me clearly?", "gmw/en", 150)
            long = service.speak(
                "This sentence goes on for a long time, so that it can be stopped. " * 4, "gmw/en", 150
            )
            assert short.wait(30) and short.state is TicketState.FINISHED
            assert started.wait(30)
            time.sleep(0.5)
            service.stop()
            assert long.wait(10) and long.state is TicketState.CANCELLED
            stopped_at = recorder.pos
            time.sleep(0.5)
        status = stream.status
    finally:
        stream.close()
        recorder.close()
        recording = recorder.recording[: recorder.pos].copy()
    assert status.callback_errors == 0, stream.last_error
    limit = np.float32(10 ** (ceiling / 20))
    assert np.max(np.abs(recording)) <= limit
    # The short request was heard between its start and its end, and loud enough to follow.
    heard = recording[marks[f"{short.number}-utterance"] : marks[f"{short.number}-finished"]]
    assert np.sqrt(np.mean(heard**2)) > 0.01
    # The long one was heard until stop(), then silence within a few blocks (the 5 ms fade).
    assert np.sqrt(np.mean(recording[marks[f"{long.number}-utterance"] : stopped_at] ** 2)) > 0.01
    after = recording[stopped_at + 8 * PERIOD : len(recording) - PERIOD]
    assert len(after) > RATE // 4 and np.max(np.abs(after)) < 1e-3
