"""Wide-dynamic-range compression, per ear.

Feed-forward: a power envelope with separate attack and release, a soft-knee gain
curve (Giannoulis, Massberg & Reiss, "Digital dynamic range compressor design",
JAES 2012) and make-up gain chosen so that `reference_dbfs` passes unchanged:
softer sounds come up, louder ones go down. Turning it off glides to 0 dB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import CompressionSettings, ListeningSettings

_ENABLE_GLIDE_S = 0.05


@dataclass(frozen=True)
class _Runtime:
    threshold_db: float
    slope: float  # 1/ratio - 1
    knee_db: float
    makeup_db: float
    attack: float
    release: float
    enabled: float


def static_gain_db(level_db: float, threshold_db: float, slope: float, knee_db: float) -> float:
    """The gain curve, in Python for tests and design."""
    return float(_gain_db(level_db, threshold_db, slope, knee_db))


@numba.njit(cache=True, nogil=True)
def _gain_db(level_db: float, threshold_db: float, slope: float, knee_db: float) -> float:
    over = level_db - threshold_db
    if knee_db > 0.0 and 2.0 * abs(over) <= knee_db:
        t = over + knee_db / 2.0
        return slope * t * t / (2.0 * knee_db)
    if over > 0.0:
        return slope * over
    return 0.0


@numba.njit(cache=True, nogil=True)
def _compress(
    x: np.ndarray, envelope: np.ndarray, weight: np.ndarray, threshold_db: float, slope: float,
    knee_db: float, makeup_db: float, attack: float, release: float, enabled: float, glide: float,
) -> None:
    channels, n = x.shape
    for c in range(channels):
        env = envelope[c]
        w = weight[0]
        for i in range(n):
            p = float(x[c, i]) * float(x[c, i])
            coeff = attack if p > env else release
            env = coeff * env + (1.0 - coeff) * p
            w = glide * w + (1.0 - glide) * enabled
            level_db = 10.0 * np.log10(env + 1e-12)
            g_db = w * (_gain_db(level_db, threshold_db, slope, knee_db) + makeup_db)
            x[c, i] = x[c, i] * 10.0 ** (g_db / 20.0)
        envelope[c] = env
        if c == channels - 1:
            weight[0] = w


class Compressor(Processor):
    def _allocate(self) -> None:
        self._envelope = np.zeros(self.channels)
        self._weight = np.ones(1)
        self._glide = smoothing_coefficient(_ENABLE_GLIDE_S, self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        c: CompressionSettings = settings.compression
        slope = 1.0 / c.ratio - 1.0
        makeup = -static_gain_db(c.reference_dbfs, c.threshold_dbfs, slope, c.knee_db)
        self._runtime = _Runtime(
            threshold_db=c.threshold_dbfs,
            slope=slope,
            knee_db=c.knee_db,
            makeup_db=makeup,
            attack=smoothing_coefficient(c.attack_ms / 1000.0, self.sample_rate),
            release=smoothing_coefficient(c.release_ms / 1000.0, self.sample_rate),
            enabled=1.0 if c.enabled else 0.0,
        )

    def process(self, block: np.ndarray) -> None:
        r = self._runtime
        _compress(
            block, self._envelope, self._weight, r.threshold_db, r.slope, r.knee_db, r.makeup_db,
            r.attack, r.release, r.enabled, self._glide,
        )

    def reset(self) -> None:
        self._envelope[:] = 0.0
        self._weight[0] = self._runtime.enabled
