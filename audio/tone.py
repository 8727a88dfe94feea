"""Per-ear frequency shaping: eight bands at the audiometric frequencies.

A low shelf at 250 Hz, peaking filters from 500 Hz to 4 kHz and a high shelf at
6 kHz per ear. Neighbouring bands overlap, so the gains asked for are corrected
a few times against the cascade's actual response at the band centres (off the
audio thread) until the response matches the request to within about 1 dB.
"""

from __future__ import annotations

import numpy as np

from audio import biquad
from audio.settings import TONE_BAND_HZ, ListeningSettings

_PEAK_Q = 1.2
_CORRECTION_PASSES = 6


def design_ear(gains_db: tuple[float, ...], sample_rate: float) -> np.ndarray:
    """Coefficients (bands, 5) whose cascade response at the band centres matches `gains_db`."""
    wanted = np.asarray(gains_db, dtype=float)
    # At low rates the top band may sit near Nyquist: keep every corner below 0.45 fs.
    centres = np.minimum(np.asarray(TONE_BAND_HZ), 0.45 * sample_rate)
    if not np.any(wanted):
        return _cascade(wanted, centres, sample_rate)
    # How much each band's gain moves the response at every centre: peaking filters
    # are close to linear in dB, so a few Newton steps with this matrix converge.
    probe_db = 6.0
    interaction = np.empty((len(centres), len(centres)))
    for k in range(len(centres)):
        probe = np.zeros(len(centres))
        probe[k] = probe_db
        interaction[:, k] = (
            biquad.response_db(_cascade(probe, centres, sample_rate), centres, sample_rate) / probe_db
        )
    applied = np.linalg.solve(interaction, wanted)
    for _ in range(_CORRECTION_PASSES):
        applied = np.clip(applied, -30.0, 30.0)
        error = wanted - biquad.response_db(_cascade(applied, centres, sample_rate), centres, sample_rate)
        if np.max(np.abs(error)) < 0.05:
            break
        applied = applied + np.linalg.solve(interaction, error)
    return _cascade(np.clip(applied, -30.0, 30.0), centres, sample_rate)


def _cascade(gains: np.ndarray, centres: np.ndarray, sample_rate: float) -> np.ndarray:
    last = len(gains) - 1
    sections = []
    for k, (hz, db) in enumerate(zip(centres, gains, strict=True)):
        if k == 0:
            # The shelf corner sits above the band centre so 250 Hz gets the full gain.
            sections.append(biquad.shelf(hz * 1.4, db, sample_rate, high=False))
        elif k == last:
            sections.append(biquad.shelf(hz / 1.4, db, sample_rate, high=True))
        else:
            sections.append(biquad.peaking(hz, _PEAK_Q, db, sample_rate))
    return np.array(sections)


class ToneShaper(biquad.SwitchableCascade):
    sections = len(TONE_BAND_HZ)
    glide_s = 0.015

    def design(self, settings: ListeningSettings) -> tuple[np.ndarray, bool]:
        target = np.empty((self.channels, len(TONE_BAND_HZ), 5))
        ears = (settings.left_tone_db, settings.right_tone_db)
        for c in range(self.channels):
            target[c] = design_ear(ears[min(c, 1)], self.sample_rate)
        return target, settings.tone_enabled
