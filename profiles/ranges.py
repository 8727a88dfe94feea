"""The names and ranges a profile shares with the listening engine and the app, each named once.

profiles/ may not import audio/ or assistant/, so the engine and the caption and speech code keep
their own constants; tests/profiles/test_shared_ranges.py checks that both sides agree (and that
profiles/SCHEMA.md says the same), so a profile value is always one the engine accepts.
A range is (lowest, highest), both allowed.
"""

from __future__ import annotations

# Listening (audio/settings.py): per-band tone, gains, noise reduction, high-pass, the person's ceiling.
TONE_BANDS_HZ = (250, 500, 1000, 1500, 2000, 3000, 4000, 6000)
TONE_DB = (-24.0, 24.0)
GAIN_DB = (-40.0, 50.0)
EAR_GAIN_DB = (-40.0, 20.0)
NOISE_REDUCTION = (0.0, 1.0)
HIGHPASS_HZ = (20.0, 500.0)
MAX_OUTPUT_DBFS = (-60.0, 0.0)
# audio/noise_reduction.py's METHODS and audio/settings.py's TONE_PRESETS, by name.
NOISE_REDUCTION_METHODS = ("learned", "classic", "rnnoise-assisted")
TONE_PRESETS = ("flat", "speech-clarity", "high-frequency-boost", "mild-high-frequency-boost", "low-cut")

# Captions (assistant/captions/style.py).
CAPTION_SCHEMES = ("white-on-black", "yellow-on-black", "cyan-on-black", "black-on-white", "black-on-cream")
FONT_PT = (20, 160)
CAPTION_LINES = (2, 10)

# Speech (assistant/speech/synthesis.py).
RATE_WPM = (80, 300)
SPEECH_VOLUME = (0.0, 1.0)
