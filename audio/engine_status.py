"""What the app reads about the audio engine: `EngineStatus`, built from the shared snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from audio.engine_protocol import STATUS
from audio.meters import Levels, dbfs


@dataclass(frozen=True)
class EngineStatus:
    state: str  # "stopped", "running", "disappeared", "waiting", "restarting", "closed"
    message: str
    input_device: str
    output_device: str
    callbacks: int  # over every engine this client has run
    xruns: int  # callbacks that reported an overflow or underflow
    input_overflows: int
    output_underflows: int
    callback_errors: int
    tap_drops: int  # blocks the captions' reader missed
    recoveries: int  # devices lost and found again
    engine_restarts: int
    speech_interruptions: int  # utterances cut off by an engine restart
    stream_latency_s: tuple[float, float]  # PortAudio's (input, output) latency
    chain_latency_samples: int
    sample_rate: int
    block_size: int
    howl_reduction_db: float
    howl_events: int
    last_howl_hz: float
    settings_tag: int  # the newest settings a block has used (AudioEngine.configure's tag)
    settings_applied_at: float  # time.monotonic() at the start of that block
    priority: str  # what the engine's scheduling priority was raised to
    pid: int | None


def levels_from(linear: np.ndarray) -> Levels:
    """audio.meters.Meters.values (linear, in its order) as Levels in dBFS."""
    v = [dbfs(float(x)) for x in linear]
    return Levels(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])


def status_from(values: np.ndarray, offsets: np.ndarray, engine: Any) -> EngineStatus:
    total = values + offsets

    def count(name: str) -> int:
        return int(total[STATUS[name]])

    info = engine._start_info
    return EngineStatus(
        state=engine._state,
        message=engine._message,
        input_device=engine._device_names[0],
        output_device=engine._device_names[1],
        callbacks=count("callbacks"),
        xruns=count("xruns"),
        input_overflows=count("input_overflows"),
        output_underflows=count("output_underflows"),
        callback_errors=count("callback_errors"),
        tap_drops=int(values[STATUS["tap_dropped_frames"]]) // engine.block_size,
        recoveries=count("recoveries"),
        engine_restarts=engine.engine_restarts,
        speech_interruptions=engine.speech_interruptions,
        stream_latency_s=tuple(info.get("stream_latency_s", (0.0, 0.0))),
        chain_latency_samples=int(info.get("latency_samples", 0)),
        sample_rate=engine.sample_rate,
        block_size=engine.block_size,
        howl_reduction_db=float(values[STATUS["howl_reduction_db"]]),
        howl_events=int(values[STATUS["howl_events"]]),
        last_howl_hz=float(values[STATUS["last_howl_hz"]]),
        settings_tag=int(values[STATUS["settings_tag"]]),
        settings_applied_at=float(values[STATUS["settings_applied_at"]]),
        priority=engine.priority,
        pid=engine.pid,
    )
