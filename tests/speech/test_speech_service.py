"""The speech service: queue order, stop, skip, failures, and the three routes (headphones, file, device)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import Consumer

from assistant.speech.errors import SpeechError
from assistant.speech.service import SpeechEvent, SpeechService, TicketState
from assistant.speech.sinks import DeviceSink, FileSink, HeadphonesSink
from assistant.speech.synthesis import Synthesiser
from audio.mixer import NOMINAL_SPEECH_DBFS, SpeechInput, active_rms_dbfs

LONG = "This is a long sentence that the person will hear for several seconds. " * 3


class Recorder:
    def __init__(self) -> None:
        self.events: list[SpeechEvent] = []
        self.first_utterance = threading.Event()

    def __call__(self, event: SpeechEvent) -> None:
        self.events.append(event)
        if event.kind == "utterance":
            self.first_utterance.set()

    def kinds(self) -> list[tuple[int, str]]:
        return [(e.ticket.number, e.kind) for e in self.events]


@pytest.fixture
def service(synthesiser: Synthesiser, headphones: tuple[SpeechInput, Consumer]) -> Iterator[SpeechService]:
    speech, _ = headphones
    with SpeechService(HeadphonesSink(speech), synthesiser) as running:
        yield running


def test_requests_are_spoken_in_order_into_the_headphones(
    service: SpeechService, headphones: tuple[SpeechInput, Consumer]
) -> None:
    speech, consumer = headphones
    recorder = Recorder()
    service.subscribe(recorder)
    tickets = [service.speak(text, "gmw/en", 250) for text in ("One.", "Two, three.", "Four, five, six.")]
    assert all(t.wait(30) for t in tickets)
    assert [t.state for t in tickets] == [TicketState.FINISHED] * 3
    n = [t.number for t in tickets]
    assert recorder.kinds() == [
        (n[0], "started"),
        (n[0], "utterance"),
        (n[0], "finished"),
        (n[1], "started"),
        (n[1], "utterance"),
        (n[1], "finished"),
        (n[2], "started"),
        (n[2], "utterance"),
        (n[2], "finished"),
    ]
    heard = consumer.stop()
    # Resampled from the synthesiser's 22,050 Hz to the stream's 48 kHz, nothing lost.
    expected = sum(math.ceil(len(u.samples) * 48000 / 22050) for t in tickets for u in t.spoken)
    assert np.count_nonzero(heard) > 0.5 * expected
    assert speech.pending_seconds == 0.0


def test_headphone_speech_arrives_at_the_nominal_level_times_its_volume(
    service: SpeechService, headphones: tuple[SpeechInput, Consumer]
) -> None:
    _, consumer = headphones
    ticket = service.speak("Can you hear me clearly through the headphones?", "gmw/en", 150, volume=0.5)
    assert ticket.wait(30) and ticket.state is TicketState.FINISHED
    heard = consumer.stop()
    level = active_rms_dbfs(heard, 48000)
    assert level == pytest.approx(NOMINAL_SPEECH_DBFS + 20 * math.log10(0.5), abs=0.5)


def test_long_text_is_several_utterances_in_order(service: SpeechService) -> None:
    recorder = Recorder()
    service.subscribe(recorder)
    text = " ".join(f"Sentence number {i} is here to make the text long enough to split." for i in range(20))
    ticket = service.speak(text, "gmw/en", 450)
    assert len(ticket.parts) >= 3
    assert ticket.wait(60) and ticket.state is TicketState.FINISHED
    assert [u.text for u in ticket.spoken] == ticket.parts
    assert [e.part for e in recorder.events if e.kind == "utterance"] == list(range(len(ticket.parts)))


def test_stop_silences_now_and_drops_the_queue(
    service: SpeechService, headphones: tuple[SpeechInput, Consumer]
) -> None:
    speech, consumer = headphones
    recorder = Recorder()
    service.subscribe(recorder)
    tickets = [service.speak(LONG, "gmw/en", 150) for _ in range(3)]
    assert recorder.first_utterance.wait(30)
    service.stop()
    assert all(t.wait(10) for t in tickets)
    assert [t.state for t in tickets] == [TicketState.CANCELLED] * 3
    assert speech.pending_seconds == 0.0
    assert len(tickets[0].spoken) == 1 and tickets[1].spoken == [] and tickets[2].spoken == []
    before = len(consumer.blocks)
    # After the 5 ms fade the headphones are silent.
    threading.Event().wait(0.3)
    after_stop = np.concatenate(consumer.blocks[before:])
    assert not after_stop[48000 * 5 // 1000 + 256 :].any()
    # The service still works afterwards.
    again = service.speak("Still here.", "gmw/en", 250)
    assert again.wait(30) and again.state is TicketState.FINISHED


def test_skip_ends_the_current_request_and_goes_on(service: SpeechService) -> None:
    recorder = Recorder()
    service.subscribe(recorder)
    first = service.speak(LONG, "gmw/en", 150)
    second = service.speak("And now the next one.", "gmw/en", 250)
    assert recorder.first_utterance.wait(30)
    service.skip()
    assert first.wait(10) and second.wait(30)
    assert first.state is TicketState.SKIPPED and second.state is TicketState.FINISHED
    assert "skipped" in [k for n, k in recorder.kinds() if n == first.number]


def test_a_failed_request_is_reported_and_the_queue_goes_on(service: SpeechService) -> None:
    recorder = Recorder()
    service.subscribe(recorder)
    bad = service.speak("Hello.", "no-such-voice", 150)
    good = service.speak("Hello.", "gmw/en", 150)
    assert bad.wait(30) and good.wait(30)
    assert bad.state is TicketState.FAILED and "hark voices" in bad.error
    assert good.state is TicketState.FINISHED
    failed = [e for e in recorder.events if e.kind == "failed"]
    assert len(failed) == 1 and failed[0].ticket is bad and "no-such-voice" in failed[0].error


def test_bad_text_and_settings_are_refused_at_once(service: SpeechService) -> None:
    with pytest.raises(SpeechError, match="no text to speak"):
        service.speak("  ")
    with pytest.raises(SpeechError, match="words per minute"):
        service.speak("Hello.", rate_wpm=1000)
    with pytest.raises(SpeechError, match="between 0 and 1"):
        service.speak("Hello.", volume=-0.1)


def test_a_broken_listener_does_not_stop_the_speech(service: SpeechService) -> None:
    def broken(event: SpeechEvent) -> None:
        raise RuntimeError("listener bug")

    service.subscribe(broken)
    ticket = service.speak("Hello.", "gmw/en", 250)
    assert ticket.wait(30) and ticket.state is TicketState.FINISHED


def test_an_utterance_longer_than_the_headphone_queue_goes_in_pieces(synthesiser: Synthesiser) -> None:
    speech = SpeechInput(capacity_seconds=2.0)
    speech.prepare(48000, 128)
    consumer = Consumer(speech)
    try:
        with SpeechService(HeadphonesSink(speech), synthesiser) as service:
            ticket = service.speak("One two three four five six seven eight nine ten.", "gmw/en", 100)
            assert ticket.wait(60), ticket.state
            assert ticket.state is TicketState.FINISHED, ticket.error
            assert ticket.spoken[0].duration_s > 3.0
    finally:
        heard = consumer.stop()
    assert np.count_nonzero(heard) > 0.5 * ticket.spoken[0].duration_s * 48000


def test_headphones_when_listening_is_not_running_fail_clearly(synthesiser: Synthesiser) -> None:
    idle = SpeechInput()
    with SpeechService(HeadphonesSink(idle), synthesiser) as service:
        unprepared = service.speak("Hello.", "gmw/en", 250)
        assert unprepared.wait(30) and unprepared.state is TicketState.FAILED
        assert "not ready" in unprepared.error
        idle.prepare(48000, 128)  # a stream was set up, but nothing reads it
        stalled = service.speak("Hello.", "gmw/en", 250)
        assert stalled.wait(30) and stalled.state is TicketState.FAILED
        assert "listening is not running" in stalled.error
        assert idle.pending_seconds == 0.0  # nothing left to burst out when listening starts


def test_a_file_route_joins_the_parts_and_can_resample(synthesiser: Synthesiser, tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    with SpeechService(FileSink(out, sample_rate=48000), synthesiser) as service:
        text = " ".join(
            f"Sentence {i} of a text long enough to need more than one utterance." for i in range(12)
        )
        ticket = service.speak(text, "gmw/en", 300)
        assert len(ticket.parts) >= 2
        assert ticket.wait(30) and ticket.state is TicketState.FINISHED
    data, rate = sf.read(out, dtype="float32")
    assert rate == 48000 and data.ndim == 1
    assert len(ticket.spoken) == 1 and ticket.spoken[0].sample_rate == 22050
    assert len(data) == pytest.approx(ticket.spoken[0].duration_s * 48000, abs=2)
    assert not list(tmp_path.glob("*.partial"))


def test_file_route_checks_its_path(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match=r"must end in \.wav"):
        FileSink(tmp_path / "speech.mp3")
    with pytest.raises(SpeechError, match="does not exist"):
        FileSink(tmp_path / "missing" / "speech.wav")
    (tmp_path / "x.wav").mkdir()
    with pytest.raises(SpeechError, match="is a folder"):
        FileSink(tmp_path / "x.wav")


def test_device_route_without_a_sound_card_fails_clearly(synthesiser: Synthesiser) -> None:
    with pytest.raises(SpeechError, match="No output device"):
        DeviceSink().check()
    with SpeechService(DeviceSink(), synthesiser) as service:
        ticket = service.speak("Hello.", "gmw/en", 150)
        assert ticket.wait(30) and ticket.state is TicketState.FAILED
        assert "No output device" in ticket.error
