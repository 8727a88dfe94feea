"""Pitch features for the learned gains: a voice's period is found and its bands correlate with
the frame one period back; noise's do not. Recorded through the reducer, as training records them."""

from __future__ import annotations

import numpy as np
from recordings import load

from audio import learned_gains as lg
from benchmarks.nr_train import example_features

RATE = 48000
PITCH = slice(lg.N_FEATURES, lg.N_FEATURES + lg.N_BANDS)
GAIN = lg.N_FEATURES + lg.N_BANDS


def harmonic_tone(f0: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.05 * sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 20)).astype(np.float32)


def test_a_steady_voice_like_tone_is_periodic_in_every_band_it_fills() -> None:
    features = example_features(harmonic_tone(150.0), "pitch")[100:]
    assert features.shape[1] == lg.N_PITCH_FEATURES
    assert np.median(features[:, GAIN]) > 0.95
    # Bands up to 2.5 kHz (all filled by its harmonics) correlate with the frame one period back.
    filled = lg.band_edges() < 2500.0
    assert np.median(features[:, PITCH][:, filled]) > 0.9


def test_noise_is_not_periodic() -> None:
    rng = np.random.default_rng(1)
    features = example_features((0.05 * rng.standard_normal(RATE)).astype(np.float32), "pitch")[100:]
    assert np.median(features[:, GAIN]) < 0.5
    assert np.median(np.abs(features[:, PITCH])) < 0.3


def test_real_speech_is_more_periodic_than_a_real_door() -> None:
    speech = example_features(0.3 * load("speech_1089-134686-0000.wav", RATE), "pitch")
    door = example_features(0.3 * load("noise_door_shutting_a_8s.wav", RATE), "pitch")

    def low_band_correlation(features: np.ndarray) -> float:
        over_floor = features[:, lg.F_OVER_FLOOR * lg.N_BANDS : (lg.F_OVER_FLOOR + 1) * lg.N_BANDS]
        active = over_floor[:, :10].mean(axis=1) > 1.0  # frames 10 dB over the floor: sound, not silence
        return float(np.mean(features[active][:, PITCH][:, :10]))

    assert low_band_correlation(speech) > low_band_correlation(door) + 0.3
