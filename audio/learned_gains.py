"""Learned band gains for the noise reducer: a small recurrent network on the filter bank's own frames.

The classic estimator loses most of what it could gain on doors, chewing and neighbours talking,
and RNNoise's better gains arrive 20-30 ms late in a low-delay path. This estimator is trained
(`benchmarks/nr_train.py`) for exactly this filter bank: features from the current 1024-point
analysis frame at 48 kHz, every hop, and one gain per band for that same frame, so nothing is stale.

Bands: N_BANDS triangular bands (RNNoise's arrangement: each edge is a band's centre, neighbours
overlap) spaced on the ERB scale from 0 to TOP_HZ. Above TOP_HZ the classic gain is kept: the
recordings it was trained on are 16 kHz, so the network has never heard anything higher.

Features (N_FEATURES), all relative so the microphone's level does not matter: per band, its log
power over a minimum-tracked noise floor, its log power relative to the frame's mean (spectral
shape), the floor's shape likewise, its log power over the classic estimator's noise PSD, and the
classic estimator's gain; and the frame's mean over the floor's mean. Giving the network the
classic estimate lets it lean on that tracker's long memory and spend its own on what the tracker
gets wrong (transients, talkers). Then a dense layer (tanh), one GRU, and a dense sigmoid layer
giving the band gains. Everything writes into arrays allocated once by `LearnedGains`; nothing
allocates per frame.
"""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
from numba import njit

from audio.errors import AudioError

RATE = 48000
N_FFT = 1024
TOP_HZ = 8000.0
N_BANDS = 32
# The per-band feature groups, N_BANDS values each, in the order `features` writes them; then
# one frame-level value (the frame's mean level over the floor's).
F_OVER_FLOOR, F_SHAPE, F_FLOOR_SHAPE, F_OVER_NOISE, F_CLASSIC_GAIN = range(5)
N_BAND_GROUPS = 5
N_FEATURES = N_BAND_GROUPS * N_BANDS + 1
MIN_EDGE_SPACING_HZ = 2 * RATE / N_FFT  # two bins, so no band is narrower than the FFT resolves
# Noise floor: the band power, lightly smoothed, followed down at once and up by FLOOR_RISE_DB_S.
FLOOR_RISE_DB_S = 3.0
# ...and never more than 30 dB (3 in log10 power) under it, so it recovers at once after a dropout.
FLOOR_DEPTH = 3.0
SMOOTHING = 0.5
LOG_EPS = 1e-12
WEIGHTS = "nr_gains.npz"

# Rows of the per-band state (`state`, shape (STATE_ROWS, N_BANDS)).
S_POWER = 0
S_SMOOTHED = 1
S_FLOOR = 2
S_NOISE = 3  # the classic estimator's noise PSD, per band
S_GAIN = 4  # the classic estimator's gain, per band (weighted sum; divided by S_WIDTH)
S_WIDTH = 5  # each band's total bin weight (constant)
STATE_ROWS = 6


def band_edges() -> np.ndarray:
    """N_BANDS centre frequencies, ERB-spaced from 0 to TOP_HZ, never closer than two bins."""

    def erb(f: np.ndarray) -> np.ndarray:
        return 21.4 * np.log10(1.0 + 0.00437 * f)

    def inverse(e: np.ndarray) -> np.ndarray:
        return (10.0 ** (e / 21.4) - 1.0) / 0.00437

    # The lowest ERB steps are narrower than two bins; widen them and spread the rest over what is left.
    edges = np.zeros(N_BANDS)
    for i in range(1, N_BANDS):
        remaining = N_BANDS - i
        step = (erb(np.array(TOP_HZ)) - erb(np.array(edges[i - 1]))) / remaining
        edges[i] = max(float(inverse(erb(np.array(edges[i - 1])) + step)), edges[i - 1] + MIN_EDGE_SPACING_HZ)
    edges[-1] = TOP_HZ
    return edges


def bin_interpolation(n_bins: int) -> tuple[np.ndarray, np.ndarray, int]:
    """For each bin up to TOP_HZ: the band edge below it and the weight of the edge above; and
    how many bins that is."""
    edges = band_edges()
    freqs = np.arange(n_bins) * RATE / N_FFT
    used = int(np.searchsorted(freqs, TOP_HZ, side="right"))
    lo = np.clip(np.searchsorted(edges, freqs[:used], side="right") - 1, 0, N_BANDS - 2)
    frac = np.clip((freqs[:used] - edges[lo]) / (edges[lo + 1] - edges[lo]), 0.0, 1.0)
    return lo.astype(np.int64), frac, used


