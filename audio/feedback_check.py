"""Check for feedback before listening (`hark feedback`): how much of the headphones' sound leaks
back into the microphone, and whether the chosen settings would make it whistle.

The howl guard stops a howl once it has started, but a weak leak can ring in bursts for a while
before it is sure. Hearing aids measure the feedback path when they are
fitted instead; this is the same idea for the setting up of a session, with the headphones on the
person and the microphone where it will be. The audio engine runs as usual; it first records
half a second of the room with the output silent, then replaces the chain's output with an
exponential sweep (2 s, 100 Hz to 10 kHz, -24 dBFS peak) and records what comes back. Dividing
the returned spectrum by the sweep's gives the leak path's gain at every frequency; the silent
half-second tells which of it stands above the room's noise.

The loop gain at a frequency is the leak there plus the most the chain can amplify it: the
gain, the louder ear's tone and balance, and the compressor's make-up gain (its gain in the pauses
between words, where a howl builds). Where that comes to 0 dB or more, the loop whistles; this
check wants SPARE_DB of margin. Noise reduction and the limiter only ever lower the gain, so they
are left out: the verdict errs on the safe side.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from audio import biquad
from audio.compressor import static_gain_db
from audio.engine import AudioEngine
from audio.errors import AudioError
from audio.noise_reduction import DEFAULT_METHOD
from audio.settings import TONE_BAND_HZ, ListeningSettings
from audio.tone import design_ear

QUIET_S = 0.5  # the room alone, output silent
SWEEP_S = 2.0
TAIL_S = 0.5  # room for the round trip (Bluetooth is up to 0.3 s)
SWEEP_HZ = (100.0, 10000.0)
SWEEP_DBFS = -24.0  # no louder than speech through the chain (its compressor holds speech near -25 dBFS)
CHECKED_HZ = (150.0, 8000.0)  # where the tone bands act; never above 0.4 x rate, where the sweep has ended
SMOOTHING_OCTAVES = 1 / 12  # a howl is narrow: finer than the tone bands, coarser than noise
SPARE_DB = 6.0
ABOVE_NOISE_DB = 10.0  # a leak counts where it returns this far above what the room alone gives
ROOM_SMOOTHING_OCTAVES = 1 / 3  # the room's noise is smooth; half a second of it is not, finer


def sweep_signal(sample_rate: int, peak_dbfs: float = SWEEP_DBFS) -> np.ndarray:
    """An exponential sine sweep with 10 ms fades: equal energy per octave, no clicks."""
    n = int(SWEEP_S * sample_rate)
    f0, f1 = SWEEP_HZ[0], min(SWEEP_HZ[1], 0.45 * sample_rate)
    t = np.arange(n) / sample_rate
    rate = np.log(f1 / f0)
    phase = 2 * np.pi * f0 * SWEEP_S / rate * (np.exp(t * rate / SWEEP_S) - 1.0)
    fade = np.ones(n)
    ramp = int(0.01 * sample_rate)
    fade[:ramp] = np.sin(0.5 * np.pi * np.arange(ramp) / ramp) ** 2
    fade[-ramp:] = fade[:ramp][::-1]
    return (10 ** (peak_dbfs / 20) * fade * np.sin(phase)).astype(np.float32)


def _smoothed_power(
    power: np.ndarray, freqs: np.ndarray, centres: np.ndarray, octaves: float = SMOOTHING_OCTAVES
) -> np.ndarray:
    """Mean of `power` over `octaves` around each of `centres`."""
    cumulative = np.concatenate([[0.0], np.cumsum(power)])
    half = 2 ** (octaves / 2)
    lo = np.searchsorted(freqs, centres / half)
    hi = np.maximum(np.searchsorted(freqs, centres * half), lo + 1)
    return np.asarray((cumulative[hi] - cumulative[lo]) / (hi - lo))


def leak_spectrum(
    returned: np.ndarray, room: np.ndarray, sweep: np.ndarray, sample_rate: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequencies, leak in dB, what the room's noise alone would read as leak, in dB), on a grid of
    SMOOTHING_OCTAVES / 2 over CHECKED_HZ. `returned` is the input from the start of the sweep,
    `room` the input while the output was silent (any length; scaled to `returned`'s)."""
    size = 1 << int(np.ceil(np.log2(len(returned) + len(sweep))))
    freqs = np.fft.rfftfreq(size, 1.0 / sample_rate)
    sweep_power = np.abs(np.fft.rfft(sweep.astype(np.float64), size)) ** 2
    cross = np.fft.rfft(returned.astype(np.float64), size) * np.conj(
        np.fft.rfft(sweep.astype(np.float64), size)
    )
    room_power = np.abs(np.fft.rfft(room.astype(np.float64), size)) ** 2 * (len(returned) / max(1, len(room)))
    lo, hi = CHECKED_HZ[0], min(CHECKED_HZ[1], 0.4 * sample_rate)
    centres = lo * 2 ** np.arange(0.0, np.log2(hi / lo), SMOOTHING_OCTAVES / 2)
    # |H|^2 = |Y X*|^2 / |X|^4, averaged as powers; the room's noise N reads as |N|^2 / |X|^2.
    weight = _smoothed_power(sweep_power**2, freqs, centres)
    leak = _smoothed_power(np.abs(cross) ** 2, freqs, centres) / weight
    room_psd = _smoothed_power(room_power, freqs, centres, ROOM_SMOOTHING_OCTAVES)
    noise = room_psd * _smoothed_power(sweep_power, freqs, centres) / weight
    return centres, 10 * np.log10(leak + 1e-20), 10 * np.log10(noise + 1e-20)


