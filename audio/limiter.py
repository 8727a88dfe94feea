"""The hard output ceiling: no sample leaving Hark exceeds `max_output_dbfs`.

Look-ahead peak limiter, linked across ears. For each sample the gain that would
put it exactly at the ceiling is computed; the minimum over a 1 ms look-ahead
window is then averaged over the same window. Every averaged value is at most
the gain needed by the delayed sample it multiplies, so the ceiling holds by
construction, with a smooth 1 ms attack instead of clipping. Release glides back
over 60 ms. A final clamp guards against rounding only.
"""

from __future__ import annotations

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

LOOKAHEAD_S = 0.001
_RELEASE_S = 0.06


@numba.njit(cache=True)
def _limit(
    x: np.ndarray,
    delay: np.ndarray,
    needed: np.ndarray,
    window_min: np.ndarray,
    pos: np.ndarray,
    gain: np.ndarray,
    ceiling: float,
    release: float,
) -> None:
    channels, n = x.shape
    length = needed.shape[0]  # look-ahead + 1
    p = pos[0]
    g = gain[0]
    for i in range(n):
        peak = 0.0
        for c in range(channels):
            a = abs(float(x[c, i]))
            if a > peak:
                peak = a
        needed[p] = ceiling / peak if peak > ceiling else 1.0
        m = 1.0
        for k in range(length):
            if needed[k] < m:
                m = needed[k]
        window_min[p] = m
        avg = 0.0
        for k in range(length):
            avg += window_min[k]
        avg /= length
        g = g * release + (1.0 - release)  # glide up towards unity...
        if avg < g:
            g = avg  # ...but never above what the delayed sample needs
        out = (p + 1) % length  # the oldest sample: `length - 1` samples ago
        for c in range(channels):
            delayed = delay[c, out]
            delay[c, p] = x[c, i]
            y = delayed * g
            if y > ceiling:
                y = ceiling
            elif y < -ceiling:
                y = -ceiling
            x[c, i] = y
        p = out
    pos[0] = p
    gain[0] = g


class Limiter(Processor):
    def _allocate(self) -> None:
        lookahead = max(1, round(LOOKAHEAD_S * self.sample_rate))
        self.latency_samples = lookahead
        self._delay = np.zeros((self.channels, lookahead + 1), dtype=np.float32)
        self._needed = np.ones(lookahead + 1)
        self._window_min = np.ones(lookahead + 1)
        self._pos = np.zeros(1, dtype=np.int64)
        self._gain = np.ones(1)
        self._release = smoothing_coefficient(_RELEASE_S, self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        # Applied at once, not glided: a lower ceiling is a safety request.
        self._ceiling = float(np.float32(10.0 ** (settings.max_output_dbfs / 20.0)))

    @property
    def ceiling(self) -> float:
        return self._ceiling

    def process(self, block: np.ndarray) -> None:
        _limit(
            block,
            self._delay,
            self._needed,
            self._window_min,
            self._pos,
            self._gain,
            self._ceiling,
            self._release,
        )

    def reset(self) -> None:
        self._delay[:] = 0.0
        self._needed[:] = 1.0
        self._window_min[:] = 1.0
        self._pos[0] = 0
        self._gain[0] = 1.0