@njit(cache=True)
def to_bands(values, lo, frac, out):
    """Triangular-band sums of per-bin `values` (bins below TOP_HZ) into `out`."""
    for b in range(out.shape[0]):
        out[b] = 0.0
    for j in range(lo.shape[0]):
        out[lo[j]] += (1.0 - frac[j]) * values[j]
        out[lo[j] + 1] += frac[j] * values[j]


@njit(cache=True)
def features(power, noise, classic_gain, lo, frac, state, rise, first, out):
    """The network's input for this frame (N_FEATURES values, before standardisation) into `out`,
    from the frame's per-bin power and the classic estimator's noise PSD and gain; updates the
    minimum-tracked floor. `first` seeds the floor from this frame."""
    n = state.shape[1]
    to_bands(power, lo, frac, state[S_POWER])
    to_bands(noise, lo, frac, state[S_NOISE])
    to_bands(classic_gain, lo, frac, state[S_GAIN])
    width = state[S_WIDTH]
    mean_level = 0.0
    mean_floor = 0.0
    for b in range(n):
        level = math.log10(state[S_POWER, b] + LOG_EPS)
        if first:
            state[S_SMOOTHED, b] = level
            state[S_FLOOR, b] = level
        smoothed = SMOOTHING * state[S_SMOOTHED, b] + (1.0 - SMOOTHING) * level
        state[S_SMOOTHED, b] = smoothed
        state[S_FLOOR, b] = max(min(smoothed, state[S_FLOOR, b] + rise), smoothed - FLOOR_DEPTH)
        state[S_POWER, b] = level  # from here on the row holds log power
        mean_level += level
        mean_floor += state[S_FLOOR, b]
    mean_level /= n
    mean_floor /= n
    for b in range(n):
        out[F_OVER_FLOOR * n + b] = state[S_POWER, b] - state[S_FLOOR, b]
        out[F_SHAPE * n + b] = state[S_POWER, b] - mean_level
        out[F_FLOOR_SHAPE * n + b] = state[S_FLOOR, b] - mean_floor
        out[F_OVER_NOISE * n + b] = state[S_POWER, b] - math.log10(state[S_NOISE, b] + LOG_EPS)
        out[F_CLASSIC_GAIN * n + b] = state[S_GAIN, b] / width[b]
    out[N_BAND_GROUPS * n] = mean_level - mean_floor


@njit(cache=True)
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True, fastmath=True)
def network(x, mean, scale, w_in, b_in, w_ih, b_ih, w_hh, b_hh, w_out, b_out, dense, hidden, gates, gains):
    """One step: standardise x, dense+tanh, GRU (PyTorch's gate order r, z, n), dense+sigmoid."""
    n_x = x.shape[0]
    for i in range(n_x):
        x[i] = (x[i] - mean[i]) * scale[i]
    n_dense = dense.shape[0]
    for o in range(n_dense):
        acc = b_in[o]
        for i in range(n_x):
            acc += w_in[o, i] * x[i]
        dense[o] = math.tanh(acc)
    n_h = hidden.shape[0]
    # gates rows: 0..2 input parts (r, z, n), 3..5 hidden parts.
    for g in range(3):
        for o in range(n_h):
            row = g * n_h + o
            acc = b_ih[row]
            for i in range(n_dense):
                acc += w_ih[row, i] * dense[i]
            gates[g, o] = acc
            acc = b_hh[row]
            for i in range(n_h):
                acc += w_hh[row, i] * hidden[i]
            gates[3 + g, o] = acc
    for o in range(n_h):
        r = _sigmoid(gates[0, o] + gates[3, o])
        z = _sigmoid(gates[1, o] + gates[4, o])
        n = math.tanh(gates[2, o] + r * gates[5, o])
        hidden[o] = (1.0 - z) * n + z * hidden[o]
    for o in range(gains.shape[0]):
        acc = b_out[o]
        for i in range(n_h):
            acc += w_out[o, i] * hidden[i]
        gains[o] = _sigmoid(acc)


@njit(cache=True)
def estimate(power, noise, classic_gain, net, rise, first, out):
    """Gains of this frame for the bins below TOP_HZ into `out` (the rest untouched). `net` is
    `LearnedGains.arrays`."""
    (lo, frac, state, x, mean, scale, w_in, b_in, w_ih, b_ih, w_hh, b_hh, w_out, b_out,
     dense, hidden, gates, gains) = net  # fmt: skip
    features(power, noise, classic_gain, lo, frac, state, rise, first, x)
    network(x, mean, scale, w_in, b_in, w_ih, b_ih, w_hh, b_hh, w_out, b_out, dense, hidden, gates, gains)
    for j in range(lo.shape[0]):
        out[j] = (1.0 - frac[j]) * gains[lo[j]] + frac[j] * gains[lo[j] + 1]


