"""The noise reducer's per-frame kernels as they were before its experiments left audio/.

`benchmarks.nr_experiments.ExperimentalReducer` runs these instead of `audio.nr_kernels`: the same
framing and classic gain rule, plus every measured variant that is not shipped (how the RNNoise gain
joins the classic one, an extra audio delay, how the learned gain joins, pitch features, an RNNoise
side chain's gains as the network's features, recording and replaying gains or features). With the
product's settings (`nr_experiments.CLASSIC`, `LEARNED`, `RNNOISE_ASSISTED`) they give the product's
output bit for bit, so figures measured with them compare with the shipped methods.
"""

from __future__ import annotations

import math

from numba import njit

from audio.fft import inverse_real_fft, real_fft
from audio.nr_gains import (
    GAIN_RAW,
    GAIN_SMOOTHED,
    GAMMA_SLOW,
    LEARNED_GAIN,
    LEARNED_SMOOTHED,
    NOISE_PSD,
    ONSET_HOLD,
    POST_SNR,
    POWER,
    PREV_CLEAN_POWER,
    RNN_GAIN,
    SPP_SMOOTHED,
    exp_integral,
    smooth_gains,
)  # fmt: skip
from audio.nr_kernels import S_MIX, S_STRENGTH, side_chain_frame
from benchmarks import nr_experiment_features as learned_gains
from benchmarks import pitch_features

# Indices into `tuning` (float64, fixed per sample rate, built by `ExperimentalReducer`).
T_NOISE_ALPHA = 0  # SPP noise-PSD smoothing per frame
T_SPP_ALPHA = 1  # smoothing of the speech presence probability (stagnation guard)
T_XI_H1 = 2  # fixed a-priori SNR under speech presence (linear)
T_DD_ALPHA = 3  # decision-directed weight
T_XI_MIN = 4  # floor of the a-priori SNR (linear)
T_MAX_ATTEN_DB = 5  # attenuation at strength 1
T_RELEASE_ALPHA = 6  # gain release smoothing per frame (attack is instant)
T_STRENGTH_ALPHA = 7  # strength smoothing per frame
T_MIX_ALPHA = 8  # dry/wet crossfade per sample
T_WARMUP_FRAMES = 9  # frames averaged to seed the noise PSD
T_POWER_EPS = 10
T_SPP_EXPONENT = 11  # 0 = plain LSA with floor, >0 = OM-LSA style G^p Gmin^(1-p) mixing
T_SPP_SPREAD = 12  # bins each side averaged for the speech presence that weights the gain
T_RNN_MODE = 13  # how the side-chain gain joins the SPP/MMSE gain, see MODE_*
T_ONSET_FRAMES = 14  # frames an onset holds max(side-chain gain, SPP gain); 0 = off
T_ONSET_RATIO = 15  # band posterior SNR over its slow average that counts as an onset
T_GAMMA_SLOW_ALPHA = 16
T_RNN_EXPONENT = 17  # side-chain gain raised to this power (deeper suppression > 1)
T_EXTRA_DELAY = 18  # samples the filter bank's input lags the side chain's (fresher side-chain gains)
T_SPEECH_ATTEN_DB = 19  # attenuation at strength 1 in frames full of speech; < 0 = T_MAX_ATTEN_DB always
T_PRESENCE_LO_BIN = 20  # bins whose speech presence makes a frame count as speech
T_PRESENCE_HI_BIN = 21
T_LEARNED_RISE = 22  # noise-floor rise per frame of the learned estimator's features
T_LEARNED_BINS = 23  # bins (from 0) the learned estimator gives gains for; above, the classic gain
T_LEARNED_JOIN = 24  # how the learned gain joins the classic one, see JOIN_*
T_LEARNED_ALPHA = 25  # per-frame smoothing of the learned gain's log
T_PITCH = 26  # 1: the learned estimator takes pitch features (benchmarks.pitch_features)
TUNING_SIZE = 27

JOIN_REPLACE = 0
JOIN_MIN = 1
JOIN_GEOMEAN = 2

