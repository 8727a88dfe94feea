"""A typed, read-only view of the parts of a profile the app applies: listening, captions, speech.

The store and the exports keep the profile as the plain dict of profiles/SCHEMA.md; code that
applies a person's settings reads them through `ProfileView.from_dict(profile)` instead of nested
keys, so a renamed field breaks in one place and the types are checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from profiles.errors import ProfileError


@dataclass(frozen=True)
class ListeningView:
    gain_db: float
    left_gain_db: float
    right_gain_db: float
    left_tone_db: tuple[float, ...]
    right_tone_db: tuple[float, ...]
    noise_reduction: float  # 0 is off
    noise_reduction_method: str
    tone_preset: str | None  # the preset the bands started from
    highpass_hz: float
    compression: bool
    max_output_dbfs: float  # the person's own ceiling


@dataclass(frozen=True)
class CaptionsView:
    enabled: bool
    font_pt: int
    scheme: str
    lines: int
    upper_case: bool
    profanity_filter: bool


@dataclass(frozen=True)
class SpeechView:
    voice: str | None
    rate_wpm: int
    volume: float
    route: str  # "headphones" or "room"


@dataclass(frozen=True)
class ProfileView:
    id: str | None
    preferred_name: str
    listening: ListeningView
    captions: CaptionsView
    speech: SpeechView
    favourites: tuple[str, ...]
    keep_transcripts: bool

    @classmethod
    def from_dict(cls, profile: Mapping[str, Any]) -> ProfileView:
        """From a normalised profile (as `validate_profile` returns and the store holds)."""
        try:
            listening = profile["hearing"]["listening"]
            captions = profile["captions"]
            speech = profile["speech"]
            return cls(
                id=profile["id"],
                preferred_name=str(profile["identity"]["preferred_name"]),
                listening=ListeningView(
                    gain_db=float(listening["gain_db"]),
                    left_gain_db=float(listening["left_gain_db"]),
                    right_gain_db=float(listening["right_gain_db"]),
                    left_tone_db=tuple(float(db) for db in listening["left_tone_db"]),
                    right_tone_db=tuple(float(db) for db in listening["right_tone_db"]),
                    noise_reduction=float(listening["noise_reduction"]),
                    noise_reduction_method=str(listening["noise_reduction_method"]),
                    tone_preset=listening["tone_preset"],
                    highpass_hz=float(listening["highpass_hz"]),
                    compression=bool(listening["compression"]),
                    max_output_dbfs=float(listening["max_output_dbfs"]),
                ),
                captions=CaptionsView(
                    enabled=bool(captions["enabled"]),
                    font_pt=int(captions["font_pt"]),
                    scheme=str(captions["scheme"]),
                    lines=int(captions["lines"]),
                    upper_case=bool(captions["upper_case"]),
                    profanity_filter=bool(captions["profanity_filter"]),
                ),
                speech=SpeechView(
                    voice=speech["voice"],
                    rate_wpm=int(speech["rate_wpm"]),
                    volume=float(speech["volume"]),
                    route=str(speech["route"]),
                ),
                favourites=tuple(profile["phrases"]["favourites"]),
                keep_transcripts=bool(profile["consent"]["agreed_to"]["keep_transcripts"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProfileError(
                f"The profile cannot be applied: it is not a whole profile ({type(error).__name__}: {error}); "
                "read it through the store or profiles.model.validate_profile first."
            ) from None
