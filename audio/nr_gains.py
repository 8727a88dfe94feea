"""The noise reducer's per-frame gain rule (numba): classic estimate, RNNoise join, smoothing.

Everything writes into arrays preallocated by `audio.noise_reduction.NoiseReducer`; nothing here
allocates. The layouts of the per-bin state and the tuning are the constants below.
"""

from __future__ import annotations

import math

from numba import njit

# Rows of the per-bin state array `bins` (shape (BIN_ROWS, n_bins), float64).
NOISE_PSD = 0
SPP_SMOOTHED = 1
PREV_CLEAN_POWER = 2
GAIN_RAW = 3
GAIN_SMOOTHED = 4
POWER = 5
POST_SNR = 6
RNN_GAIN = 7  # side-chain (RNNoise) gain interpolated to this bin, refreshed every 480 samples
ONSET_HOLD = 8  # frames left of onset protection
GAMMA_SLOW = 9  # slowly smoothed band posterior SNR, the reference an onset is detected against
LEARNED_SMOOTHED = 10  # the learned gain, smoothed in time (log domain)
LEARNED_GAIN = 11  # the learned estimator's gain, interpolated to this bin
BIN_ROWS = 12

# Indices into `tuning` (float64, fixed per sample rate, built by `NoiseReducer`).
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
T_ESTIMATE = 13  # which estimate joins the classic one, see ESTIMATE_*
T_ONSET_FRAMES = 14  # frames an onset holds max(side-chain gain, SPP gain); 0 = off
T_ONSET_RATIO = 15  # band posterior SNR over its slow average that counts as an onset
T_GAMMA_SLOW_ALPHA = 16
T_SPEECH_ATTEN_DB = 17  # attenuation at strength 1 in frames full of speech; < 0 = T_MAX_ATTEN_DB always
T_PRESENCE_LO_BIN = 18  # bins whose speech presence makes a frame count as speech
T_PRESENCE_HI_BIN = 19
T_LEARNED_RISE = 20  # noise-floor rise per frame of the learned estimator's features
T_LEARNED_BINS = 21  # bins (from 0) the learned estimator gives gains for; above, the classic gain
T_LEARNED_ALPHA = 22  # per-frame smoothing of the learned gain's log
TUNING_SIZE = 23

ESTIMATE_CLASSIC = 0  # SPP/MMSE gain only
ESTIMATE_RNNOISE = 1  # joined with the RNNoise side chain's gain by geometric mean
ESTIMATE_LEARNED = 2  # the learned estimator's gain (audio.learned_gains) joined below its top band


@njit(cache=True)
def exp_integral(x):
    """E1(x) for x > 0: power series below 1, Abramowitz & Stegun 5.1.56 above (error < 5e-5)."""
    if x < 1.0:
        total = -0.5772156649015329 - math.log(x)
        term = 1.0
        for k in range(1, 11):
            term *= -x / k
            total -= term / k
        return total
    num = x * x + 2.334733 * x + 0.250621
    den = x * x + 3.330657 * x + 1.681534
    return math.exp(-x) / x * num / den


@njit(cache=True)
def join_side_chain(bins, k, gain, gamma, onset_frames, onset_ratio, a_slow):
    """The geometric mean of the classic gain of bin k and the side-chain gain; while an onset is
    held (the band posterior SNR jumped above its slow average) the larger of the two, since the
    side-chain gain describes audio 20-30 ms old."""
    joined = math.sqrt(gain * bins[RNN_GAIN, k])
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
    joins_side_chain = int(tuning[T_ESTIMATE]) == ESTIMATE_RNNOISE
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
                gain = join_side_chain(bins, k, gain, mean_gamma, onset_frames, onset_ratio, a_slow)
        elif joins_side_chain:
            gain = join_side_chain(bins, k, gain, gamma, onset_frames, onset_ratio, a_slow)
        bins[GAIN_RAW, k] = max(gain, floor)


@njit(cache=True)
def smooth_gains(bins, a_release):
    """Instant attack, slow release: keeps onsets, stops isolated bins flickering (musical noise)."""
    n_bins = bins.shape[1]
    for k in range(n_bins):
        lo = bins[GAIN_RAW, k - 1] if k > 0 else bins[GAIN_RAW, k]
        hi = bins[GAIN_RAW, k + 1] if k < n_bins - 1 else bins[GAIN_RAW, k]
        target = 0.25 * lo + 0.5 * bins[GAIN_RAW, k] + 0.25 * hi
        held = a_release * bins[GAIN_SMOOTHED, k] + (1.0 - a_release) * target
        bins[GAIN_SMOOTHED, k] = max(target, held)
