"""`hark process`'s report names the noise-reduction method that ran and the one asked for: below
48 kHz the learned and RNNoise-assisted methods run the classic estimate."""

from __future__ import annotations

import numpy as np
import pytest

from audio.chain import ListeningChain
from audio.errors import AudioError
from audio.offline import process_signal
from audio.settings import ListeningSettings


@pytest.mark.parametrize(
    ("method", "rate", "ran"),
    [
        ("learned", 48000, "learned"),
        ("learned", 16000, "classic"),
        ("rnnoise-assisted", 44100, "classic"),
        ("classic", 48000, "classic"),
        ("classic", 22050, "classic"),
    ],
)
def test_the_report_names_what_ran_and_what_was_asked_for(method: str, rate: int, ran: str) -> None:
    signal = (0.01 * np.random.default_rng(0).standard_normal(rate // 10)).astype(np.float32)
    report = process_signal(signal, rate, ListeningSettings(), noise_reduction_method=method).report
    assert report["noise_reduction_method"] == ran
    assert report["noise_reduction_method_requested"] == method


def test_the_chain_says_which_method_is_in_effect_after_prepare() -> None:
    chain = ListeningChain(noise_reduction_method="rnnoise-assisted")
    chain.prepare(48000, 128)
    assert chain.noise_reduction_method_in_effect == "rnnoise-assisted"
    chain.prepare(16000, 128)
    assert chain.noise_reduction_method_in_effect == "classic"


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(AudioError, match="choose one of: classic, learned, rnnoise-assisted"):
        ListeningChain(noise_reduction_method="rnn")
