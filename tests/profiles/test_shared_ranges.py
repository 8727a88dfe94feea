"""The names and ranges a profile shares with the engine and the app agree on both sides.

profiles/ranges.py names the profile's side once; audio/settings.py, assistant/captions/style.py
and assistant/speech/synthesis.py name theirs. Every profile value must be one the engine and the
app accept, and where a range protects hearing (the highest gain, tone and output ceiling) the
two sides must be the same, so neither can be widened alone. The engine's validation is also
probed at the profile's limits, so the named constants cannot drift from what it enforces.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from assistant.captions.style import MAX_FONT_PT, MAX_LINES, MIN_FONT_PT, MIN_LINES, SCHEMES, CaptionStyle
from assistant.personalise.settings import caption_style, listening_settings, speech_preferences
from assistant.speech.errors import SpeechError
from assistant.speech.synthesis import DEFAULT_RATE_WPM, RATE_MAX_WPM, RATE_MIN_WPM, check_settings
from audio import settings as engine
from audio.errors import AudioError
from audio.settings import MAX_GAIN_DB, MAX_TONE_DB, TONE_BAND_HZ, TONE_PRESETS, ListeningSettings
from profiles import ranges
from profiles.model import default_profile, validate_profile

SCHEMA_MD = Path(__file__).resolve().parents[2] / "profiles" / "SCHEMA.md"
JUST_OVER = 1e-6


def _engine_accepts(**settings: float) -> bool:
    try:
        ListeningSettings(**settings)  # type: ignore[arg-type]
    except AudioError:
        return False
    return True


def test_tone_bands_and_range_are_the_engines() -> None:
    assert tuple(float(hz) for hz in ranges.TONE_BANDS_HZ) == TONE_BAND_HZ
    assert ranges.TONE_DB == (-MAX_TONE_DB, MAX_TONE_DB)


@pytest.mark.parametrize("preset", list(TONE_PRESETS))
def test_every_tone_preset_fits_in_a_profile(preset: str) -> None:
    tone = list(TONE_PRESETS[preset])
    profile = validate_profile(
        {"identity": {"preferred_name": "Ada"}, "hearing": {"listening": {"left_tone_db": tone}}}
    )
    assert tuple(profile["hearing"]["listening"]["left_tone_db"]) == TONE_PRESETS[preset]


@pytest.mark.parametrize(
    ("field", "limits"),
    [
        ("gain_db", ranges.GAIN_DB),
        ("left_gain_db", ranges.EAR_GAIN_DB),
        ("right_gain_db", ranges.EAR_GAIN_DB),
        ("noise_reduction", ranges.NOISE_REDUCTION),
        ("highpass_hz", ranges.HIGHPASS_HZ),
        ("max_output_dbfs", ranges.MAX_OUTPUT_DBFS),
    ],
)
def test_the_engine_accepts_every_profile_value_and_nothing_louder(
    field: str, limits: tuple[float, float]
) -> None:
    low, high = limits
    assert _engine_accepts(**{field: low}) and _engine_accepts(**{field: high})
    # The top of each range is the same on both sides: the engine refuses just above the profile's.
    assert not _engine_accepts(**{field: high + JUST_OVER})


def test_the_highest_gain_is_one_constant_on_both_sides() -> None:
    assert ranges.GAIN_DB[1] == MAX_GAIN_DB


@pytest.mark.parametrize(
    ("profile_range", "engine_range"),
    [
        (ranges.GAIN_DB, engine.GAIN_DB_RANGE),
        (ranges.EAR_GAIN_DB, engine.EAR_GAIN_DB_RANGE),
        (ranges.NOISE_REDUCTION, engine.NOISE_REDUCTION_RANGE),
        (ranges.HIGHPASS_HZ, engine.HIGHPASS_HZ_RANGE),
        (ranges.MAX_OUTPUT_DBFS, engine.OUTPUT_CEILING_DBFS_RANGE),
    ],
)
def test_each_profile_range_is_the_engines_or_narrower_with_the_same_top(
    profile_range: tuple[float, float], engine_range: tuple[float, float]
) -> None:
    assert profile_range[1] == engine_range[1]
    assert engine_range[0] <= profile_range[0] < profile_range[1]


@pytest.mark.parametrize(
    ("field", "limits"), [("noise_reduction", ranges.NOISE_REDUCTION), ("highpass_hz", ranges.HIGHPASS_HZ)]
)
def test_ranges_without_a_hearing_limit_are_the_same_at_the_bottom_too(
    field: str, limits: tuple[float, float]
) -> None:
    assert not _engine_accepts(**{field: limits[0] - JUST_OVER})


def test_caption_schemes_and_ranges_are_the_caption_styles() -> None:
    assert tuple(SCHEMES) == ranges.CAPTION_SCHEMES
    assert ranges.FONT_PT == (MIN_FONT_PT, MAX_FONT_PT)
    assert ranges.CAPTION_LINES == (MIN_LINES, MAX_LINES)


def test_speech_rate_and_volume_are_ones_the_synthesiser_accepts() -> None:
    assert ranges.RATE_WPM[0] == RATE_MIN_WPM and ranges.RATE_WPM[1] <= RATE_MAX_WPM
    for rate in ranges.RATE_WPM:
        for volume in ranges.SPEECH_VOLUME:
            check_settings(rate, volume)
    with pytest.raises(SpeechError):
        check_settings(DEFAULT_RATE_WPM, ranges.SPEECH_VOLUME[1] + JUST_OVER)


def test_a_default_profile_applies_the_engines_and_apps_defaults() -> None:
    profile = default_profile("Ada")
    applied, default = listening_settings(profile), ListeningSettings()
    for field in fields(ListeningSettings):
        assert getattr(applied, field.name) == getattr(default, field.name), field.name
    assert caption_style(profile) == CaptionStyle()
    assert speech_preferences(profile).rate_wpm == DEFAULT_RATE_WPM


def test_schema_md_states_the_same_ranges_and_names() -> None:
    text = SCHEMA_MD.read_text(encoding="utf-8")
    stated = {
        name: (float(low), float(high))
        for name, low, high in re.findall(r'"(\w+)": [^/\n]*// (-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)', text)
    }
    expected = {
        "gain_db": ranges.GAIN_DB,
        "left_gain_db": ranges.EAR_GAIN_DB,
        "right_gain_db": ranges.EAR_GAIN_DB,
        "noise_reduction": ranges.NOISE_REDUCTION,
        "highpass_hz": ranges.HIGHPASS_HZ,
        "max_output_dbfs": ranges.MAX_OUTPUT_DBFS,
        "font_pt": ranges.FONT_PT,
        "lines": ranges.CAPTION_LINES,
        "rate_wpm": ranges.RATE_WPM,
        "volume": ranges.SPEECH_VOLUME,
    }
    assert {name: stated.get(name) for name in expected} == {
        name: (float(low), float(high)) for name, (low, high) in expected.items()
    }
    tone_comment = re.search(
        r'"left_tone_db": [^\n]*// ([^\n]*)\n\s*"right_tone_db": [^\n]*// ([^\n]*)', text
    )
    assert tone_comment is not None
    bands = " ".join(str(hz) for hz in ranges.TONE_BANDS_HZ)
    assert " ".join(tone_comment.groups()) == (
        f"{len(ranges.TONE_BANDS_HZ)} bands at {bands} Hz, each {ranges.TONE_DB[0]:g}..{ranges.TONE_DB[1]:g} dB"
    )
    schemes_comment = re.search(r'"scheme": [^\n]*// ([^\n]*)\n\s*// ([^\n]*)', text)
    assert schemes_comment is not None
    assert re.split(r"\s*\|\s*", " ".join(schemes_comment.groups()).strip()) == list(ranges.CAPTION_SCHEMES)


def test_noise_reduction_methods_and_tone_presets_are_named_alike() -> None:
    from audio.noise_reduction import DEFAULT_METHOD, METHODS

    assert set(ranges.NOISE_REDUCTION_METHODS) == set(METHODS)
    assert ranges.NOISE_REDUCTION_METHODS[0] == DEFAULT_METHOD
    assert default_profile("Ada")["hearing"]["listening"]["noise_reduction_method"] == DEFAULT_METHOD
    assert tuple(TONE_PRESETS) == ranges.TONE_PRESETS