def chain_gain_db(settings: ListeningSettings, freqs: np.ndarray, sample_rate: int) -> np.ndarray:
    """The most the listening chain can amplify each of `freqs`, in dB, over both ears: gain, ear
    gain and tone, and the compressor's gain for sounds under its threshold."""
    compression = settings.compression
    boost = 0.0
    if compression.enabled:
        slope = 1.0 / compression.ratio - 1.0
        quiet_level = compression.threshold_dbfs - compression.knee_db
        boost = static_gain_db(
            quiet_level, compression.threshold_dbfs, slope, compression.knee_db
        ) - static_gain_db(compression.reference_dbfs, compression.threshold_dbfs, slope, compression.knee_db)
    ears = []
    for tone, ear_gain in (
        (settings.left_tone_db, settings.left_gain_db),
        (settings.right_tone_db, settings.right_gain_db),
    ):
        shaped = (
            biquad.response_db(design_ear(tone, sample_rate), freqs, sample_rate)
            if settings.tone_enabled
            else np.zeros(len(freqs))
        )
        ears.append(settings.gain_db + ear_gain + boost + shaped)
    return np.asarray(np.maximum(ears[0], ears[1]))


@dataclass(frozen=True)
class FeedbackCheck:
    verdict: str  # "whistles", "close", "unsure" (the room hid what matters), "clear"
    advice: str  # one or two plain sentences for the assessor
    # Where the loop gain is highest, of the frequencies where a leak was measured (None: none was).
    worst_hz: float | None
    leak_db: float | None  # the leak path's gain there
    chain_gain_db: float | None  # the most the chain amplifies there
    loop_gain_db: float | None  # the two together; 0 dB or more whistles
    strongest_leak_hz: float | None
    strongest_leak_db: float | None
    # The highest loop gain a leak too quiet to measure against the room's noise could have (None:
    # the room was silent enough to measure every frequency).
    hidden_loop_gain_db: float | None
    # Per tone band with a leak: (Hz, strongest leak dB, loop gain dB).
    bands: tuple[tuple[float, float, float], ...]
    sample_rate: int
    block_size: int
    input_device: str = ""
    output_device: str = ""
    method: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _verdict(loop_db: float | None, hz: float | None, hidden_db: float) -> tuple[str, str]:
    """(verdict, advice); the advice says what to do first, as a narrow window shows only its start."""
    if loop_db is not None and hz is not None and loop_db > -SPARE_DB:
        lower = max(1, math.ceil(loop_db + SPARE_DB))  # whole decibels, enough for SPARE_DB to spare
        if loop_db >= 0.0:
            return "whistles", (
                f"Move the microphone away from the headphones, or lower the volume by {lower} dB: "
                f"as set, it would whistle at about {hz:.0f} Hz."
            )
        return "close", (
            f"Move the microphone a little further from the headphones, or lower the volume by {lower} dB: "
            f"only {-loop_db:.0f} dB to spare before it whistles at about {hz:.0f} Hz."
        )
    if hidden_db > -SPARE_DB:
        return "unsure", (
            "Check again when the room is quieter: its noise could hide sound coming back from the headphones. "
            "If it whistles, the howl guard will turn the sound down."
        )
    if loop_db is None:
        return "clear", "No sound from the headphones came back into the microphone: no whistling expected."
    return (
        "clear",
        f"No whistling expected with these settings: {-loop_db:.0f} dB to spare (at about {hz:.0f} Hz).",
    )


