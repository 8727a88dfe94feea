"""`hark process` end to end, the one-sentence errors every bad input gets, and which commands load Qt."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

DATA = Path(__file__).resolve().parent / "data"
SPEECH = DATA / "speech_1089-134686-0000.wav"


def hark(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *args], capture_output=True, text=True, timeout=300
    )


def test_process_writes_audio_and_a_report(tmp_path: Path) -> None:
    out, report = tmp_path / "out.wav", tmp_path / "report.json"
    result = hark("process", str(SPEECH), str(out), "--gain-db", "40", "--report", str(report))
    assert result.returncode == 0, result.stderr
    assert "latency" in result.stdout and str(out) in result.stdout
    # The share of real time in words; the precise factor stays in the report.
    assert re.search(r"took \d+(\.\d)? % of real time", result.stdout), result.stdout
    assert "real-time factor" not in result.stdout
    data = json.loads(report.read_text())
    for key in (
        "sample_rate",
        "block_size",
        "algorithmic_latency_samples",
        "algorithmic_latency_ms",
        "realtime_factor",
        "peak_output_dbfs",
        "blocks",
    ):
        assert key in data
    assert data["sample_rate"] == 16000 and data["block_size"] == 128
    audio, rate = sf.read(out)
    x, _ = sf.read(SPEECH)
    assert rate == 16000 and audio.ndim == 1 and len(audio) == len(x)  # same ears: mono is enough
    assert np.max(np.abs(audio)) <= 10 ** (-6 / 20) + 1e-7
    assert data["peak_output_dbfs"] <= -6.0


def test_process_gives_stereo_when_the_ears_differ(tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = hark(
        "process", str(SPEECH), str(out), "--right-tone", "high-frequency-boost", "--left-gain-db", "-10"
    )
    assert result.returncode == 0, result.stderr
    audio, _ = sf.read(out)
    assert audio.shape[1] == 2
    assert np.sqrt(np.mean(audio[:, 0] ** 2)) < np.sqrt(np.mean(audio[:, 1] ** 2))


def test_neutral_preset_only_reduces_noise(tmp_path: Path) -> None:
    out, report = tmp_path / "out.wav", tmp_path / "r.json"
    result = hark("process", str(SPEECH), str(out), "--preset", "neutral", "--report", str(report))
    assert result.returncode == 0, result.stderr
    audio, _ = sf.read(out)
    x, _ = sf.read(SPEECH)
    # No gain anywhere: speech comes out at the level it went in (within a dB).
    level = 20 * np.log10(np.sqrt(np.mean(audio**2)) / np.sqrt(np.mean(x**2)))
    assert abs(level) < 1.0
    assert json.loads(report.read_text())["ceiling_dbfs"] == 0.0


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio")
    flac = tmp_path / "speech.flac"
    sf.write(flac, np.zeros(1600), 16000, format="FLAC")
    low = tmp_path / "phone.wav"
    sf.write(low, np.zeros(800), 8000)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 16000)
    return {"text": text, "flac": flac, "low": low, "empty": empty}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--max-output-dbfs", "3"], "at or below 0 dBFS"),
        (["--tone", "loud"], "Unknown tone preset 'loud'; choose one of: flat"),
        (["--noise-reduction", "2"], "Noise reduction strength must be between 0 and 1"),
        (["--gain-db", "80"], "Gain must be between -40 and 50 dB"),
        (["--block", "3"], "Block size 3 is not supported"),
    ],
)
def test_bad_settings_exit_with_one_clear_sentence(tmp_path: Path, args: list[str], expected: str) -> None:
    result = hark("process", str(SPEECH), str(tmp_path / "out.wav"), *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.wav").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text", "not a readable WAV file"),
        ("flac", "is a FLAC file, not WAV"),
        ("low", "is at 8000 Hz; Hark processes 16000, 22050, 44100, 48000 Hz"),
        ("empty", "holds no audio"),
        ("missing", "no such file"),
    ],
)
def test_bad_input_files_exit_with_one_clear_sentence(
    tmp_path: Path, bad_files: dict[str, Path], name: str, expected: str
) -> None:
    source = bad_files.get(name, tmp_path / "missing.wav")
    result = hark("process", str(source), str(tmp_path / "out.wav"))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.wav").exists()


def test_process_never_overwrites_its_input(tmp_path: Path) -> None:
    copy = tmp_path / "in.wav"
    copy.write_bytes(SPEECH.read_bytes())
    result = hark("process", str(copy), str(copy))
    assert result.returncode == 2 and "must differ from the input" in result.stderr
    assert copy.read_bytes() == SPEECH.read_bytes()


def test_listen_without_devices_or_with_unknown_device_says_what_to_do() -> None:
    result = hark("listen", "--output", "no-such-headphones", "--seconds", "0.1")
    assert result.returncode == 2
    assert "no-such-headphones" in result.stderr or "No output device" in result.stderr
    assert "hark devices" in result.stderr


def test_process_says_once_when_the_method_asked_for_cannot_run_at_this_rate(tmp_path: Path) -> None:
    out, report = tmp_path / "out.wav", tmp_path / "r.json"
    result = hark(
        "process", str(SPEECH), str(out), "--noise-reduction-method", "learned", "--report", str(report)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert (data["noise_reduction_method_requested"], data["noise_reduction_method"]) == (
        "learned",
        "classic",
    )
    assert result.stderr.count("hark process: ") == 1
    assert (
        "hark process: learned noise reduction needs 48 kHz; this 16000 Hz file used classic."
        in result.stderr
    )
    same = hark("process", str(SPEECH), str(out), "--noise-reduction-method", "classic")
    assert same.returncode == 0 and "noise reduction needs" not in same.stderr


@pytest.mark.parametrize("percent", [(0.04367, "4 %"), (0.004, "0.4 %"), (1.52, "152 %")])
def test_share_of_real_time_in_words(percent: tuple[float, str]) -> None:
    from assistant.cli.listening import share_of_real_time

    assert share_of_real_time(percent[0]) == percent[1]


QT_CHECK = """
import runpy, sys
sys.argv = ["hark", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("ui.main", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print("QT LOADED" if {"PySide6", "shiboken6"} & set(sys.modules) else "NO QT", file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["devices"],
        ["profiles", "--help"],
        ["captions", "--help"],
        ["caption", "--help"],
        ["models", "list"],
        ["phrases", "list"],
        ["process", str(SPEECH), "OUT"],
    ],
)
def test_commands_without_a_window_never_load_qt(tmp_path: Path, args: list[str]) -> None:
    """Only the caption window and the passport PDF need PySide6 (ui/main.py loads it when asked)."""
    args = [str(tmp_path / "out.wav") if arg == "OUT" else arg for arg in args]
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", QT_CHECK, *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr  # 1: `hark devices` found no devices here
    assert result.stderr.rstrip().endswith("NO QT"), result.stderr


def test_the_window_commands_say_plainly_when_run_without_the_desktop_part(tmp_path: Path) -> None:
    """`python -m assistant.cli.main` has no window side: captions and the passport PDF say so."""
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli.main", "captions"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2
    assert result.stderr == (
        "hark captions: The caption window needs Hark's desktop part, which `python -m assistant.cli.main` "
        "does not load; run it as `hark` (or `python -m ui.main`).\n"
    )


def test_the_passport_pdf_says_plainly_when_run_without_the_desktop_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli.main import main

    out = tmp_path / "passport.pdf"
    assert main(["profiles", "export", "prf_ANY", "--format", "pdf", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "hark profiles export: The passport PDF needs Hark's desktop part, which `python -m assistant.cli.main` "
        "does not load; run it as `hark` (or `python -m ui.main`).\n"
    )
    assert not out.exists()


def test_the_app_without_a_screen_says_so_in_one_sentence() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "ui.main"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("hark app: Hark's app needs a screen, and this session has none")
    assert "plugin" not in done.stderr
