"""DC removal and an adjustable high-pass for rumble and handling noise.

A 4th-order Butterworth (two biquads, Q 0.541 and 1.307) at `highpass_hz`: steep
enough to remove table knocks and traffic rumble below the voice's fundamental.
A 10 Hz DC blocker sits in front whenever the stage is on. Turning the stage off
crossfades to the unfiltered signal, so nothing clicks.
"""

from __future__ import annotations

import numpy as np

from audio import biquad
from audio.processor import Processor, smoothing_coefficient
from audio.settings import ListeningSettings

_BUTTERWORTH_Q = (0.5411961, 1.3065630)
_DC_HZ = 10.0
_GLIDE_S = 0.01


class HighPass(Processor):
    def _allocate(self) -> None:
        shape = (self.channels, 3, 5)
        self._coeffs = np.empty(shape)
        self._coeffs[:] = biquad.IDENTITY
        self._state = np.zeros((self.channels, 3, 2))
        self._glide = smoothing_coefficient(_GLIDE_S, self.sample_rate)
        self._dry = np.zeros((self.channels, self.block_size), dtype=np.float32)
        self._weight = np.ones(1)

    def configure(self, settings: ListeningSettings) -> None:
        target = np.empty((self.channels, 3, 5))
        target[:, 0] = biquad.highpass(_DC_HZ, 0.5, self.sample_rate)
        for k, q in enumerate(_BUTTERWORTH_Q):
            target[:, k + 1] = biquad.highpass(settings.highpass_hz, q, self.sample_rate)
        # One assignment publishes both: the audio thread never sees a half-made pair.
        self._runtime = (target, 1.0 if settings.highpass_enabled else 0.0)

    def process(self, block: np.ndarray) -> None:
        target, wet = self._runtime
        np.copyto(self._dry, block)
        biquad.process_cascade(block, self._coeffs, target, self._state, self._glide)
        biquad.crossfade(block, self._dry, self._weight, wet, self._glide)

    def reset(self) -> None:
        self._state[:] = 0.0
        self._coeffs[:] = self._runtime[0]
        self._weight[0] = self._runtime[1]
