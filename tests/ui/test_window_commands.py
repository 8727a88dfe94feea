"""`hark captions`: its flags and the session's status decisions (no devices, no window)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest

from assistant.window_commands import CaptionSession, add_commands, style_from_arguments
from audio.errors import AudioError


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hark")
    add_commands(parser.add_subparsers())
    return parser.parse_args(["captions", *argv])


def test_flags_build_the_caption_style() -> None:
    args = parse("--font-pt", "60", "--scheme", "black-on-cream", "--lines", "6", "--upper-case",
                 "--fullscreen", "--screen", "1", "--gain-db", "6")
    style = style_from_arguments(args)
    assert (style.font_pt, style.scheme, style.lines, style.upper_case) == (60, "black-on-cream", 6, True)
    assert args.fullscreen and args.screen == 1 and args.gain_db == 6


def test_bad_style_flags_are_one_clear_error() -> None:
    with pytest.raises(AudioError, match="2 to 10 lines"):
        style_from_arguments(parse("--lines", "12"))


class _Stream:
    def __init__(self, state: str, message: str = "") -> None:
        self.status = SimpleNamespace(state=state, message=message)


def test_status_says_what_is_missing_most_urgent_first() -> None:
    session = CaptionSession(parse(), None, SimpleNamespace())  # type: ignore[arg-type]
    session.stream = _Stream("waiting", "No input device found.")
    assert session.status() == ("Waiting for the sound device", "No input device found.")
    session.stream = _Stream("running")
    assert session.status()[0] == "Starting"
    session.model_error = "No Vosk model installed. Install one with 'hark models install NAME'."
    assert session.status() == ("No speech model", session.model_error)
    session.model_error = ""
    session.worker = SimpleNamespace(error="", paused=False)  # type: ignore[assignment]
    assert session.status() == ("Listening", "")
    session.set_paused(True)
    assert session.worker is not None and session.worker.paused is True
