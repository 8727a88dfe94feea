"""The noise reducer's per-sample framing and per-frame work (numba), around `audio.nr_gains`.

Everything writes into arrays preallocated by `audio.noise_reduction.NoiseReducer`; nothing here
allocates.
"""

from __future__ import annotations

import math

from numba import njit

from audio import learned_gains
from audio.fft import inverse_real_fft, real_fft
from audio.nr_gains import (
    ESTIMATE_LEARNED,
    GAIN_RAW,
    GAIN_SMOOTHED,
    LEARNED_GAIN,
    LEARNED_SMOOTHED,
    NOISE_PSD,
    POWER,
    RNN_GAIN,
    T_ESTIMATE,
    T_LEARNED_ALPHA,
    T_LEARNED_BINS,
    T_LEARNED_RISE,
    T_MAX_ATTEN_DB,
    T_MIX_ALPHA,
    T_RELEASE_ALPHA,
    T_STRENGTH_ALPHA,
    T_WARMUP_FRAMES,
    smooth_gains,
    update_gains,
)  # fmt: skip

# Indices into `counters` (int64): absolute sample count, samples waiting in the frame, frames seen,
# samples waiting in the side-chain frame.
C_SAMPLES = 0
C_FILL = 1
C_FRAMES = 2
C_SC_FILL = 3
COUNTERS = 4
# Indices into `scalars` (float64): current dry/wet mix, current strength.
S_MIX = 0
S_STRENGTH = 1


@njit(cache=True)
def side_chain_frame(
    sc_fn,
    sc_state,
    sc_in,
    sc_out,
    dry_ring,
    t_end,
    delay,
    sc_frame,
    sc_work,
    sc_spec,
    sc_twiddles,
    sc_bitrev,
    sc_half_twiddles,
    sc_window,
    sc_lo,
    sc_frac,
    bin_lo,
    bin_frac,
    bands,
    bins,
):
    """Run RNNoise on the 480 samples ending at t_end and refresh the side-chain gains: per band,
    the amplitude ratio of its newest output frame to the input frame it came from (t_end - delay)."""
    sc_fn(sc_state, sc_out.ctypes, sc_in.ctypes)
    ring_mask = dry_ring.shape[0] - 1
    n_frame = sc_in.shape[0]
    n_bands = bands.shape[1]
    for b in range(n_bands):
        bands[0, b] = 0.0
        bands[1, b] = 0.0
    for row in range(2):
        for n in range(sc_frame.shape[0]):
            sc_frame[n] = 0.0
        if row == 0:
            for n in range(n_frame):
                sc_frame[n] = sc_out[n] * sc_window[n] * (1.0 / 32768.0)
        else:
            first = t_end - delay - n_frame + 1
            for n in range(n_frame):
                sc_frame[n] = dry_ring[(first + n) & ring_mask] * sc_window[n]
        real_fft(sc_frame, sc_work, sc_spec, sc_twiddles, sc_bitrev, sc_half_twiddles)
        for j in range(sc_spec.shape[0]):
            power = sc_spec[j].real ** 2 + sc_spec[j].imag ** 2
            lo = sc_lo[j]
            f = sc_frac[j]
            bands[row, lo] += (1.0 - f) * power
            bands[row, lo + 1] += f * power
    for b in range(n_bands):
        bands[2, b] = min(math.sqrt((bands[0, b] + 1e-9) / (bands[1, b] + 1e-9)), 1.0)
    for k in range(bins.shape[1]):
        lo = bin_lo[k]
        f = bin_frac[k]
        bins[RNN_GAIN, k] = (1.0 - f) * bands[2, lo] + f * bands[2, lo + 1]


