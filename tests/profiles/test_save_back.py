"""Settings that worked in a session, saved back to the profile: every difference shown, nothing
clamped, what the profile cannot hold named, the person's ceiling never raised, and a new version."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.personalise.errors import ProfileUseError
from assistant.personalise.save_back import save_back
from assistant.personalise.settings import listening_settings
from audio.settings import (
    EAR_GAIN_DB_RANGE,
    GAIN_DB_RANGE,
    OUTPUT_CEILING_DBFS_RANGE,
    TONE_PRESETS,
    CompressionSettings,
)
from profiles.model import validate_profile
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N

ADA = validate_profile({"preferred_name": "Ada"})


def test_unchanged_settings_change_nothing() -> None:
    result = save_back(ADA, listening_settings(ADA), "learned", None)
    assert result.changes == () and result.not_kept == () and result.profile == ADA


def test_every_difference_is_listed_in_plain_words() -> None:
    settings = replace(
        listening_settings(ADA),
        gain_db=18.5,
        left_tone_db=TONE_PRESETS["speech-clarity"],
        right_tone_db=TONE_PRESETS["speech-clarity"],
        max_output_dbfs=-12.0,
    )
    result = save_back(ADA, settings, "classic", "speech-clarity")
    assert [c.describe() for c in result.changes] == [
        "Volume: 10 dB → 18.5 dB",
        "Tone preset: none → speech-clarity",
        "Left ear tone: 0 0 0 0 0 0 0 0 dB → -6 -3 0 2 4 6 6 4 dB",
        "Right ear tone: 0 0 0 0 0 0 0 0 dB → -6 -3 0 2 4 6 6 4 dB",
        "Noise reduction method: learned → classic",
        "Loudest allowed: -6 dBFS → -12 dBFS",
    ]
    assert listening_settings(result.profile) == settings  # read back, the same settings


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gain_db", GAIN_DB_RANGE[0]),
        ("gain_db", GAIN_DB_RANGE[1]),
        ("left_gain_db", EAR_GAIN_DB_RANGE[0]),
        ("right_gain_db", EAR_GAIN_DB_RANGE[1]),
        ("max_output_dbfs", OUTPUT_CEILING_DBFS_RANGE[0]),
    ],
)
def test_any_value_the_engine_takes_is_saved_as_it_was_heard(field: str, value: float) -> None:
    settings = replace(listening_settings(ADA), **{field: value})
    result = save_back(ADA, settings, "learned", None)
    assert result.profile["hearing"]["listening"][field] == value  # not clamped to a narrower range


def test_raising_the_persons_ceiling_is_refused() -> None:
    with pytest.raises(
        ProfileUseError, match=r"louder than this person's own \(-6 dBFS\); a session may lower it"
    ):
        save_back(ADA, replace(listening_settings(ADA), max_output_dbfs=-3.0), "learned", None)


def test_what_the_profile_has_no_place_for_is_named() -> None:
    settings = replace(
        listening_settings(ADA),
        highpass_enabled=False,
        compression=CompressionSettings(ratio=4.0),
        feedback_guard_enabled=False,
    )
    notes = save_back(ADA, settings, "learned", None).not_kept
    assert [n.split(";")[0].split(" (")[0] for n in notes] == [
        "The rumble filter was off",
        "Compression's fine settings",
        "The whistling guard was off",
    ]


def test_noise_reduction_turned_off_is_saved_as_strength_zero() -> None:
    settings = replace(listening_settings(ADA), noise_reduction_enabled=False)
    result = save_back(ADA, settings, "learned", None)
    assert [c.describe() for c in result.changes] == ["Noise reduction strength: 0.7 → 0"]
    assert not listening_settings(result.profile).noise_reduction_enabled


def test_saved_as_a_new_version_with_its_history(tmp_path: Path) -> None:
    with ProfileStore.create(
        tmp_path / "s.sqlite3", PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N
    ) as store:
        ada = store.create_profile({"preferred_name": "Ada"})
        result = save_back(store.view(ada), replace(listening_settings(ADA), gain_db=20.0), "learned", None)
        assert store.update_profile(ada, result.profile) == 2
        assert store.history(ada)[-1].changed == ["hearing.listening.gain_db"]
        assert store.view(ada, 1)["hearing"]["listening"]["gain_db"] == 10.0
