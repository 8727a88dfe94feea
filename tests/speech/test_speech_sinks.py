"""Sink details: cutting long audio at quiet points, atomic WAV writes, engine-missing messages, voices."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.speech.errors import SpeechError, engine_missing_message
from assistant.speech.sinks import _quiet_cuts, write_wav
from assistant.speech.voices import Voice, find_voice, parse_espeak_languages, voices_for_language


def test_long_audio_is_cut_in_its_quiet_gaps() -> None:
    rate = 1000
    word = np.ones(300, dtype=np.float32)
    gap = np.zeros(200, dtype=np.float32)
    x = np.concatenate([word, gap] * 20)  # 10 s: a word every half second
    cuts = _quiet_cuts(x, rate, 2.0)
    assert cuts[0] == 0 and cuts[-1] == len(x)
    assert all(0 < b - a <= 2000 for a, b in itertools.pairwise(cuts))
    assert all(x[c] == 0.0 for c in cuts[1:-1])  # never inside a word
    assert _quiet_cuts(x[:1500], rate, 2.0) == [0, 1500]


def test_wav_writes_are_atomic(tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    write_wav(out, np.full(100, 0.5, dtype=np.float32), 22050)
    write_wav(out, np.full(50, 2.0, dtype=np.float32), 22050)  # replaced whole, clipped to full scale
    data, rate = sf.read(out)
    assert rate == 22050 and data.shape == (50,) and np.max(data) <= 1.0
    # A write that cannot finish (here: a folder is in the way) raises and leaves no partial file.
    folder = tmp_path / "taken.wav"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(SpeechError, match="Cannot write"):
        write_wav(folder, np.zeros(50, dtype=np.float32), 22050)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav", "taken.wav"]


def test_engine_missing_message_names_the_fix_per_platform() -> None:
    assert "apt-get install libespeak-ng1" in engine_missing_message("linux")
    assert "SAPI5" in engine_missing_message("win32") and "Spoken Content" in engine_missing_message("darwin")
    assert "eSpeak NG" in engine_missing_message("freebsd14")


def test_espeak_language_lists_are_decoded_in_full() -> None:
    assert parse_espeak_languages(b"\x05en-gb-x-rp\x00\x04en-gb\x00\x05en\x00") == (
        "en-gb-x-rp",
        "en-gb",
        "en",
    )
    assert parse_espeak_languages(b"\x05ar\x00\x00\x00sem/ar") == ("ar",)
    assert parse_espeak_languages(b"") == ()


def test_finding_voices() -> None:
    voices = [Voice("gmw/en", "English", ("en-gb", "en"), "male"), Voice("sem/ar", "Arabic", ("ar",))]
    assert find_voice(voices, " GMW/EN ").id == "gmw/en"
    with pytest.raises(SpeechError, match=r"Did you mean gmw/en\?.*hark voices.*2 installed"):
        find_voice(voices, "gmw/em")
    with pytest.raises(SpeechError, match="reports no voices"):
        find_voice([], "gmw/en")
    assert [v.id for v in voices_for_language(voices, "en")] == ["gmw/en"]
    assert voices_for_language(voices, "e") == []