def assess(
    freqs: np.ndarray,
    leak_db: np.ndarray,
    noise_db: np.ndarray,
    settings: ListeningSettings,
    sample_rate: int,
    block_size: int,
) -> FeedbackCheck:
    """The verdict from a measured leak spectrum (see `leak_spectrum`) and the settings to be used."""
    threshold = noise_db + ABOVE_NOISE_DB
    measured = leak_db > threshold
    gain = chain_gain_db(settings, freqs, sample_rate)
    loop = leak_db + gain
    hidden = float(np.max(np.where(measured, -np.inf, threshold + gain)))
    edges = np.sqrt(np.asarray(TONE_BAND_HZ[:-1]) * np.asarray(TONE_BAND_HZ[1:]))
    which = np.searchsorted(edges, freqs)
    bands = []
    for k, hz in enumerate(TONE_BAND_HZ):
        inside = (which == k) & measured
        if np.any(inside):
            bands.append(
                (float(hz), round(float(np.max(leak_db[inside])), 1), round(float(np.max(loop[inside])), 1))
            )
    found: dict[str, float | None] = dict.fromkeys(
        ("worst_hz", "leak_db", "chain_gain_db", "loop_gain_db", "strongest_leak_hz", "strongest_leak_db")
    )
    if np.any(measured):
        worst = int(np.argmax(np.where(measured, loop, -np.inf)))
        strongest = int(np.argmax(np.where(measured, leak_db, -np.inf)))
        found = {
            "worst_hz": round(float(freqs[worst]), 1),
            "leak_db": round(float(leak_db[worst]), 1),
            "chain_gain_db": round(float(gain[worst]), 1),
            "loop_gain_db": round(float(loop[worst]), 1),
            "strongest_leak_hz": round(float(freqs[strongest]), 1),
            "strongest_leak_db": round(float(leak_db[strongest]), 1),
        }
    verdict, advice = _verdict(found["loop_gain_db"], found["worst_hz"], hidden)
    return FeedbackCheck(
        verdict=verdict,
        advice=advice,
        worst_hz=found["worst_hz"],
        leak_db=found["leak_db"],
        chain_gain_db=found["chain_gain_db"],
        loop_gain_db=found["loop_gain_db"],
        strongest_leak_hz=found["strongest_leak_hz"],
        strongest_leak_db=found["strongest_leak_db"],
        hidden_loop_gain_db=round(hidden, 1) if np.isfinite(hidden) else None,
        bands=tuple(bands),
        sample_rate=sample_rate,
        block_size=block_size,
    )


METHOD = (
    f"{QUIET_S:g} s of the room with the output silent, then a {SWEEP_S:g} s exponential sweep at "
    f"{SWEEP_DBFS:g} dBFS peak in place of the chain's output, recorded from the input; leak = returned "
    "spectrum / sweep spectrum, smoothed over 1/12 octave; loop gain = leak + the most the chain amplifies "
    "(gain, louder ear's tone and balance, compressor make-up)"
)


def measure(engine: AudioEngine, settings: ListeningSettings) -> FeedbackCheck:
    """Check a running engine for feedback with `settings` (the ones listening uses): the ears' sound
    is replaced by silence and the sweep for QUIET_S + SWEEP_S + TAIL_S, then given back (with the
    chain's fade-in, so the sound does not jump back). AudioError when the engine is not running or
    restarts meanwhile, or when the microphone is a recording (nothing can leak into a file)."""
    if engine.source is not None:
        raise AudioError(
            "the microphone is a recording (a demonstration), so no sound can leak back into it; "
            "check with a real microphone and headphones."
        )
    rate = engine.sample_rate
    quiet = int(QUIET_S * rate)
    sweep = sweep_signal(rate, min(SWEEP_DBFS, settings.max_output_dbfs))
    played = np.zeros(quiet + int((SWEEP_S + TAIL_S) * rate), dtype=np.float32)
    played[quiet : quiet + len(sweep)] = sweep
    recorded = engine.run_probe(played, "feedback check")
    status = engine.status
    # The first part of the quiet may still hold the chain's own sound coming back.
    room = recorded[quiet // 2 : quiet]
    freqs, leak_db, noise_db = leak_spectrum(recorded[quiet:], room, sweep, rate)
    result = assess(freqs, leak_db, noise_db, settings, rate, engine.block_size)
    return replace(
        result, input_device=status.input_device, output_device=status.output_device, method=METHOD
    )


def check_feedback(
    input_device: int | str | None = None,
    output_device: int | str | None = None,
    sample_rate: int = 48000,
    block_size: int = 128,
    settings: ListeningSettings | None = None,
    on_open: Callable[[], None] | None = None,
    warmup_s: float = 0.3,
    noise_reduction_method: str = DEFAULT_METHOD,
    on_first_run: Callable[[str], None] | None = None,
) -> FeedbackCheck:
    """Start an audio engine with the listening chain for `settings`, and `measure` it. `on_open` runs
    once it is running; `on_first_run` is told when the engine must compile its kernels first."""
    from audio.engine_startup import start_engine

    settings = settings or ListeningSettings()
    engine = AudioEngine(
        settings, noise_reduction_method, input_device, output_device, sample_rate, block_size
    )
    try:
        start_engine(engine, on_first_run or (lambda _: None))
        if on_open is not None:
            on_open()
        time.sleep(warmup_s)
        return measure(engine, settings)
    finally:
        engine.release()
