"""Real recordings for the audio tests (see tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str, rate: int = 16000) -> np.ndarray:
    x, sr = sf.read(DATA / name, dtype="float32")
    assert sr == 16000
    if rate != sr:
        x = resample_poly(
            x, rate // 1000 if rate % 1000 == 0 else rate // 50, 16 if rate % 1000 == 0 else 320
        )
    return np.asarray(x, dtype=np.float32)


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    return load("speech_1089-134686-0000.wav")


@pytest.fixture(scope="session")
def doors() -> np.ndarray:
    return load("noise_door_shutting_a_8s.wav")