MODE_CLASSIC = 0  # SPP/MMSE gain only
MODE_RNN = 1  # side-chain gain only
MODE_PRODUCT = 2
MODE_MIN = 3
MODE_GEOMEAN = 4
MODE_LEARNED = 5  # the learned estimator's gains (nr_experiment_features) below its top band, classic above
SIDE_CHAIN_MODES = (MODE_RNN, MODE_PRODUCT, MODE_MIN, MODE_GEOMEAN)  # the modes that run RNNoise

# Indices into `counters` (int64): absolute sample count, samples waiting in the frame, frames seen,
# frames logged.
C_SAMPLES = 0
C_FILL = 1
C_FRAMES = 2
C_LOG = 3
C_SC_FILL = 4  # samples waiting in the side-chain frame
COUNTERS = 5

LOG_OFF = 0
LOG_RECORD = 1
LOG_REPLAY = 2
LOG_FEATURES = 3  # record the learned estimator's input features (training)


@njit(cache=True)
def join_side_chain(bins, k, gain, gamma, mode, rnn_exp, onset_frames, onset_ratio, a_slow):
    """Combine the SPP/MMSE gain of bin k with the side-chain gain; while an onset is held
    (the band posterior SNR jumped above its slow average) keep the larger of the two, since the
    side-chain gain describes audio 20-30 ms old."""
    g_rnn = bins[RNN_GAIN, k]
    if rnn_exp != 1.0:
        g_rnn = g_rnn**rnn_exp
    if mode == MODE_RNN:
        joined = g_rnn
    elif mode == MODE_PRODUCT:
        joined = gain * g_rnn
    elif mode == MODE_MIN:
        joined = min(gain, g_rnn)
    else:
        joined = math.sqrt(gain * g_rnn)
    if onset_frames > 0.0:
        slow = bins[GAMMA_SLOW, k]
        if gamma > onset_ratio * slow:
            bins[ONSET_HOLD, k] = onset_frames
        bins[GAMMA_SLOW, k] = a_slow * slow + (1.0 - a_slow) * gamma
        if bins[ONSET_HOLD, k] > 0.0:
            bins[ONSET_HOLD, k] -= 1.0
            joined = max(joined, gain)
    return joined


