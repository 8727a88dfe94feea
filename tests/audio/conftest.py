"""Fixtures with real recordings for the audio tests."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    return load("speech_1089-134686-0000.wav")


@pytest.fixture(scope="session")
def doors() -> np.ndarray:
    return load("noise_door_shutting_a_8s.wav")
