"""The profile schema: defaults, normalisation, and every problem reported with its field path."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from profiles.errors import ProfileError
from profiles.model import changed_fields, check_profile, merge_patch, validate_profile


def problems_of(data: object) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        validate_profile(data)
    return caught.value.problems


def test_the_short_form_is_the_minimal_profile() -> None:
    short = validate_profile({"preferred_name": "Ada"})
    long = validate_profile({"schema": "hark.profile", "version": 1, "identity": {"preferred_name": "Ada"}})
    assert short == long
    assert short["captions"]["font_pt"] == 48 and short["hearing"]["listening"]["max_output_dbfs"] == -6.0
    assert short["needs"] == [] and short["hearing"]["audiogram"] is None and short["id"] is None
    assert list(short) == [
        "schema",
        "version",
        "id",
        "identity",
        "communication",
        "needs",
        "hearing",
        "captions",
        "speech",
        "environment",
        "phrases",
        "supporters",
        "consent",
    ]


def test_every_field_survives_normalisation_unchanged(full_profile: dict[str, Any]) -> None:
    normalised = validate_profile(full_profile)
    assert normalised == {**full_profile, "id": None}
    assert validate_profile(normalised) == normalised


def test_every_problem_is_listed_with_its_path() -> None:
    problems = problems_of(
        {
            "identity": {"preferred_name": "", "date_of_birth": "2999-01-01"},
            "needs": [{"category": "hearing", "code": "204331000000106", "display": "BSL"}],
            "hearing": {
                "listening": {"gain_db": 80, "left_tone_db": [0] * 7, "compression": 1},
                "audiogram": {"left": {"9000": 40}},
            },
            "captions": {"font_pt": 48.5, "scheme": "pink"},
            "speech": {"rate_wpm": True},
            "supporters": [{"name": "Sam"}],
            "captoins": {},
        }
    )
    assert "hearing.listening.gain_db: 80 is above the maximum 50 dB" in problems
    expected_paths = [
        "identity.preferred_name",
        "identity.date_of_birth",
        "needs[0].category",
        "needs[0].code",
        "hearing.listening.left_tone_db",
        "hearing.listening.compression",
        "hearing.audiogram.left.9000",
        "captions.font_pt",
        "captions.scheme",
        "speech.rate_wpm",
        "supporters[0].role",
        "captoins",
    ]
    for path in expected_paths:
        assert any(problem.startswith(f"{path}:") for problem in problems), path
    assert len(problems) == len(expected_paths) + 1


def test_free_text_is_never_quoted_back_in_a_problem() -> None:
    problems = problems_of({"identity": {"preferred_name": "Secretname\x07"}, "hearing": {"notes": 5}})
    assert problems and not any("Secretname" in problem for problem in problems)
    assert problems[0].startswith("identity.preferred_name: contains a control or invalid character")


@pytest.mark.parametrize("bad", ["\ud800", "a\x00b", "x" * 201, "two\nlines"])
def test_names_reject_bad_text(bad: str) -> None:
    assert problems_of({"preferred_name": bad})[0].startswith("identity.preferred_name:")


def test_unknown_versions_and_wrong_shapes_are_refused() -> None:
    assert "3 is not a profile version this Hark can read" in problems_of({"version": 3})[0]
    assert problems_of({"version": True, "identity": {"preferred_name": "A"}})[0].startswith("version:")
    assert problems_of([{"preferred_name": "Ada"}]) == ["the profile: must be an object, not a list"]
    assert problems_of({"preferred_name": "Ada", "captions": {}})[0].startswith(
        "preferred_name: belongs inside"
    )
    assert problems_of({"identity": {}}) == ["identity.preferred_name: is required"]


def test_text_and_list_limits() -> None:
    problems = problems_of(
        {
            "identity": {"preferred_name": "A"},
            "communication": {"what_helps": "x" * 4001},
            "phrases": {"favourites": ["p"] * 51},
        }
    )
    assert problems == [
        "communication.what_helps: is 4,001 characters long; the most allowed is 4,000",
        "phrases.favourites: holds 51 items; the most allowed is 50",
    ]


def test_dates_and_times() -> None:
    today = date(2026, 5, 1)
    _, problems = check_profile(
        {
            "identity": {"preferred_name": "A", "date_of_birth": "2026-05-02"},
            "consent": {"recorded_at": "2026-05-01T10:00:00", "review_date": "2026-02-30"},
        },
        today=lambda: today,
    )
    assert [problem.split(":")[0] for problem in problems] == [
        "identity.date_of_birth",
        "consent.recorded_at",
        "consent.review_date",
    ]
    ok = validate_profile(
        {"identity": {"preferred_name": "A"}, "consent": {"recorded_at": "2026-05-01T10:00:00.123+01:00"}}
    )
    assert ok["consent"]["recorded_at"] == "2026-05-01T10:00:00+01:00"


def test_merge_patch_changes_only_what_it_names(full_profile: dict[str, Any]) -> None:
    base = validate_profile(full_profile)
    merged = validate_profile(
        merge_patch(base, {"captions": {"font_pt": 90}, "identity": {"full_name": None}, "needs": []})
    )
    assert merged["captions"]["font_pt"] == 90 and merged["captions"]["lines"] == 7
    assert merged["identity"]["full_name"] is None and merged["needs"] == []
    assert changed_fields(base, merged) == ["identity.full_name", "needs", "captions.font_pt"]
    assert (
        validate_profile(merge_patch(base, {"preferred_name": "Zed"}))["identity"]["preferred_name"] == "Zed"
    )


def test_validation_does_not_change_its_input(full_profile: dict[str, Any]) -> None:
    before = copy.deepcopy(full_profile)
    validate_profile(full_profile)
    assert full_profile == before


def test_a_version_1_profile_is_read_as_version_2_with_the_new_fields_at_their_defaults() -> None:
    old = {
        "schema": "hark.profile",
        "version": 1,
        "identity": {"preferred_name": "Ada"},
        "hearing": {"listening": {"gain_db": 20.0, "left_tone_db": [1, 2, 3, 4, 5, 6, 7, 8]}},
    }
    profile = validate_profile(old)
    listening = profile["hearing"]["listening"]
    assert profile["version"] == 2
    assert listening["tone_preset"] is None and listening["noise_reduction_method"] == "learned"
    assert listening["gain_db"] == 20.0 and listening["left_tone_db"] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert validate_profile(profile) == profile  # and version 2 reads back as itself


def test_version_2_holds_what_the_listening_panel_can_reach() -> None:
    listening = {"gain_db": -40, "left_gain_db": -40, "max_output_dbfs": -60}
    listening |= {"tone_preset": "low-cut", "noise_reduction_method": "rnnoise-assisted"}
    wide = {"hearing": {"listening": listening}}
    assert check_profile({"identity": {"preferred_name": "Ada"}, **wide})[1] == []
    bad = {"hearing": {"listening": {"tone_preset": "loud", "noise_reduction_method": "magic"}}}
    assert [p.split(":")[0] for p in problems_of({"identity": {"preferred_name": "Ada"}, **bad})] == [
        "hearing.listening.tone_preset",
        "hearing.listening.noise_reduction_method",
    ]
