"""The communication profile, schema version 2 (profiles/SCHEMA.md), as code.

`validate_profile` is the one door into the store and the exports: it returns the normalised
profile (every section present, defaults filled, keys in schema order) or raises `ProfileError`
listing every problem, each naming its field path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from profiles.errors import ProfileError
from profiles.fields import (
    Choice,
    Code,
    Day,
    Flag,
    Items,
    Moment,
    Number,
    Section,
    Text,
    join,
)
from profiles.needs import CATEGORIES, snomed_id_is_well_formed
from profiles.ranges import (
    CAPTION_LINES,
    CAPTION_SCHEMES,
    EAR_GAIN_DB,
    FONT_PT,
    GAIN_DB,
    HIGHPASS_HZ,
    MAX_OUTPUT_DBFS,
    NOISE_REDUCTION,
    NOISE_REDUCTION_METHODS,
    RATE_WPM,
    SPEECH_VOLUME,
    TONE_BANDS_HZ,
    TONE_DB,
    TONE_PRESETS,
)
from profiles.wording import counted

SCHEMA_NAME = "hark.profile"
SCHEMA_VERSION = 2
# Version 1 lacked hearing.listening.noise_reduction_method and .tone_preset and had narrower
# gain and ceiling ranges; every version 1 profile is a valid version 2 one once the two are
# filled with their defaults, which reading does (check_profile).
READABLE_VERSIONS = (1, 2)
ID_PATTERN = re.compile(r"prf_[A-Z2-7]{16}")
NAME_CHARS = 200
AUDIOGRAM_HZ = ("250", "500", "1000", "2000", "3000", "4000", "6000", "8000")
SUPPORTER_ROLES = (
    "family",
    "friend",
    "carer",
    "advocate",
    "imca",
    "interpreter",
    "attorney_or_deputy",
    "other",
)
CONSENT_BASES = ("consent", "best_interests", "lpa_or_deputy")


def is_profile_id(text: str) -> bool:
    return bool(ID_PATTERN.fullmatch(text))


def _name(*, required: bool = False, nullable: bool = False) -> Text:
    return Text(NAME_CHARS, required=required, nullable=nullable, one_line=True)


def _tone() -> Items:
    return Items(
        Number(*TONE_DB, 0.0, unit="dB"), exact=len(TONE_BANDS_HZ), default=[0.0] * len(TONE_BANDS_HZ)
    )


def _schema(today: Callable[[], date]) -> Section:
    identity = Section(
        {
            "preferred_name": _name(required=True),
            "full_name": _name(nullable=True),
            "case_reference": Text(100, nullable=True, one_line=True),
            "date_of_birth": Day(not_after_today=True, today=today),
        }
    )
    identity.required = True
    need = Section(
        {
            "category": Choice(CATEGORIES, required=True),
            "code": Code(
                snomed_id_is_well_formed,
                "a SNOMED CT concept id (digits with a valid check digit)",
                required=True,
            ),
            "display": _name(required=True),
            "note": Text(),
        }
    )
    device = Section(
        {
            "type": Choice(("hearing_aid", "cochlear_implant", "bone_conduction"), required=True),
            "side": Choice(("left", "right", "both"), required=True),
            "telecoil": Flag(False),
        }
    )
    thresholds = Section({}, open_keys=Number(-10, 120, None, unit="dB HL"), key_names=AUDIOGRAM_HZ)
    audiogram = Section({"left": thresholds, "right": thresholds}, nullable=True)
    listening = Section(
        {
            "gain_db": Number(*GAIN_DB, 10.0, unit="dB"),
            "left_gain_db": Number(*EAR_GAIN_DB, 0.0, unit="dB"),
            "right_gain_db": Number(*EAR_GAIN_DB, 0.0, unit="dB"),
            "tone_preset": Choice(
                TONE_PRESETS, nullable=True
            ),  # the preset the bands started from; null: none named
            "left_tone_db": _tone(),
            "right_tone_db": _tone(),
            "noise_reduction": Number(*NOISE_REDUCTION, 0.7),
            "noise_reduction_method": Choice(NOISE_REDUCTION_METHODS, "learned"),
            "highpass_hz": Number(*HIGHPASS_HZ, 100.0, unit="Hz"),
            "compression": Flag(True),
            "max_output_dbfs": Number(*MAX_OUTPUT_DBFS, -6.0, unit="dBFS"),
        }
    )
    supporter = Section(
        {
            "name": _name(required=True),
            "role": Choice(SUPPORTER_ROLES, required=True),
            "relationship": _name(),
            "contact": Text(1000),
        }
    )
    return Section(
        {
            "schema": Choice((SCHEMA_NAME,), SCHEMA_NAME),
            "version": Choice(READABLE_VERSIONS, SCHEMA_VERSION),  # type: ignore[arg-type]
            "id": Code(
                is_profile_id, "a Hark profile id (prf_ and 16 letters A-Z or digits 2-7)", nullable=True
            ),
            "identity": identity,
            "communication": Section(
                {
                    "what_helps": Text(),
                    "what_does_not_help": Text(),
                    "best_times": Text(),
                    "signs_tired_or_not_understood": Text(),
                    "how_to_check_understanding": Text(),
                }
            ),
            "needs": Items(need),
            "hearing": Section(
                {
                    "better_ear": Choice(("left", "right", "same", "unknown"), "unknown"),
                    "devices": Items(device),
                    "loudness_discomfort": Flag(False),
                    "tinnitus": Flag(False),
                    "notes": Text(),
                    "audiogram": audiogram,
                    "listening": listening,
                }
            ),
            "captions": Section(
                {
                    "enabled": Flag(True),
                    "font_pt": Number(*FONT_PT, 48, whole=True, unit="pt"),
                    "scheme": Choice(CAPTION_SCHEMES, "white-on-black"),
                    "lines": Number(*CAPTION_LINES, 4, whole=True),
                    "upper_case": Flag(False),
                    "profanity_filter": Flag(False),
                }
            ),
            "speech": Section(
                {
                    "voice": Text(200, nullable=True, one_line=True),
                    "rate_wpm": Number(*RATE_WPM, 150, whole=True, unit="words a minute"),
                    "volume": Number(*SPEECH_VOLUME, 1.0),
                    "route": Choice(("headphones", "room"), "headphones"),
                }
            ),
            "environment": Section(
                {
                    "quiet_room": Flag(True),
                    "light_on_speaker_face": Flag(True),
                    "no_face_coverings": Flag(True),
                    "seating": Text(),
                    "pace": Text(),
                    "breaks": Text(),
                }
            ),
            "phrases": Section({"favourites": Items(Text(100, required=True, one_line=True))}),
            "supporters": Items(supporter),
            "consent": Section(
                {
                    "recorded_by": _name(),
                    "recorded_at": Moment(),
                    "basis": Choice(CONSENT_BASES, "consent"),
                    "basis_note": Text(),
                    "agreed_to": Section(
                        {
                            "store_profile": Flag(True),
                            "keep_transcripts": Flag(False),
                            "share": Flag(False),
                        }
                    ),
                    "review_date": Day(),
                }
            ),
        }
    )


_SCHEMA = _schema(date.today)
SCHEMA = _SCHEMA  # the schema as checkers, for editors and tests
_IDENTITY_KEYS = frozenset(("preferred_name", "full_name", "case_reference", "date_of_birth"))


def expand_short_form(data: object) -> object:
    """`{"preferred_name": "Ada"}`: a bare object of identity keys (plus schema/version/id) is the identity."""
    if (
        isinstance(data, dict)
        and "identity" not in data
        and _IDENTITY_KEYS & data.keys()
        and data.keys() <= _IDENTITY_KEYS | {"schema", "version", "id"}
    ):
        head = {key: data[key] for key in ("schema", "version", "id") if key in data}
        return {**head, "identity": {key: value for key, value in data.items() if key in _IDENTITY_KEYS}}
    return data


def check_profile(
    data: object, path: str = "", *, today: Callable[[], date] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The normalised profile and the list of problems (empty when valid), without raising."""
    problems: list[str] = []
    data = expand_short_form(data)
    if (
        isinstance(data, dict)
        and "version" in data
        and (isinstance(data["version"], bool) or data["version"] not in READABLE_VERSIONS)
    ):
        *older, newest = (str(version) for version in READABLE_VERSIONS)
        readable = f"versions {', '.join(older)} and {newest}" if older else f"version {newest}"
        problems.append(
            f"{join(path, 'version')}: {data['version']!r} is not a profile version this Hark can "
            f"read (it reads {readable}); update Hark, or export the profile again "
            f"from the Hark that wrote it in a version this one reads"
        )
        return _SCHEMA.default(), problems
    if isinstance(data, dict):
        for key in data:
            if key in _IDENTITY_KEYS:
                problems.append(
                    f"{join(path, key)}: belongs inside identity (identity.{key}) when the "
                    f"profile has other sections"
                )
        data = {key: value for key, value in data.items() if key not in _IDENTITY_KEYS}
    schema = _schema(today) if today is not None else _SCHEMA
    profile = schema.check(data, path, problems)
    profile["version"] = SCHEMA_VERSION  # read as version 1, now filled in as version 2
    return profile, problems


