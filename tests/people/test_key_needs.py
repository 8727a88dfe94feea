"""The key needs shown when a person is opened: short, plain, the most important first."""

from __future__ import annotations

import copy
from typing import Any

from assistant.people.key_needs import MAX_LINES, key_needs
from profiles.model import validate_profile
from tests.profiles.conftest import FULL_PROFILE


def _profile(**sections: Any) -> dict[str, Any]:
    return validate_profile({"identity": {"preferred_name": "Ada"}, **sections})


def _need(code: str, display: str, category: str, note: str = "") -> dict[str, str]:
    return {"category": category, "code": code, "display": display, "note": note}


BSL = _need("204331000000107", "British Sign Language interpreter needed", "communication_professional")
LIP_READS = _need("441092009", "Does lip read", "communication_support")
LOOP = _need("198061000000105", "Uses hearing loop", "communication_support")
EASY_READ = _need("796161000000101", "Requires information in Easyread", "information_format")
HEARING_AID = _need("285055002", "Does use hearing aid", "communication_support")


def test_a_minimal_profile_has_no_key_needs() -> None:
    assert key_needs(_profile()) == []


def test_the_examples_from_the_issue_in_these_words() -> None:
    profile = _profile(needs=[LIP_READS, BSL], hearing={"better_ear": "left"})
    assert key_needs(profile) == [
        "Needs a BSL interpreter",
        "Lip-reads: face the light",
        "Hears better on the left",
    ]


def test_devices_loudness_and_what_helps() -> None:
    profile = _profile(
        hearing={
            "better_ear": "right",
            "devices": [{"type": "hearing_aid", "side": "both", "telecoil": True}],
            "loudness_discomfort": True,
        },
        communication={"what_helps": "Face me and speak slowly. Write down names.\nUse short words."},
    )
    assert key_needs(profile) == [
        "Hears better on the right",
        "Loud sounds hurt: keep the volume low",
        "Wears hearing aids in both ears; has a telecoil",
        "What helps: Face me and speak slowly.",
    ]


def test_one_implant_and_one_aid_are_each_named_with_their_ear() -> None:
    profile = _profile(
        hearing={
            "devices": [
                {"type": "cochlear_implant", "side": "right"},
                {"type": "hearing_aid", "side": "left"},
            ]
        }
    )
    assert key_needs(profile) == [
        "Has a cochlear implant in the right ear; wears a hearing aid in the left ear"
    ]


def test_a_hearing_aid_code_says_so_only_when_no_device_is_recorded() -> None:
    assert key_needs(_profile(needs=[HEARING_AID])) == ["Wears a hearing aid"]
    with_device = _profile(
        needs=[HEARING_AID], hearing={"devices": [{"type": "hearing_aid", "side": "left"}]}
    )
    assert key_needs(with_device) == ["Wears a hearing aid in the left ear"]


def test_a_note_on_a_need_is_kept_short() -> None:
    note = "Prefers a male interpreter who knows the local signs, booked through the council's service."
    [line] = key_needs(_profile(needs=[{**BSL, "note": note}]))
    assert line.startswith("Needs a BSL interpreter (Prefers a male interpreter")
    assert line.endswith("…)") and len(line) < len("Needs a BSL interpreter") + 65


def test_a_code_outside_the_catalogue_shows_its_recorded_words() -> None:
    other = _need("10000006", "Needs a quiet room", "communication_support")  # well-formed, not ours
    assert key_needs(_profile(needs=[other])) == ["Needs a quiet room"]


def test_many_needs_keep_the_most_important_and_say_how_many_more() -> None:
    profile = _profile(
        needs=[EASY_READ, LOOP, LIP_READS, BSL],
        hearing={
            "better_ear": "left",
            "loudness_discomfort": True,
            "devices": [{"type": "hearing_aid", "side": "both"}],
        },
        communication={"what_helps": "Face me."},
    )
    lines = key_needs(profile)
    assert len(lines) == MAX_LINES
    assert lines[:2] == ["Needs a BSL interpreter", "Lip-reads: face the light"]
    assert lines[-1] == "And 3 more in the full profile"  # 8 lines: 5 shown, 3 more
    assert "Easy read information" not in lines and "What helps: Face me." not in lines


def test_a_profile_with_every_field_set() -> None:
    lines = key_needs(validate_profile(copy.deepcopy(FULL_PROFILE)))
    assert lines == [
        "Needs a lipspeaker (Prefers the lipspeaker Yvonnequill)",
        "Hears better on the left",
        "Loud sounds hurt: keep the volume low",
        "Uses a voice amplifier (Left ear only, notequill)",
        "Has a cochlear implant in the right ear; has a telecoil",
        "What helps: Face me and speak slowly, qwertyhelps.",
    ]
