"""The learned estimator's measured-but-not-shipped feature layouts, and weights from a file.

`nr_train train --assisted` adds an RNNoise side chain's band gains (10 ms frames, 20-30 ms old)
to the features; `--pitch` adds each band's pitch correlation and the pitch gain
(`benchmarks.pitch_features`). `estimate` is `audio.learned_gains.estimate` with those, and with
the features copied to a log row for training. Only `benchmarks.nr_experiment_kernels` calls it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from audio import learned_gains as lg
from benchmarks import pitch_features

N_ASSISTED_FEATURES = lg.N_FEATURES + lg.N_BANDS
N_PITCH_FEATURES = lg.N_FEATURES + lg.N_BANDS + 1


@njit(cache=True)
def pitch_correlation(spec, pitch, lo, frac, out, offset):
    """Per band, the correlation of this frame's spectrum with the spectrum of the frame one pitch
    period back (`pitch`: `PitchTracker.arrays`, its lagged spectrum taken), into
    out[offset:offset + N_BANDS]; then the pitch gain."""
    scalars, lagged_spec, per_bin, sums = pitch[2], pitch[5], pitch[6], pitch[7]
    for j in range(lo.shape[0]):
        x = spec[j]
        p = lagged_spec[j]
        per_bin[0, j] = x.real * p.real + x.imag * p.imag
        per_bin[1, j] = x.real * x.real + x.imag * x.imag
        per_bin[2, j] = p.real * p.real + p.imag * p.imag
    for row in range(3):
        lg.to_bands(per_bin[row], lo, frac, sums[row])
    n = sums.shape[1]
    for b in range(n):
        out[offset + b] = sums[0, b] / math.sqrt(sums[1, b] * sums[2, b] + 1e-20)
    out[offset + n] = scalars[pitch_features.P_GAIN]


@njit(cache=True)
def estimate(power, noise, classic_gain, side_gain, spec, pitch, net, rise, first, out, feature_log, log_row):
    """`audio.learned_gains.estimate`, for `ExperimentalLearnedGains.arrays` (`net`, whose last
    array holds the side chain's band sums): an input of N_ASSISTED_FEATURES also takes the side
    chain's per-bin gain `side_gain` per band, one of N_PITCH_FEATURES the frame's spectrum `spec`
    against `pitch`; with `log_row` >= 0 the features are copied to that row of `feature_log`."""
    (lo, frac, state, x, mean, scale, w_in, b_in, w_ih, b_ih, w_hh, b_hh, w_out, b_out,
     dense, hidden, gates, gains, side) = net  # fmt: skip
    lg.features(power, noise, classic_gain, lo, frac, state, rise, first, x)
    n = lg.N_BANDS
    if x.shape[0] == N_ASSISTED_FEATURES:
        lg.to_bands(side_gain, lo, frac, side)
        for b in range(n):
            x[lg.N_FEATURES + b] = side[b] / state[lg.S_WIDTH, b]
    if x.shape[0] == N_PITCH_FEATURES:
        pitch_correlation(spec, pitch, lo, frac, x, lg.N_FEATURES)
    if log_row >= 0:
        for i in range(x.shape[0]):
            feature_log[log_row, i] = x[i]
    lg.network(x, mean, scale, w_in, b_in, w_ih, b_ih, w_hh, b_hh, w_out, b_out, dense, hidden, gates, gains)
    for j in range(lo.shape[0]):
        out[j] = (1.0 - frac[j]) * gains[lo[j]] + frac[j] * gains[lo[j] + 1]


def n_features(weights: dict[str, np.ndarray]) -> int:
    """The network's inputs: N_FEATURES, N_ASSISTED_FEATURES or N_PITCH_FEATURES."""
    return int(weights["mean"].shape[0])


def reads_side_chain(weights: dict[str, np.ndarray]) -> bool:
    """Whether these weights take the side chain's band gains (`nr_train train --assisted`)."""
    return n_features(weights) == N_ASSISTED_FEATURES


def reads_pitch(weights: dict[str, np.ndarray]) -> bool:
    """Whether these weights take pitch features (`nr_train train --pitch`)."""
    return n_features(weights) == N_PITCH_FEATURES


class ExperimentalLearnedGains(lg.LearnedGains):
    """`LearnedGains` for any of the three feature layouts, with room for the side chain's band sums."""

    def __init__(self, n_bins: int, weights: dict[str, np.ndarray]) -> None:
        self.n_features = n_features(weights)
        super().__init__(n_bins, weights)
        self.side = np.zeros(lg.N_BANDS)
        self.arrays = (*self.arrays, self.side)

    def reset(self) -> None:
        super().reset()
        self.side.fill(0)


def load_weights(path: str = "") -> dict[str, np.ndarray]:
    """The shipped weights, or those at `path` (a model being trained or compared), or with `path`
    "untrained" a one-unit network of zeros (for recording training features; "untrained-assisted"
    and "untrained-pitch" for the features with a side chain or with pitch)."""
    untrained = {
        "untrained": lg.N_FEATURES,
        "untrained-assisted": N_ASSISTED_FEATURES,
        "untrained-pitch": N_PITCH_FEATURES,
    }
    if path in untrained:
        return lg.untrained_weights(untrained[path])
    if not path:
        return lg.load_weights()
    with open(path, "rb") as f, np.load(f) as data:
        return {name: np.array(data[name]) for name in data.files}
