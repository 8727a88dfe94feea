"""Measure real mic-to-ear latency through a loopback (`hark latency`).

What is measured, precisely. The audio engine runs the listening chain as usual;
for the measurement window its callback *replaces* the chain's output with a probe
(a short windowed chirp) and records its input, both indexed by the stream's
own sample counter (AudioEngine.run_probe). A cable (or a JACK connection) from output to input brings
the probe back; cross-correlation gives the lag R in samples between output
sample k and the input sample it arrives as.

    R = output latency + loopback + input latency         (the device path)

A sound reaching the microphone at input sample k leaves the callback in output
sample k (one callback handles both), so it reaches the ear R samples of device
path later, plus the chain's algorithmic latency (its look-ahead and filter
bank delay). The buffering of one block is already inside R: it is what PortAudio's
input and output latencies are made of. So

    mic-to-ear = R + chain.latency_samples  (minus the cable's own delay, ~0)

Replacing rather than adding to the chain's output stops the probe from going
round the loop a second time through the chain's gain.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from audio.engine import AudioEngine
from audio.errors import AudioError
from audio.settings import ListeningSettings

PROBE_S = 0.05
LISTEN_S = 1.0  # longest round trip we can see; Bluetooth is up to ~0.3 s
PROBE_LEVEL = 0.25  # -12 dBFS peak: clearly audible in a loop, gentle in an ear
MIN_MATCH = 0.5  # normalised correlation below this: nothing came back


def probe_signal(sample_rate: int) -> np.ndarray:
    """A Hann-windowed linear chirp from 300 Hz to 0.4 x rate: a sharp, unambiguous correlation peak."""
    n = int(PROBE_S * sample_rate)
    t = np.arange(n) / sample_rate
    f0, f1 = 300.0, 0.4 * sample_rate
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * PROBE_S))
    return (PROBE_LEVEL * np.hanning(n) * np.sin(phase)).astype(np.float32)


@dataclass(frozen=True)
class LatencyResult:
    round_trip_samples: int  # device path R: output -> loopback -> input
    round_trip_ms: float
    chain_latency_samples: int
    chain_latency_ms: float
    mic_to_ear_samples: int  # R + chain latency
    mic_to_ear_ms: float
    stream_latency_ms: tuple[float, float]  # what PortAudio reports (input, output)
    match: float  # normalised correlation of the returned probe, 0..1
    sample_rate: int
    block_size: int
    input_device: str
    output_device: str
    method: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_probe(recorded: np.ndarray, probe: np.ndarray) -> tuple[int, float]:
    """(lag, normalised correlation) of the first strong arrival of `probe` in `recorded`."""
    n = len(probe)
    corr = np.correlate(recorded.astype(np.float64), probe.astype(np.float64), mode="valid")
    window = np.convolve(recorded.astype(np.float64) ** 2, np.ones(n), mode="valid")
    norm = corr / (np.sqrt(np.maximum(window, 1e-20)) * np.linalg.norm(probe) + 1e-12)
    norm[window < 1e-10] = 0.0  # digital silence has no arrival
    best = float(np.max(norm, initial=0.0))
    if best < MIN_MATCH:
        return -1, best
    # The first peak near the best: an echo later on must not be mistaken for the direct return.
    lag = int(np.flatnonzero(norm >= 0.9 * best)[0])
    while lag + 1 < len(norm) and norm[lag + 1] > norm[lag]:
        lag += 1
    return lag, best


def measure_loopback(
    input_device: int | str | None = None,
    output_device: int | str | None = None,
    sample_rate: int = 48000,
    block_size: int = 128,
    settings: ListeningSettings | None = None,
    on_open: Callable[[], None] | None = None,
    warmup_s: float = 0.3,
    on_first_run: Callable[[str], None] | None = None,
) -> LatencyResult:
    """Run the chain in an audio engine, send a probe round the loopback, and time its return.

    `on_open` runs once the engine is running (e.g. to make a JACK connection); `on_first_run` is
    told when the engine must compile its kernels first.
    """
    from audio.engine_startup import start_engine

    engine = AudioEngine(settings, input_device=input_device, output_device=output_device,
                         sample_rate=sample_rate, block_size=block_size)  # fmt: skip
    try:
        start_engine(engine, on_first_run or (lambda _: None))
        if on_open is not None:
            on_open()
        time.sleep(warmup_s)
        return measure(engine)
    finally:
        engine.release()


def measure(engine: AudioEngine) -> LatencyResult:
    """Time a probe's way round the loopback of a running engine."""
    sample_rate = engine.sample_rate
    probe = probe_signal(sample_rate)
    played = np.zeros(int(LISTEN_S * sample_rate), dtype=np.float32)
    played[: len(probe)] = probe
    recorded = engine.run_probe(played, "measurement")
    status = engine.status
    lag, match = find_probe(recorded, probe)
    if lag < 0:
        raise AudioError(
            "No probe came back: connect the output to the input with a cable (or a JACK connection) "
            "and try again."
        )
    latency = engine.chain_latency_samples
    ms = 1000.0 / sample_rate
    return LatencyResult(
        round_trip_samples=lag,
        round_trip_ms=round(lag * ms, 3),
        chain_latency_samples=latency,
        chain_latency_ms=round(latency * ms, 3),
        mic_to_ear_samples=lag + latency,
        mic_to_ear_ms=round((lag + latency) * ms, 3),
        stream_latency_ms=(
            round(1000 * status.stream_latency_s[0], 3),
            round(1000 * status.stream_latency_s[1], 3),
        ),
        match=round(match, 4),
        sample_rate=sample_rate,
        block_size=engine.block_size,
        input_device=status.input_device,
        output_device=status.output_device,
        method=(
            "probe chirp written to the stream's output in place of the chain's, recorded from its input "
            "through the loopback, lag by normalised cross-correlation on the stream's sample counter; "
            "mic-to-ear = that round trip + the chain's algorithmic latency"
        ),
    )
