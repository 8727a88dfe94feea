"""Cascaded biquads whose coefficients glide to new targets sample by sample.

Gliding is click-free and always stable: a biquad is stable exactly when its
(a1, a2) lie inside the stability triangle, which is convex, so every point on
the straight line between two stable designs is stable too.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

IDENTITY = (1.0, 0.0, 0.0, 0.0, 0.0)  # b0, b1, b2, a1, a2 (a0 normalised to 1)


def highpass(cutoff_hz: float, q: float, sample_rate: float) -> tuple[float, ...]:
    """RBJ cookbook second-order high-pass."""
    w0 = 2.0 * math.pi * cutoff_hz / sample_rate
    alpha = math.sin(w0) / (2.0 * q)
    cw = math.cos(w0)
    a0 = 1.0 + alpha
    return ((1 + cw) / 2 / a0, -(1 + cw) / a0, (1 + cw) / 2 / a0, -2 * cw / a0, (1 - alpha) / a0)


def peaking(center_hz: float, q: float, gain_db: float, sample_rate: float) -> tuple[float, ...]:
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * center_hz / sample_rate
    alpha = math.sin(w0) / (2.0 * q)
    cw = math.cos(w0)
    a0 = 1.0 + alpha / a
    return ((1 + alpha * a) / a0, -2 * cw / a0, (1 - alpha * a) / a0, -2 * cw / a0, (1 - alpha / a) / a0)


def shelf(corner_hz: float, gain_db: float, sample_rate: float, high: bool) -> tuple[float, ...]:
    """RBJ cookbook shelving filter with shelf slope 1."""
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * corner_hz / sample_rate
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw / 2.0 * math.sqrt(2.0)
    sa = 2.0 * math.sqrt(a) * alpha
    if high:
        b0, b1, b2 = (
            a * ((a + 1) + (a - 1) * cw + sa),
            -2 * a * ((a - 1) + (a + 1) * cw),
            a * ((a + 1) + (a - 1) * cw - sa),
        )
        a0, a1, a2 = (a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa
    else:
        b0, b1, b2 = (
            a * ((a + 1) - (a - 1) * cw + sa),
            2 * a * ((a - 1) - (a + 1) * cw),
            a * ((a + 1) - (a - 1) * cw - sa),
        )
        a0, a1, a2 = (a + 1) + (a - 1) * cw + sa, -2 * ((a - 1) + (a + 1) * cw), (a + 1) + (a - 1) * cw - sa
    return (b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0)


def response_db(coeffs: np.ndarray, freqs_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    """Magnitude response in dB of a cascade `coeffs` (sections, 5) at `freqs_hz` (off the audio thread)."""
    z = np.exp(-1j * 2 * np.pi * np.asarray(freqs_hz) / sample_rate)
    h = np.ones_like(z)
    for b0, b1, b2, a1, a2 in coeffs:
        h = h * (b0 + b1 * z + b2 * z * z) / (1 + a1 * z + a2 * z * z)
    return np.asarray(20 * np.log10(np.maximum(np.abs(h), 1e-12)))


@numba.njit(cache=True)
def process_cascade(
    x: np.ndarray, coeffs: np.ndarray, target: np.ndarray, state: np.ndarray, glide: float
) -> None:
    """Filter x (channels, n) float32 in place through per-channel cascades.

    coeffs/target: (channels, sections, 5) float64; coeffs glide towards target by
    `glide` (one-pole coefficient per sample) and keep their new values.
    state: (channels, sections, 2) float64, transposed direct form II.
    """
    channels, n = x.shape
    sections = coeffs.shape[1]
    step = 1.0 - glide
    for c in range(channels):
        for s in range(sections):
            b0, b1, b2 = coeffs[c, s, 0], coeffs[c, s, 1], coeffs[c, s, 2]
            a1, a2 = coeffs[c, s, 3], coeffs[c, s, 4]
            t0, t1, t2 = target[c, s, 0], target[c, s, 1], target[c, s, 2]
            t3, t4 = target[c, s, 3], target[c, s, 4]
            gliding = (abs(t0 - b0) + abs(t1 - b1) + abs(t2 - b2) + abs(t3 - a1) + abs(t4 - a2)) > 1e-12
            z1, z2 = state[c, s, 0], state[c, s, 1]
            for i in range(n):
                if gliding:
                    b0 += step * (t0 - b0)
                    b1 += step * (t1 - b1)
                    b2 += step * (t2 - b2)
                    a1 += step * (t3 - a1)
                    a2 += step * (t4 - a2)
                xi = x[c, i]
                y = b0 * xi + z1
                z1 = b1 * xi - a1 * y + z2
                z2 = b2 * xi - a2 * y
                x[c, i] = y
            # Flush denormals: a decaying tail would otherwise slow the CPU down a hundredfold.
            if abs(z1) < 1e-25:
                z1 = 0.0
            if abs(z2) < 1e-25:
                z2 = 0.0
            state[c, s, 0], state[c, s, 1] = z1, z2
            coeffs[c, s, 0], coeffs[c, s, 1], coeffs[c, s, 2] = b0, b1, b2
            coeffs[c, s, 3], coeffs[c, s, 4] = a1, a2


@numba.njit(cache=True)
def crossfade(wet: np.ndarray, dry: np.ndarray, weight: np.ndarray, target: float, glide: float) -> None:
    """wet = dry + w (wet - dry), with w gliding towards `target`: switching a stage on or off.

    Gliding the coefficients to identity instead would leave the filter's state
    mismatched to its new coefficients and ring; a crossfade of two running
    outputs cannot.
    """
    channels, n = wet.shape
    w = weight[0]
    step = 1.0 - glide
    for i in range(n):
        w += step * (target - w)
        for c in range(channels):
            wet[c, i] = dry[c, i] + w * (wet[c, i] - dry[c, i])
    weight[0] = w


class SwitchableCascade(Processor):
    """A per-channel biquad cascade that glides to new designs and crossfades on and off.

    Subclasses say how many sections they use and `design` the target coefficients
    (channels, sections, 5) and whether the stage is on, off the audio thread.
    """

    sections = 1
    glide_s = 0.01

    def design(self, settings: ListeningSettings) -> tuple[np.ndarray, bool]:
        raise NotImplementedError

    def _allocate(self) -> None:
        self._coeffs = np.empty((self.channels, self.sections, 5))
        self._coeffs[:] = IDENTITY
        self._state = np.zeros((self.channels, self.sections, 2))
        self._glide = smoothing_coefficient(self.glide_s, self.sample_rate)
        self._dry = np.zeros((self.channels, self.block_size), dtype=np.float32)
        self._weight = np.ones(1)

    def configure(self, settings: ListeningSettings) -> None:
        target, enabled = self.design(settings)
        # One assignment publishes both: the audio thread never sees a half-made pair.
        self._runtime = (target, 1.0 if enabled else 0.0)

    def process(self, block: np.ndarray) -> None:
        target, wet = self._runtime
        np.copyto(self._dry, block)
        process_cascade(block, self._coeffs, target, self._state, self._glide)
        crossfade(block, self._dry, self._weight, wet, self._glide)

    def reset(self) -> None:
        self._state[:] = 0.0
        self._coeffs[:] = self._runtime[0]
        self._weight[0] = self._runtime[1]
