"""Transcript formats: exact text for a small known session, and a JSON round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.captions.errors import CaptionError
from assistant.captions.events import Partial, Segment, Word
from assistant.captions.transcript import Transcript

SEGMENTS = [
    Segment("hello there", 1.5, 2.25, (Word("hello", 1.5, 1.9, 0.9), Word("there", 1.9, 2.25, 0.8)), "vosk"),
    Segment(
        "how are you",
        62.345,
        3725.0,
        (Word("how", 62.345, 62.5, 1.0), Word("are", 62.5, 62.7, 0.5), Word("you", 62.7, 3725.0, 0.25)),
        "vosk",
    ),
]


def transcript() -> Transcript:
    t = Transcript()
    t.add(Partial("hel", 1.6))  # partials are not kept
    for s in SEGMENTS:
        t.add(s)
    return t


def test_txt() -> None:
    assert transcript().to_txt() == "[00:00:01.500] hello there\n[00:01:02.345] how are you\n"


def test_srt() -> None:
    assert transcript().to_srt() == (
        "1\n00:00:01,500 --> 00:00:02,250\nhello there\n\n2\n00:01:02,345 --> 01:02:05,000\nhow are you\n"
    )


def test_vtt() -> None:
    assert transcript().to_vtt() == (
        "WEBVTT\n\n00:00:01.500 --> 00:00:02.250\nhello there\n\n00:01:02.345 --> 01:02:05.000\nhow are you\n"
    )


def test_json_round_trip() -> None:
    t = transcript()
    assert Transcript.from_json(t.to_json()).segments == SEGMENTS


def test_save_by_extension_and_bad_format(tmp_path: Path) -> None:
    t = transcript()
    t.save(tmp_path / "session.srt")
    assert (tmp_path / "session.srt").read_text(encoding="utf-8") == t.to_srt()
    t.save(tmp_path / "session.out", "vtt")
    assert (tmp_path / "session.out").read_text(encoding="utf-8").startswith("WEBVTT")
    with pytest.raises(CaptionError, match="Unknown transcript format"):
        t.save(tmp_path / "session.doc")
    with pytest.raises(CaptionError, match="Cannot write"):
        t.save(tmp_path / "missing" / "x.txt")
