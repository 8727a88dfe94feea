"""Pitch features for the learned gains (RNNoise's, made causal): how periodic each band is.

A voice repeats itself every pitch period; a door, chewing or a clatter does not. RNNoise gives its
network, per band, the correlation of the frame's spectrum with the spectrum of the frame one pitch
period earlier; band gains alone cannot tell a voiced band from a transient that fills it. Here the
pitch is found every hop by normalised cross-correlation of the last 16 ms with the 16 ms one
period earlier (periods for 62.5-500 Hz), on the signal averaged down to 12 kHz; the earlier frame
is windowed like the reducer's own, so both spectra see the same shape. Only past samples are
read: the features cost no latency.

`PitchTracker` holds the history and buffers (allocated once); `track` is called by the experimental
frame kernel (`benchmarks.nr_experiment_kernels`), which owns the FFT, and
`nr_experiment_features.pitch_correlation` sums the correlations into its bands. Weights trained with
`nr_train train --pitch` take N_BANDS + 1 more features (the band correlations and the pitch gain).
Measured, not shipped: see `benchmarks/nr_train.py`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

DECIMATION = 4  # 48 kHz to 12 kHz
WINDOW = 192  # 16 ms at 12 kHz
MIN_LAG = 24  # 500 Hz at 12 kHz
MAX_LAG = 192  # 62.5 Hz
HISTORY = 2048  # 48 kHz samples kept: one frame (1024) and the longest period (768) back
LOW_HISTORY = 512  # 12 kHz samples kept: WINDOW + MAX_LAG
# Scalars: where the next sample goes in each ring, and the newest pitch gain.
P_FILL, P_LOW_FILL, P_GAIN = range(3)


class PitchTracker:
    def __init__(self, n_fft: int, n_bands: int) -> None:
        self.history = np.zeros(HISTORY)
        self.low = np.zeros(LOW_HISTORY)
        self.scalars = np.zeros(3)
        self.lagged = np.zeros(n_fft)
        self.work = np.zeros(n_fft // 2, dtype=np.complex128)
        self.spec = np.zeros(n_fft // 2 + 1, dtype=np.complex128)
        # Per bin, then per band: the cross power with the frame a period back, this frame's power, that one's.
        self.per_bin = np.zeros((3, n_fft // 2 + 1))
        self.sums = np.zeros((3, n_bands))
        self.arrays: tuple[np.ndarray, ...] = (
            self.history, self.low, self.scalars, self.lagged, self.work, self.spec, self.per_bin, self.sums
        )  # fmt: skip

    def reset(self) -> None:
        for array in self.arrays:
            array.fill(0)


@njit(cache=True)
def track(newest, window, pitch) -> None:
    """Take the newest hop of input, find the pitch period, and leave the windowed frame one period
    back in `lagged` (the caller transforms it into `spec`)."""
    history, low, scalars, lagged, _, _, _, _ = pitch
    mask = history.shape[0] - 1
    low_mask = low.shape[0] - 1
    fill = int(scalars[P_FILL])
    low_fill = int(scalars[P_LOW_FILL])
    for i in range(0, newest.shape[0] - DECIMATION + 1, DECIMATION):
        s = 0.0
        for j in range(DECIMATION):
            history[(fill + i + j) & mask] = newest[i + j]
            s += newest[i + j]
        low[low_fill & low_mask] = s / DECIMATION
        low_fill += 1
    fill += newest.shape[0]
    scalars[P_FILL] = fill & mask
    scalars[P_LOW_FILL] = low_fill & low_mask
    # Normalised cross-correlation of the newest WINDOW with the WINDOW `lag` earlier.
    start = low_fill - WINDOW
    energy_a = 0.0
    for n in range(WINDOW):
        a = low[(start + n) & low_mask]
        energy_a += a * a
    energy_b = 0.0
    for n in range(WINDOW):
        b = low[(start - MIN_LAG + n) & low_mask]
        energy_b += b * b
    best_r = -1.0
    best_lag = MIN_LAG
    for lag in range(MIN_LAG, MAX_LAG + 1):
        if lag > MIN_LAG:
            # Slide the earlier window back one sample: its newest leaves, an older one comes in.
            leaving = low[(start - lag + WINDOW) & low_mask]
            entering = low[(start - lag) & low_mask]
            energy_b += entering * entering - leaving * leaving
        dot = 0.0
        for n in range(WINDOW):
            dot += low[(start + n) & low_mask] * low[(start - lag + n) & low_mask]
        r = dot / math.sqrt(energy_a * max(energy_b, 0.0) + 1e-20)
        if r > best_r:
            best_r = r
            best_lag = lag
    scalars[P_GAIN] = min(max(best_r, 0.0), 1.0)
    n_fft = lagged.shape[0]
    back = DECIMATION * best_lag
    for n in range(n_fft):
        lagged[n] = history[(fill - back - n_fft + n) & mask] * window[n]
