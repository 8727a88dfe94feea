"""Shared fixtures for the profile store tests: a cheap-scrypt store and a profile with every field set."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from profiles.store import ProfileStore

PASSPHRASE = "a long test passphrase"
# The documented test knob (profiles/crypto.py, SCRYPT_N_ENV): the default scrypt cost is too slow for tests.
TEST_SCRYPT_N = 1024

# Every string is distinctive, so finding any of them in the store's files means plaintext leaked.
FULL_PROFILE: dict[str, Any] = {
    "schema": "hark.profile",
    "version": 2,
    "identity": {
        "preferred_name": "Zephyrine Plaintextcheck",
        "full_name": "Zephyrine Quillon Marchbanks",
        "case_reference": "CASE-QX-88123",
        "date_of_birth": "1931-04-17",
    },
    "communication": {
        "what_helps": "Face me and speak slowly, qwertyhelps.",
        "what_does_not_help": "Shouting while writing, qwertynothelp.",
        "best_times": "Mornings after breakfast, qwertytimes.",
        "signs_tired_or_not_understood": "I look at the window, qwertytired.",
        "how_to_check_understanding": "Ask me to say it back, qwertycheck.",
    },
    "needs": [
        {
            "category": "communication_professional",
            "code": "945911000000109",
            "display": "Requires lipspeaker",
            "note": "Prefers the lipspeaker Yvonnequill",
        },
        {
            "category": "communication_support",
            "code": "716537007",
            "display": "Uses voice amplifier to support communication",
            "note": "Left ear only, notequill",
        },
    ],
    "hearing": {
        "better_ear": "left",
        "devices": [{"type": "cochlear_implant", "side": "right", "telecoil": True}],
        "loudness_discomfort": True,
        "tinnitus": True,
        "notes": "Ringing after loud rooms, hearnotequill",
        "audiogram": {
            "left": {"250": 35.0, "1000": 55.0, "8000": 95.0},
            "right": {"500": 40.0, "4000": 80.0},
        },
        "listening": {
            "gain_db": 23.5,
            "left_gain_db": 3.25,
            "right_gain_db": -4.75,
            "tone_preset": "speech-clarity",
            "left_tone_db": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5],
            "right_tone_db": [-1.5, -2.5, -3.5, -4.5, -5.5, -6.5, -7.5, -8.5],
            "noise_reduction": 0.35,
            "noise_reduction_method": "classic",
            "highpass_hz": 175.0,
            "compression": False,
            "max_output_dbfs": -13.5,
        },
    },
    "captions": {
        "enabled": False,
        "font_pt": 73,
        "scheme": "yellow-on-black",
        "lines": 7,
        "upper_case": True,
        "profanity_filter": True,
    },
    "speech": {"voice": "english-voice-quillvoice", "rate_wpm": 117, "volume": 0.65, "route": "room"},
    "environment": {
        "quiet_room": False,
        "light_on_speaker_face": False,
        "no_face_coverings": False,
        "seating": "Sit on my left, seatquill",
        "pace": "One question at a time, pacequill",
        "breaks": "A break every 20 minutes, breakquill",
    },
    "phrases": {"favourites": ["phrase-quill-one", "phrase-quill-two"]},
    "supporters": [
        {
            "name": "Oswaldo Supporterquill",
            "role": "imca",
            "relationship": "Advocate quill",
            "contact": "Via the advocacy service, contactquill",
        }
    ],
    "consent": {
        "recorded_by": "Assessor Quillrecorder",
        "recorded_at": "2026-01-02T10:11:12+00:00",
        "basis": "best_interests",
        "basis_note": "Decided at a meeting, basisquill",
        "agreed_to": {"store_profile": True, "keep_transcripts": True, "share": True},
        "review_date": "2099-06-30",  # far ahead: a past review date is refused at creation
    },
}


def strings_in(value: Any) -> list[str]:
    """Every string (keys and values) in a JSON value."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key, *strings_in(item)]]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return [value] if isinstance(value, str) else []


def store_files(path: Path) -> dict[str, bytes]:
    """The store file and every companion SQLite may have made (-wal, -shm, -journal), present ones only."""
    found = {}
    for candidate in path.parent.iterdir():
        if candidate.name.startswith(path.name):
            found[candidate.name] = candidate.read_bytes()
    return found


@pytest.fixture
def full_profile() -> dict[str, Any]:
    return copy.deepcopy(FULL_PROFILE)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "profiles.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[ProfileStore]:
    created = ProfileStore.create(store_path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N)
    yield created
    created.close()
