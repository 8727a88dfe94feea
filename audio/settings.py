"""Listening settings: one immutable, validated snapshot of everything the chain does.

The UI or command line builds a new `ListeningSettings` (with `dataclasses.replace`)
and hands it to the chain; validation happens here, off the audio thread, and a
rejected value raises `AudioError` while the old settings keep running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from audio.errors import AudioError

# Audiometric frequencies: an assessor reading an audiogram can match band to band.
TONE_BAND_HZ: tuple[float, ...] = (250.0, 500.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0, 6000.0)

# Gains in dB per band of TONE_BAND_HZ.
TONE_PRESETS: dict[str, tuple[float, ...]] = {
    "flat": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    # Less boom, more consonants: the commonest request for speech in a room.
    "speech-clarity": (-6.0, -3.0, 0.0, 2.0, 4.0, 6.0, 6.0, 4.0),
    # A sloping age-related loss: roughly half the typical threshold shift, as fitting rules start.
    "high-frequency-boost": (0.0, 0.0, 2.0, 5.0, 8.0, 12.0, 14.0, 14.0),
    "mild-high-frequency-boost": (0.0, 0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 8.0),
    # Traffic, fans, handling rumble.
    "low-cut": (-12.0, -6.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}

MAX_TONE_DB = 24.0
MAX_GAIN_DB = 50.0
# (lowest, highest) the engine accepts. A person's profile may narrow these but never raise a top
# (profiles/ranges.py; tests/profiles/test_shared_ranges.py checks both sides).
GAIN_DB_RANGE = (-40.0, MAX_GAIN_DB)
EAR_GAIN_DB_RANGE = (-40.0, 20.0)
HIGHPASS_HZ_RANGE = (20.0, 500.0)
NOISE_REDUCTION_RANGE = (0.0, 1.0)
OUTPUT_CEILING_DBFS_RANGE = (-60.0, 0.0)


def _check_range(name: str, value: float, low: float, high: float, unit: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and low <= value <= high):
        raise AudioError(f"{name} must be between {low:g} and {high:g}{unit}, got {value!r}.")


def tone_preset(name: str) -> tuple[float, ...]:
    try:
        return TONE_PRESETS[name]
    except KeyError:
        allowed = ", ".join(TONE_PRESETS)
        raise AudioError(f"Unknown tone preset {name!r}; choose one of: {allowed}.") from None


@dataclass(frozen=True)
class CompressionSettings:
    """Wide-dynamic-range compression, per ear, on the broadband level."""

    enabled: bool = True
    threshold_dbfs: float = -45.0
    ratio: float = 2.5
    knee_db: float = 10.0
    attack_ms: float = 5.0
    release_ms: float = 80.0
    # Level (dBFS) whose gain is left unchanged: softer sounds come up, louder go down.
    reference_dbfs: float = -25.0

    def __post_init__(self) -> None:
        _check_range("Compression threshold", self.threshold_dbfs, -90.0, 0.0, " dBFS")
        _check_range("Compression ratio", self.ratio, 1.0, 20.0, ":1")
        _check_range("Compression knee", self.knee_db, 0.0, 30.0, " dB")
        _check_range("Compression attack", self.attack_ms, 0.1, 200.0, " ms")
        _check_range("Compression release", self.release_ms, 5.0, 5000.0, " ms")
        _check_range("Compression reference level", self.reference_dbfs, -90.0, 0.0, " dBFS")


@dataclass(frozen=True)
class ListeningSettings:
    """Everything the listening chain does, in the order the sound meets it."""

    highpass_enabled: bool = True
    highpass_hz: float = 100.0
    noise_reduction_enabled: bool = True
    noise_reduction: float = 0.7  # strength 0..1
    tone_enabled: bool = True
    left_tone_db: tuple[float, ...] = TONE_PRESETS["flat"]
    right_tone_db: tuple[float, ...] = TONE_PRESETS["flat"]
    compression: CompressionSettings = field(default_factory=CompressionSettings)
    gain_db: float = 10.0
    left_gain_db: float = 0.0
    right_gain_db: float = 0.0
    muted: bool = False
    feedback_guard_enabled: bool = True
    max_output_dbfs: float = -6.0

    def __post_init__(self) -> None:
        _check_range("High-pass frequency", self.highpass_hz, *HIGHPASS_HZ_RANGE, " Hz")
        _check_range("Noise reduction strength", self.noise_reduction, *NOISE_REDUCTION_RANGE, "")
        for ear, tone in (("Left", self.left_tone_db), ("Right", self.right_tone_db)):
            if len(tone) != len(TONE_BAND_HZ):
                raise AudioError(f"{ear} tone needs {len(TONE_BAND_HZ)} band gains, got {len(tone)}.")
            for hz, db in zip(TONE_BAND_HZ, tone, strict=True):
                _check_range(f"{ear} tone at {hz:g} Hz", db, -MAX_TONE_DB, MAX_TONE_DB, " dB")
        _check_range("Gain", self.gain_db, *GAIN_DB_RANGE, " dB")
        _check_range("Left ear gain", self.left_gain_db, *EAR_GAIN_DB_RANGE, " dB")
        _check_range("Right ear gain", self.right_gain_db, *EAR_GAIN_DB_RANGE, " dB")
        if isinstance(self.max_output_dbfs, int | float) and self.max_output_dbfs > 0:
            raise AudioError(
                f"The output ceiling must be at or below 0 dBFS (digital full scale), got {self.max_output_dbfs:g};"
                " -6 dBFS is the default, lower is safer."
            )
        _check_range("Output ceiling", self.max_output_dbfs, *OUTPUT_CEILING_DBFS_RANGE, " dBFS")

    @property
    def ears_differ(self) -> bool:
        return self.left_tone_db != self.right_tone_db or self.left_gain_db != self.right_gain_db

    @classmethod
    def neutral(cls, noise_reduction: float = 1.0) -> ListeningSettings:
        """Only noise reduction and a 0 dBFS limiter, so noise reduction can be measured alone."""
        return cls(
            highpass_enabled=False,
            noise_reduction_enabled=True,
            noise_reduction=noise_reduction,
            tone_enabled=False,
            compression=CompressionSettings(enabled=False),
            gain_db=0.0,
            feedback_guard_enabled=False,
            max_output_dbfs=0.0,
        )
