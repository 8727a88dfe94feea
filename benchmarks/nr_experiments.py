"""The noise reducer's measured-but-not-shipped variants, for the tuning and training benchmarks.

`Variant` holds every knob the experiments turned (how RNNoise's gain joins the classic one, the
onset hold, an extra audio delay, how the learned gain joins, a weights file other than the shipped
one); `ExperimentalReducer` runs a `Variant` through `benchmarks.nr_experiment_kernels`, and can
record its gains or the learned estimator's features, or replay a gain sequence. `CLASSIC`,
`LEARNED` and `RNNOISE_ASSISTED` are the shipped methods' settings: with them the output is the
product's, bit for bit (`self_check`). `reducer_for` gives the product's own `NoiseReducer` for a method
name and an `ExperimentalReducer` for a `Variant`.

    .venv/bin/python -m benchmarks.nr_experiments   # the self-check, about a minute
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio import learned_gains as lg
from audio import noise_reduction as nr
from audio import nr_gains as g
from audio import rnnoise_sidechain as sc
from audio.processor import smoothing_coefficient
from benchmarks import nr_experiment_features as xf
from benchmarks import nr_experiment_kernels as xk
from benchmarks.pitch_features import PitchTracker


@dataclass(frozen=True)
class Variant:
    """How the side-chain (RNNoise) gain joins the SPP/MMSE gain; `mode` is one of xk.MODE_*."""

    mode: int = xk.MODE_GEOMEAN
    onset_hold_s: float = nr.ONSET_HOLD_S
    onset_ratio_db: float = nr.ONSET_RATIO_DB
    gamma_slow_s: float = nr.ONSET_AVERAGE_S
    rnn_exponent: float = 1.0
    max_attenuation_db: float = nr.MAX_ATTENUATION_DB
    extra_delay: int = 0  # samples the audio lags the side chain by at 48 kHz (fresher side-chain gains)
    learned_join: int = xk.JOIN_REPLACE
    learned_smoothing_s: float = 0.0
    weights: str = ""  # learned mode: a weights file other than the shipped one (training, comparisons)


CLASSIC = Variant(mode=xk.MODE_CLASSIC)
RNNOISE_ASSISTED = Variant()
LEARNED = Variant(
    mode=xk.MODE_LEARNED, learned_join=xk.JOIN_GEOMEAN, learned_smoothing_s=nr.LEARNED_SMOOTHING_S
)
METHODS = {nr.CLASSIC: CLASSIC, nr.LEARNED: LEARNED, nr.RNNOISE_ASSISTED: RNNOISE_ASSISTED}
_METHOD_OF_MODE = {xk.MODE_CLASSIC: nr.CLASSIC, xk.MODE_LEARNED: nr.LEARNED}


class ExperimentalReducer(nr.NoiseReducer):
    def __init__(self, variant: Variant) -> None:
        # The product method closest to the variant decides nothing here but the name it reports.
        super().__init__(_METHOD_OF_MODE.get(variant.mode, nr.RNNOISE_ASSISTED))
        self.variant = variant
        self._log_mode = xk.LOG_OFF
        self._gain_log = np.zeros((1, 1))

    def _estimate(self) -> int:
        if self.sample_rate != sc.RATE:
            return g.ESTIMATE_CLASSIC
        return nr.METHODS[_METHOD_OF_MODE.get(self.variant.mode, nr.RNNOISE_ASSISTED)]

    def _uses_side_chain(self) -> bool:
        """RNNoise runs for the modes that join its gains, or whose network reads them, at 48 kHz."""
        if self.sample_rate != sc.RATE:
            return False
        if self.variant.mode == xk.MODE_LEARNED:
            return xf.reads_side_chain(self._learned_weights())
        return self.variant.mode in xk.SIDE_CHAIN_MODES

    def _learned_weights(self) -> dict[str, np.ndarray]:
        return xf.load_weights(self.variant.weights)

    def _learned_gains(self, n_bins: int, weights: dict[str, np.ndarray]) -> lg.LearnedGains:
        return xf.ExperimentalLearnedGains(n_bins, weights)

    def _allocate(self) -> None:
        super()._allocate()
        n_bins = self.n_fft // 2 + 1
        self._extra_delay = self.variant.extra_delay if self.side_chain else 0
        if self._extra_delay:
            self.latency_samples += self._extra_delay
            history = self.block_size + self.latency_samples + 2 * self.hop + self.n_fft + sc.DELAY + sc.FRAME
            ring = 1 << int(np.ceil(np.log2(history)))
            self._wet_ring = np.zeros(ring)
            self._dry_ring = np.zeros(ring)
        self._counters = np.zeros(xk.COUNTERS, dtype=np.int64)
        self._gain_log = np.zeros((1, n_bins))
        weights = self._learned_weights() if self.learned else None
        self.pitch = weights is not None and xf.reads_pitch(weights)
        self._pitch = PitchTracker(self.n_fft if self.pitch else 8, lg.N_BANDS)
        self._tuning = self._experiment_tuning()
        self.reset()

    def _experiment_tuning(self) -> np.ndarray:
        """The product's tuning, laid out as `nr_experiment_kernels` reads it, with the variant's knobs."""
        product = self._build_tuning()
        tuning = np.zeros(xk.TUNING_SIZE)
        for name in (
            "NOISE_ALPHA", "SPP_ALPHA", "XI_H1", "DD_ALPHA", "XI_MIN", "RELEASE_ALPHA", "STRENGTH_ALPHA",
            "MIX_ALPHA", "WARMUP_FRAMES", "POWER_EPS", "SPP_EXPONENT", "SPP_SPREAD", "SPEECH_ATTEN_DB",
            "PRESENCE_LO_BIN", "PRESENCE_HI_BIN", "LEARNED_RISE", "LEARNED_BINS",
        ):  # fmt: skip
            tuning[getattr(xk, "T_" + name)] = product[getattr(g, "T_" + name)]
        frame_rate = self.sample_rate / self.hop
        v = self.variant
        tuning[xk.T_RNN_MODE] = v.mode if self.side_chain or self.learned else xk.MODE_CLASSIC
        tuning[xk.T_MAX_ATTEN_DB] = v.max_attenuation_db
        tuning[xk.T_ONSET_FRAMES] = round(v.onset_hold_s * frame_rate)
        tuning[xk.T_ONSET_RATIO] = 10.0 ** (v.onset_ratio_db / 10.0)
        tuning[xk.T_GAMMA_SLOW_ALPHA] = smoothing_coefficient(v.gamma_slow_s, frame_rate)
        tuning[xk.T_RNN_EXPONENT] = v.rnn_exponent
        tuning[xk.T_EXTRA_DELAY] = self._extra_delay
        tuning[xk.T_LEARNED_JOIN] = v.learned_join
        tuning[xk.T_LEARNED_ALPHA] = smoothing_coefficient(v.learned_smoothing_s, frame_rate)
        tuning[xk.T_PITCH] = 1.0 if self.pitch else 0.0
        return tuning

    def reset(self) -> None:
        super().reset()
        if hasattr(self, "_pitch"):
            self._pitch.reset()

    def record_gains(self, frames: int) -> np.ndarray:
        """Log the gains of the next `frames` frames into the returned array."""
        self._gain_log = np.zeros((frames, self.n_fft // 2 + 1))
        self._log_mode = xk.LOG_RECORD
        return self._gain_log

    def record_features(self, frames: int) -> np.ndarray:
        """Training aid (learned mode): log the learned estimator's input features of the next
        `frames` frames into the returned array."""
        self._gain_log = np.zeros((frames, self._learned.x.shape[0] if self.learned else lg.N_FEATURES))
        self._log_mode = xk.LOG_FEATURES
        return self._gain_log

    def replay_gains(self, gain_log: np.ndarray) -> None:
        """Apply a recorded gain sequence instead of estimating one ("shadow filtering")."""
        self._gain_log = gain_log
        self._log_mode = xk.LOG_REPLAY

    def process(self, block: np.ndarray) -> None:
        snapshot = self._snapshot
        xk.process_block(
            block, self._frame, self._frame_out, self._work, self._spec, self._bins,
            self._analysis_window, self._synthesis_tail, self._overlap, self._wet_ring, self._dry_ring,
            self._twiddles, self._bitrev, self._half_twiddles, self._counters, self._scalars, self._tuning,
            snapshot.mix, snapshot.strength, self.latency_samples, self._gain_log, self._log_mode,
            self._sc_fn, self._sc_state, self._sc_in, self._sc_out, sc.DELAY, self._sc_frame, self._sc_work,
            self._sc_spec, self._sc_twiddles, self._sc_bitrev, self._sc_half_twiddles, self._sc_window,
            self._sc_lo, self._sc_frac, self._bin_lo, self._bin_frac, self._bands, self._learned_arrays,
            self._pitch.arrays,
        )  # fmt: skip


def reducer_for(method: str | Variant | None = None) -> nr.NoiseReducer:
    """The product's reducer for a method name (the default method for None), an experimental one
    for a `Variant`."""
    if isinstance(method, Variant):
        return ExperimentalReducer(method)
    return nr.NoiseReducer(method or nr.DEFAULT_METHOD)


def self_check() -> None:
    """With the shipped methods' settings the experimental kernels give the product's output bit
    for bit, at 48 and 16 kHz; features recorded for training are finite and of the right width."""
    from audio.settings import ListeningSettings

    rng = np.random.default_rng(4)
    t = np.arange(48000) / 48000
    x = (0.1 * np.sin(2 * np.pi * 220 * t) * (t > 0.3) + 0.02 * rng.standard_normal(len(t))).astype(
        np.float32
    )
    for rate in (48000, 16000):
        signal = x[:: 48000 // rate] if rate == 16000 else x
        for name, variant in METHODS.items():
            outputs = []
            for r in (nr.NoiseReducer(name), ExperimentalReducer(variant)):
                r.prepare(rate, 128, 1, ListeningSettings(noise_reduction=1.0))
                r.reset()
                out = np.zeros_like(signal)
                block = np.zeros((1, 128), dtype=np.float32)
                for start in range(0, len(signal) - 127, 128):
                    block[0] = signal[start : start + 128]
                    r.process(block)
                    out[start : start + 128] = block[0]
                outputs.append(out)
            assert np.array_equal(outputs[0], outputs[1]), f"{name} at {rate} Hz differs from the product"
            print(f"{name} at {rate} Hz: the same as the product")
    for extra, width in (
        ("", lg.N_FEATURES),
        ("-assisted", xf.N_ASSISTED_FEATURES),
        ("-pitch", xf.N_PITCH_FEATURES),
    ):
        r = ExperimentalReducer(Variant(mode=xk.MODE_LEARNED, weights="untrained" + extra))
        r.prepare(48000, 128, 1, ListeningSettings(noise_reduction=1.0))
        r.reset()
        log = r.record_features(len(x) // 128)
        block = np.zeros((1, 128), dtype=np.float32)
        for m in range(len(x) // 128):
            block[0] = x[m * 128 : (m + 1) * 128]
            r.process(block)
        assert log.shape[1] == width and np.all(np.isfinite(log)), extra
        print(f"features{extra or ' (plain)'}: {width} per frame, finite")


if __name__ == "__main__":
    self_check()
