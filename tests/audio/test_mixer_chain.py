"""Synthetic speech through the listening chain: level, tone and balance, the ceiling, mute, and no change when idle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from recordings import load
from scipy.signal import welch
from test_mixer import tts  # noqa: F401  (the session fixture: real pyttsx3 speech)

from audio.chain import ListeningChain, _give_output, _split_to_ears, _take_input
from audio.mixer import NOMINAL_SPEECH_DBFS, active_rms_dbfs
from audio.settings import TONE_PRESETS, CompressionSettings, ListeningSettings

RATE, BLOCK = 48000, 128
SETTLE = 40  # blocks (107 ms) before the speech is pushed, past most of the start fade-in
PLAIN = ListeningSettings(gain_db=0.0, compression=CompressionSettings(enabled=False), max_output_dbfs=0.0)


def run(
    chain: ListeningChain,
    mic: np.ndarray,
    speech: tuple[np.ndarray, int] | None,
    blocks: int,
    changes: dict[int, ListeningSettings] | None = None,
) -> np.ndarray:
    """Run `blocks` blocks of `mic` (zero-padded); push `speech` after SETTLE blocks; (frames, 2) out."""
    chain.prepare(RATE, BLOCK)
    x = np.zeros((blocks * BLOCK, 1), dtype=np.float32)
    x[: min(len(mic), len(x)), 0] = mic[: len(x)]
    out = np.zeros((blocks * BLOCK, 2), dtype=np.float32)
    for b in range(blocks):
        if b == SETTLE and speech is not None:
            chain.speech.push(*speech)
        if changes and b in changes:
            chain.configure(changes[b])
        chain.process(x[b * BLOCK : (b + 1) * BLOCK], out[b * BLOCK : (b + 1) * BLOCK])
    return out


def blocks_for(speech: tuple[np.ndarray, int], extra_s: float = 0.3) -> int:
    x, rate = speech
    return SETTLE + math.ceil((len(x) / rate + extra_s) * RATE / BLOCK)


def test_speech_alone_comes_out_at_the_nominal_level_plus_the_gain(tts: tuple[np.ndarray, int]) -> None:  # noqa: F811
    blocks = blocks_for(tts)
    silence = np.zeros(0, dtype=np.float32)
    for gain in (0.0, -10.0, 6.0):
        settings = ListeningSettings(
            gain_db=gain, compression=CompressionSettings(enabled=False), max_output_dbfs=0.0
        )
        out = run(ListeningChain(settings), silence, tts, blocks)
        for ear in (0, 1):
            level = active_rms_dbfs(out[SETTLE * BLOCK :, ear], RATE)
            # The limiter may round off a few peaks at +6 dB; otherwise the level is exact.
            assert level == pytest.approx(NOMINAL_SPEECH_DBFS + gain, abs=0.3 if gain > 0 else 0.05)


def test_speech_gets_each_ears_balance_and_tone(tts: tuple[np.ndarray, int]) -> None:  # noqa: F811
    settings = ListeningSettings(
        gain_db=-6.0,
        left_gain_db=-8.0,
        right_gain_db=0.0,
        left_tone_db=TONE_PRESETS["low-cut"],
        right_tone_db=TONE_PRESETS["high-frequency-boost"],
        compression=CompressionSettings(enabled=False),
        max_output_dbfs=0.0,
    )
    plain = run(ListeningChain(PLAIN), np.zeros(0), tts, blocks_for(tts))[SETTLE * BLOCK :]
    shaped = run(ListeningChain(settings), np.zeros(0), tts, blocks_for(tts))[SETTLE * BLOCK :]
    freqs, p_plain = welch(plain[:, 0], RATE, nperseg=4096)
    _, p_left = welch(shaped[:, 0], RATE, nperseg=4096)
    _, p_right = welch(shaped[:, 1], RATE, nperseg=4096)

    def band_db(p: np.ndarray, hz: float) -> float:
        near = (freqs > hz / 2 ** (1 / 6)) & (freqs < hz * 2 ** (1 / 6))
        return 10 * math.log10(float(p[near].sum()) / float(p_plain[near].sum()))

    # What each ear gets, against the same speech through a flat chain at 0 dB.
    assert band_db(p_left, 250) == pytest.approx(-6 - 8 - 12, abs=1.5)
    assert band_db(p_left, 2000) == pytest.approx(-6 - 8 + 0, abs=1.5)
    assert band_db(p_right, 250) == pytest.approx(-6 + 0, abs=1.5)
    assert band_db(p_right, 4000) == pytest.approx(-6 + 14, abs=1.5)


@pytest.mark.parametrize("ceiling", [-6.0, -20.0])
def test_speech_and_loud_real_noise_at_40_db_gain_never_pass_the_ceiling(
    tts: tuple[np.ndarray, int],  # noqa: F811
    ceiling: float,
) -> None:
    doors = load("noise_door_shutting_a_8s.wav", RATE)
    babble = load("noise_babble_cafeteria_a_8s.wav", RATE)
    mic = doors + babble[: len(doors)]
    settings = ListeningSettings(gain_db=40.0, max_output_dbfs=ceiling)
    blocks = len(mic) // BLOCK
    with_speech = run(ListeningChain(settings), mic, tts, blocks)
    without = run(ListeningChain(settings), mic, None, blocks)
    limit = np.float32(10 ** (ceiling / 20))
    assert np.max(np.abs(with_speech)) <= limit
    assert np.max(np.abs(with_speech)) > 0.5 * limit  # the limiter was working, not idle
    # The speech is there: the outputs differ by a lot more than rounding while it plays.
    x, rate = tts
    span = slice(SETTLE * BLOCK, SETTLE * BLOCK + len(x) * RATE // rate)
    diff = with_speech[span, 0] - without[span, 0]
    assert 10 * math.log10(float(np.mean(diff.astype(np.float64) ** 2))) > ceiling - 30


def test_mute_silences_the_speech_within_20_ms(tts: tuple[np.ndarray, int]) -> None:  # noqa: F811
    muted = ListeningSettings(muted=True)
    mute_at = SETTLE + 100  # mid-sentence
    out = run(ListeningChain(ListeningSettings()), np.zeros(0), tts, blocks_for(tts), {mute_at: muted})
    assert np.max(np.abs(out[SETTLE * BLOCK : mute_at * BLOCK])) > 0.05  # it was playing
    after = mute_at * BLOCK + int(0.02 * RATE) + 1
    assert np.all(out[after:] == 0.0)
    # And a chain muted from the start never lets a sample of it out.
    silent = run(ListeningChain(muted), np.zeros(0), tts, blocks_for(tts))
    assert np.all(silent == 0.0)


def test_with_no_speech_queued_the_chain_is_bit_identical_to_the_chain_without_a_mixer() -> None:
    settings = ListeningSettings(gain_db=25.0, left_tone_db=TONE_PRESETS["speech-clarity"])
    mic = (
        load("speech_1089-134686-0000.wav", RATE)[: 3 * RATE]
        + load("noise_door_shutting_a_8s.wav", RATE)[: 3 * RATE]
    )
    ours = ListeningChain(settings)
    reference = ListeningChain(settings)
    ours.prepare(RATE, BLOCK)
    reference.prepare(RATE, BLOCK)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    ref = np.zeros((BLOCK, 2), dtype=np.float32)
    for b in range(len(mic) // BLOCK):
        block = np.ascontiguousarray(mic[b * BLOCK : (b + 1) * BLOCK].reshape(-1, 1))
        ours.process(block, out)
        # The chain's process as it was before speech joined, stage by stage.
        r = reference
        _take_input(block, r._mono)
        np.copyto(r._input_copy, r._mono)
        r.highpass.process(r._mono)
        r.noise_reducer.process(r._mono)
        _split_to_ears(r._mono, r._ears)
        for stage in (r.tone, r.compressor, r.volume, r.limiter, r.feedback_guard, r.fade):
            stage.process(r._ears)
        _give_output(r._ears, ref)
        assert out.tobytes() == ref.tobytes(), f"block {b} differs"
