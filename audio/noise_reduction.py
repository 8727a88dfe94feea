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
from audio import nr_kernels as k
from audio import rnnoise_sidechain as sc
from audio.fft import plan
from audio.pitch_features import PitchTracker
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


@dataclass(frozen=True)
class Variant:
    """How the side-chain (RNNoise) gain joins the SPP/MMSE gain; `mode` is one of k.MODE_*."""

    mode: int = k.MODE_GEOMEAN
    onset_hold_s: float = 0.015
    onset_ratio_db: float = 3.0
    gamma_slow_s: float = 0.03
    rnn_exponent: float = 1.0
    max_attenuation_db: float = MAX_ATTENUATION_DB
    # Samples the audio lags the side chain by at 48 kHz (fresher side-chain gains). Measured 128: +0.07 dB
    # SI-SDR, +0.004 STOI, but it costs latency at every block size; off.
    extra_delay: int = 0
    learned_join: int = k.JOIN_REPLACE
    learned_smoothing_s: float = 0.0
    weights: str = ""  # learned mode: a weights file other than the shipped one (training, comparisons)


CLASSIC = Variant(mode=k.MODE_CLASSIC)
RNNOISE_ASSISTED = Variant()
# Classic is the default: the RNNoise-assisted gains are better on doors and chewing but the
# pyrnnoise wheel's scalar build triples the chain's CPU (see README, Performance).
# The learned estimator's gain joined with the classic one by geometric mean: on the fold it was not
# trained on, +3.1 dB SI-SDR against +2.6 for the learned gain alone (see README, Performance).
# Its gain is smoothed over 7 ms both ways. Unsmoothed, it jittered from frame to frame around a
# building howl, which hid the howl from the howl guard for a second instead of 0.1 s (the guard's
# tests in the simulated loop); smoothing only the falls, or opening within 2-4 ms, did not stop
# that. Since the guard also remembers the last second, 5 ms passes at the weakest leak, but only
# just (0.17 s); 7 ms catches it in 0.09 s, as 10 ms did. Against 10 ms, held out even to odd,
# 7 ms gains +0.06 dB SI-SDR and lowers STOI in 7 of 32 conditions instead of 13 (unsmoothed: +0.15
# dB and 5); odd to even, +0.03 dB and 9 conditions either way. The cost that remains is at
# onsets: on a door at 0-5 dB SNR, STOI under the input's.
LEARNED = Variant(mode=k.MODE_LEARNED, learned_join=k.JOIN_GEOMEAN, learned_smoothing_s=0.007)
METHODS = {"classic": CLASSIC, "learned": LEARNED, "rnnoise-assisted": RNNOISE_ASSISTED}
DEFAULT_METHOD = "learned"


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
    def __init__(self, variant: Variant | None = None) -> None:
        super().__init__()
        self.variant = variant or METHODS[DEFAULT_METHOD]
        self._snapshot = NoiseReductionSnapshot(mix=1.0, strength=0.7)
        self._log_mode = k.LOG_OFF
        self._rnnoise: sc.RNNoiseLibrary | None = None  # loaded only when the RNNoise side chain runs
        self._sc_state = 0
        self._learned_weights: dict[str, np.ndarray] | None = None

    def __del__(self) -> None:
        if getattr(self, "_sc_state", 0) and self._rnnoise is not None:
            self._rnnoise.destroy(self._sc_state)
            self._sc_state = 0

    def _uses_side_chain(self) -> bool:
        """RNNoise runs for the modes that join its gains, or whose network reads them, and only at
        48 kHz."""
        reads = self._learned_weights is not None and lg.reads_side_chain(self._learned_weights)
        return (self.variant.mode in k.SIDE_CHAIN_MODES or reads) and self.sample_rate == sc.RATE

    def _allocate_side_chain(self, n_bins: int) -> None:
        if self._sc_state and self._rnnoise is not None:
            self._rnnoise.destroy(self._sc_state)
            self._sc_state = 0
        # RNNoise runs at 48 kHz only; at 16, 22.05 and 44.1 kHz the reducer is the classic one.
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
        self.learned = self.variant.mode == k.MODE_LEARNED and self.sample_rate == lg.RATE
        self._learned_weights = lg.load_weights(self.variant.weights) if self.learned else None
        self._extra_delay = self.variant.extra_delay if self._uses_side_chain() else 0
        self.latency_samples = latency_for(self.block_size, hop) + self._extra_delay
        fft_plan = plan(n_fft // 2)
        self._twiddles, self._bitrev = fft_plan.twiddles, fft_plan.bitrev
        self._half_twiddles = np.exp(-2j * np.pi * np.arange(n_fft // 2 + 1) / n_fft)
        self._analysis_window, self._synthesis_tail = _windows(n_fft, hop)
        n_bins = n_fft // 2 + 1
        self._frame = np.zeros(n_fft)
        self._frame_out = np.zeros(n_fft)
        self._work = np.zeros(n_fft // 2, dtype=np.complex128)
        self._spec = np.zeros(n_bins, dtype=np.complex128)
        self._bins = np.zeros((k.BIN_ROWS, n_bins))
        self._overlap = np.zeros(2 * hop)
        history = self.block_size + self.latency_samples + 2 * hop + n_fft + sc.DELAY + sc.FRAME
        ring = 1 << int(np.ceil(np.log2(history)))
        self._wet_ring = np.zeros(ring)
        self._dry_ring = np.zeros(ring)
        self._counters = np.zeros(5, dtype=np.int64)
        self._scalars = np.zeros(2)
        self._gain_log = np.zeros((1, n_bins))
        self._allocate_side_chain(n_bins)
        if self._learned_weights is not None:
            self._learned = lg.LearnedGains(n_bins, self._learned_weights)
            self._learned_arrays = self._learned.arrays
        else:
            self._learned_arrays = lg.placeholder(n_bins)
        self.pitch = self._learned_weights is not None and lg.reads_pitch(self._learned_weights)
        # Allocated for every method (one compiled kernel), read only when the weights take pitch.
        self._pitch = PitchTracker(n_fft if self.pitch else 8, lg.N_BANDS)
        self._tuning = self._build_tuning()
        self.reset()

    def _build_tuning(self) -> np.ndarray:
        frame_rate = self.sample_rate / self.hop
        tuning = np.zeros(k.TUNING_SIZE)
        tuning[k.T_NOISE_ALPHA] = smoothing_coefficient(NOISE_TIME_S, frame_rate)
        tuning[k.T_SPP_ALPHA] = smoothing_coefficient(SPP_TIME_S, frame_rate)
        tuning[k.T_XI_H1] = 10.0 ** (XI_H1_DB / 10.0)
        tuning[k.T_DD_ALPHA] = smoothing_coefficient(DD_TIME_S, frame_rate)
        tuning[k.T_XI_MIN] = 10.0 ** (XI_MIN_DB / 10.0)
        tuning[k.T_MAX_ATTEN_DB] = MAX_ATTENUATION_DB
        tuning[k.T_RELEASE_ALPHA] = smoothing_coefficient(RELEASE_TIME_S, frame_rate)
        tuning[k.T_STRENGTH_ALPHA] = smoothing_coefficient(STRENGTH_TIME_S, frame_rate)
        tuning[k.T_MIX_ALPHA] = smoothing_coefficient(CROSSFADE_TIME_S, self.sample_rate)
        tuning[k.T_WARMUP_FRAMES] = max(1.0, round(WARMUP_S * frame_rate))
        tuning[k.T_POWER_EPS] = 1e-12 * self.n_fft
        tuning[k.T_SPP_EXPONENT] = SPP_EXPONENT
        tuning[k.T_SPP_SPREAD] = SPP_SPREAD_BINS
        v = self.variant
        tuning[k.T_RNN_MODE] = v.mode if self.side_chain or self.learned else k.MODE_CLASSIC
        tuning[k.T_MAX_ATTEN_DB] = v.max_attenuation_db
        tuning[k.T_ONSET_FRAMES] = round(v.onset_hold_s * frame_rate)
        tuning[k.T_ONSET_RATIO] = 10.0 ** (v.onset_ratio_db / 10.0)
        tuning[k.T_GAMMA_SLOW_ALPHA] = smoothing_coefficient(v.gamma_slow_s, frame_rate)
        tuning[k.T_RNN_EXPONENT] = v.rnn_exponent
        tuning[k.T_EXTRA_DELAY] = self._extra_delay
        tuning[k.T_SPEECH_ATTEN_DB] = SPEECH_ATTEN_DB
        tuning[k.T_PRESENCE_LO_BIN] = round(PRESENCE_BAND_HZ[0] * self.n_fft / self.sample_rate)
        tuning[k.T_PRESENCE_HI_BIN] = round(PRESENCE_BAND_HZ[1] * self.n_fft / self.sample_rate)
        tuning[k.T_LEARNED_RISE] = lg.rise_per_hop(self.hop)
        tuning[k.T_LEARNED_JOIN] = v.learned_join
        tuning[k.T_LEARNED_ALPHA] = smoothing_coefficient(v.learned_smoothing_s, frame_rate)
        tuning[k.T_LEARNED_BINS] = self._learned.used_bins if self.learned else 0
        tuning[k.T_PITCH] = 1.0 if self.pitch else 0.0
        return tuning

    def configure(self, settings: ListeningSettings) -> None:
        on = settings.noise_reduction_enabled and settings.noise_reduction > 0.0
        strength = float(settings.noise_reduction)
        self._snapshot = NoiseReductionSnapshot(mix=1.0 if on else 0.0, strength=strength)

    def reset(self) -> None:
        for state in (self._frame, self._overlap, self._wet_ring, self._dry_ring, self._bins, self._counters):
            state.fill(0)
        self._bins[k.GAIN_SMOOTHED].fill(START_GAIN)
        self._bins[k.RNN_GAIN].fill(1.0)
        self._bins[k.GAMMA_SLOW].fill(1.0)
        self._sc_in.fill(0)
        self._sc_out.fill(0)
        if self._sc_state and self._rnnoise is not None:
            self._rnnoise.init(self._sc_state)
        if self.learned:
            self._learned.reset()
        self._pitch.reset()
        snapshot = self._snapshot
        self._scalars[k.S_MIX] = snapshot.mix
        self._scalars[k.S_STRENGTH] = snapshot.strength

    def record_gains(self, frames: int) -> np.ndarray:
        """Test/benchmark aid: log the gains of the next `frames` frames into the returned array."""
        self._gain_log = np.zeros((frames, self.n_fft // 2 + 1))
        self._log_mode = k.LOG_RECORD
        return self._gain_log

    def record_features(self, frames: int) -> np.ndarray:
        """Training aid (learned method): log the learned estimator's input features of the next
        `frames` frames into the returned array."""
        self._gain_log = np.zeros((frames, self._learned.x.shape[0] if self.learned else lg.N_FEATURES))
        self._log_mode = k.LOG_FEATURES
        return self._gain_log

    def replay_gains(self, gain_log: np.ndarray) -> None:
        """Apply a recorded gain sequence instead of estimating one ("shadow filtering")."""
        self._gain_log = gain_log
        self._log_mode = k.LOG_REPLAY

    def process(self, block: np.ndarray) -> None:
        snapshot = self._snapshot
        k.process_block(
            block, self._frame, self._frame_out, self._work, self._spec, self._bins,
            self._analysis_window, self._synthesis_tail, self._overlap, self._wet_ring, self._dry_ring,
            self._twiddles, self._bitrev, self._half_twiddles, self._counters, self._scalars, self._tuning,
            snapshot.mix, snapshot.strength, self.latency_samples, self._gain_log, self._log_mode,
            self._sc_fn, self._sc_state, self._sc_in, self._sc_out, sc.DELAY, self._sc_frame, self._sc_work,
            self._sc_spec, self._sc_twiddles, self._sc_bitrev, self._sc_half_twiddles, self._sc_window,
            self._sc_lo, self._sc_frac, self._bin_lo, self._bin_frac, self._bands, self._learned_arrays,
            self._pitch.arrays,
        )  # fmt: skip
