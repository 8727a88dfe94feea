"""The howl guard in a real acoustic-style loop: the chain's output leaks back into its input."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load
from scipy.signal import butter, sosfilt

from audio.chain import ListeningChain
from audio.feedback_guard import FeedbackGuard
from audio.noise_reduction import DEFAULT_METHOD
from audio.offline import process_signal
from audio.settings import ListeningSettings

RATE = 48000
BLOCK = 128


def run_loop(
    guard: bool, leak_db: float = -10.0, method: str = DEFAULT_METHOD
) -> tuple[np.ndarray, ListeningChain, float]:
    """Speech at the mic plus the output fed back two blocks later through a 3 kHz resonance.

    The resonance stands in for a headphone leaking into a microphone: the loop gain
    passes 1 only near 3 kHz, where a howl then builds up.
    """
    speech = 0.1 * load("speech_1089-134686-0000.wav", RATE)
    chain = ListeningChain(ListeningSettings(gain_db=20.0, feedback_guard_enabled=guard), method)
    chain.prepare(RATE, BLOCK)
    sos = butter(2, [2800, 3200], btype="band", fs=RATE, output="sos")
    zi = np.zeros((sos.shape[0], 2))
    leak = 10 ** (leak_db / 20)
    history = [np.zeros(BLOCK, np.float32), np.zeros(BLOCK, np.float32)]
    mic = np.zeros((BLOCK, 1), np.float32)
    out = np.zeros((BLOCK, 2), np.float32)
    ears = []
    detected_s = float("inf")
    for b in range(len(speech) // BLOCK):
        feedback, zi = sosfilt(sos, history[-2] * leak, zi=zi)
        mic[:, 0] = speech[b * BLOCK : (b + 1) * BLOCK] + feedback
        chain.process(mic, out)
        ears.append(out[:, 0].copy())
        history.append(out[:, 0].copy())
        if chain.feedback_guard.events and detected_s == float("inf"):
            detected_s = (b + 1) * BLOCK / RATE
    return np.concatenate(ears), chain, detected_s


def tone_level_db(y: np.ndarray, hz: float = 3000.0, frame: int = RATE // 50) -> np.ndarray:
    """Level of the strongest component near `hz` in 20 ms frames."""
    frames = y[: len(y) // frame * frame].reshape(-1, frame)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1)) * 4 / frame
    k = round(hz * frame / RATE)
    return 20 * np.log10(spectrum[:, k - 3 : k + 4].max(axis=1) + 1e-9)


def test_howl_builds_up_without_the_guard() -> None:
    ears, chain, _ = run_loop(guard=False)
    level = tone_level_db(ears)
    assert chain.feedback_guard.events == 0
    assert np.sum(level > -25) > 10  # a sustained loud tone: the loop really howls


# The noise reducer sits inside the loop: an unsmoothed learned gain once modulated the building
# howl enough to hide it from the guard for a second.
@pytest.mark.parametrize("method", ["classic", "learned"])
@pytest.mark.parametrize("leak_db", [-10.0, -20.0, -25.0])
def test_guard_detects_within_200_ms_and_stops_the_howl(leak_db: float, method: str) -> None:
    assert_guard_stops_the_howl(leak_db, method)


# Weaker still, the loop gain is barely above 1 and the howl rises and collapses in bursts,
# through several of the loop's modes at once (about 300 Hz wide), so it fails the guard's peak
# and one-bin tests and is caught late (README, Known limits). With the learned reducer in the loop
# that happens from -26 to -31 dB; with the classic one only at -31 dB.
@pytest.mark.parametrize(
    ("leak_db", "method"),
    [
        (-27.0, "classic"),
        pytest.param(-27.0, "learned", marks=pytest.mark.xfail(strict=True, reason="bursty howl caught late")),
        pytest.param(-31.0, "classic", marks=pytest.mark.xfail(strict=True, reason="bursty howl caught late")),
    ],
)
def test_a_weaker_leak_is_caught_as_quickly(leak_db: float, method: str) -> None:
    assert_guard_stops_the_howl(leak_db, method)


def assert_guard_stops_the_howl(leak_db: float, method: str) -> None:
    without, _, _ = run_loop(guard=False, leak_db=leak_db, method=method)
    ears, chain, detected_s = run_loop(guard=True, leak_db=leak_db, method=method)
    howl = tone_level_db(without)
    onset_s = np.argmax(howl > -40) * 0.02  # when the unguarded howl first becomes loud
    assert detected_s - onset_s <= 0.2
    assert 2700 < chain.feedback_guard.last_howl_hz < 3300  # inside the leaky resonance
    level = tone_level_db(ears)
    # Half a second after detection the howl is gone (30 dB under the ceiling), while unguarded it rings on.
    after = slice(int((detected_s + 0.5) / 0.02), int((detected_s + 1.5) / 0.02))
    assert np.max(level[after]) < -36
    assert np.median(howl[after]) > -25
    # And it never sustains: no stretch of 300 ms stays loud anywhere.
    loud = (level > -30).astype(int)
    assert np.max(np.convolve(loud, np.ones(15), mode="valid")) < 15


@pytest.mark.parametrize("rate", [16000, 48000])
def test_no_false_alarm_on_real_speech_and_household_noise(rate: int) -> None:
    for name in (
        "speech_1089-134686-0000.wav",
        "speech_2033-164914-0000.wav",
        "noise_babble_cafeteria_a_8s.wav",
        "noise_door_shutting_a_8s.wav",
        "noise_air_conditioner_a_8s.wav",
    ):
        x = load(name, rate)
        x = 0.3 * x / np.max(np.abs(x))
        report = process_signal(x, rate, ListeningSettings(gain_db=20.0)).report
        assert report["feedback_events"] == 0, name


def test_a_howl_that_built_up_too_rough_to_see_is_caught_once_it_is_clean() -> None:
    """A noise reducer in the loop can chop a building howl up (here: a random gain of 0 to
    -20 dB every block) so that it never looks like a lone tone; once loud, it settles into one.
    Against only the 100-200 ms before, that steady loud tone looked like a machine whine and
    the guard let it ring at -12 dBFS."""
    rng = np.random.default_rng(3)
    t = np.arange(3 * RATE) / RATE
    level_db = np.minimum(-70.0 + 100.0 * t, -12.0)
    rough_db = np.repeat(rng.uniform(-20.0, 0.0, len(t) // BLOCK), BLOCK)
    clean_from_s = 1.5
    rough_db[int(clean_from_s * RATE) :] = 0.0
    x = 10 ** ((level_db + rough_db) / 20) * np.sin(2 * np.pi * 3000.0 * t) + 1e-3 * rng.standard_normal(len(t))
    guard = FeedbackGuard()
    guard.prepare(RATE, BLOCK, 2)
    guard.configure(ListeningSettings())
    detected_s = float("inf")
    for b in range(len(t) // BLOCK):
        guard.process(np.stack([x[b * BLOCK : (b + 1) * BLOCK]] * 2).astype(np.float32))
        if guard.events and detected_s == float("inf"):
            detected_s = (b + 1) * BLOCK / RATE
    assert clean_from_s < detected_s <= clean_from_s + 0.2
    assert abs(guard.last_howl_hz - 3000.0) < 100.0
