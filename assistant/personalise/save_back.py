"""The listening settings that worked in a session, saved back to the person's profile.

The inverse of settings.listening_settings: each engine setting the profile has a place for maps
onto one field of hearing.listening, with the same range on both sides (profiles/ranges.py), so a
value is saved as it was heard, never clamped. The assessor sees every difference before saving,
and what the profile has no place for is named rather than dropped without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from assistant.personalise.errors import ProfileUseError
from audio.settings import CompressionSettings, ListeningSettings
from profiles.errors import ProfileError
from profiles.model import validate_profile

LABELS = {
    "gain_db": ("Volume", " dB"),
    "left_gain_db": ("Left ear", " dB"),
    "right_gain_db": ("Right ear", " dB"),
    "tone_preset": ("Tone preset", ""),
    "left_tone_db": ("Left ear tone", " dB"),
    "right_tone_db": ("Right ear tone", " dB"),
    "noise_reduction": ("Noise reduction strength", ""),
    "noise_reduction_method": ("Noise reduction method", ""),
    "highpass_hz": ("Rumble filter", " Hz"),
    "compression": ("Evening out loud and soft sounds", ""),
    "max_output_dbfs": ("Loudest allowed", " dBFS"),
}


@dataclass(frozen=True)
class Change:
    field: str  # a key of hearing.listening
    before: Any
    after: Any

    def describe(self) -> str:
        label, unit = LABELS[self.field]
        return f"{label}: {_shown(self.before, unit)} → {_shown(self.after, unit)}"


@dataclass(frozen=True)
class SaveBack:
    profile: dict[str, Any]  # the whole profile with the new listening settings, validated
    changes: tuple[Change, ...]
    not_kept: tuple[str, ...]  # sentences: settings of the session the profile has no place for


def save_back(
    profile: Mapping[str, Any], settings: ListeningSettings, method: str, tone_preset: str | None
) -> SaveBack:
    """What saving `settings` (with the noise-reduction `method` and the `tone_preset` the bands
    started from) to `profile` would change. Raising the person's own ceiling is refused."""
    old = profile["hearing"]["listening"]
    if settings.max_output_dbfs > old["max_output_dbfs"]:
        raise ProfileUseError(
            f"The session's ceiling ({settings.max_output_dbfs:g} dBFS) is louder than this person's own "
            f"({old['max_output_dbfs']:g} dBFS); a session may lower it, never raise it."
        )
    new = {
        "gain_db": settings.gain_db,
        "left_gain_db": settings.left_gain_db,
        "right_gain_db": settings.right_gain_db,
        "tone_preset": tone_preset,
        "left_tone_db": list(settings.left_tone_db),
        "right_tone_db": list(settings.right_tone_db),
        "noise_reduction": settings.noise_reduction if settings.noise_reduction_enabled else 0.0,
        "noise_reduction_method": method,
        "highpass_hz": settings.highpass_hz,
        "compression": settings.compression.enabled,
        "max_output_dbfs": settings.max_output_dbfs,
    }
    whole = {**profile, "hearing": {**profile["hearing"], "listening": {**old, **new}}}
    try:
        checked = validate_profile(whole)
    except ProfileError as error:  # a value the profile cannot hold: say which, change nothing
        raise ProfileUseError(f"These settings cannot be saved to the profile as they are: {error}") from None
    kept = checked["hearing"]["listening"]
    changes = tuple(Change(key, old.get(key), kept[key]) for key in LABELS if old.get(key) != kept[key])
    return SaveBack(checked, changes, _not_kept(settings))


def _not_kept(settings: ListeningSettings) -> tuple[str, ...]:
    notes = []
    if not settings.highpass_enabled:
        notes.append("The rumble filter was off; the profile always has it on, at the frequency shown.")
    if not settings.tone_enabled:
        notes.append("Tone shaping was off; the profile keeps the band settings, which apply when it is on.")
    if replace(settings.compression, enabled=True) != CompressionSettings():
        notes.append("Compression's fine settings (threshold, ratio, times) are not kept; only on or off.")
    if not settings.feedback_guard_enabled:
        notes.append("The whistling guard was off; Hark turns it on again for every session.")
    return tuple(notes)


def _shown(value: Any, unit: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return " ".join(f"{v:g}" for v in value) + unit
    if isinstance(value, int | float):
        return f"{value:g}{unit}"
    return str(value)