def check_shapes(weights: dict[str, np.ndarray], n_features: int = N_FEATURES) -> None:
    """Refuse weights that do not fit this feature layout or each other, naming the arrays: the
    compiled kernels do not check bounds, so a mismatch would read past arrays, not fail."""
    try:
        dense, hidden = weights["w_in"].shape[0], weights["w_hh"].shape[1]
        n_x = n_features
        expected = {
            "mean": (n_x,), "scale": (n_x,), "w_in": (dense, n_x), "b_in": (dense,),
            "w_ih": (3 * hidden, dense), "b_ih": (3 * hidden,), "w_hh": (3 * hidden, hidden),
            "b_hh": (3 * hidden,), "w_out": (N_BANDS, hidden), "b_out": (N_BANDS,),
        }  # fmt: skip
        wrong = [
            f"{name} is {weights[name].shape}, not {shape}"
            for name, shape in expected.items()
            if weights[name].shape != shape
        ]
    except KeyError as missing:
        wrong = [f"{missing} is missing"]
    except IndexError:
        wrong = ["w_in or w_hh is not a matrix"]
    if wrong:
        raise AudioError(
            "These noise-reduction weights do not fit this version of Hark ("
            + "; ".join(wrong)
            + "): retrain them with benchmarks/nr_train.py or use the shipped ones."
        )


class LearnedGains:
    """The trained weights and this estimator's state for one reducer (48 kHz, 1024-point frames)."""

    n_features = N_FEATURES  # the network's inputs

    def __init__(self, n_bins: int, weights: dict[str, np.ndarray]) -> None:
        check_shapes(weights, self.n_features)
        self.mean = np.asarray(weights["mean"], dtype=np.float64)
        self.scale = np.asarray(weights["scale"], dtype=np.float64)
        self.w_in = np.ascontiguousarray(weights["w_in"], dtype=np.float64)
        self.b_in = np.asarray(weights["b_in"], dtype=np.float64)
        self.w_ih = np.ascontiguousarray(weights["w_ih"], dtype=np.float64)
        self.b_ih = np.asarray(weights["b_ih"], dtype=np.float64)
        self.w_hh = np.ascontiguousarray(weights["w_hh"], dtype=np.float64)
        self.b_hh = np.asarray(weights["b_hh"], dtype=np.float64)
        self.w_out = np.ascontiguousarray(weights["w_out"], dtype=np.float64)
        self.b_out = np.asarray(weights["b_out"], dtype=np.float64)
        n_hidden = self.w_hh.shape[1]
        self.lo, self.frac, self.used_bins = bin_interpolation(n_bins)
        self.state = np.zeros((STATE_ROWS, N_BANDS))
        to_bands(np.ones(self.used_bins), self.lo, self.frac, self.state[S_WIDTH])
        self.x = np.zeros(self.mean.shape[0])
        self.dense = np.zeros(self.w_in.shape[0])
        self.hidden = np.zeros(n_hidden)
        self.gates = np.zeros((6, n_hidden))
        self.gains = np.zeros(N_BANDS)
        self.arrays: tuple[np.ndarray, ...] = (
            self.lo, self.frac, self.state, self.x, self.mean, self.scale, self.w_in, self.b_in,
            self.w_ih, self.b_ih, self.w_hh, self.b_hh, self.w_out, self.b_out,
            self.dense, self.hidden, self.gates, self.gains,
        )  # fmt: skip

    def reset(self) -> None:
        for array in (
            self.state[:S_WIDTH], self.x, self.dense, self.hidden, self.gates, self.gains
        ):  # fmt: skip
            array.fill(0)


def rise_per_hop(hop: int) -> float:
    """FLOOR_RISE_DB_S per hop, in log10 power."""
    return FLOOR_RISE_DB_S / 10.0 * hop / RATE


def untrained_weights(n_features: int = N_FEATURES) -> dict[str, np.ndarray]:
    return {
        "mean": np.zeros(n_features), "scale": np.zeros(n_features), "w_in": np.zeros((1, n_features)),
        "b_in": np.zeros(1), "w_ih": np.zeros((3, 1)), "b_ih": np.zeros(3), "w_hh": np.zeros((3, 1)),
        "b_hh": np.zeros(3), "w_out": np.zeros((N_BANDS, 1)), "b_out": np.zeros(N_BANDS),
    }  # fmt: skip


def load_weights() -> dict[str, np.ndarray]:
    """The shipped weights (package data)."""
    with resources.files("audio").joinpath("data", WEIGHTS).open("rb") as f, np.load(f) as data:
        return {name: np.array(data[name]) for name in data.files}
