"""A person's profile applied by the commands that take --profile: listening, speech, phrases.

Everything runs through the real `hark` entry point against a real encrypted store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.personalise.settings import caption_style
from profiles.crypto import SCRYPT_N_ENV
from profiles.store import ProfileStore

DATA = Path(__file__).resolve().parents[1] / "data"
SPEECH = DATA / "speech_1089-134686-0000.wav"
PASSPHRASE = "integration passphrase"

PROFILE = {
    "identity": {"preferred_name": "Ada"},
    "hearing": {
        "listening": {
            "gain_db": 4.0,
            "left_gain_db": 2.0,
            "right_gain_db": -3.0,
            "left_tone_db": [0, 0, 2, 5, 8, 12, 14, 14],
            "right_tone_db": [0] * 8,
            "noise_reduction": 0.5,
            "noise_reduction_method": "classic",
            "highpass_hz": 150.0,
            "compression": False,
            "max_output_dbfs": -12.0,
        }
    },
    "speech": {"rate_wpm": 100, "volume": 0.5},
}


@pytest.fixture
def store(tmp_path: Path) -> tuple[dict[str, str], str]:
    path = tmp_path / "profiles.sqlite3"
    created = ProfileStore.create(path, PASSPHRASE, "Test Assessor", scrypt_n=1024)
    profile_id = created.create_profile(PROFILE)
    created.close()
    env = {
        **os.environ,
        "HARK_STORE": str(path),
        "HARK_PASSPHRASE": PASSPHRASE,
        "HARK_USER": "Test Assessor",
        SCRYPT_N_ENV: "1024",
        "HARK_FAVOURITES": str(tmp_path / "favourites.json"),
    }
    return env, profile_id


def hark(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_process_with_a_profile_equals_the_same_settings_as_flags(store, tmp_path: Path) -> None:
    env, profile_id = store
    by_profile, by_flags = tmp_path / "profile.wav", tmp_path / "flags.wav"
    done = hark(env, "process", str(SPEECH), str(by_profile), "--profile", profile_id)
    assert done.returncode == 0, done.stderr
    # The same settings spelled out (the profile's left tone is the high-frequency-boost preset).
    done = hark(
        env,
        "process",
        str(SPEECH),
        str(by_flags),
        "--gain-db",
        "4",
        "--left-gain-db",
        "2",
        "--left-tone",
        "high-frequency-boost",
        "--right-gain-db",
        "-3",
        "--noise-reduction",
        "0.5",
        "--highpass-hz",
        "150",
        "--compression",
        "off",
        "--max-output-dbfs",
        "-12",
        "--noise-reduction-method",
        "classic",
    )
    assert done.returncode == 0, done.stderr
    profiled, _ = sf.read(by_profile)
    flagged, _ = sf.read(by_flags)
    assert profiled.ndim == 2 and flagged.ndim == 2  # the ears differ: stereo out
    assert np.max(np.abs(profiled)) <= 10 ** (-12 / 20) + 1e-6
    assert np.array_equal(profiled, flagged)
    plain = tmp_path / "plain.wav"
    assert hark(env, "process", str(SPEECH), str(plain)).returncode == 0
    assert sf.read(plain)[0].ndim == 1  # without the profile: Hark's defaults, the same in both ears


def test_a_flag_cannot_raise_the_persons_own_ceiling(store, tmp_path: Path) -> None:
    env, profile_id = store
    out = tmp_path / "out.wav"
    done = hark(env, "process", str(SPEECH), str(out), "--profile", profile_id, "--max-output-dbfs", "-6")
    assert done.returncode == 2
    assert "limits their headphones to -12 dBFS" in done.stderr and not out.exists()
    assert done.stderr.startswith("hark process: This person's profile limits")
    assert done.stderr.count("\n") == 1
    lower = hark(env, "process", str(SPEECH), str(out), "--profile", profile_id, "--max-output-dbfs", "-20")
    assert lower.returncode == 0, lower.stderr


def test_unknown_profile_and_wrong_passphrase_are_clear(store, tmp_path: Path) -> None:
    env, _ = store
    done = hark(env, "process", str(SPEECH), str(tmp_path / "o.wav"), "--profile", "prf_AAAAAAAAAAAAAAAA")
    assert done.returncode == 2 and "prf_AAAAAAAAAAAAAAAA" in done.stderr
    env = {**env, "HARK_PASSPHRASE": "not the passphrase"}
    done = hark(env, "process", str(SPEECH), str(tmp_path / "o.wav"), "--profile", store[1])
    assert done.returncode == 2 and "passphrase" in done.stderr.lower()


def test_speech_uses_the_profiles_rate_and_volume_unless_flags_say_otherwise(store, tmp_path: Path) -> None:
    env, profile_id = store
    text = "Hello Ada. We are going to talk about where you live."
    paths = {name: tmp_path / f"{name}.wav" for name in ("profile", "fast")}
    done = hark(env, "speak", text, "--profile", profile_id, "--out", str(paths["profile"]))
    assert done.returncode == 0, done.stderr
    done = hark(
        env,
        "speak",
        text,
        "--profile",
        profile_id,
        "--rate",
        "250",
        "--volume",
        "1",
        "--out",
        str(paths["fast"]),
    )
    assert done.returncode == 0, done.stderr
    slow, _ = sf.read(paths["profile"])
    fast, _ = sf.read(paths["fast"])
    assert len(slow) > 1.8 * len(fast)  # 100 against 250 words a minute
    assert np.sqrt(np.mean(slow**2)) < 0.7 * np.sqrt(np.mean(fast**2))  # volume 0.5 against 1


def test_favourites_of_a_profiled_person_live_in_their_encrypted_profile(store, tmp_path: Path) -> None:
    env, profile_id = store
    done = hark(env, "phrases", "favourites", "--person", profile_id, "--add", "intro.my-name")
    assert done.returncode == 0, done.stderr
    opened = ProfileStore.open(Path(env["HARK_STORE"]), PASSPHRASE, "Test Assessor")
    try:
        assert opened.current(profile_id)["phrases"]["favourites"] == ["intro.my-name"]
        assert [version.version for version in opened.history(profile_id)] == [1, 2]
    finally:
        opened.close()
    assert not Path(env["HARK_FAVOURITES"]).exists()  # nothing about the person in the plain file


def test_say_a_phrase_filled_in_and_refuse_a_gap(store, tmp_path: Path) -> None:
    env, _ = store
    out = tmp_path / "phrase.wav"
    done = hark(env, "phrases", "say", "intro.my-name", "--assessor", "Sam Jones", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Sam Jones" in done.stderr and sf.info(out).duration > 0.5
    gap = hark(env, "phrases", "say", "intro.my-name", "--out", str(tmp_path / "gap.wav"))
    assert gap.returncode == 2 and "assessor" in gap.stderr and not (tmp_path / "gap.wav").exists()


def test_caption_window_takes_the_profiles_style_and_settings(store, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli.captions import style_from_arguments
    from assistant.cli.main import build_parser
    from assistant.cli.options import listening_settings_for
    from assistant.personalise.settings import load_profile

    env, profile_id = store
    for key in ("HARK_STORE", "HARK_PASSPHRASE", "HARK_USER", SCRYPT_N_ENV):
        monkeypatch.setenv(key, env[key])
    opened = ProfileStore.open(Path(env["HARK_STORE"]), PASSPHRASE, "Test Assessor")
    profile = opened.current(profile_id)
    profile["captions"] = {
        **profile["captions"],
        "font_pt": 72,
        "scheme": "yellow-on-black",
        "lines": 3,
        "upper_case": True,
    }
    opened.update_profile(profile_id, profile)
    opened.close()
    args = build_parser().parse_args(["captions", "--profile", profile_id, "--lines", "5"])
    loaded = load_profile(args, "captions")
    style = style_from_arguments(args, caption_style(loaded))
    assert (style.font_pt, style.scheme, style.lines, style.upper_case) == (72, "yellow-on-black", 5, True)
    settings = listening_settings_for(args, loaded)
    assert settings.max_output_dbfs == -12.0 and settings.gain_db == 4.0
    plain = style_from_arguments(build_parser().parse_args(["captions"]))
    assert (plain.font_pt, plain.scheme, plain.lines, plain.upper_case) == (48, "white-on-black", 4, False)


def test_the_profiles_noise_reduction_method_is_used_unless_a_flag_says_otherwise(
    store, tmp_path: Path
) -> None:
    env, profile_id = store
    out, report = tmp_path / "out.wav", tmp_path / "report.json"
    done = hark(env, "process", str(SPEECH), str(out), "--profile", profile_id, "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["noise_reduction_method_requested"] == "classic"
    flagged = ("--noise-reduction-method", "learned", "--report", str(report))
    done = hark(env, "process", str(SPEECH), str(out), "--profile", profile_id, *flagged)
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["noise_reduction_method_requested"] == "learned"