@njit(cache=True)
def update_gains(spec, bins, tuning, strength, first_frames):
    """Noise PSD by speech presence probability (Gerkmann & Hendriks 2012), a-priori SNR by
    decision direction, MMSE log-spectral amplitude gain (Ephraim & Malah 1985), floor by strength."""
    n_bins = spec.shape[0]
    eps = tuning[T_POWER_EPS]
    xi_h1 = tuning[T_XI_H1]
    a_noise = tuning[T_NOISE_ALPHA]
    a_spp = tuning[T_SPP_ALPHA]
    a_dd = tuning[T_DD_ALPHA]
    xi_min = tuning[T_XI_MIN]
    log_floor = -strength * tuning[T_MAX_ATTEN_DB] / 20.0 * math.log(10.0)
    floor = math.exp(log_floor)
    spp_exp = tuning[T_SPP_EXPONENT]
    mode = int(tuning[T_RNN_MODE])
    joins_side_chain = mode != MODE_CLASSIC and mode != MODE_LEARNED
    rnn_exp = tuning[T_RNN_EXPONENT]
    onset_frames = tuning[T_ONSET_FRAMES]
    onset_ratio = tuning[T_ONSET_RATIO]
    a_slow = tuning[T_GAMMA_SLOW_ALPHA]
    presence_lo = int(tuning[T_PRESENCE_LO_BIN])
    presence_hi = int(tuning[T_PRESENCE_HI_BIN])
    present = 0.0
    for k in range(n_bins):
        power = spec[k].real ** 2 + spec[k].imag ** 2 + eps
        bins[POWER, k] = power
        noise = bins[NOISE_PSD, k]
        if first_frames > 0.0:
            noise += (power - noise) / first_frames
        else:
            spp = 1.0 / (1.0 + (1.0 + xi_h1) * math.exp(-power / noise * xi_h1 / (1.0 + xi_h1)))
            smoothed = a_spp * bins[SPP_SMOOTHED, k] + (1.0 - a_spp) * spp
            bins[SPP_SMOOTHED, k] = smoothed
            if presence_lo <= k < presence_hi and spp > 0.5:
                present += 1.0
            if smoothed > 0.99 and spp > 0.99:
                spp = 0.99
            noise = a_noise * noise + (1.0 - a_noise) * ((1.0 - spp) * power + spp * noise)
        noise = max(noise, eps)
        bins[NOISE_PSD, k] = noise
        bins[POST_SNR, k] = power / noise
    # Weak speech in a frame full of speech is attenuated less (a floor per frame by speech presence).
    if tuning[T_SPEECH_ATTEN_DB] >= 0.0:
        log_floor_speech = -strength * tuning[T_SPEECH_ATTEN_DB] / 20.0 * math.log(10.0)
        log_floor += present / max(presence_hi - presence_lo, 1) * (log_floor_speech - log_floor)
        floor = math.exp(log_floor)
    spread = int(tuning[T_SPP_SPREAD])
    window_sum = 0.0
    for j in range(min(spread, n_bins - 1) + 1):
        window_sum += bins[POST_SNR, j]
    for k in range(n_bins):
        power = bins[POWER, k]
        noise = bins[NOISE_PSD, k]
        gamma = bins[POST_SNR, k]
        if k > 0:
            if k + spread < n_bins:
                window_sum += bins[POST_SNR, k + spread]
            if k - spread - 1 >= 0:
                window_sum -= bins[POST_SNR, k - spread - 1]
        xi = a_dd * bins[PREV_CLEAN_POWER, k] / noise + (1.0 - a_dd) * max(gamma - 1.0, 0.0)
        xi = max(xi, xi_min)
        v = xi * gamma / (1.0 + xi)
        gain = xi / (1.0 + xi)
        if v < 8.0:  # above, exp(E1(v) / 2) is 1 to within 2e-5
            gain = min(gain * math.exp(0.5 * exp_integral(max(v, 1e-10))), 1.0)
        bins[PREV_CLEAN_POWER, k] = gain * gain * power
        if spp_exp > 0.0:
            # Averaging the posterior SNR over neighbouring bins steadies the presence decision in noise.
            mean_gamma = max(window_sum, 0.0) / (min(k + spread, n_bins - 1) - max(k - spread, 0) + 1)
            p = 1.0 / (1.0 + (1.0 + xi_h1) * math.exp(-mean_gamma * xi_h1 / (1.0 + xi_h1)))
            p = p if spp_exp == 1.0 else p**spp_exp
            gain = math.exp(p * math.log(max(gain, 1e-10)) + (1.0 - p) * log_floor)
            if joins_side_chain:
                gain = join_side_chain(
                    bins, k, gain, mean_gamma, mode, rnn_exp, onset_frames, onset_ratio, a_slow
                )
        elif joins_side_chain:
            gain = join_side_chain(bins, k, gain, gamma, mode, rnn_exp, onset_frames, onset_ratio, a_slow)
        bins[GAIN_RAW, k] = max(gain, floor)


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
    gain_log,
    log_mode,
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
    pitch,
):
    """Frames every `hop` input samples, then reads the output `latency` samples back, so the
    output is the same for every block size (the latency itself depends on it, see `latency_for`)."""
    n_fft = frame.shape[0]
    hop = overlap.shape[0] // 2
    ring_mask = wet_ring.shape[0] - 1
    a_strength = tuning[T_STRENGTH_ALPHA]
    warmup = tuning[T_WARMUP_FRAMES]
    extra_delay = int(tuning[T_EXTRA_DELAY])
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
        frame[n_fft - hop + fill] = dry_ring[(t - extra_delay) & ring_mask]
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
                gain_log,
                log_mode,
                learned,
                pitch,
            )
            # Samples t-2hop+1 .. t-hop of the (extra-delayed) input are complete now.
            first = t - extra_delay - 2 * hop + 1
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
    gain_log,
    log_mode,
    learned,
    pitch,
):
    n_fft = frame.shape[0]
    hop = overlap.shape[0] // 2
    frames_seen = counters[C_FRAMES]
    for n in range(n_fft):
        frame_out[n] = frame[n] * analysis_window[n]
    real_fft(frame_out, work, spec, twiddles, bitrev, half_twiddles)
    if log_mode == LOG_REPLAY:
        row = min(counters[C_LOG], gain_log.shape[0] - 1)
        for k in range(spec.shape[0]):
            spec[k] *= gain_log[row, k]
    else:
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
        if int(tuning[T_RNN_MODE]) == MODE_LEARNED:
            # The learned gains replace the classic ones below its top band; its features include
            # the classic noise estimate and gain. As in training, its own noise floor is seeded
            # until the analysis window is full.
            first = frames_seen <= filling
            log_row = (
                counters[C_LOG] if log_mode == LOG_FEATURES and counters[C_LOG] < gain_log.shape[0] else -1
            )
            if tuning[T_PITCH] == 1.0:
                pitch_features.track(frame[n_fft - hop :], analysis_window, pitch)
                lagged, lagged_work, lagged_spec = pitch[3], pitch[4], pitch[5]
                real_fft(lagged, lagged_work, lagged_spec, twiddles, bitrev, half_twiddles)
            learned_gains.estimate(
                bins[POWER],
                bins[NOISE_PSD],
                bins[GAIN_RAW],
                bins[RNN_GAIN],
                spec,
                pitch,
                learned,
                tuning[T_LEARNED_RISE],
                first,
                bins[LEARNED_GAIN],
                gain_log,
                log_row,
            )
            log_floor = -strength * tuning[T_MAX_ATTEN_DB] / 20.0 * math.log(10.0)
            exponent = strength * tuning[T_RNN_EXPONENT]
            join = int(tuning[T_LEARNED_JOIN])
            a_learned = tuning[T_LEARNED_ALPHA] if frames_seen > filling else 0.0
            for k in range(int(tuning[T_LEARNED_BINS])):
                # The network's output jitters from frame to frame; unsmoothed, that modulates
                # steady tones at the frame rate (sidebands 375 Hz away: rough, and it hid a
                # howl from the guard's peak-to-neighbour test).
                log_gain = math.log(max(bins[LEARNED_GAIN, k], 1e-10))
                log_gain = a_learned * bins[LEARNED_SMOOTHED, k] + (1.0 - a_learned) * log_gain
                bins[LEARNED_SMOOTHED, k] = log_gain
                # Strength scales the learned gain in the log domain, down to the plain floor.
                gain = math.exp(max(exponent * log_gain, log_floor))
                classic = bins[GAIN_RAW, k]
                if join == JOIN_MIN:
                    gain = min(gain, classic)
                elif join == JOIN_GEOMEAN:
                    gain = math.sqrt(gain * classic)
                bins[GAIN_RAW, k] = gain
        smooth_gains(bins, tuning[T_RELEASE_ALPHA])
        if log_mode == LOG_RECORD and counters[C_LOG] < gain_log.shape[0]:
            for k in range(spec.shape[0]):
                gain_log[counters[C_LOG], k] = bins[GAIN_SMOOTHED, k]
        for k in range(spec.shape[0]):
            spec[k] *= bins[GAIN_SMOOTHED, k]
    counters[C_LOG] += 1
    inverse_real_fft(spec, work, frame_out, twiddles, bitrev, half_twiddles)
    tail = n_fft - 2 * hop
    for n in range(2 * hop):
        overlap[n] += frame_out[tail + n] * synthesis_tail[n]
    for n in range(n_fft - hop):
        frame[n] = frame[n + hop]
    counters[C_FRAMES] = frames_seen + 1
