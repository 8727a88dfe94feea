"""The speech input: resampling, nominal level, the lock-free ring, clear, and the allocation-free read."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio.errors import AudioError
from audio.mixer import (
    NOMINAL_SPEECH_DBFS,
    SpeechInput,
    SpeechQueueFull,
    _read,
    active_rms_dbfs,
    resample,
    speech_samples,
)

SENTENCE = "Hello. I would like to talk with you about where you want to live. Is that all right?"


def synthesise(folder: Path, text: str = SENTENCE) -> tuple[np.ndarray, int]:
    """Real pyttsx3 speech, made in a fresh process (one save_to_file per process, as pyttsx3 needs).

    pyttsx3 2.99's espeak driver synthesises asynchronously (AUDIO_OUTPUT_RETRIEVAL) and its
    runAndWait can return before eSpeak has finished: a process that then exits leaves no
    file (seen here in about one run in six, more under load). espeak_Synchronize waits for
    eSpeak (none missing in 80 runs); a missing file is still retried in a new process.
    """
    script = (
        "import pyttsx3, sys; e = pyttsx3.init(); e.save_to_file(sys.argv[1], sys.argv[2]); e.runAndWait()\n"
        "if getattr(e, 'driver_name', '') == 'espeak':\n"
        "    from pyttsx3.drivers import _espeak; _espeak.Synchronize()"
    )
    for attempt in range(5):
        path = folder / f"tts-{attempt}.wav"
        done = subprocess.run([sys.executable, "-c", script, text, str(path)], capture_output=True, text=True)
        if done.returncode != 0 and "espeak" in done.stderr.lower():
            pytest.skip(
                f"no speech engine here (apt-get install libespeak-ng1): {done.stderr.strip()[-200:]}"
            )
        assert done.returncode == 0, done.stderr
        if path.exists() and path.stat().st_size > 1000:
            x, rate = sf.read(str(path), dtype="float32")
            if len(x) > rate // 2:
                return x, int(rate)
    raise AssertionError("pyttsx3 wrote no usable audio in 5 fresh processes")


@pytest.fixture(scope="session")
def tts(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, int]:
    return synthesise(tmp_path_factory.mktemp("tts"))


def sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def rms_db(x: np.ndarray) -> float:
    return 10 * math.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-30)


# --- resampling ---------------------------------------------------------------------------
@pytest.mark.parametrize("to_rate", [48000, 44100, 16000])
def test_resampling_keeps_frequency_level_and_length(to_rate: int) -> None:
    x = sine(1000.0, 22050, 1.0)
    y = resample(x, 22050, to_rate)
    assert y.dtype == np.float32
    assert len(y) == math.ceil(len(x) * to_rate / 22050)
    # Away from the edges it is the same sine sampled at the new rate: frequency, level and phase.
    ideal = sine(1000.0, to_rate, 1.0)
    middle = slice(to_rate // 10, 9 * to_rate // 10)
    assert np.max(np.abs(y[middle] - ideal[middle])) < 1e-4  # 74 dB below the tone, sample by sample
    assert abs(rms_db(y[middle]) - rms_db(ideal[middle])) < 0.01


def test_a_tone_above_the_new_nyquist_is_removed_not_aliased() -> None:
    # 10 kHz at 22050 -> 16000 would fold to 6 kHz; the anti-alias filter must take it out.
    y = resample(sine(10000.0, 22050, 1.0), 22050, 16000)
    assert rms_db(y[1600:-1600]) - rms_db(sine(10000.0, 22050, 1.0)) < -80
    # and a tone just inside the passband stays
    kept = resample(sine(7000.0, 22050, 1.0), 22050, 16000)
    assert abs(rms_db(kept[1600:-1600]) - rms_db(sine(7000.0, 22050, 1.0))) < 0.1


def test_upsampling_leaves_no_images_above_the_old_nyquist() -> None:
    y = resample(sine(3000.0, 22050, 1.0), 22050, 48000).astype(np.float64)[4800:-4800]
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y)))) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / 48000)
    image = spectrum[freqs > 11025].sum() / spectrum.sum()
    assert 10 * math.log10(image) < -75  # the image at 22050 - 3000 Hz is gone


# --- level --------------------------------------------------------------------------------
def test_speech_is_queued_at_the_nominal_level_times_volume(tts: tuple[np.ndarray, int]) -> None:
    x, rate = tts
    full = speech_samples(x, rate, 48000)
    assert abs(active_rms_dbfs(full, 48000) - NOMINAL_SPEECH_DBFS) < 0.05
    half = speech_samples(x, rate, 48000, volume=0.5)
    assert abs(active_rms_dbfs(half, 48000) - (NOMINAL_SPEECH_DBFS - 6.02)) < 0.05
    # A quiet synthesiser and a loud one end up equally loud.
    assert abs(active_rms_dbfs(speech_samples(0.05 * x, rate, 48000), 48000) - NOMINAL_SPEECH_DBFS) < 0.05
    # As-is keeps the synthesiser's own level.
    raw = speech_samples(x, rate, rate, normalise=False)
    cap = min(1.0, 10 ** (-1 / 20) / float(np.max(np.abs(x))))
    assert np.allclose(raw, x * cap, atol=1e-6)


def test_peaks_are_capped_below_full_scale() -> None:
    clicks = np.zeros(48000)
    clicks[::4800] = 1.0  # almost all crest: normalising its RMS would push the peaks far over 0 dBFS
    y = speech_samples(clicks, 48000, 48000)
    assert np.max(np.abs(y)) <= np.float32(10 ** (-1 / 20))


def test_pcm_integers_are_accepted() -> None:
    pcm = (sine(440.0, 16000, 0.5) * 32767).astype(np.int16)
    y = speech_samples(pcm, 16000, 16000, normalise=False)
    assert abs(float(np.max(np.abs(y))) - 0.5) < 1e-3


@pytest.mark.parametrize(
    ("samples", "rate", "match"),
    [
        (np.zeros(0), 22050, "empty"),
        (np.full(100, np.nan), 22050, "NaN or infinite"),
        (np.zeros((100, 2)), 22050, "must be mono"),
        (np.zeros(100), 4000, "not usable"),
        (np.zeros(100), 22050.5, "whole number"),
        (np.array(["a", "b"]), 22050, "must be numbers"),
    ],
)
def test_bad_audio_is_refused_with_one_clear_sentence(samples: np.ndarray, rate: int, match: str) -> None:
    speech = SpeechInput()
    speech.prepare(48000, 128)
    with pytest.raises(AudioError, match=match):
        speech.push(samples, rate)
    assert speech.pending_seconds == 0.0


def test_push_before_prepare_and_bad_volume_are_refused() -> None:
    with pytest.raises(AudioError, match="not ready"):
        SpeechInput().push(np.ones(10), 16000)
    speech = SpeechInput()
    speech.prepare(16000, 128)
    with pytest.raises(AudioError, match="between 0 and 1"):
        speech.push(np.ones(10), 16000, volume=1.5)


# --- the ring -----------------------------------------------------------------------------
def drain(speech: SpeechInput, block: int = 128) -> np.ndarray:
    out = np.zeros((1, block), dtype=np.float32)
    got = []
    while True:
        n = speech.read_into(out)
        got.append(out[0, :n].copy())
        if n < block:
            return np.concatenate(got)


def test_ring_keeps_order_wraps_around_and_refuses_what_does_not_fit() -> None:
    speech = SpeechInput(capacity_seconds=1.0)
    speech.prepare(16000, 128)  # a ring of 16000 samples
    ramp = (np.arange(1, 6001) / 8000.0).astype(np.float32)  # 6000 samples, all distinct
    speech.push(ramp, 16000, normalise=False)
    speech.push(-ramp, 16000, normalise=False)
    assert speech.pending_seconds == pytest.approx(12000 / 16000)
    with pytest.raises(SpeechQueueFull, match="queue is full"):
        speech.push(ramp, 16000, normalise=False)  # 18000 > 16000: refused whole, nothing queued
    assert speech.pending_seconds == pytest.approx(12000 / 16000)
    first = drain(speech)
    assert np.array_equal(first, np.concatenate([ramp, -ramp]))
    # The next two cross the end of the ring (12000 + 12000 > 16000).
    speech.push(ramp * 0.5, 16000, normalise=False)
    speech.push(ramp * 0.25, 16000, normalise=False)
    assert np.array_equal(drain(speech, 100), np.concatenate([ramp * 0.5, ramp * 0.25]))
    assert speech.pending_seconds == 0.0


def test_a_sound_longer_than_the_queue_says_to_split_it() -> None:
    speech = SpeechInput(capacity_seconds=1.0)
    speech.prepare(16000, 128)
    with pytest.raises(SpeechQueueFull, match="split the text"):
        speech.push(np.full(20000, 0.1), 16000, normalise=False)


def test_clear_fades_out_within_5_ms_without_a_step_and_later_speech_plays_whole() -> None:
    rate, block = 48000, 128
    speech = SpeechInput()
    speech.prepare(rate, block)
    tone = sine(1000.0, rate, 2.0).astype(np.float32)
    speech.push(tone, rate, normalise=False)
    out = np.zeros((1, block), dtype=np.float32)
    played = []
    for _ in range(10):
        speech.read_into(out)
        played.append(out[0].copy())
    speech.clear()
    assert speech.pending_seconds == 0.0  # gone at once for anyone asking
    for _ in range(10):
        speech.read_into(out)
        played.append(out[0].copy())
    y = np.concatenate(played)
    fade_end = 10 * block + int(0.005 * rate)
    assert np.all(y[fade_end:] == 0.0)
    assert np.max(np.abs(y[10 * block : 10 * block + 64])) > 0.3  # it fades, it does not cut
    # No sample step bigger than the tone's own largest step: the fade adds no click.
    largest_tone_step = 2 * np.pi * 1000 / rate * 0.5
    assert np.max(np.abs(np.diff(y))) <= 1.02 * largest_tone_step
    # What is pushed after the clear plays from its first sample.
    after = (np.arange(1, 1001) / 2000.0).astype(np.float32)
    speech.push(after, rate, normalise=False)
    assert np.array_equal(drain(speech), after)


def test_clear_while_pushing_more_keeps_the_later_sound() -> None:
    speech = SpeechInput()
    speech.prepare(16000, 128)
    speech.push(np.full(8000, 0.25, dtype=np.float32), 16000, normalise=False)
    speech.clear()
    later = (np.arange(1, 501) / 1000.0).astype(np.float32)
    speech.push(later, 16000, normalise=False)
    y = drain(speech)
    fade = int(0.005 * 16000)
    assert len(y) == fade + len(later) - 1 or len(y) == fade + len(later)
    assert np.array_equal(y[-len(later) :], later)
    assert np.all(np.diff(y[: fade - 1]) <= 0)  # the old sound only goes down


def test_mixing_with_nothing_queued_leaves_the_block_bit_identical() -> None:
    speech = SpeechInput()
    speech.prepare(48000, 128)
    speech.push(np.full(300, 0.1), 48000, normalise=False)
    drain(speech)  # it has played something and finished
    rng = np.random.default_rng(3)
    block = rng.standard_normal((1, 128)).astype(np.float32)
    block[0, ::7] = -0.0  # -0.0 + 0.0 would turn into +0.0: adding silence is not the same as not adding
    before = block.tobytes()
    assert speech.mix_into(block) == 0
    assert block.tobytes() == before


def test_reading_allocates_nothing() -> None:
    speech = SpeechInput()
    speech.prepare(48000, 128)
    speech.push(sine(300.0, 48000, 20.0), 48000, normalise=False)
    mono = np.zeros((1, 128), dtype=np.float32)
    ears = np.zeros((2, 128), dtype=np.float32)
    mix, read = speech.mix_into, speech.read_into
    mix(mono)
    read(ears)
    assert _read.nopython_signatures, "the read kernel must be compiled in nopython mode"
    tracemalloc.start()
    try:
        calls = itertools.repeat(None, 2000)  # a range() would allocate ints above 256
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for _ in calls:
            mix(mono)
            read(ears)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current == before  # nothing kept
    # numba's dispatcher makes one small transient key per call; a block-sized array would be 512 B.
    assert peak - before < 512
    assert speech.pending_seconds > 0  # it really was reading speech all along


def test_producer_and_consumer_on_two_threads_lose_and_duplicate_nothing() -> None:
    rate = 16000
    speech = SpeechInput(capacity_seconds=1.0)  # small, so the ring wraps ~60 times and fills up
    speech.prepare(rate, 128)
    total = 1_000_000
    # Distinct, exact in float32 (integers below 2**24 over a power of two), and under the peak cap.
    ramp = np.arange(1, total + 1, dtype=np.float32) / np.float32(2**24)
    full_waits = 0

    def produce() -> None:
        nonlocal full_waits
        rng = np.random.default_rng(7)
        pos = 0
        while pos < total:
            n = min(int(rng.integers(1, 3000)), total - pos)
            try:
                # Not normalised: the ramp must arrive as pushed, sample for sample.
                speech.push(ramp[pos : pos + n], rate, normalise=False, volume=1.0)
            except SpeechQueueFull:
                full_waits += 1
                continue
            pos += n

    producer = threading.Thread(target=produce, daemon=True)
    out = np.zeros((1, 128), dtype=np.float32)
    got = np.zeros(total, dtype=np.float32)
    filled = 0
    producer.start()
    # Start reading only once the producer has met a full ring, so the full-ring path is exercised
    # however fast this machine's reader would otherwise be.
    deadline = time.monotonic() + 60  # a lost sample would otherwise leave these loops waiting forever
    while full_waits == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    while filled < total and time.monotonic() < deadline:
        n = speech.read_into(out)
        got[filled : filled + n] = out[0, :n]
        filled += n
    producer.join(5)
    assert full_waits > 0, "the producer never met a full ring"
    assert filled == total, f"{total - filled} samples never arrived"
    assert np.array_equal(got, ramp)
    assert speech.read_into(out) == 0
