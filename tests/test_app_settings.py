"""The app's settings file: a round trip, bad values named and replaced, a broken file kept aside,
atomic saving, and the config folder it lives in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.app_settings import AppSettings, SettingsError, needs_first_run, settings_path


def test_settings_round_trip_through_the_file(tmp_path: Path) -> None:
    wav = tmp_path / "demo.wav"
    wav.write_bytes(b"RIFF")
    chosen = AppSettings(
        input_device="USB Microphone",
        headphones_device="Headphones",
        room_speaker_device="Speakers",
        idle_lock_minutes=12,
        theme="high-contrast",
        store_path=str(tmp_path / "people.sqlite3"),
        demo_recording=str(wav),
        first_run_done=True,
    )
    path = chosen.save(tmp_path / "hark" / "app.json")
    loaded, problems = AppSettings.load(path)
    assert (loaded, problems) == (chosen, [])
    assert json.loads(path.read_text())["format"] == 1


def test_no_file_means_the_defaults_and_a_first_run(tmp_path: Path) -> None:
    settings, problems = AppSettings.load(tmp_path / "app.json")
    assert settings == AppSettings() and problems == []
    assert needs_first_run(settings)
    assert not needs_first_run(AppSettings(first_run_done=True))


def test_bad_values_are_named_and_replaced_by_defaults(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text(
        json.dumps(
            {
                "theme": "purple",
                "idle_lock_minutes": 0,
                "input_device": 7,
                "first_run_done": True,
                "colour": "x",
            }
        )
    )
    settings, problems = AppSettings.load(path)
    assert settings == AppSettings(first_run_done=True)
    text = " ".join(problems)
    assert "'purple'" in text and "Standard instead" in text
    assert "from 1 to 60" in text and "uses 5 instead" in text
    assert "the microphone (7) is not a name" in text
    assert "'colour'" in text and "ignored" in text
    assert len(problems) == 4
    assert path.exists()  # a readable file with bad values stays where it is


def test_a_broken_file_is_set_aside_and_the_user_told(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text('{"theme": "standard", ')
    settings, problems = AppSettings.load(path)
    assert settings == AppSettings()
    aside = tmp_path / "app.json.broken"
    assert aside.read_text() == '{"theme": "standard", '  # kept, word for word
    assert not path.exists()
    assert len(problems) == 1 and str(aside) in problems[0] and "damaged" in problems[0]
    path.write_text("[1, 2]")  # JSON, but not settings; the first broken file is not overwritten
    _, problems = AppSettings.load(path)
    assert (tmp_path / "app.json.broken-2").read_text() == "[1, 2]"
    assert aside.read_text() == '{"theme": "standard", '


def test_saving_replaces_the_file_whole_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    AppSettings(theme="large-text").save(path)
    before = path.stat().st_ino
    AppSettings(theme="standard").save(path)
    assert path.stat().st_ino != before  # a new file renamed into place, not the old one rewritten
    assert os.listdir(tmp_path) == ["app.json"]
    assert AppSettings.load(path)[0].theme == "standard"


def test_a_failed_save_says_why_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.mkdir()  # something that is not a settings file is in the way (works as root too)
    (path / "keep.txt").write_text("mine")
    with pytest.raises(SettingsError, match=r"could not save its settings in .*app\.json"):
        AppSettings(theme="standard").save(path)
    assert os.listdir(tmp_path) == ["app.json"]
    assert (path / "keep.txt").read_text() == "mine"


def test_the_file_lives_in_the_users_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert settings_path() == tmp_path / "config" / "hark" / "app.json"
    AppSettings(idle_lock_minutes=9).save()
    assert AppSettings.load()[0].idle_lock_minutes == 9
