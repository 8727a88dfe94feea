"""A person's profile turned into the settings Hark runs with: listening, captions, speech.

The one place that maps a profile (read through `profiles.view.ProfileView`) onto
`ListeningSettings`, `CaptionStyle` and `SpeechPreferences`, so every command that takes
`--profile ID` applies a person's needs the same way.

Flags typed on the command line change the profile's values for this run only, with one
exception that protects the person's ears: their own output ceiling is a maximum. A flag may
lower it but never raise it; asking for more is refused with the reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.captions.style import CaptionStyle
from assistant.personalise.errors import ProfileUseError
from assistant.personalise.store import open_store
from audio.settings import CompressionSettings, ListeningSettings
from profiles.errors import ProfileError
from profiles.view import ProfileView

Profile = ProfileView | Mapping[str, Any]  # a view, or a normalised profile dict from the store


@dataclass(frozen=True)
class SpeechPreferences:
    voice: str | None
    rate_wpm: int
    volume: float
    route: str  # "headphones" or "room"


def profile_view(profile: Profile) -> ProfileView:
    """The typed view of `profile`, built once when it is still a dict."""
    return profile if isinstance(profile, ProfileView) else ProfileView.from_dict(profile)


def listening_settings(profile: Profile) -> ListeningSettings:
    listening = profile_view(profile).listening
    return ListeningSettings(
        highpass_hz=listening.highpass_hz,
        noise_reduction=listening.noise_reduction,
        noise_reduction_enabled=listening.noise_reduction > 0,
        left_tone_db=listening.left_tone_db,
        right_tone_db=listening.right_tone_db,
        compression=CompressionSettings(enabled=listening.compression),
        gain_db=listening.gain_db,
        left_gain_db=listening.left_gain_db,
        right_gain_db=listening.right_gain_db,
        max_output_dbfs=listening.max_output_dbfs,
    )


def caption_style(profile: Profile) -> CaptionStyle:
    captions = profile_view(profile).captions
    return CaptionStyle(
        font_pt=captions.font_pt,
        scheme=captions.scheme,
        lines=captions.lines,
        upper_case=captions.upper_case,
        profanity_filter=captions.profanity_filter,
    )


def speech_preferences(profile: Profile) -> SpeechPreferences:
    speech = profile_view(profile).speech
    return SpeechPreferences(speech.voice, speech.rate_wpm, speech.volume, speech.route)


def keep_ceiling(profile_settings: ListeningSettings, chosen: ListeningSettings) -> ListeningSettings:
    """`chosen` (the profile plus command-line flags), refused if it raises the person's own ceiling."""
    if chosen.max_output_dbfs > profile_settings.max_output_dbfs:
        raise ProfileUseError(
            f"This person's profile limits their headphones to {profile_settings.max_output_dbfs:g} dBFS; "
            f"--max-output-dbfs {chosen.max_output_dbfs:g} would be louder. Use a lower value, or change the "
            "profile with `hark profiles edit` if their needs have changed."
        )
    return chosen


def load_profile(args: argparse.Namespace, purpose: str) -> dict[str, Any] | None:
    """The profile named by --profile, unlocked and viewed (the view is audited), or None."""
    if not getattr(args, "profile", None):
        return None
    try:
        store = open_store(args.store, args.as_name)
        try:
            return store.view(args.profile, action="view", purpose=purpose)
        finally:
            store.close()
    except (ProfileError, ProfileUseError) as error:
        raise ProfileUseError(f"Cannot use profile {args.profile}: {error}") from None
