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
    guard: bool,
    leak_db: float = -10.0,
    method: str = DEFAULT_METHOD,
    rate: int = RATE,
    hz: float = 3000.0,
    repeats: int = 1,
) -> tuple[np.ndarray, ListeningChain, float]:
    """Speech at the mic (`repeats` times over) plus the output fed back two blocks later through
    a resonance at `hz`.

    The resonance stands in for a headphone leaking into a microphone: the loop gain
    passes 1 only near `hz`, where a howl then builds up.
    """
    speech = np.tile(0.1 * load("speech_1089-134686-0000.wav", rate), repeats)
    chain = ListeningChain(ListeningSettings(gain_db=20.0, feedback_guard_enabled=guard), method)
    chain.prepare(rate, BLOCK)
    sos = butter(2, [hz - 200, hz + 200], btype="band", fs=rate, output="sos")
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
            detected_s = (b + 1) * BLOCK / rate
    return np.concatenate(ears), chain, detected_s


def tone_level_db(y: np.ndarray, rate: int = RATE, hz: float = 3000.0) -> np.ndarray:
    """Level of the strongest component near `hz` in 20 ms frames."""
    frame = rate // 50
    frames = y[: len(y) // frame * frame].reshape(-1, frame)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1)) * 4 / frame
    k = round(hz * frame / rate)
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
# and one-bin tests; the band test catches it. At -31 dB with the learned reducer in the loop it
# only rings for about 50 ms at a time after each word, and is caught late (docs/howl-guard.md).
@pytest.mark.parametrize(
    ("leak_db", "method"),
    [
        (-27.0, "classic"),
        (-27.0, "learned"),
        (-29.0, "learned"),
        (-30.0, "learned"),
        (-31.0, "classic"),
        pytest.param(
            -31.0, "learned", marks=pytest.mark.xfail(strict=True, reason="short rings caught late")
        ),
    ],
)
def test_a_weaker_leak_is_caught_as_quickly(leak_db: float, method: str) -> None:
    assert_guard_stops_the_howl(leak_db, method)


# The leak at other frequencies: a sample of the cases the guard meets in full (docs/howl-guard.md
# has the whole grid; with the learned method weak leaks away from 3 kHz are often caught late).
@pytest.mark.parametrize(
    ("hz", "leak_db", "method"),
    [
        (1000.0, -20.0, "learned"),
        (1000.0, -31.0, "classic"),
        (1500.0, -10.0, "classic"),
        (1500.0, -28.0, "classic"),
        (2000.0, -20.0, "learned"),
        (2000.0, -31.0, "classic"),
        (5000.0, -10.0, "learned"),
        (5000.0, -25.0, "learned"),
    ],
)
def test_the_guard_catches_a_leak_at_other_frequencies(hz: float, leak_db: float, method: str) -> None:
    assert_guard_stops_the_howl(leak_db, method, hz=hz)


# At 16 kHz (classic method only) the loop's modes lie closer together than the guard's bins
# 4-12 away, so even a strong leak's howl stands under 22 dB there: the band test catches these.
@pytest.mark.parametrize("leak_db", [-10.0, -20.0, -25.0, -29.0])
def test_the_guard_catches_a_howl_at_16_khz(leak_db: float) -> None:
    assert_guard_stops_the_howl(leak_db, "classic", rate=16000)


def assert_guard_stops_the_howl(leak_db: float, method: str, rate: int = RATE, hz: float = 3000.0) -> None:
    without, _, _ = run_loop(guard=False, leak_db=leak_db, method=method, rate=rate, hz=hz)
    ears, chain, detected_s = run_loop(guard=True, leak_db=leak_db, method=method, rate=rate, hz=hz)
    howl = tone_level_db(without, rate, hz)
    onset_s = np.argmax(howl > -40) * 0.02  # when the unguarded howl first becomes loud
    assert detected_s - onset_s <= 0.2
    assert hz - 300 < chain.feedback_guard.last_howl_hz < hz + 300  # inside the leaky resonance
    level = tone_level_db(ears, rate, hz)
    # Half a second after detection the howl is gone (30 dB under the ceiling).
    after = slice(int((detected_s + 0.5) / 0.02), int((detected_s + 1.5) / 0.02))
    assert np.max(level[after]) < -36
    # And it never sustains: no stretch of 300 ms stays loud anywhere, while unguarded one does
    # after the moment of detection (at weak leaks the howl comes and goes, so not in any given second).
    assert longest_loud_frames(level) < 15
    assert longest_loud_frames(howl[int(detected_s / 0.02) :]) >= 15


def longest_loud_frames(level: np.ndarray) -> int:
    """The most 20 ms frames above -30 dBFS within any 300 ms."""
    return int(np.max(np.convolve((level > -30).astype(int), np.ones(15), mode="valid")))


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


def test_a_vowel_holding_nearly_all_the_power_near_one_frequency_is_not_a_howl() -> None:
    """In this clip the vowel's first formant sits on the voice's 3rd harmonic (720 Hz) and holds
    over 90 % of the power from 500 Hz up for more than 60 ms, which is what the band test looks
    for in a weak leak's bursts. Only the voice's other partials, at f/3 and 2f/3, give it away."""
    rate = 16000
    x = load("speech_1998-15444-0005_2s.wav", rate)
    result = process_signal(0.3 * x / np.max(np.abs(x)), rate, ListeningSettings(gain_db=20.0))
    assert longest_concentrated_s(result.output[:, 0], rate) > 0.06
    assert result.report["feedback_events"] == 0


def longest_concentrated_s(y: np.ndarray, rate: int, size: int = 512, hop: int = 128) -> float:
    """The longest time the power from 500 Hz to 0.45 x the rate lies 90 % within 250 Hz of its peak."""
    frames = np.lib.stride_tricks.sliding_window_view(y, size)[::hop]
    power = np.abs(np.fft.rfft(frames * np.hanning(size + 1)[:size], axis=1)) ** 2
    lo, hi, band = (round(hz * size / rate) for hz in (500.0, 0.45 * rate, 250.0))
    power = power[:, lo:hi]
    peak = np.argmax(power, axis=1)
    near = np.array([p[max(0, k - band) : k + band + 1].sum() for p, k in zip(power, peak, strict=True)])
    return longest_run(near >= 0.9 * power.sum(axis=1)) * hop / rate


def longest_run(flags: np.ndarray) -> int:
    """The most consecutive true values."""
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def test_a_howl_that_built_up_too_rough_to_see_is_caught_before_it_rings_loud() -> None:
    """A noise reducer in the loop can chop a building howl up (here: a random gain of 0 to
    -20 dB every block) so that it never looks like a lone tone; once loud, it settles into one.
    Against only the 100-200 ms before, that steady loud tone looked like a machine whine and
    the guard let it ring at -12 dBFS. The chopped tone still holds nearly all the power near
    its frequency, so the band test catches it while it builds, and the peak test, which
    remembers the second before, would once it is clean."""
    rng = np.random.default_rng(3)
    t = np.arange(3 * RATE) / RATE
    level_db = np.minimum(-70.0 + 100.0 * t, -12.0)
    rough_db = np.repeat(rng.uniform(-20.0, 0.0, len(t) // BLOCK), BLOCK)
    clean_from_s = 1.5
    rough_db[int(clean_from_s * RATE) :] = 0.0
    x = 10 ** ((level_db + rough_db) / 20) * np.sin(2 * np.pi * 3000.0 * t) + 1e-3 * rng.standard_normal(
        len(t)
    )
    guard = FeedbackGuard()
    guard.prepare(RATE, BLOCK, 2)
    guard.configure(ListeningSettings())
    detected_s = float("inf")
    for b in range(len(t) // BLOCK):
        guard.process(np.stack([x[b * BLOCK : (b + 1) * BLOCK]] * 2).astype(np.float32))
        if guard.events and detected_s == float("inf"):
            detected_s = (b + 1) * BLOCK / RATE
    assert detected_s <= clean_from_s
    assert np.max(level_db[: int(detected_s * RATE)]) < -20  # it would ring at -12 dBFS
    assert abs(guard.last_howl_hz - 3000.0) < 100.0


def tone_then_quiet(
    guard: FeedbackGuard, quiet_s: float, dies: bool = True, settings: ListeningSettings | None = None
) -> None:
    """A 3 kHz tone rising out of silence to -10 dBFS, as a howl does. If it `dies`, it stops as soon
    as the guard cuts, as a howl in the loop does; if not, it carries on for a second, as a machine's
    whine would. Then `quiet_s` of near silence, with the guard given `settings` as the quiet starts."""
    rng = np.random.default_rng(5)
    t = np.arange(2 * RATE) / RATE
    tone = 10 ** (np.minimum(-70.0 + 300.0 * t, -10.0) / 20) * np.sin(2 * np.pi * 3000.0 * t)
    cut_at = len(t)
    for b in range(len(t) // BLOCK):
        if guard.events and cut_at == len(t):
            cut_at = b * BLOCK if dies else min(len(t), b * BLOCK + RATE)
        block = tone[b * BLOCK : (b + 1) * BLOCK] * (np.arange(b * BLOCK, (b + 1) * BLOCK) < cut_at)
        guard.process(block[None, :].astype(np.float32))
    assert guard.events == 1
    if settings is not None:
        guard.configure(settings)
    for _ in range(int(quiet_s * RATE) // BLOCK):
        guard.process((1e-4 * rng.standard_normal((1, BLOCK))).astype(np.float32))


def prepared_guard() -> FeedbackGuard:
    guard = FeedbackGuard()
    guard.prepare(RATE, BLOCK, 1, ListeningSettings(gain_db=20.0))
    return guard


def test_after_a_howl_the_gain_is_given_back_only_to_a_margin_under_where_it_howled() -> None:
    """Given back in full, a steady leak howls again as soon as the gain passes where it howled.
    The cut comes back at 1 dB/s after a second of quiet, down to 3 dB under where it howled;
    that margin fades by 1 dB a minute over the quiet."""
    guard = prepared_guard()
    tone_then_quiet(guard, quiet_s=40.0)
    assert guard.reduction_db == pytest.approx(3.0 - 39.0 / 60.0, abs=0.1)


def test_a_tone_that_goes_on_after_the_cut_was_not_the_loop_and_is_not_remembered() -> None:
    guard = prepared_guard()
    tone_then_quiet(guard, quiet_s=40.0, dies=False)
    assert guard.reduction_db == 0.0


def test_the_guard_forgets_the_howl_over_minutes() -> None:
    guard = prepared_guard()
    tone_then_quiet(guard, quiet_s=200.0)
    assert guard.reduction_db == 0.0


@pytest.mark.parametrize(("down_db", "kept_db"), [(2.0, 1.0 - 39.0 / 60.0), (6.0, 0.0)])
def test_turning_the_volume_down_after_a_howl_takes_the_margin_with_it(
    down_db: float, kept_db: float
) -> None:
    """The assessor's own turn down is what the guard would have kept: it does not cut on top of it."""
    guard = prepared_guard()
    tone_then_quiet(guard, quiet_s=40.0, settings=ListeningSettings(gain_db=20.0 - down_db))
    assert guard.reduction_db == pytest.approx(kept_db, abs=0.1)


# A leak that stays, over 31 s: giving the gain back must not start the howl again and again. Before,
# it howled four times and rang for up to 240 ms; now the second howl, at the first cut's margin, is
# the last, and is caught before it stands out.
@pytest.mark.parametrize(
    ("hz", "leak_db"), [(1000.0, -20.0), (2000.0, -28.0), (3000.0, -20.0), (3000.0, -25.0)]
)
def test_a_leak_that_stays_does_not_howl_again_for_long(hz: float, leak_db: float) -> None:
    ears, chain, detected_s = run_loop(guard=True, leak_db=leak_db, hz=hz, repeats=3)
    level = tone_level_db(ears, RATE, hz)
    speech_alone = tone_level_db(run_loop(guard=True, leak_db=-200.0, hz=hz, repeats=3)[0], RATE, hz)
    later = slice(int((detected_s + 0.5) / 0.02), None)
    # Loud and above what the speech alone puts there: at most 40 ms on end after the first cut.
    assert longest_run((level[later] > -30) & (level[later] > speech_alone[later] + 10)) <= 2
    assert chain.feedback_guard.events <= 2
