"""The typed profile view, and applying a profile through it: settings, the ceiling rule, opening the store."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from assistant.personalise import store as store_service
from assistant.personalise.errors import ProfileUseError
from assistant.personalise.settings import (
    caption_style,
    keep_ceiling,
    listening_settings,
    load_profile,
    speech_preferences,
)
from audio.settings import ListeningSettings
from profiles.errors import ProfileError
from profiles.model import validate_profile
from profiles.view import ProfileView


def test_the_view_holds_what_the_app_applies_typed(full_profile: dict[str, Any]) -> None:
    view = ProfileView.from_dict(validate_profile(full_profile))
    assert view.preferred_name == "Zephyrine Plaintextcheck" and view.id is None
    assert view.listening.max_output_dbfs == -13.5 and view.listening.compression is False
    assert view.listening.left_tone_db == (1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5)
    assert (view.captions.font_pt, view.captions.scheme, view.captions.lines) == (73, "yellow-on-black", 7)
    assert (view.speech.voice, view.speech.rate_wpm, view.speech.volume) == (
        "english-voice-quillvoice",
        117,
        0.65,
    )
    assert view.favourites == ("phrase-quill-one", "phrase-quill-two") and view.keep_transcripts
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.listening.gain_db = 50.0  # type: ignore[misc]


def test_a_part_profile_is_refused_with_what_to_do() -> None:
    with pytest.raises(ProfileError, match=r"not a whole profile.*validate_profile"):
        ProfileView.from_dict({"identity": {"preferred_name": "Ada"}})


def test_settings_are_the_same_from_the_view_or_the_dict(full_profile: dict[str, Any]) -> None:
    profile = validate_profile(full_profile)
    view = ProfileView.from_dict(profile)
    assert listening_settings(view) == listening_settings(profile)
    assert caption_style(view) == caption_style(profile)
    assert speech_preferences(view) == speech_preferences(profile)
    settings = listening_settings(view)
    assert settings.gain_db == 23.5 and settings.noise_reduction_enabled and not settings.compression.enabled


def test_a_flag_may_lower_the_persons_ceiling_but_never_raise_it() -> None:
    person = ListeningSettings(max_output_dbfs=-12.0)
    quieter = ListeningSettings(max_output_dbfs=-20.0)
    assert keep_ceiling(person, quieter) is quieter
    with pytest.raises(
        ProfileUseError, match="limits their headphones to -12 dBFS; --max-output-dbfs -6 would"
    ):
        keep_ceiling(person, ListeningSettings(max_output_dbfs=-6.0))


def test_a_profile_that_cannot_be_opened_is_one_profile_use_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        store_service.getpass, "getpass", lambda prompt: pytest.fail("asked for a passphrase")
    )
    args = argparse.Namespace(
        profile="prf_AAAAAAAAAAAAAAAA", store=str(tmp_path / "none.sqlite3"), as_name="Tess"
    )
    with pytest.raises(
        ProfileUseError, match="Cannot use profile prf_AAAAAAAAAAAAAAAA: There is no profile store at"
    ):
        load_profile(args, "listen")
    assert load_profile(argparse.Namespace(profile=None), "listen") is None


def test_the_store_path_and_the_audit_name_follow_flag_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARK_STORE", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("HARK_USER", "Env User")
    assert store_service.store_path(str(tmp_path / "flag.sqlite3")) == tmp_path / "flag.sqlite3"
    assert store_service.store_path(None) == tmp_path / "env.sqlite3"
    assert store_service.user_name("Flag User") == "Flag User"
    assert store_service.user_name(None) == "Env User"
    monkeypatch.setenv("HARK_NEW_PASSPHRASE", "short")
    with pytest.raises(ProfileUseError, match="at least 8 characters"):
        store_service.passphrase("HARK_NEW_PASSPHRASE", "New passphrase: ", new=True)
