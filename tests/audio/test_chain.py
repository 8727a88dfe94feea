"""The listening chain on real recordings: safety, smoothness, per-ear shaping, block independence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from recordings import load

from audio.chain import ListeningChain
from audio.offline import process_signal
from audio.processor import SUPPORTED_RATES
from audio.settings import TONE_PRESETS, CompressionSettings, ListeningSettings


def run_blocks(
    chain: ListeningChain, x: np.ndarray, changes: dict[int, ListeningSettings] | None = None
) -> np.ndarray:
    n = chain.block_size
    blocks = len(x) // n
    out = np.zeros((blocks * n, 2), dtype=np.float32)
    inp = np.ascontiguousarray(x[: blocks * n].reshape(-1, 1))
    for b in range(blocks):
        if changes and b in changes:
            chain.configure(changes[b])
        chain.process(inp[b * n : (b + 1) * n], out[b * n : (b + 1) * n])
    return out


def click_ratio(y: np.ndarray, freq: float, rate: int) -> float:
    """Largest sample step relative to what a sine of the local amplitude can do (1.0 = none bigger)."""
    w = 2 * np.pi * freq / rate
    period = int(rate / freq) + 1
    local = np.maximum.accumulate(np.abs(y))  # never below any earlier peak: a fade-out cannot hide a click
    windowed = np.array([np.abs(y[max(0, i - period) : i + period]).max() for i in range(0, len(y) - 1)])
    amplitude = np.maximum(windowed, 1e-6 * local[:-1] + 1e-9)
    return float(np.max(np.abs(np.diff(y)) / (w * amplitude)))


@pytest.mark.parametrize("rate", SUPPORTED_RATES)
def test_ceiling_holds_on_door_slams_at_40_db_gain(rate: int) -> None:
    doors = load("noise_door_shutting_a_8s.wav", rate)
    speech = load("speech_1089-134686-0000.wav", rate)[: len(doors)]
    mix = doors + np.pad(speech, (0, len(doors) - len(speech)))
    for ceiling in (-6.0, -20.0, 0.0):
        settings = ListeningSettings(gain_db=40.0, max_output_dbfs=ceiling, noise_reduction_enabled=False)
        out = process_signal(mix, rate, settings).output
        limit = np.float32(10 ** (ceiling / 20))
        assert np.max(np.abs(out)) <= limit
        # and it is really limiting: the slams would be far above the ceiling otherwise
        assert np.max(np.abs(out)) > 0.5 * limit


def test_ceiling_holds_on_clipped_full_scale_bursts_and_every_setting_swap(speech: np.ndarray) -> None:
    rate = 16000
    rng = np.random.default_rng(1)
    burst = np.sign(rng.standard_normal(rate // 2)).astype(np.float32)  # 0 dBFS square noise
    x = np.concatenate(
        [speech[:rate], burst, speech[rate : 2 * rate], burst[:500], np.ones(rate, np.float32)]
    )
    chain = ListeningChain(ListeningSettings(gain_db=50.0))
    chain.prepare(rate, 128)
    loud = ListeningSettings(
        gain_db=50.0,
        tone_enabled=True,
        left_tone_db=TONE_PRESETS["high-frequency-boost"],
        compression=CompressionSettings(enabled=False),
        noise_reduction_enabled=False,
    )
    lower = dataclasses.replace(loud, max_output_dbfs=-30.0)
    out = run_blocks(chain, x, {40: loud, 130: lower, 200: loud})
    assert np.max(np.abs(out[: 130 * 128])) <= np.float32(10 ** (-6 / 20))
    assert np.max(np.abs(out[130 * 128 : 200 * 128])) <= np.float32(10 ** (-30 / 20))
    assert np.max(np.abs(out)) <= np.float32(10 ** (-6 / 20))


def test_start_fades_in_over_200_ms_without_a_step(speech: np.ndarray) -> None:
    rate = 48000
    tone = (0.05 * np.sin(2 * np.pi * 1000 * np.arange(rate) / rate)).astype(np.float32)
    settings = ListeningSettings(
        noise_reduction_enabled=False,
        compression=CompressionSettings(enabled=False),
        feedback_guard_enabled=False,
        gain_db=0.0,
        highpass_enabled=False,
    )
    chain = ListeningChain(settings)
    chain.prepare(rate, 128)
    out = run_blocks(chain, tone)[:, 0]
    envelope = np.array([np.abs(out[i : i + 48]).max() for i in range(0, len(out) - 48, 48)])
    full = envelope[-20:].mean()
    assert envelope[0] < 0.01 * full  # starts silent
    ramp_end = int(0.2 * rate / 48) + 3
    assert envelope[ramp_end:].min() > 0.98 * full  # full level after about 200 ms
    assert envelope[int(0.1 * rate / 48)] < 0.75 * full  # and it really took that long
    assert click_ratio(out, 1000, rate) < 1.1


def test_mute_unmute_and_recovery_ramps_have_no_step() -> None:
    rate = 48000
    tone = (0.1 * np.sin(2 * np.pi * 500 * np.arange(2 * rate) / rate)).astype(np.float32)
    base = ListeningSettings(noise_reduction_enabled=False, feedback_guard_enabled=False, gain_db=0.0)
    chain = ListeningChain(base)
    chain.prepare(rate, 128)
    muted = dataclasses.replace(base, muted=True)
    n = 128
    blocks = len(tone) // n
    out = np.zeros((blocks * n, 2), dtype=np.float32)
    for b in range(blocks):
        if b == 150:
            chain.configure(muted)
        if b == 250:
            chain.configure(base)
        if b == 500:
            chain.ramp_in()  # what the stream does after a device comes back
        chain.process(tone[b * n : (b + 1) * n].reshape(-1, 1), out[b * n : (b + 1) * n])
    left = out[:, 0]
    assert np.max(np.abs(left[200 * n : 250 * n])) < 1e-6  # muted is silent
    assert np.max(np.abs(left[500 * n + 48 : 500 * n + 200])) < 0.05 * np.max(np.abs(left[450 * n : 500 * n]))
    # After a device returns the ear has heard silence, so the ramp starts from zero by design;
    # every fade (out on mute, in on unmute, in after recovery) is smooth on its own.
    assert click_ratio(left[: 500 * n], 500, rate) < 1.1
    assert click_ratio(left[500 * n :], 500, rate) < 1.1


@pytest.mark.parametrize(
    "change",
    [
        {"gain_db": 22.0},
        {"left_tone_db": TONE_PRESETS["high-frequency-boost"], "right_tone_db": TONE_PRESETS["low-cut"]},
        {"tone_enabled": False},
        {"highpass_hz": 400.0},
        {"highpass_enabled": False},
        {"compression": CompressionSettings(enabled=False)},
        {"compression": CompressionSettings(ratio=6.0, threshold_dbfs=-60.0)},
        {"left_gain_db": -20.0, "right_gain_db": 10.0},
        {"noise_reduction": 0.1},
        {"noise_reduction_enabled": False},
    ],
)
def test_settings_swaps_mid_stream_are_continuous(change: dict) -> None:
    rate = 48000
    freq = 700.0
    tone = (0.05 * np.sin(2 * np.pi * freq * np.arange(rate) / rate)).astype(np.float32)
    base = ListeningSettings(
        tone_enabled=True,
        left_tone_db=TONE_PRESETS["speech-clarity"],
        right_tone_db=TONE_PRESETS["speech-clarity"],
        feedback_guard_enabled=False,
    )
    chain = ListeningChain(base)
    chain.prepare(rate, 128)
    out = run_blocks(chain, tone, {150: dataclasses.replace(base, **change), 300: base})
    settled = slice(int(0.25 * rate), None)  # after the start fade
    for ear in (0, 1):
        assert click_ratio(out[settled, ear], freq, rate) < 1.15


def test_ears_are_shaped_independently() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    settings = ListeningSettings(
        left_tone_db=TONE_PRESETS["flat"],
        right_tone_db=TONE_PRESETS["high-frequency-boost"],
        left_gain_db=-6.0,
        noise_reduction_enabled=False,
        compression=CompressionSettings(enabled=False),
        feedback_guard_enabled=False,
        gain_db=0.0,
        highpass_enabled=False,
        max_output_dbfs=0.0,
    )
    for freq, right_minus_left in ((250.0, 6.0), (1000.0, 8.0), (4000.0, 20.0)):
        x = (0.01 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        out = process_signal(x, rate, settings).output[rate // 2 :]
        levels = 20 * np.log10(np.sqrt(np.mean(out**2, axis=0)))
        assert levels[1] - levels[0] == pytest.approx(right_minus_left, abs=0.3)


def test_compression_lifts_soft_and_tames_loud_sounds() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    c = CompressionSettings(threshold_dbfs=-45.0, ratio=2.5, knee_db=10.0, reference_dbfs=-25.0)
    settings = ListeningSettings(
        noise_reduction_enabled=False,
        compression=c,
        feedback_guard_enabled=False,
        gain_db=0.0,
        highpass_enabled=False,
        tone_enabled=False,
        max_output_dbfs=0.0,
    )
    gains = {}
    for level in (-60.0, -25.0, -5.0):
        amp = 10 ** (level / 20) * np.sqrt(2)
        x = (amp * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
        out = process_signal(x, rate, settings).output[rate // 2 :, 0]
        gains[level] = 20 * np.log10(np.sqrt(np.mean(out**2))) - level
    assert gains[-25.0] == pytest.approx(0.0, abs=0.5)  # the reference level passes unchanged
    assert gains[-60.0] == pytest.approx(12.0, abs=0.7)  # soft sounds come up by the make-up gain
    assert gains[-5.0] == pytest.approx(-20.0 * (1 - 1 / 2.5), abs=0.7)  # loud ones go down at 1/ratio


def test_highpass_removes_rumble_and_dc_and_keeps_speech_band() -> None:
    rate = 16000
    t = np.arange(2 * rate) / rate
    settings = ListeningSettings(
        noise_reduction_enabled=False,
        compression=CompressionSettings(enabled=False),
        feedback_guard_enabled=False,
        gain_db=0.0,
        tone_enabled=False,
        highpass_hz=100.0,
        max_output_dbfs=0.0,
    )

    def gain_at(freq: float, offset: float = 0.0) -> float:
        x = (offset + 0.1 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        out = process_signal(x, rate, settings).output[rate:, 0]
        return float(20 * np.log10(np.sqrt(np.mean((out - 0) ** 2)) / (0.1 / np.sqrt(2))))

    assert gain_at(30.0) < -20.0
    assert abs(gain_at(1000.0)) < 0.1
    assert abs(gain_at(1000.0, offset=0.3) - gain_at(1000.0)) < 0.05  # DC is gone


@pytest.mark.parametrize("rate", [16000, 48000])
def test_output_does_not_depend_on_block_size(speech: np.ndarray, rate: int) -> None:
    x = load("speech_2033-164914-0000.wav", rate)[: 3 * rate]
    x = x + 0.5 * load("noise_babble_cafeteria_a_8s.wav", rate)[: len(x)]
    settings = ListeningSettings(tone_enabled=True, right_tone_db=TONE_PRESETS["high-frequency-boost"])
    # Blocks that are not a multiple of the noise reducer's hop add buffering latency, which
    # process_signal removes; the start fade then covers other samples, so compare after it.
    settled = int(0.3 * rate)
    reference = process_signal(x, rate, settings, block_size=128).output[settled:]
    for block in (64, 256, 512):
        other = process_signal(x, rate, settings, block_size=block).output[settled:]
        np.testing.assert_allclose(other, reference, atol=2e-5)


def test_meters_report_known_levels() -> None:
    rate = 48000
    x = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(2 * rate) / rate)).astype(np.float32)
    settings = ListeningSettings(
        noise_reduction_enabled=False,
        compression=CompressionSettings(enabled=False),
        feedback_guard_enabled=False,
        gain_db=-6.0,
        left_gain_db=-6.0,
        tone_enabled=False,
        max_output_dbfs=0.0,
    )
    chain = ListeningChain(settings)
    chain.prepare(rate, 128)
    run_blocks(chain, x)
    levels = chain.meters.read()
    assert levels.input_peak_dbfs == pytest.approx(-6.02, abs=0.1)
    assert levels.input_rms_dbfs == pytest.approx(-9.03, abs=0.2)
    assert levels.right_rms_dbfs == pytest.approx(-15.03, abs=0.2)
    assert levels.left_rms_dbfs == pytest.approx(-21.03, abs=0.2)
    assert levels.max_output_dbfs == pytest.approx(-12.04, abs=0.1)


def test_silence_and_extremes_never_produce_nan() -> None:
    for rate in SUPPORTED_RATES:
        for x in (
            np.zeros(rate, np.float32),
            np.ones(rate, np.float32),
            -np.ones(rate, np.float32),
            np.full(rate, 1e-38, np.float32),
        ):
            out = process_signal(x, rate, ListeningSettings(gain_db=50.0)).output
            assert np.all(np.isfinite(out))
            assert np.max(np.abs(out)) <= np.float32(10 ** (-6 / 20))


def test_settings_published_from_another_thread_while_processing(speech: np.ndarray) -> None:
    """A UI thread changing settings mid-stream never breaks a block or the ceiling."""
    import threading

    rate = 16000
    chain = ListeningChain(ListeningSettings(gain_db=40.0))
    chain.prepare(rate, 128)
    rng = np.random.default_rng(7)
    presets = list(TONE_PRESETS.values())
    stop = threading.Event()
    published = []

    def fiddle() -> None:
        while not stop.is_set():
            s = ListeningSettings(
                gain_db=float(rng.uniform(0, 50)),
                noise_reduction=float(rng.uniform(0, 1)),
                left_tone_db=presets[rng.integers(len(presets))],
                right_tone_db=presets[rng.integers(len(presets))],
                compression=CompressionSettings(enabled=bool(rng.integers(2))),
                muted=bool(rng.integers(2)),
                max_output_dbfs=float(rng.uniform(-20, -6)),
            )
            chain.configure(s)
            published.append(s)

    worker = threading.Thread(target=fiddle)
    worker.start()
    try:
        out = run_blocks(chain, np.tile(speech, 2))
    finally:
        stop.set()
        worker.join()
    assert len(published) > 20
    assert np.all(np.isfinite(out))
    assert np.max(np.abs(out)) <= np.float32(10 ** (-6 / 20))  # the highest ceiling any snapshot allowed
