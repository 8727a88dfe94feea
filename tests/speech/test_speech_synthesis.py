"""Real synthesis through pyttsx3: verified audio, exact settings, recovery from a dead engine."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.speech.errors import SpeechError
from assistant.speech.synthesis import Synthesiser, Utterance, verify
from assistant.speech.text import word_count

SENTENCE = "Can you hear me clearly through the headphones?"


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_an_utterance_is_float32_mono_speech_with_the_asked_settings(synthesiser: Synthesiser) -> None:
    u = synthesiser.synthesise(SENTENCE, "gmw/en-us", 160, 0.8)
    assert u.samples.dtype == np.float32 and u.samples.ndim == 1
    assert u.sample_rate == 22050
    assert (u.text, u.voice, u.rate_wpm, u.volume) == (SENTENCE, "gmw/en-us", 160, 0.8)
    nominal = word_count(SENTENCE) * 60 / 160
    assert 0.5 * nominal < u.duration_s < 2 * nominal
    assert 0.02 < rms(u.samples) < 0.2 and np.max(np.abs(u.samples)) <= 0.8


def test_volume_is_a_gain_on_full_scale_speech(synthesiser: Synthesiser) -> None:
    loud = [rms(synthesiser.synthesise(SENTENCE, "gmw/en", 150, 1.0).samples) for _ in range(3)]
    quiet = [rms(synthesiser.synthesise(SENTENCE, "gmw/en", 150, 0.25).samples) for _ in range(3)]
    # eSpeak's output varies by about 1 % from run to run, so the ratio is close rather than exact.
    assert np.mean(quiet) / np.mean(loud) == pytest.approx(0.25, rel=0.03)
    assert not synthesiser.synthesise(SENTENCE, "gmw/en", 150, 0.0).samples.any()


def test_voice_changes_take_effect_each_time(synthesiser: Synthesiser) -> None:
    text = "Hello, good morning. How are you today?"
    english, german = [], []
    for _ in range(5):  # alternate, so every request changes the engine's voice
        english.append(synthesiser.synthesise(text, "gmw/en", 150))
        german.append(synthesiser.synthesise(text, "gmw/de", 150))
    assert {u.voice for u in english} == {"gmw/en"} and {u.voice for u in german} == {"gmw/de"}
    # Measured here: 3.23-3.28 s in the English voice, 3.56-3.57 s in the German one.
    assert max(u.duration_s for u in english) < min(u.duration_s for u in german)


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("مرحبا، كيف حالك اليوم؟", "sem/ar"),
        ("שלום, מה שלומך היום?", "sem/he"),
        ("آپ آج کیسے ہیں؟", "inc/ur"),
        ("Zoë's café is naïve about façades.", "gmw/en"),
        ("你好，今天怎么样？", "sit/cmn"),
        ("Hello 👋 how are you today? \u200f", "gmw/en"),
    ],
)
def test_unicode_and_right_to_left_text_is_spoken(synthesiser: Synthesiser, text: str, voice: str) -> None:
    u = synthesiser.synthesise(text, voice, 150)
    assert u.duration_s > 0.5 and rms(u.samples) > 0.02


def test_text_in_another_script_through_an_english_voice_still_speaks(synthesiser: Synthesiser) -> None:
    # eSpeak reads it letter by letter (much longer); `hark speak` warns about this.
    right = synthesiser.synthesise("مرحبا، كيف حالك اليوم؟", "sem/ar", 150)
    wrong = synthesiser.synthesise("مرحبا، كيف حالك اليوم؟", "gmw/en", 150)
    assert wrong.duration_s > 2 * right.duration_s


def test_missing_voice_and_bad_settings_are_clear_errors(synthesiser: Synthesiser) -> None:
    with pytest.raises(SpeechError, match=r"No voice with the id 'klingon'.*hark voices"):
        synthesiser.synthesise("Hello.", "klingon")
    with pytest.raises(SpeechError, match=r"Did you mean gmw/en"):
        synthesiser.synthesise("Hello.", "gmw/en-gb")
    with pytest.raises(SpeechError, match="between 80 and 450"):
        synthesiser.synthesise("Hello.", None, 20)
    with pytest.raises(SpeechError, match="between 0 and 1"):
        synthesiser.synthesise("Hello.", None, 150, 1.5)
    with pytest.raises(SpeechError, match="no text to speak"):
        synthesiser.synthesise(" \n ")


def test_voice_ids_are_case_insensitive(synthesiser: Synthesiser) -> None:
    assert synthesiser.synthesise("Hello.", "GMW/EN-US").voice == "gmw/en-us"


def test_a_dead_engine_is_replaced_and_the_utterance_still_comes_out() -> None:
    with Synthesiser() as synth:
        first = synth.synthesise(SENTENCE, "gmw/en", 150)
        worker = synth._worker
        assert worker is not None
        worker.process.kill()
        worker.process.join()
        again = synth.synthesise(SENTENCE, "gmw/en", 150)
        assert synth.failed_attempts == 1 and synth._worker is not worker
        assert again.duration_s == pytest.approx(first.duration_s, rel=0.02)


def test_a_synthesiser_that_keeps_failing_says_so_after_its_attempts() -> None:
    with Synthesiser(attempts=2) as synth:
        synth.voices()
        # Every attempt meets a dead engine: the worker is killed as soon as it is replaced.
        original = synth.start

        def start_dead() -> dict[str, object]:
            info = original()
            assert synth._worker is not None
            synth._worker.process.kill()
            synth._worker.process.join()
            return info

        synth.start = start_dead  # type: ignore[method-assign]
        with pytest.raises(SpeechError, match="after 2 attempts: the speech engine process stopped"):
            synth.synthesise("Hello there.", "gmw/en", 150)
        assert synth.failed_attempts == 2


GOOD = {
    "settled": True,
    "finished": True,
    "completed": True,
    "errors": [],
    "rate": 150,
    "voice": "gmw/en",
    "volume": 1.0,
}


def test_verification_names_each_kind_of_bad_synthesis() -> None:
    text = "one two three four five six seven eight nine ten"
    speech = (0.1 * np.sin(np.arange(22050 * 3) * 0.05)).astype(np.float32)
    assert verify(speech, 22050, text, 150, "gmw/en", GOOD) is None
    assert "empty file" in str(verify(np.zeros(0, np.float32), 22050, text, 150, "gmw/en", GOOD))
    assert "silent" in str(verify(np.zeros(22050 * 3, np.float32), 22050, text, 150, "gmw/en", GOOD))
    assert "too short" in str(verify(speech[:2000], 22050, text, 150, "gmw/en", GOOD))
    lost = {**GOOD, "rate": 200}  # the settings an engine falls back to when a change is lost
    assert "used rate 200" in str(verify(speech, 22050, text, 150, "gmw/en", lost))
    assert "did not take" in str(verify(speech, 22050, text, 150, "gmw/en", {**GOOD, "settled": False}))
    assert "did not finish" in str(verify(speech, 22050, text, 150, "gmw/en", {**GOOD, "completed": False}))
    nan = speech.copy()
    nan[5] = np.nan
    assert "invalid" in str(verify(nan, 22050, text, 150, "gmw/en", GOOD))


def test_resampling_keeps_duration_and_pitch() -> None:
    t = np.arange(22050) / 22050
    tone = Utterance("tone", (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050, "x", 150, 1.0)
    up = tone.resampled(48000)
    assert up.sample_rate == 48000 and len(up.samples) == 48000 and up.samples.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(up.samples[4800:-4800] * np.hanning(38400)))
    assert np.argmax(spectrum) * 48000 / 38400 == pytest.approx(440, abs=2)
    assert rms(up.samples[4800:-4800]) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)
