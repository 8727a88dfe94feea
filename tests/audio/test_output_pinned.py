"""The listening chain's output, pinned to the bit.

A refactor of `audio/` must not change what the person hears. These checksums were taken from
the chain before its experiments moved out to `benchmarks/`; if one changes, the sound changed.
A deliberate change to the sound updates them in the same commit, saying why.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from audio.offline import process_signal
from audio.settings import ListeningSettings
from tests.audio.recordings import load

PINNED = {
    ("learned", 48000): "97fa4dbee392e9296907adcf10c21994bbbf5e38d6863b3a4a81cc1762f9047d",
    ("classic", 48000): "801872cb1bcbd8408d42236691ffbd33626a4f62b25d4c102768edb26f97796e",
    ("rnnoise-assisted", 48000): "611a34500dd2b84aaa9cefb95ba27042774d1dffd1e55ffed151e8c302a50036",
    # At 16 kHz every method runs the classic estimate.
    ("classic", 16000): "64666f00b787691201a9ac1a8925e031f5c7532406ca630a88194d281fda43a2",
    ("learned", 16000): "64666f00b787691201a9ac1a8925e031f5c7532406ca630a88194d281fda43a2",
}


def _noisy_speech(rate: int) -> np.ndarray:
    speech = load("speech_1998-15444-0005_2s.wav", rate)
    noise = load("noise_door_shutting_a_8s.wav", rate)[: len(speech)]
    return (speech + 0.5 * noise).astype(np.float32)


@pytest.mark.parametrize(("method", "rate"), sorted(PINNED))
def test_default_chain_output_is_unchanged(method: str, rate: int) -> None:
    result = process_signal(_noisy_speech(rate), rate, ListeningSettings(), noise_reduction_method=method)
    digest = hashlib.sha256(np.ascontiguousarray(result.output, dtype="<f4").tobytes()).hexdigest()
    assert digest == PINNED[(method, rate)]
