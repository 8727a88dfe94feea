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
GAIN_DB = (0.0, 50.0)
EAR_GAIN_DB = (-20.0, 20.0)
NOISE_REDUCTION = (0.0, 1.0)
HIGHPASS_HZ = (20.0, 500.0)
MAX_OUTPUT_DBFS = (-40.0, 0.0)

# Captions (assistant/captions/style.py).
CAPTION_SCHEMES = ("white-on-black", "yellow-on-black", "cyan-on-black", "black-on-white", "black-on-cream")
FONT_PT = (20, 160)
CAPTION_LINES = (2, 10)

# Speech (assistant/speech/synthesis.py).
RATE_WPM = (80, 300)
SPEECH_VOLUME = (0.0, 1.0)
