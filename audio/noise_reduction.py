"""Low-delay single-channel noise reduction for speech, with RNNoise as a side-chain gain estimator.

Filter bank: a short-time Fourier transform with asymmetric analysis/synthesis windows
(Mauler & Martin 2009; Wang & Wang 2021): a long analysis window (~21 ms) gives the frequency
resolution the noise and gain estimates need, while the short synthesis window (two hops) keeps
the audio path's delay at about one hop (2.7 ms at 48 kHz, 128-sample blocks).

Gains, per frame of the filter bank (every hop):
1. Classic estimate: noise PSD tracked by speech presence probability (Gerkmann & Hendriks 2012),
   a-priori SNR by decision direction and the MMSE log-spectral amplitude gain (Ephraim & Malah
   1985), weighted by the presence probability towards the floor. The floor itself is per frame:
   MAX_ATTENUATION_DB in frames without speech, only SPEECH_ATTEN_DB in frames full of it, so the
   weak parts of speech (consonants, high harmonics) are not pushed into the noise floor, which is
   what lowered STOI. Gains start closed.
2. Side chain (48 kHz only): RNNoise (Valin 2018, "A Hybrid DSP/Deep Learning Approach to
   Real-Time Full-Band Speech Enhancement") runs on the same input every 480 samples on a fixed
   sample schedule. Its audio output lags by 960 samples (20 ms), far over budget, so it is never
   heard: per RNNoise band (its 22 Bark-like bands) the side chain takes the amplitude ratio of
   its newest output frame to the input frame that produced it, and interpolates those gains to
   the filter bank's bins (`audio.rnnoise_sidechain`, `nr_kernels.side_chain_frame`). This is the
   hearing-aid arrangement the issue allows: gains from a side chain, audio through a low-delay
   filter bank.
3. The two gains are joined by their geometric mean. The side-chain gain describes audio about
   20-30 ms old, so where a band's posterior SNR jumps 3 dB above its 30 ms average (an onset) the
   larger of the two gains is held for 15 ms. Then the floor set by the strength, smoothing across
   frequency and a slow release in time, as before.
Measured on ../shared/data (benchmarks/noise_reduction_quality.py, subsets of 24 mixtures): the
geometric mean with onset hold beat RNNoise-gain-only, product and minimum; recorded RNNoise gains
replayed 9-11 frames earlier (i.e. without the staleness) would reach RNNoise's own SI-SDR, so the
staleness, not the filter bank, is what the side chain loses. Delaying the audio path a further
128 samples (`Variant.extra_delay`) buys only +0.07 dB and is off.

At 16, 22.05 and 44.1 kHz RNNoise is not run (it needs 48 kHz) and the classic estimate alone is
used. `Variant(mode=MODE_CLASSIC)` (`CLASSIC`) selects it at 48 kHz too.

The learned method (`LEARNED`, 48 kHz only) replaces the side chain with a small recurrent network
trained for this filter bank (`audio.learned_gains`): it runs on every frame, so its gains are as
fresh as the classic ones, and takes the classic estimator's noise PSD and gain among its features.
Below 8 kHz its gain is joined with the classic gain by geometric mean; above, the classic gain
stands alone.

Disabled or at strength 0 the output is the input delayed by exactly `latency_samples`;
switching crossfades between that dry copy and the processed signal. Once faded out the side chain
pauses (it is most of the cost) and resumes from where it was when the reducer is enabled again.
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

NOISE_TIME_S = 0.15  # measured against 0.072 (Gerkmann & Hendriks' 0.8 per 16 ms hop): +0.12 dB SI-SDR
SPP_TIME_S = 0.15  # their 0.9 per 16 ms hop
XI_H1_DB = 12.0  # 8 or 10 keep more weak speech (STOI +0.004) but let stationary noise down only 12-14 dB
DD_TIME_S = 0.015  # measured: 0.4 (0.98 per 8 ms hop, the textbook value) smears onsets, -0.03 STOI
XI_MIN_DB = -25.0
MAX_ATTENUATION_DB = 25.0
RELEASE_TIME_S = 0.02
STRENGTH_TIME_S = 0.05
CROSSFADE_TIME_S = 0.02
WARMUP_S = 0.03
SPP_EXPONENT = 1.0
SPP_SPREAD_BINS = 8  # ~380 Hz each side at 48 kHz; measured 0 -> 8: +0.3 dB SI-SDR, noise floor -5 dB
# Attenuation at strength 1 in frames whose 100-4000 Hz bins all show speech, interpolated towards
# MAX_ATTENUATION_DB as fewer do: weak parts of speech are not pushed to the noise floor (measured
# on the development half: STOI +0.01, SI-SDR +0.05 dB; 6 dB gave the same STOI, -0.07 dB SI-SDR).
SPEECH_ATTEN_DB = 12.0
PRESENCE_BAND_HZ = (100.0, 4000.0)
# Gains start closed and open at once where there is speech: starting open let the first 20-40 ms of
# noise through (a door at the start of a clip: +2 dB SI-SDR over the clip once closed).
START_GAIN = 0.0


# The RNNoise join's onset hold: where a band's posterior SNR jumps ONSET_RATIO_DB over its
# ONSET_AVERAGE_S average, the larger of the classic and side-chain gains holds for ONSET_HOLD_S.
ONSET_HOLD_S = 0.015
ONSET_RATIO_DB = 3.0
ONSET_AVERAGE_S = 0.03
# The learned gain is smoothed over 7 ms both ways: unsmoothed it jittered around a building howl
# and hid it from the howl guard.
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
