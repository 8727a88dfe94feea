"""Input and output level meters, written by the audio thread, read by anyone.

The audio thread writes plain floats into one preallocated array; readers copy
it. No lock is needed: each value is a single 8-byte store, and a reader that
sees one meter a block newer than another loses nothing a person could see.
Peaks fall back at 20 dB per second like a programme meter; RMS is averaged
over about 300 ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

IN_PEAK, IN_RMS, LEFT_PEAK, LEFT_RMS, RIGHT_PEAK, RIGHT_RMS, MAX_OUT, MAX_IN = range(8)
_PEAK_FALL_DB_PER_S = 20.0
_RMS_TIME_S = 0.3


def dbfs(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 1e-10 else -200.0


@dataclass(frozen=True)
class Levels:
    input_peak_dbfs: float
    input_rms_dbfs: float
    left_peak_dbfs: float
    left_rms_dbfs: float
    right_peak_dbfs: float
    right_rms_dbfs: float
    max_output_dbfs: float
    max_input_dbfs: float


@numba.njit(cache=True)
def _measure(mono: np.ndarray, stereo: np.ndarray, values: np.ndarray, fall: float, rms_keep: float) -> None:
    n = mono.shape[1]
    peak = 0.0
    power = 0.0
    for i in range(n):
        a = abs(float(mono[0, i]))
        power += a * a
        if a > peak:
            peak = a
    values[IN_PEAK] = max(peak, values[IN_PEAK] * fall)
    values[MAX_IN] = max(peak, values[MAX_IN])
    values[IN_RMS] = np.sqrt(rms_keep * values[IN_RMS] ** 2 + (1.0 - rms_keep) * power / n)
    for c in range(2):
        peak = 0.0
        power = 0.0
        for i in range(n):
            a = abs(float(stereo[c, i]))
            power += a * a
            if a > peak:
                peak = a
        k = LEFT_PEAK if c == 0 else RIGHT_PEAK
        values[k] = max(peak, values[k] * fall)
        values[k + 1] = np.sqrt(rms_keep * values[k + 1] ** 2 + (1.0 - rms_keep) * power / n)
        values[MAX_OUT] = max(peak, values[MAX_OUT])


class Meters:
    def __init__(self) -> None:
        self.values = np.zeros(8)
        self._fall = 1.0
        self._rms_keep = 0.0

    def prepare(self, sample_rate: int, block_size: int) -> None:
        block_s = block_size / sample_rate
        self._fall = 10.0 ** (-_PEAK_FALL_DB_PER_S * block_s / 20.0)
        self._rms_keep = math.exp(-block_s / _RMS_TIME_S)
        self.values[:] = 0.0

    def update(self, mono: np.ndarray, stereo: np.ndarray) -> None:
        """Audio thread: mono (1, n) input and stereo (2, n) output blocks."""
        _measure(mono, stereo, self.values, self._fall, self._rms_keep)

    def read(self) -> Levels:
        v = self.values.copy()
        return Levels(
            *(
                dbfs(float(x))
                for x in v[[IN_PEAK, IN_RMS, LEFT_PEAK, LEFT_RMS, RIGHT_PEAK, RIGHT_RMS, MAX_OUT, MAX_IN]]
            )
        )
