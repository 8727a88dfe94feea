"""Low-delay single-channel noise reduction for speech: `NoiseReducer`, and its three methods.

Filter bank: a short-time Fourier transform with asymmetric analysis/synthesis windows (Mauler &
Martin 2009; Wang & Wang 2021): a ~21 ms analysis window gives the frequency resolution the
estimates need, a two-hop synthesis window keeps the delay at about one hop (2.7 ms at 48 kHz).

Gains, every hop (`audio.nr_gains`, `audio.nr_kernels`):
- `classic`: noise PSD tracked by speech presence probability (Gerkmann & Hendriks 2012), a-priori
  SNR by decision direction, MMSE log-spectral amplitude gain (Ephraim & Malah 1985), weighted by
  the presence towards a floor that is shallower in frames full of speech, so weak speech is kept.
  Gains start closed.
- `rnnoise-assisted`: RNNoise (Valin 2018) runs as a side chain on its own 480-sample schedule; its
  output (20 ms late) is never heard, only its per-band gains (`audio.rnnoise_sidechain`), joined
  with the classic gain by geometric mean. They describe audio 20-30 ms old, so at an onset the
  larger of the two gains is held for a moment.
- `learned` (the default): a small recurrent network trained for this filter bank
  (`audio.learned_gains`) gives fresh gains every frame below 8 kHz, joined with the classic gain
  by geometric mean and smoothed over 7 ms; above 8 kHz the classic gain stands alone.
RNNoise and the network need 48 kHz: at 16, 22.05 and 44.1 kHz every method runs the classic
estimate (`method_in_effect` says so). Disabled or at strength 0 the output is the input delayed
by exactly `latency_samples`; switching crossfades, and a faded-out side chain pauses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audio import learned_gains as lg
from audio import nr_gains as g
from audio import nr_kernels as k
from audio import rnnoise_sidechain as sc
from audio.errors import AudioError
from audio.fft import plan
from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

# (FFT/analysis size, hop) per sample rate: ~21 ms analysis, ~2.7 ms hop.
FRAMING = {16000: (256, 32), 22050: (512, 64), 44100: (1024, 128), 48000: (1024, 128)}

NOISE_TIME_S = 0.15  # against their 0.072 (0.8 per 16 ms hop): +0.12 dB SI-SDR
SPP_TIME_S = 0.15  # their 0.9 per 16 ms hop
XI_H1_DB = 12.0  # 8-10 keep more weak speech but let stationary noise down only 12-14 dB
DD_TIME_S = 0.015  # the textbook 0.4 s smears onsets (-0.03 STOI)
XI_MIN_DB = -25.0
MAX_ATTENUATION_DB = 25.0
RELEASE_TIME_S = 0.02
STRENGTH_TIME_S = 0.05
CROSSFADE_TIME_S = 0.02
WARMUP_S = 0.03
SPP_EXPONENT = 1.0
SPP_SPREAD_BINS = 8  # ~380 Hz each side at 48 kHz; measured +0.3 dB SI-SDR
# Attenuation at strength 1 in frames whose PRESENCE_BAND_HZ bins all show speech, interpolated
# towards MAX_ATTENUATION_DB as fewer do: weak speech is not pushed to the noise floor.
SPEECH_ATTEN_DB = 12.0
PRESENCE_BAND_HZ = (100.0, 4000.0)
# Gains start closed and open at once where there is speech: starting open lets the first 20-40 ms
# of noise through.
START_GAIN = 0.0


# The RNNoise join's onset hold: where a band's posterior SNR jumps ONSET_RATIO_DB over its
# ONSET_AVERAGE_S average, the larger of the classic and side-chain gains holds for ONSET_HOLD_S.
ONSET_HOLD_S = 0.015
ONSET_RATIO_DB = 3.0
ONSET_AVERAGE_S = 0.03
# The learned gain is smoothed over 7 ms both ways: unsmoothed it jitters around a building howl
# and hides it from the howl guard.
LEARNED_SMOOTHING_S = 0.007

CLASSIC = "classic"
LEARNED = "learned"
RNNOISE_ASSISTED = "rnnoise-assisted"
# The user-facing methods, and the estimate each joins with the classic one (at 48 kHz).
METHODS = {
    CLASSIC: g.ESTIMATE_CLASSIC,
    LEARNED: g.ESTIMATE_LEARNED,
    RNNOISE_ASSISTED: g.ESTIMATE_RNNOISE,
}
DEFAULT_METHOD = LEARNED


@dataclass(frozen=True)
class NoiseReductionSnapshot:
    mix: float  # 1 = processed, 0 = dry delayed copy
    strength: float


def latency_for(block_size: int, hop: int) -> int:
    """One hop of synthesis delay, plus the worst-case wait for a hop to fill at this block size."""
    return 2 * hop - math.gcd(block_size, hop)


def _windows(n_fft: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """Analysis window (n_fft) and the non-zero tail (2 hop) of the synthesis window whose
    product with it is a periodic Hann of 2 hop, which overlap-adds to one at this hop."""

    def hann(n: np.ndarray, length: int) -> np.ndarray:
        return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / length)

    analysis = np.empty(n_fft)
    rise = n_fft - hop
    analysis[:rise] = np.sqrt(hann(np.arange(rise), 2 * rise))
    analysis[rise:] = np.sqrt(hann(np.arange(hop, 2 * hop), 2 * hop))
    short = hann(np.arange(2 * hop), 2 * hop)
    synthesis = np.empty(2 * hop)
    synthesis[:hop] = short[:hop] / analysis[n_fft - 2 * hop : n_fft - hop]
    synthesis[hop:] = np.sqrt(short[hop:])
    return analysis, synthesis


class NoiseReducer(Processor):
    def __init__(self, method: str = DEFAULT_METHOD) -> None:
        super().__init__()
        if method not in METHODS:
            allowed = ", ".join(METHODS)
            raise AudioError(f"Unknown noise reduction method {method!r}; choose one of: {allowed}.")
        self.method = method
        self._snapshot = NoiseReductionSnapshot(mix=1.0, strength=0.7)
        self._rnnoise: sc.RNNoiseLibrary | None = None  # loaded only when the RNNoise side chain runs
        self._sc_state = 0
        self.side_chain = False
        self.learned = False

    def __del__(self) -> None:
        if getattr(self, "_sc_state", 0) and self._rnnoise is not None:
            self._rnnoise.destroy(self._sc_state)
            self._sc_state = 0

    @property
    def method_in_effect(self) -> str:
        """The method that runs after `prepare`: below 48 kHz `learned` and `rnnoise-assisted` run
        the classic estimate, so this is "classic" there."""
        if self.learned:
            return LEARNED
        return RNNOISE_ASSISTED if self.side_chain else CLASSIC

    def _estimate(self) -> int:
        """Which estimate joins the classic one at this sample rate (one of `nr_gains.ESTIMATE_*`):
        RNNoise and the learned estimator run at 48 kHz only."""
        return METHODS[self.method] if self.sample_rate == sc.RATE else g.ESTIMATE_CLASSIC

    def _uses_side_chain(self) -> bool:
        return self._estimate() == g.ESTIMATE_RNNOISE

    def _learned_weights(self) -> dict[str, np.ndarray]:
        return lg.load_weights()

    def _learned_gains(self, n_bins: int, weights: dict[str, np.ndarray]) -> lg.LearnedGains:
        return lg.LearnedGains(n_bins, weights)

    def _allocate_side_chain(self, n_bins: int) -> None:
        if self._sc_state and self._rnnoise is not None:
            self._rnnoise.destroy(self._sc_state)
            self._sc_state = 0
        self.side_chain = self._uses_side_chain()
        if self.side_chain:
            if self._rnnoise is None:
                self._rnnoise = sc.library()
            self._sc_state = self._rnnoise.create()
            self._sc_fn = self._rnnoise.process_frame
        else:
            self._sc_fn = sc.UNUSED_PROCESS_FRAME  # the kernel skips it while the state is 0
        self._sc_in = np.zeros(sc.FRAME, dtype=np.float32)
        self._sc_out = np.zeros(sc.FRAME, dtype=np.float32)
        sc_plan = plan(sc.ANALYSIS_FFT // 2)
        self._sc_twiddles, self._sc_bitrev = sc_plan.twiddles, sc_plan.bitrev
        self._sc_half_twiddles = np.exp(-2j * np.pi * np.arange(sc.ANALYSIS_FFT // 2 + 1) / sc.ANALYSIS_FFT)
        self._sc_frame = np.zeros(sc.ANALYSIS_FFT)
        self._sc_work = np.zeros(sc.ANALYSIS_FFT // 2, dtype=np.complex128)
        self._sc_spec = np.zeros(sc.ANALYSIS_FFT // 2 + 1, dtype=np.complex128)
        self._sc_window = sc.analysis_window()
        self._sc_lo, self._sc_frac = sc.interpolation(
            np.arange(sc.ANALYSIS_FFT // 2 + 1) * sc.RATE / sc.ANALYSIS_FFT
        )
        self._bin_lo, self._bin_frac = sc.interpolation(np.arange(n_bins) * self.sample_rate / self.n_fft)
        self._bands = np.zeros((3, len(sc.BAND_EDGES_HZ)))

    def _allocate(self) -> None:
        n_fft, hop = FRAMING[self.sample_rate]
        self.n_fft, self.hop = n_fft, hop
        # The learned estimator was trained on 48 kHz frames of this filter bank only.
        self.learned = self._estimate() == g.ESTIMATE_LEARNED
        self.latency_samples = latency_for(self.block_size, hop)
        fft_plan = plan(n_fft // 2)
        self._twiddles, self._bitrev = fft_plan.twiddles, fft_plan.bitrev
        self._half_twiddles = np.exp(-2j * np.pi * np.arange(n_fft // 2 + 1) / n_fft)
        self._analysis_window, self._synthesis_tail = _windows(n_fft, hop)
        n_bins = n_fft // 2 + 1
        self._frame = np.zeros(n_fft)
        self._frame_out = np.zeros(n_fft)
        self._work = np.zeros(n_fft // 2, dtype=np.complex128)
        self._spec = np.zeros(n_bins, dtype=np.complex128)
        self._bins = np.zeros((g.BIN_ROWS, n_bins))
        self._overlap = np.zeros(2 * hop)
        history = self.block_size + self.latency_samples + 2 * hop + n_fft + sc.DELAY + sc.FRAME
        ring = 1 << int(np.ceil(np.log2(history)))
        self._wet_ring = np.zeros(ring)
        self._dry_ring = np.zeros(ring)
        self._counters = np.zeros(k.COUNTERS, dtype=np.int64)
        self._scalars = np.zeros(2)
        self._allocate_side_chain(n_bins)
        if self.learned:
            self._learned = self._learned_gains(n_bins, self._learned_weights())
            self._learned_arrays = self._learned.arrays
        else:
            # Arrays of the same types, never read: one compiled kernel for every method.
            self._learned_arrays = self._learned_gains(n_bins, lg.untrained_weights()).arrays
        self._tuning = self._build_tuning()
        self.reset()

    def _build_tuning(self) -> np.ndarray:
        frame_rate = self.sample_rate / self.hop
        tuning = np.zeros(g.TUNING_SIZE)
        tuning[g.T_NOISE_ALPHA] = smoothing_coefficient(NOISE_TIME_S, frame_rate)
        tuning[g.T_SPP_ALPHA] = smoothing_coefficient(SPP_TIME_S, frame_rate)
        tuning[g.T_XI_H1] = 10.0 ** (XI_H1_DB / 10.0)
        tuning[g.T_DD_ALPHA] = smoothing_coefficient(DD_TIME_S, frame_rate)
        tuning[g.T_XI_MIN] = 10.0 ** (XI_MIN_DB / 10.0)
        tuning[g.T_MAX_ATTEN_DB] = MAX_ATTENUATION_DB
        tuning[g.T_RELEASE_ALPHA] = smoothing_coefficient(RELEASE_TIME_S, frame_rate)
        tuning[g.T_STRENGTH_ALPHA] = smoothing_coefficient(STRENGTH_TIME_S, frame_rate)
        tuning[g.T_MIX_ALPHA] = smoothing_coefficient(CROSSFADE_TIME_S, self.sample_rate)
        tuning[g.T_WARMUP_FRAMES] = max(1.0, round(WARMUP_S * frame_rate))
        tuning[g.T_POWER_EPS] = 1e-12 * self.n_fft
        tuning[g.T_SPP_EXPONENT] = SPP_EXPONENT
        tuning[g.T_SPP_SPREAD] = SPP_SPREAD_BINS
        tuning[g.T_ESTIMATE] = self._estimate()
        tuning[g.T_ONSET_FRAMES] = round(ONSET_HOLD_S * frame_rate)
        tuning[g.T_ONSET_RATIO] = 10.0 ** (ONSET_RATIO_DB / 10.0)
        tuning[g.T_GAMMA_SLOW_ALPHA] = smoothing_coefficient(ONSET_AVERAGE_S, frame_rate)
        tuning[g.T_SPEECH_ATTEN_DB] = SPEECH_ATTEN_DB
        tuning[g.T_PRESENCE_LO_BIN] = round(PRESENCE_BAND_HZ[0] * self.n_fft / self.sample_rate)
        tuning[g.T_PRESENCE_HI_BIN] = round(PRESENCE_BAND_HZ[1] * self.n_fft / self.sample_rate)
        tuning[g.T_LEARNED_RISE] = lg.rise_per_hop(self.hop)
        tuning[g.T_LEARNED_ALPHA] = smoothing_coefficient(LEARNED_SMOOTHING_S, frame_rate)
        tuning[g.T_LEARNED_BINS] = self._learned.used_bins if self.learned else 0
        return tuning

    def configure(self, settings: ListeningSettings) -> None:
        on = settings.noise_reduction_enabled and settings.noise_reduction > 0.0
        strength = float(settings.noise_reduction)
        self._snapshot = NoiseReductionSnapshot(mix=1.0 if on else 0.0, strength=strength)

    def reset(self) -> None:
        for state in (self._frame, self._overlap, self._wet_ring, self._dry_ring, self._bins, self._counters):
            state.fill(0)
        self._bins[g.GAIN_SMOOTHED].fill(START_GAIN)
        self._bins[g.RNN_GAIN].fill(1.0)
        self._bins[g.GAMMA_SLOW].fill(1.0)
        self._sc_in.fill(0)
        self._sc_out.fill(0)
        if self._sc_state and self._rnnoise is not None:
            self._rnnoise.init(self._sc_state)
        if self.learned:
            self._learned.reset()
        snapshot = self._snapshot
        self._scalars[k.S_MIX] = snapshot.mix
        self._scalars[k.S_STRENGTH] = snapshot.strength

    def process(self, block: np.ndarray) -> None:
        snapshot = self._snapshot
        k.process_block(
            block, self._frame, self._frame_out, self._work, self._spec, self._bins,
            self._analysis_window, self._synthesis_tail, self._overlap, self._wet_ring, self._dry_ring,
            self._twiddles, self._bitrev, self._half_twiddles, self._counters, self._scalars, self._tuning,
            snapshot.mix, snapshot.strength, self.latency_samples,
            self._sc_fn, self._sc_state, self._sc_in, self._sc_out, sc.DELAY, self._sc_frame, self._sc_work,
            self._sc_spec, self._sc_twiddles, self._sc_bitrev, self._sc_half_twiddles, self._sc_window,
            self._sc_lo, self._sc_frac, self._bin_lo, self._bin_frac, self._bands, self._learned_arrays,
        )  # fmt: skip
