"""The learned gain estimator: its network is the trained one, its bands are sane, and in the
reducer it keeps the classic gains above the band it was trained on."""

from __future__ import annotations

import numpy as np
import pytest
from test_noise_reduction import prepared, run

from audio import learned_gains as lg
from audio.errors import AudioError
from audio.noise_reduction import CLASSIC, LEARNED


def reference_network(weights: dict[str, np.ndarray], frames: np.ndarray) -> np.ndarray:
    """The same network written the plain way (PyTorch's GRU equations), to check the kernel."""
    w = {k: v.astype(np.float64) for k, v in weights.items() if v.dtype.kind == "f"}

    def sigmoid(x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-x)))

    hidden = np.zeros(w["w_hh"].shape[1])
    out = []
    for x in frames:
        dense = np.tanh(w["w_in"] @ ((x - w["mean"]) * w["scale"]) + w["b_in"])
        gi = w["w_ih"] @ dense + w["b_ih"]
        gh = w["w_hh"] @ hidden + w["b_hh"]
        r_i, z_i, n_i = np.split(gi, 3)
        r_h, z_h, n_h = np.split(gh, 3)
        r, z = sigmoid(r_i + r_h), sigmoid(z_i + z_h)
        n = np.tanh(n_i + r * n_h)
        hidden = (1.0 - z) * n + z * hidden
        out.append(sigmoid(w["w_out"] @ hidden + w["b_out"]))
    return np.array(out)


def test_kernel_network_matches_the_plain_equations_on_the_shipped_weights() -> None:
    weights = lg.load_weights()
    gains = lg.LearnedGains(513, weights)
    a = gains.arrays
    frames = np.random.default_rng(3).standard_normal((40, lg.N_FEATURES)) * 2.0 + weights["mean"]
    got = []
    for x in frames:
        lg.network(x.copy(), *a[4:])
        got.append(gains.gains.copy())
    np.testing.assert_allclose(np.array(got), reference_network(weights, frames), atol=1e-5)


def test_shipped_weights_fit_the_feature_layout() -> None:
    weights = lg.load_weights()
    assert weights["w_in"].shape[1] == lg.N_FEATURES
    assert weights["w_out"].shape[0] == lg.N_BANDS
    assert all(np.all(np.isfinite(v)) for v in weights.values() if v.dtype.kind == "f")


def test_weights_for_another_feature_layout_are_refused_by_name() -> None:
    weights = lg.load_weights()
    for broken, named in (
        ({**weights, "w_in": weights["w_in"][:, :-1], "mean": weights["mean"][:-1]}, "w_in is"),
        ({**weights, "w_out": weights["w_out"][:-1]}, "w_out is"),
        ({k: v for k, v in weights.items() if k != "b_hh"}, "'b_hh' is missing"),
        ({**weights, "w_hh": weights["w_hh"].ravel()}, "w_hh is not a matrix"),
    ):
        with pytest.raises(AudioError, match="retrain them") as refused:
            lg.LearnedGains(513, broken)
        assert named in str(refused.value)
    lg.LearnedGains(513, lg.untrained_weights())  # the one-unit placeholder fits


def test_band_edges_rise_from_zero_to_the_top_at_least_two_bins_apart() -> None:
    edges = lg.band_edges()
    assert edges[0] == 0.0 and edges[-1] == lg.TOP_HZ and len(edges) == lg.N_BANDS
    assert np.all(np.diff(edges) >= lg.MIN_EDGE_SPACING_HZ - 1e-9)
    lo, frac, used = lg.bin_interpolation(513)
    assert used == int(lg.TOP_HZ * lg.N_FFT / lg.RATE) + 1
    # Each bin's two band weights sum to one: a flat spectrum gives flat band gains back.
    bands = np.zeros(lg.N_BANDS)
    lg.to_bands(np.ones(used), lo, frac, bands)
    assert np.isclose(bands.sum(), used)


def test_above_the_top_band_the_classic_gains_apply() -> None:
    """Noise only between 12 and 20 kHz, which the network never heard: learned and classic
    reducers treat it identically (the bins below TOP_HZ carry next to nothing)."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(0)
    sos = butter(8, [12000, 20000], btype="bandpass", fs=48000, output="sos")
    x = (0.2 * sosfilt(sos, rng.standard_normal(48000))).astype(np.float32)
    learned, classic = run(prepared(method=LEARNED), x), run(prepared(method=CLASSIC), x)
    settled = slice(24000, None)
    np.testing.assert_allclose(learned[settled], classic[settled], atol=2e-3 * np.max(np.abs(x)))


def test_learned_only_at_48_khz_and_deterministic_after_reset() -> None:
    assert prepared(method=LEARNED).learned
    for rate in (16000, 22050, 44100):
        assert not prepared(rate=rate, method=LEARNED).learned
    x = (0.1 * np.random.default_rng(1).standard_normal(48000)).astype(np.float32)
    reducer = prepared(method=LEARNED)
    first = run(reducer, x)
    reducer.reset()
    np.testing.assert_array_equal(run(reducer, x), first)
