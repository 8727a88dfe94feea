"""The streaming resampler: exact block-wise, a real anti-alias filter, a flat passband."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.captions.resample import StreamingResampler


@pytest.mark.parametrize("rate", [48000, 44100, 22050, 16000, 8000])
def test_streaming_equals_one_shot(rate: int) -> None:
    x = np.random.default_rng(0).standard_normal(rate).astype(np.float32)
    resampler = StreamingResampler(rate)
    whole = resampler.process(x)
    resampler.reset()
    rng = np.random.default_rng(1)
    pieces, i = [], 0
    while i < len(x):
        n = int(rng.integers(0, 400))  # includes empty and single-sample pieces
        pieces.append(resampler.process(x[i : i + n]))
        i += n
    streamed = np.concatenate(pieces)
    # every output whose input position has arrived: (n-1)*L//M + 1
    assert len(whole) == len(streamed) == (len(x) - 1) * resampler.up // resampler.down + 1
    np.testing.assert_array_equal(streamed, whole)


def _gain_db(rate: int, hz: float) -> float:
    """Steady-state output/input RMS of a tone, in dB (128-sample blocks, as live)."""
    t = np.arange(rate * 2) / rate
    x = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    resampler = StreamingResampler(rate)
    y = np.concatenate([resampler.process(x[i : i + 128]) for i in range(0, len(x), 128)])
    y = y[len(y) // 4 : -len(y) // 4]  # away from the start-up transient
    return float(20 * np.log10(np.sqrt(np.mean(y.astype(np.float64) ** 2)) / (0.5 / np.sqrt(2))))


@pytest.mark.parametrize("hz", [8000.0, 8500.0, 10000.0, 15000.0, 23000.0])
def test_tones_above_8k_are_removed_from_48k(hz: float) -> None:
    assert _gain_db(48000, hz) < -60.0


@pytest.mark.parametrize("rate", [48000, 44100, 22050])
@pytest.mark.parametrize("hz", [100.0, 1000.0, 3000.0, 5000.0, 7000.0])
def test_passband_is_flat_to_7k(rate: int, hz: float) -> None:
    assert abs(_gain_db(rate, hz)) < 0.5


def test_aliases_at_44k1_are_removed() -> None:
    assert _gain_db(44100, 12000.0) < -60.0
