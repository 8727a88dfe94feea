"""Wide-dynamic-range compression, per ear.

Feed-forward: a power envelope with separate attack and release, a soft-knee gain
curve (Giannoulis, Massberg & Reiss, "Digital dynamic range compressor design",
JAES 2012) and make-up gain chosen so that `reference_dbfs` passes unchanged:
softer sounds come up, louder ones go down. New settings, and turning it off,
glide over 50 ms, so the gain never jumps.
"""

from __future__ import annotations

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import CompressionSettings, ListeningSettings

_RMS_WINDOW_S = 0.005
_PARAMETER_GLIDE_S = 0.05
THRESHOLD, SLOPE, KNEE, MAKEUP, ENABLED = range(5)


def static_gain_db(level_db: float, threshold_db: float, slope: float, knee_db: float) -> float:
    """The gain curve, in Python for tests and design."""
    return float(_gain_db(level_db, threshold_db, slope, knee_db))


@numba.njit(cache=True)
def _gain_db(level_db: float, threshold_db: float, slope: float, knee_db: float) -> float:
    over = level_db - threshold_db
    if knee_db > 0.0 and 2.0 * abs(over) <= knee_db:
        t = over + knee_db / 2.0
        return slope * t * t / (2.0 * knee_db)
    if over > 0.0:
        return slope * over
    return 0.0


@numba.njit(cache=True)
def _compress(
    x: np.ndarray,
    mean_square: np.ndarray,
    level: np.ndarray,
    params: np.ndarray,
    targets: np.ndarray,
    attack: float,
    release: float,
    rms_keep: float,
    glide: float,
) -> None:
    channels, n = x.shape
    step = 1.0 - glide
    for i in range(n):
        for k in range(5):
            params[k] += step * (targets[k] - params[k])
        for c in range(channels):
            xi = float(x[c, i])
            # A short symmetric RMS first, then attack/release on the level in dB: a peak
            # detector on a sine reads it up to 3 dB high, which would shift the whole curve.
            mean_square[c] = rms_keep * mean_square[c] + (1.0 - rms_keep) * xi * xi
            level_db = 10.0 * np.log10(mean_square[c] + 1e-12)
            coeff = attack if level_db > level[c] else release
            level[c] = coeff * level[c] + (1.0 - coeff) * level_db
            g_db = params[ENABLED] * (
                _gain_db(level[c], params[THRESHOLD], params[SLOPE], params[KNEE]) + params[MAKEUP]
            )
            x[c, i] = xi * 10.0 ** (g_db / 20.0)


class Compressor(Processor):
    def _allocate(self) -> None:
        self._mean_square = np.zeros(self.channels)
        self._level = np.full(self.channels, -120.0)
        self._params = np.zeros(5)
        self._rms_keep = smoothing_coefficient(_RMS_WINDOW_S, self.sample_rate)
        self._glide = smoothing_coefficient(_PARAMETER_GLIDE_S, self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        c: CompressionSettings = settings.compression
        slope = 1.0 / c.ratio - 1.0
        makeup = -static_gain_db(c.reference_dbfs, c.threshold_dbfs, slope, c.knee_db)
        targets = np.array([c.threshold_dbfs, slope, c.knee_db, makeup, 1.0 if c.enabled else 0.0])
        attack = smoothing_coefficient(c.attack_ms / 1000.0, self.sample_rate)
        release = smoothing_coefficient(c.release_ms / 1000.0, self.sample_rate)
        self._runtime = (targets, attack, release)

    def process(self, block: np.ndarray) -> None:
        targets, attack, release = self._runtime
        _compress(
            block,
            self._mean_square,
            self._level,
            self._params,
            targets,
            attack,
            release,
            self._rms_keep,
            self._glide,
        )

    def reset(self) -> None:
        self._mean_square[:] = 0.0
        self._level[:] = -120.0
        self._params[:] = self._runtime[0]
