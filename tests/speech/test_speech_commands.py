"""`hark speak` and `hark voices` end to end, with every bad input giving one clear line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import hark

ESPEAK_LIBRARY = Path("/usr/lib/x86_64-linux-gnu/libespeak-ng.so.1")


def test_voices_lists_ids_names_and_languages() -> None:
    result = hark("voices")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    english = next(line for line in lines if line.startswith("gmw/en "))
    assert "English (Great Britain)" in english and "en-gb, en" in english and "(default)" in english
    assert any(line.startswith("sem/ar ") and " ar" in line for line in lines)
    assert any(line.startswith("sem/he ") for line in lines) and any(
        line.startswith("inc/ur ") for line in lines
    )
    assert "voice(s) from the espeak engine" in result.stderr


def test_voices_for_one_language() -> None:
    result = hark("voices", "--language", "en")
    assert result.returncode == 0
    ids = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert "gmw/en" in ids and "gmw/en-us" in ids and "sem/ar" not in ids
    missing = hark("voices", "--language", "tlh")
    assert missing.returncode == 2 and "No installed voice speaks 'tlh'" in missing.stderr


def test_speak_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    result = hark(
        "speak",
        "Hello, I am here to help you today.",
        "--rate",
        "120",
        "--volume",
        "0.5",
        "--voice",
        "gmw/en-gb-x-rp",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "voice gmw/en-gb-x-rp, 120 wpm, volume 0.5" in result.stderr
    data, rate = sf.read(out, dtype="float32")
    assert rate == 22050 and data.ndim == 1
    assert 2.0 < len(data) / rate < 6.0
    assert 0.01 < np.sqrt(np.mean(data**2)) < 0.1
    assert [p.name for p in tmp_path.iterdir()] == ["hello.wav"]


def test_speak_very_long_text_from_standard_input(tmp_path: Path) -> None:
    out = tmp_path / "long.wav"
    text = "We will meet again next week to talk about where you would like to live. " * 40
    result = hark("speak", "-", "--rate", "300", "--out", str(out), stdin=text)
    assert result.returncode == 0, result.stderr
    assert "Spoke 8 utterance(s)" in result.stderr
    seconds = sf.info(str(out)).duration
    assert 60 < seconds < 150  # 560 words at 300 wpm: 112 s nominal, eSpeak speaks about 0.8 of that


def test_speak_right_to_left_text(tmp_path: Path) -> None:
    out = tmp_path / "ar.wav"
    result = hark("speak", "مرحبا، كيف حالك اليوم؟", "--voice", "sem/ar", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "letter by letter" not in result.stderr
    assert sf.info(str(out)).duration > 1.0
    warned = hark("speak", "שלום, מה שלומך היום?", "--out", str(tmp_path / "he.wav"))
    assert warned.returncode == 0 and "letter by letter" in warned.stderr and "--language he" in warned.stderr


def test_speak_without_a_sound_card_says_there_is_no_output_device() -> None:
    result = hark("speak", "Hello.")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "No output device found" in result.stderr and "--out FILE.wav" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "no text to speak"),
        (["..."], "no letters or numbers"),
        (["Hello.", "--voice", "klingon"], "No voice with the id 'klingon'"),
        (["Hello.", "--rate", "1000"], "between 80 and 450 words per minute"),
        (["Hello.", "--volume", "2"], "between 0 and 1"),
        (["Hello.", "--out", "hello.mp3"], "must end in .wav"),
        (["Hello.", "--out", "/no/such/folder/hello.wav"], "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    out = [] if "--out" in args else ["--out", str(tmp_path / "x.wav")]
    result = hark("speak", *args, *out)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and not (tmp_path / "x.wav").exists()


def test_a_rate_that_is_not_a_number_is_refused_by_the_parser() -> None:
    result = hark("speak", "Hello.", "--rate", "fast", "--out", "x.wav")
    assert result.returncode == 2 and "whole number from 80 to 450" in result.stderr


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or not ESPEAK_LIBRARY.exists(),
    reason="needs root and unshare to hide the installed eSpeak NG library",
)
def test_no_speech_engine_gives_the_fix_for_the_platform(tmp_path: Path) -> None:
    # A private mount namespace hides the real library from this one command: pyttsx3 then cannot load it.
    library = ESPEAK_LIBRARY.resolve()
    command = (
        f"mount --bind /dev/null {library} && {sys.executable} -m assistant.cli.main speak Hello "
        f"--out {tmp_path / 'x.wav'}"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "No speech engine could be started" in result.stderr
    assert "apt-get install libespeak-ng1" in result.stderr
    assert not (tmp_path / "x.wav").exists()