@njit(cache=True)
def process_block(
    block,
    frame,
    frame_out,
    work,
    spec,
    bins,
    analysis_window,
    synthesis_tail,
    overlap,
    wet_ring,
    dry_ring,
    twiddles,
    bitrev,
    half_twiddles,
    counters,
    scalars,
    tuning,
    target_mix,
    target_strength,
    latency,
    sc_fn,
    sc_state,
    sc_in,
    sc_out,
    sc_delay,
    sc_frame,
    sc_work,
    sc_spec,
    sc_twiddles,
    sc_bitrev,
    sc_half_twiddles,
    sc_window,
    sc_lo,
    sc_frac,
    bin_lo,
    bin_frac,
    bands,
    learned,
):
    """Frames every `hop` input samples, then reads the output `latency` samples back, so the
    output is the same for every block size (the latency itself depends on it, see `latency_for`)."""
    n_fft = frame.shape[0]
    hop = overlap.shape[0] // 2
    ring_mask = wet_ring.shape[0] - 1
    a_strength = tuning[T_STRENGTH_ALPHA]
    warmup = tuning[T_WARMUP_FRAMES]
    # The side chain (most of the cost) pauses while the reducer is off and fully faded out.
    side_chain = sc_state != 0 and (target_mix > 0.0 or scalars[S_MIX] > 0.0)
    start = counters[C_SAMPLES]
    for i in range(block.shape[1]):
        x = float(block[0, i])
        t = start + i
        dry_ring[t & ring_mask] = x
        if side_chain:
            # The side chain runs on its own fixed 480-sample schedule, whatever the block size.
            sc_fill = counters[C_SC_FILL]
            sc_in[sc_fill] = x * 32768.0
            sc_fill += 1
            if sc_fill == sc_in.shape[0]:
                sc_fill = 0
                side_chain_frame(
                    sc_fn,
                    sc_state,
                    sc_in,
                    sc_out,
                    dry_ring,
                    t,
                    sc_delay,
                    sc_frame,
                    sc_work,
                    sc_spec,
                    sc_twiddles,
                    sc_bitrev,
                    sc_half_twiddles,
                    sc_window,
                    sc_lo,
                    sc_frac,
                    bin_lo,
                    bin_frac,
                    bands,
                    bins,
                )
            counters[C_SC_FILL] = sc_fill
        fill = counters[C_FILL]
        frame[n_fft - hop + fill] = x
        fill += 1
        if fill == hop:
            fill = 0
            strength = a_strength * scalars[S_STRENGTH] + (1.0 - a_strength) * target_strength
            scalars[S_STRENGTH] = strength
            process_frame(
                frame,
                frame_out,
                work,
                spec,
                bins,
                analysis_window,
                synthesis_tail,
                overlap,
                twiddles,
                bitrev,
                half_twiddles,
                counters,
                tuning,
                strength,
                warmup,
                learned,
            )
            # Samples t-2hop+1 .. t-hop of the input are complete now.
            first = t - 2 * hop + 1
            for n in range(hop):
                wet_ring[(first + n) & ring_mask] = overlap[n]
                overlap[n] = overlap[n + hop]
                overlap[n + hop] = 0.0
        counters[C_FILL] = fill
    a_mix = tuning[T_MIX_ALPHA]
    mix = scalars[S_MIX]
    for i in range(block.shape[1]):
        mix = a_mix * mix + (1.0 - a_mix) * target_mix
        if abs(mix - target_mix) < 1e-6:
            mix = target_mix
        delayed = (start + i - latency) & ring_mask
        dry = dry_ring[delayed]
        block[0, i] = dry if mix == 0.0 else dry + mix * (wet_ring[delayed] - dry)
    scalars[S_MIX] = mix
    counters[C_SAMPLES] = start + block.shape[1]


@njit(cache=True)
def process_frame(
    frame,
    frame_out,
    work,
    spec,
    bins,
    analysis_window,
    synthesis_tail,
    overlap,
    twiddles,
    bitrev,
    half_twiddles,
    counters,
    tuning,
    strength,
    warmup,
    learned,
):
    n_fft = frame.shape[0]
    hop = overlap.shape[0] // 2
    frames_seen = counters[C_FRAMES]
    for n in range(n_fft):
        frame_out[n] = frame[n] * analysis_window[n]
    real_fft(frame_out, work, spec, twiddles, bitrev, half_twiddles)
    # Until the analysis window has slid past the zeros it starts with, each frame's power
    # replaces the noise estimate (seed 1); averaging those part-empty frames in would
    # underestimate the noise and let it back through once the warm-up ends.
    filling = n_fft // hop - 1
    if frames_seen < filling:
        seed = 1.0
    elif frames_seen < filling + warmup:
        seed = float(frames_seen - filling + 1)
    else:
        seed = 0.0
    update_gains(spec, bins, tuning, strength, seed)
    if int(tuning[T_ESTIMATE]) == ESTIMATE_LEARNED:
        # Below its top band the learned gain joins the classic one (geometric mean); its features
        # include the classic noise estimate and gain. As in training, its own noise floor is seeded
        # until the analysis window is full.
        first = frames_seen <= filling
        learned_gains.estimate(
            bins[POWER],
            bins[NOISE_PSD],
            bins[GAIN_RAW],
            learned,
            tuning[T_LEARNED_RISE],
            first,
            bins[LEARNED_GAIN],
        )
        log_floor = -strength * tuning[T_MAX_ATTEN_DB] / 20.0 * math.log(10.0)
        a_learned = tuning[T_LEARNED_ALPHA] if frames_seen > filling else 0.0
        for k in range(int(tuning[T_LEARNED_BINS])):
            # The network's output jitters from frame to frame; unsmoothed, that modulates
            # steady tones at the frame rate (sidebands 375 Hz away: rough, and it hid a
            # howl from the guard's peak-to-neighbour test).
            log_gain = math.log(max(bins[LEARNED_GAIN, k], 1e-10))
            log_gain = a_learned * bins[LEARNED_SMOOTHED, k] + (1.0 - a_learned) * log_gain
            bins[LEARNED_SMOOTHED, k] = log_gain
            # Strength scales the learned gain in the log domain, down to the plain floor.
            gain = math.exp(max(strength * log_gain, log_floor))
            bins[GAIN_RAW, k] = math.sqrt(gain * bins[GAIN_RAW, k])
    smooth_gains(bins, tuning[T_RELEASE_ALPHA])
    for k in range(spec.shape[0]):
        spec[k] *= bins[GAIN_SMOOTHED, k]
    inverse_real_fft(spec, work, frame_out, twiddles, bitrev, half_twiddles)
    tail = n_fft - 2 * hop
    for n in range(2 * hop):
        overlap[n] += frame_out[tail + n] * synthesis_tail[n]
    for n in range(n_fft - hop):
        frame[n] = frame[n + hop]
    counters[C_FRAMES] = frames_seen + 1
