"""The conversation desk with the real speech service: eSpeak NG synthesis, the listening engine's real
SpeechInput (48 kHz, read back block by block as the audio thread does) for the person's headphones, and a
WAV file standing in for the room speaker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.conversation.desk import Desk
from assistant.conversation.errors import DeskError
from assistant.conversation.phrases import Phrase
from assistant.conversation.timeline import Conversation, SpeechSettings
from assistant.personalise.settings import SpeechPreferences
from assistant.speech.errors import SpeechError
from assistant.speech.service import SpeechService
from assistant.speech.sinks import FileSink, HeadphonesSink
from assistant.speech.synthesis import Synthesiser, Utterance
from audio.mixer import SpeechInput

WAIT_S = 30.0
NAME = Phrase("intro.my-name", "intro", "My name is {assessor}.")
FIELDS = {"assessor": "Sam Jones"}


class Ears:
    """Reads the SpeechInput 32 times faster than real time on its own thread, keeping what it read."""

    def __init__(self, speech: SpeechInput) -> None:
        self.speech, self.blocks = speech, [np.zeros(1, np.float32)]
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        out = np.zeros((1, 128), dtype=np.float32)
        while self._running:
            for _ in range(32):
                self.speech.read_into(out)
                self.blocks.append(out[0].copy())
            time.sleep(128 / 48000)

    def heard(self) -> np.ndarray:
        return np.concatenate(self.blocks)

    def stop(self) -> None:
        self._running = False
        self._thread.join(5)


class BrokenSpeaker:
    """A room speaker that was unplugged: the real error a device sink raises."""

    label, whole_ticket = "the room speaker", False

    def start(self, utterance: Utterance) -> None:
        raise SpeechError("The output device 'Room' disappeared. Plug it in again.")


@pytest.fixture(scope="module")
def synthesiser() -> Iterator[Synthesiser]:
    with Synthesiser() as synth:
        synth.start()
        yield synth


class Rig:
    def __init__(
        self, synthesiser: Synthesiser, tmp: Path, route: str = "headphones", room: object = None
    ) -> None:
        self.speech = SpeechInput()
        self.speech.prepare(48000, 128)
        self.ears = Ears(self.speech)
        self.room_path = tmp / "room.wav"
        self.shown: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.conversation = Conversation()
        self.service = SpeechService(HeadphonesSink(self.speech), synthesiser)
        self.desk = Desk(
            self.conversation,
            self.service,
            lambda text, source: self.shown.append((text, source)),
            HeadphonesSink(self.speech),
            room if room is not None else FileSink(self.room_path),  # type: ignore[arg-type]
            SpeechPreferences(None, 170, 0.8, route),
            on_problem=self.problems.append,
        )

    def close(self) -> None:
        self.service.close()
        self.ears.stop()


@pytest.fixture
def rig(synthesiser: Synthesiser, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(synthesiser, tmp_path)
    yield made
    made.close()


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def test_a_phrase_is_spoken_into_the_headphones_and_shown(rig: Rig) -> None:
    said = rig.desk.say_phrase(NAME, FIELDS)
    assert rig.shown == [("My name is Sam Jones.", "phrase")]
    entry = rig.conversation.get(1)
    assert (entry.source, entry.phrase_id, entry.shown_large, entry.spoken_aloud) == (
        "phrase",
        "intro.my-name",
        True,
        False,
    )  # not claimed before it has been heard
    assert said.wait(WAIT_S) and said.outcome == "spoken"
    entry = rig.conversation.get(1)
    assert entry.spoken_aloud and entry.speech == SpeechSettings(None, 170.0, 0.8, "headphones")
    assert rms(rig.ears.heard()) > 0.001  # it really went through the listening engine's speech input
    assert not rig.room_path.exists() and len(rig.conversation.entries()) == 1


def test_show_only_and_speak_only(rig: Rig) -> None:
    shown = rig.desk.say_phrase(NAME, FIELDS, speak=False)
    assert shown.ticket is None and shown.wait(0)
    assert rig.conversation.get(1).shown_large and not rig.conversation.get(1).spoken_aloud
    spoken = rig.desk.say_phrase(Phrase("endings.thank-you", "endings", "Thank you."), speak=True, show=False)
    assert len(rig.shown) == 1  # only the first was shown
    assert spoken.wait(WAIT_S) and spoken.outcome == "spoken"
    entry = rig.conversation.get(2)  # added once it had been spoken
    assert (entry.phrase_id, entry.shown_large, entry.spoken_aloud) == ("endings.thank-you", False, True)
    with pytest.raises(DeskError, match="spoken, shown, or both"):
        rig.desk.say_phrase(NAME, FIELDS, speak=False, show=False)


def test_the_assessors_typed_text_goes_to_the_person(rig: Rig) -> None:
    said = rig.desk.say_typed("  Would you like a cup of tea?  ")
    assert rig.shown == [("Would you like a cup of tea?", "assessor_typed")]
    assert said.wait(WAIT_S)
    entry = rig.conversation.get(1)
    assert (entry.source, entry.text, entry.shown_large, entry.spoken_aloud) == (
        "assessor_typed",
        "Would you like a cup of tea?",
        True,
        True,
    )
    assert entry.speech is not None and entry.speech.route == "headphones"


def test_the_persons_reply_is_read_to_the_room_never_their_headphones(rig: Rig) -> None:
    quiet = rig.desk.person_typed("I want to stay at home.")
    assert quiet.ticket is None and rig.shown == [("I want to stay at home.", "person_typed")]
    assert not rig.conversation.get(1).spoken_aloud and rig.conversation.get(1).shown_large
    loud = rig.desk.person_typed("My daughter helps me.", speak_aloud=True)
    assert loud.wait(WAIT_S) and loud.outcome == "spoken"
    entry = rig.conversation.get(2)
    assert (entry.source, entry.shown_large, entry.spoken_aloud) == ("person_typed", True, True)
    assert entry.speech is not None and entry.speech.route == "room"
    samples, _ = sf.read(rig.room_path)
    assert rms(samples) > 0.001
    assert rms(rig.ears.heard()) == 0.0  # nothing at all reached the person's ears


def test_a_room_route_profile_speaks_phrases_to_the_room(synthesiser: Synthesiser, tmp_path: Path) -> None:
    rig = Rig(synthesiser, tmp_path, route="room")
    try:
        assert rig.desk.say_typed("Hello.", show=False).wait(WAIT_S)
        assert rig.room_path.exists() and rms(rig.ears.heard()) == 0.0
        assert rig.conversation.get(1).speech.route == "room"  # type: ignore[union-attr]
    finally:
        rig.close()


def test_failed_speech_is_recorded_honestly(synthesiser: Synthesiser, tmp_path: Path) -> None:
    rig = Rig(synthesiser, tmp_path, room=BrokenSpeaker())
    try:
        said = rig.desk.person_typed("Yes.", speak_aloud=True)
        assert said.wait(WAIT_S) and said.outcome.startswith("failed")
        entries = rig.conversation.entries()
        assert [e.source for e in entries] == ["person_typed", "system"]
        assert not entries[0].spoken_aloud and entries[0].shown_large
        assert "could not speak line 1" in entries[1].text and "disappeared" in entries[1].text
        assert rig.problems == [entries[1].text]
    finally:
        rig.close()


def test_stopped_speech_is_not_claimed(rig: Rig) -> None:
    long = rig.desk.say_typed(
        "This is a long sentence that will be stopped long before its end. " * 3, show=False
    )
    queued = rig.desk.say_typed("And this one never starts.", show=False)
    rig.desk.stop_speaking()
    assert long.wait(WAIT_S) and queued.wait(WAIT_S)
    assert long.outcome == queued.outcome == "stopped"
    entries = rig.conversation.entries()
    assert not any(e.spoken_aloud for e in entries)
    assert sum("stopped before it finished" in e.text for e in entries if e.source == "system") == 2


def test_empty_text_and_missing_fields_are_refused_and_nothing_recorded(rig: Rig) -> None:
    with pytest.raises(DeskError, match="nothing to say: the text is empty"):
        rig.desk.say_typed("   \n ")
    with pytest.raises(DeskError, match="nothing from the person"):
        rig.desk.person_typed("")
    with pytest.raises(DeskError, match=r"\{assessor\} is your name"):
        rig.desk.say_phrase(NAME, {})
    assert rig.conversation.entries() == [] and rig.shown == []


def test_without_a_room_speaker_the_reply_is_not_read_into_the_headphones(synthesiser: Synthesiser) -> None:
    conversation = Conversation()
    with SpeechService(FileSink(Path("/tmp/unused.wav")), synthesiser) as service:
        desk = Desk(conversation, service, lambda t, s: None, None, None)
        with pytest.raises(DeskError, match="--room-output"):
            desk.person_typed("Yes.", speak_aloud=True)
        with pytest.raises(DeskError, match="no headphone output"):
            desk.say_typed("Hello.")
        assert desk.say_typed("Hello.", speak=False).entry is not None  # showing still works
    assert [e.source for e in conversation.entries()] == ["assessor_typed"]
    with pytest.raises(DeskError, match="'headphones' or 'room'"):
        Desk(conversation, service, None, None, None, SpeechPreferences(None, 150, 1.0, "ear"))
