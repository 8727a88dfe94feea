"""Real recordings for the audio tests (see tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str, rate: int = 16000) -> np.ndarray:
    """A 16 kHz test recording as float32, resampled to `rate`."""
    x, sr = sf.read(DATA / name, dtype="float32")
    assert sr == 16000
    if rate != sr:
        x = resample_poly(x, rate // 50, 320)
    return np.asarray(x, dtype=np.float32)
