"""Master volume, per-ear balance, mute, and the fade-in that protects ears.

Gains glide (20 ms) so turning the volume never clicks. Output fades in over
200 ms (raised cosine) at start, on unmute and after device recovery; mute
fades out over 20 ms.
"""

from __future__ import annotations

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

FADE_IN_S = 0.2
FADE_OUT_S = 0.02
_GAIN_GLIDE_S = 0.02


@numba.njit(cache=True, nogil=True)
def _apply(x: np.ndarray, gains: np.ndarray, targets: np.ndarray, fade: np.ndarray, fade_target: float,
           up: float, down: float, glide: float) -> None:
    channels, n = x.shape
    f = fade[0]
    g0, g1 = gains[0], gains[min(1, channels - 1)]
    t0, t1 = targets[0], targets[min(1, channels - 1)]
    step = 1.0 - glide
    for i in range(n):
        if f < fade_target:
            f = min(fade_target, f + up)
        elif f > fade_target:
            f = max(fade_target, f - down)
        shaped = 0.5 - 0.5 * np.cos(np.pi * f)
        g0 += step * (t0 - g0)
        g1 += step * (t1 - g1)
        x[0, i] = x[0, i] * g0 * shaped
        if channels > 1:
            x[1, i] = x[1, i] * g1 * shaped
    fade[0] = f
    gains[0] = g0
    if channels > 1:
        gains[1] = g1


class Volume(Processor):
    def __init__(self) -> None:
        super().__init__()
        self._ramp_requests = 0
        self._ramps_done = 0

    def _allocate(self) -> None:
        self._gains = np.ones(self.channels)
        self._fade = np.zeros(1)
        self._up = 1.0 / (FADE_IN_S * self.sample_rate)
        self._down = 1.0 / (FADE_OUT_S * self.sample_rate)
        self._glide = smoothing_coefficient(_GAIN_GLIDE_S, self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        left = 10.0 ** ((settings.gain_db + settings.left_gain_db) / 20.0)
        right = 10.0 ** ((settings.gain_db + settings.right_gain_db) / 20.0)
        self._targets = np.array([left, right][: self.channels])
        self._fade_target = 0.0 if settings.muted else 1.0

    def ramp_in(self) -> None:
        """Fade in from silence at the next block (any thread)."""
        self._ramp_requests += 1

    def process(self, block: np.ndarray) -> None:
        if self._ramps_done != self._ramp_requests:
            self._ramps_done = self._ramp_requests
            self._fade[0] = 0.0
        _apply(block, self._gains, self._targets, self._fade, self._fade_target, self._up, self._down,
               self._glide)

    def reset(self) -> None:
        self._gains[:] = self._targets
        self._fade[0] = 0.0  # a reset stream starts silent and fades in
