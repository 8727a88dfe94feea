"""DC removal and an adjustable high-pass for rumble and handling noise.

A 4th-order Butterworth (two biquads, Q 0.541 and 1.307) at `highpass_hz`: steep
enough to remove table knocks and traffic rumble below the voice's fundamental.
A 10 Hz DC blocker sits in front whenever the stage is on. Turning the stage off
crossfades to the unfiltered signal, so nothing clicks.
"""

from __future__ import annotations

import numpy as np

from audio import biquad
from audio.settings import ListeningSettings

_BUTTERWORTH_Q = (0.5411961, 1.3065630)
_DC_HZ = 10.0


class HighPass(biquad.SwitchableCascade):
    sections = 3
    glide_s = 0.01

    def design(self, settings: ListeningSettings) -> tuple[np.ndarray, bool]:
        target = np.empty((self.channels, 3, 5))
        target[:, 0] = biquad.highpass(_DC_HZ, 0.5, self.sample_rate)
        for k, q in enumerate(_BUTTERWORTH_Q):
            target[:, k + 1] = biquad.highpass(settings.highpass_hz, q, self.sample_rate)
        return target, settings.highpass_enabled
