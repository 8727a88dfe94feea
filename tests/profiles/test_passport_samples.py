"""Shared sample profiles for the passport, PDF and FHIR tests (no tests of its own).

Every sample goes through `profiles.model.validate_profile`, so the exports are tested on exactly
the normalised shape the store hands them.
"""

from __future__ import annotations

import copy
from typing import Any

from profiles.model import validate_profile

_FULL: dict[str, Any] = {
    "schema": "hark.profile",
    "version": 1,
    "id": "prf_ABCDEFGHIJKLMNOP",
    "identity": {
        "preferred_name": "Ada",
        "full_name": "Ada Lovelace",
        "case_reference": "DOLS-2025-0042",
        "date_of_birth": "1941-12-10",
    },
    "communication": {
        "what_helps": "Face me and speak slowly.\nWrite down the main words.",
        "what_does_not_help": "Shouting. Talking while you write.",
        "best_times": "Mornings, after breakfast.",
        "signs_tired_or_not_understood": "I look away and say yes to everything.",
        "how_to_check_understanding": "Ask me to tell you in my own words.",
    },
    "needs": [
        {
            "category": "communication_professional",
            "code": "945911000000109",
            "display": "Requires lipspeaker",
            "note": "",
        },
        {
            "category": "communication_support",
            "code": "716537007",
            "display": "Uses voice amplifier to support communication",
            "note": "Left ear only",
        },
        {
            "category": "information_format",
            "code": "957331000000109",
            "display": "Requires written information in at least 20 point sans serif font",
            "note": "",
        },
        {
            "category": "communication_support",
            "code": "198061000000105",
            "display": "Uses hearing loop",
            "note": "",
        },
    ],
    "hearing": {
        "better_ear": "left",
        "devices": [{"type": "hearing_aid", "side": "both", "telecoil": True}],
        "loudness_discomfort": True,
        "tinnitus": True,
        "notes": "My right aid whistles if you sit too close.",
        "audiogram": {
            "left": {"250": 30, "1000": 45, "4000": 70},
            "right": {"250": 40, "1000": 55, "4000": 80},
        },
    },
    "environment": {
        "quiet_room": True,
        "light_on_speaker_face": True,
        "no_face_coverings": True,
        "seating": "Sit on my left, at the same height.",
        "pace": "One question at a time.",
        "breaks": "A break every 20 minutes.",
    },
    "supporters": [
        {"name": "Sam Lovelace", "role": "family", "relationship": "Son", "contact": "07700 900123"},
        {"name": "Priya Shah", "role": "imca", "relationship": "", "contact": ""},
    ],
    "consent": {
        "recorded_by": "Jo Assessor",
        "recorded_at": "2025-03-03T10:15:00+00:00",
        "basis": "best_interests",
        "basis_note": "Decided by Jo Assessor with Sam, after two visits.",
        "agreed_to": {"store_profile": True, "keep_transcripts": False, "share": True},
        "review_date": "2025-09-01",
    },
}


def full_profile(**identity: Any) -> dict[str, Any]:
    """Every section filled; keyword arguments replace identity fields."""
    data = copy.deepcopy(_FULL)
    data["identity"].update(identity)
    return validate_profile(data)


def minimal_profile(name: str = "Ada") -> dict[str, Any]:
    return validate_profile({"preferred_name": name})
