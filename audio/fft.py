"""Radix-2 FFT kernels that write into preallocated arrays (numpy.fft allocates).

`plan(n)` precomputes twiddles and the bit-reversal table once; `fft_inplace`
then transforms a complex128 array of length n in place; `real_fft` and
`inverse_real_fft` do a real frame of 2n through one such transform (`half_twiddles`:
exp(-2j pi k / 2n) for k = 0..n). Used by the noise
reducer and the feedback guard inside the audio callback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from audio.errors import AudioError


@dataclass(frozen=True)
class FFTPlan:
    n: int
    twiddles: np.ndarray  # complex128, length n // 2: exp(-2j pi k / n)
    bitrev: np.ndarray  # int64 permutation


def plan(n: int) -> FFTPlan:
    if n < 2 or n & (n - 1):
        raise AudioError(f"FFT size must be a power of two, got {n}")
    bits = n.bit_length() - 1
    idx = np.arange(n)
    rev = np.zeros(n, dtype=np.int64)
    for b in range(bits):
        rev |= ((idx >> b) & 1) << (bits - 1 - b)
    tw = np.exp(-2j * np.pi * np.arange(n // 2) / n)
    return FFTPlan(n, tw.astype(np.complex128), rev)


@numba.njit(cache=True)
def fft_inplace(x: np.ndarray, twiddles: np.ndarray, bitrev: np.ndarray, inverse: bool) -> None:
    """In-place FFT of complex128 `x`; the inverse is scaled by 1/n."""
    n = x.shape[0]
    for i in range(n):
        j = bitrev[i]
        if j > i:
            t = x[i]
            x[i] = x[j]
            x[j] = t
    size = 2
    while size <= n:
        half = size // 2
        step = n // size
        for start in range(0, n, size):
            for k in range(half):
                w = twiddles[k * step]
                if inverse:
                    w = w.conjugate()
                a = x[start + k]
                b = x[start + k + half] * w
                x[start + k] = a + b
                x[start + k + half] = a - b
        size *= 2
    if inverse:
        scale = 1.0 / n
        for i in range(n):
            x[i] = x[i] * scale


@numba.njit(cache=True)
def real_fft(frame, work, spec, twiddles, bitrev, half_twiddles):
    """Spectrum (n/2 + 1 bins) of real `frame` via one complex FFT of half the size."""
    m = work.shape[0]
    for n in range(m):
        work[n] = complex(frame[2 * n], frame[2 * n + 1])
    fft_inplace(work, twiddles, bitrev, False)
    for k in range(m + 1):
        zk = work[k % m]
        zc = work[(m - k) % m].conjugate()
        even = 0.5 * (zk + zc)
        odd = -0.5j * (zk - zc)
        spec[k] = even + half_twiddles[k] * odd


@numba.njit(cache=True)
def inverse_real_fft(spec, work, frame, twiddles, bitrev, half_twiddles):
    """Real `frame` (n samples) from its n/2 + 1 bins, via one complex inverse FFT of half the size."""
    m = work.shape[0]
    for k in range(m):
        a = spec[k]
        b = spec[m - k].conjugate()
        even = 0.5 * (a + b)
        odd = 0.5 * (a - b) * half_twiddles[k].conjugate()
        work[k] = even + 1j * odd
    fft_inplace(work, twiddles, bitrev, True)
    for n in range(m):
        frame[2 * n] = work[n].real
        frame[2 * n + 1] = work[n].imag