def validate_profile(data: object, *, today: Callable[[], date] | None = None) -> dict[str, Any]:
    """The normalised profile dict with every default filled; `ProfileError` lists every problem."""
    profile, problems = check_profile(data, today=today)
    if problems:
        raise ProfileError(f"The profile is not valid ({counted(len(problems), 'problem')}):", problems)
    return profile


def review_date_problems(old: dict[str, Any] | None, new: dict[str, Any], today: date) -> list[str]:
    """A review date newly set to a day already gone: refused when creating or editing, never on reading.

    An overdue date kept from before (or imported) is left alone: old profiles must stay readable
    and editable, and `hark profiles list` flags them.
    """
    day = new["consent"]["review_date"]
    if not isinstance(day, str) or (old is not None and old["consent"]["review_date"] == day):
        return []
    try:
        if date.fromisoformat(day) >= today:
            return []
    except ValueError:  # not a date: the schema says so
        return []
    return [
        f"consent.review_date: {day} is in the past; give the day the profile should next be checked, "
        f"{today.isoformat()} or later, or leave it empty"
    ]


def check_review_date(old: dict[str, Any] | None, new: dict[str, Any], today: date) -> None:
    problems = review_date_problems(old, new, today)
    if problems:
        raise ProfileError(f"The profile is not valid ({counted(len(problems), 'problem')}):", problems)


def upgraded(profile: dict[str, Any]) -> dict[str, Any]:
    """A stored profile as the current version (an older one gets the newer fields' defaults)."""
    if profile.get("version") == SCHEMA_VERSION:
        return profile
    return check_profile(profile)[0]


def default_profile(preferred_name: str) -> dict[str, Any]:
    return validate_profile({"preferred_name": preferred_name})


def merge_patch(base: dict[str, Any], patch: object) -> object:
    """RFC 7386 JSON merge patch: objects merge key by key, null removes (the default returns), lists replace."""
    return _merge(base, expand_short_form(patch))


def _merge(base: dict[str, Any], patch: object) -> object:
    if not isinstance(patch, dict):
        return patch
    result = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def changed_fields(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """The field paths whose values differ; a list counts as one field."""
    changed: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            changed += changed_fields(before, after, join(path, key))
        elif before != after:
            changed.append(join(path, key))
    return changed
