"""Master volume, per-ear balance, mute, and the fade-in that protects ears.

Gains glide (20 ms) so turning the volume never clicks. Output fades in over
200 ms (raised cosine) at start, on unmute and after device recovery; mute
fades out over 20 ms. The fade is its own stage after the limiter, so a fade-in
starts from true silence: nothing held in the limiter's look-ahead slips out.
"""

from __future__ import annotations

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

FADE_IN_S = 0.2
FADE_OUT_S = 0.02
_GAIN_GLIDE_S = 0.02


@numba.njit(cache=True)
def _apply_gains(x: np.ndarray, gains: np.ndarray, targets: np.ndarray, glide: float) -> None:
    channels, n = x.shape
    step = 1.0 - glide
    for c in range(channels):
        g = gains[c]
        t = targets[c]
        for i in range(n):
            g += step * (t - g)
            x[c, i] = x[c, i] * g
        gains[c] = g


@numba.njit(cache=True)
def _apply_fade(x: np.ndarray, fade: np.ndarray, target: float, up: float, down: float) -> None:
    channels, n = x.shape
    f = fade[0]
    for i in range(n):
        if f < target:
            f = min(target, f + up)
        elif f > target:
            f = max(target, f - down)
        shaped = 0.5 - 0.5 * np.cos(np.pi * f)
        for c in range(channels):
            x[c, i] = x[c, i] * shaped
    fade[0] = f


class Volume(Processor):
    """Master gain plus each ear's own gain."""

    def _allocate(self) -> None:
        self._gains = np.ones(self.channels)
        self._glide = smoothing_coefficient(_GAIN_GLIDE_S, self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        left = 10.0 ** ((settings.gain_db + settings.left_gain_db) / 20.0)
        right = 10.0 ** ((settings.gain_db + settings.right_gain_db) / 20.0)
        self._targets = np.array([left, right][: self.channels])

    def process(self, block: np.ndarray) -> None:
        _apply_gains(block, self._gains, self._targets, self._glide)

    def reset(self) -> None:
        self._gains[:] = self._targets


class Fade(Processor):
    """Mute, unmute and fade-in from silence; the last stage, after the limiter."""

    def __init__(self) -> None:
        super().__init__()
        self._ramp_requests = 0
        self._ramps_done = 0

    def _allocate(self) -> None:
        self._fade = np.zeros(1)
        self._up = 1.0 / (FADE_IN_S * self.sample_rate)
        self._down = 1.0 / (FADE_OUT_S * self.sample_rate)

    def configure(self, settings: ListeningSettings) -> None:
        self._target = 0.0 if settings.muted else 1.0

    def ramp_in(self) -> None:
        """Fade in from silence at the next block (any thread)."""
        self._ramp_requests += 1

    def process(self, block: np.ndarray) -> None:
        if self._ramps_done != self._ramp_requests:
            self._ramps_done = self._ramp_requests
            self._fade[0] = 0.0
        _apply_fade(block, self._fade, self._target, self._up, self._down)

    def reset(self) -> None:
        self._fade[0] = 0.0  # a reset stream starts silent and fades in
