"""The howl guard's look at one analysis frame (numba): the peak, how far it stands above its
neighbours, whether a voice's partials stand beside it, and how concentrated the power is around it.

A howl is a lone sinusoid (peak-to-neighbour and peak-to-harmonic ratios; van Waterschoot &
Moonen, "Fifty years of acoustic feedback control", Proc. IEEE 2011); a voice has partials at
2f, 3f or f/2. `audio.feedback_guard` decides from these figures, frame after frame.
"""

from __future__ import annotations

import numba
import numpy as np

from audio import fft

PHPR_DB = 25.0  # a partial within this of the peak's power makes it a voice's, not a howl


@numba.njit(cache=True)
def sine_dbfs(power: float, n: int) -> float:
    """The level of a sine whose bin holds `power` in an n-point Hann-windowed FFT."""
    return 20.0 * np.log10(4.0 * np.sqrt(power) / n + 1e-12)


@numba.njit(cache=True)
def analyse_frame(
    ring: np.ndarray,
    write: int,
    window: np.ndarray,
    buf: np.ndarray,
    tw: np.ndarray,
    rev: np.ndarray,
    power: np.ndarray,
    lo: int,
    hi: int,
    band: int,
) -> tuple[int, float, float, bool, bool, float]:
    """Window the ring (oldest sample at `write`) into `buf`, transform it and fill `power` for bins
    lo..hi. Returns the strongest bin, its power over its neighbours' (dB), its level as a sine
    (dBFS), whether a partial at 2f, 3f or f/2 stands near it (`harmonic`: not a lone tone),
    whether any of a voice's partials does (`voiced`, the band test's wider check), and the share
    of the power within `band` bins of the peak."""
    n = ring.shape[0]
    for i in range(n):
        buf[i] = ring[(write + i) % n] * window[i]
    fft.fft_inplace(buf, tw, rev, False)
    best = lo
    for k in range(lo, hi):
        power[k] = buf[k].real * buf[k].real + buf[k].imag * buf[k].imag
        if power[k] > power[best]:
            best = k
    neighbours = 0.0
    count = 0
    for d in range(4, 13):
        for k in (best - d, best + d):
            if lo <= k < hi:
                neighbours += power[k]
                count += 1
    ratio_db = 10.0 * np.log10(power[best] / (neighbours / max(count, 1) + 1e-20) + 1e-20)
    # A voiced sound has strong partials at 2f, 3f or f/2; a howl is a lone sinusoid. The peak
    # test looks only there, so that speech under a building howl does not hide it; the band
    # test, which has no peak to go on, also looks where the other harmonics of a voice whose
    # 3rd or 2nd harmonic the peak is would be.
    half = n // 2
    harmonic = False
    voiced = False
    for numerator, denominator, for_peak_test in (
        (2, 1, True),
        (3, 1, True),
        (1, 2, True),
        (1, 3, False),
        (2, 3, False),
        (3, 2, False),
    ):
        centre = best * numerator // denominator
        for k in range(centre - 1, centre + 2):
            if 1 <= k < half and abs(k - best) > 2:
                pk = buf[k].real * buf[k].real + buf[k].imag * buf[k].imag
                if pk * 10.0 ** (PHPR_DB / 10.0) > power[best]:
                    voiced = True
                    harmonic = harmonic or for_peak_test
    total = 0.0
    near = 0.0
    for k in range(lo, hi):
        total += power[k]
        if abs(k - best) <= band:
            near += power[k]
    return best, ratio_db, sine_dbfs(power[best], n), harmonic, voiced, near / (total + 1e-30)
