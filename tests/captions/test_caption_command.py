"""`hark caption` through a local parser: stdout carries only the transcript."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assistant.captions.errors import CaptionError
from assistant.cli import transcribe as caption_commands
from audio.errors import AudioError

DATA = Path(__file__).resolve().parents[1] / "data"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hark")
    caption_commands.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_txt_prints_only_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["caption", str(DATA / "speech_1089-134686-0001.wav"), "--engine", "pocketsphinx"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines and all(line and "[" not in line and "pocketsphinx" not in line for line in lines)
    assert "belly" in out
    assert "pocketsphinx" in err


def test_json_output_and_save(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "t.srt"
    run(
        [
            "caption",
            str(DATA / "speech_1089-134686-0001.wav"),
            "--engine",
            "pocketsphinx",
            "--format",
            "json",
            "--output",
            str(saved),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert data["segments"] and data["segments"][0]["words"]
    assert saved.read_text().startswith("1\n00:00:")


def test_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_text("not audio")
    with pytest.raises(AudioError, match="not a readable WAV"):
        run(["caption", str(bad)])
    with pytest.raises(AudioError, match="no such file"):
        run(["caption", str(tmp_path / "missing.wav")])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("t.docx", "the transcript's format comes from the extension; use one of .txt, .srt, .vtt, .json"),
        ("missing/t.srt", "does not exist"),
    ],
)
def test_a_wrong_output_is_refused_before_any_recognition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expected: str
) -> None:
    """Recognising a long recording only to fail on the output's format wastes the user's time."""

    def recognised(*_: object) -> None:
        raise AssertionError("the recording was read before the output was checked")

    monkeypatch.setattr(caption_commands, "read_recording", recognised)
    with pytest.raises(CaptionError, match=expected):
        run(["caption", str(DATA / "speech_1089-134686-0001.wav"), "--output", str(tmp_path / name)])


def test_the_fallbacks_advice_names_the_recommended_model() -> None:
    """One recommendation everywhere: the catalogue's constant, which `hark models list` calls the best."""
    from assistant.captions.pocketsphinx_engine import LABEL
    from assistant.speech_models.catalogue import RECOMMENDED_ENGLISH_MODEL, catalogue_entry

    entry = catalogue_entry(RECOMMENDED_ENGLISH_MODEL)
    assert entry is not None and entry.language.startswith("en") and "best choice" in entry.recommendation
    assert LABEL.endswith(f"hark models install {RECOMMENDED_ENGLISH_MODEL}")
