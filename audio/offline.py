"""Run exactly the live chain, block by block, over a recording.

Used by `hark process`, the tests and the benchmarks. The output is the same as
the live stream would produce for the same input; by default the chain's
algorithmic latency is then removed so the output lines up with the input.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from audio.chain import ListeningChain
from audio.errors import AudioError
from audio.meters import dbfs
from audio.noise_reduction import DEFAULT_METHOD
from audio.processor import SUPPORTED_RATES, check_format
from audio.settings import ListeningSettings


@dataclass
class OfflineResult:
    output: np.ndarray  # float32 (frames, 2)
    report: dict[str, Any] = field(default_factory=dict)


def process_signal(
    signal: np.ndarray,
    sample_rate: int,
    settings: ListeningSettings,
    block_size: int = 128,
    compensate_latency: bool = True,
    noise_reduction_method: str = DEFAULT_METHOD,
) -> OfflineResult:
    """Process mono (frames,) or multi-channel (frames, channels) audio; channels are averaged like a mic."""
    check_format(sample_rate, block_size, 1)
    x = np.asarray(signal, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float32)
    if x.ndim != 1:
        raise AudioError(f"Audio must be mono or (frames, channels), got shape {np.shape(signal)}.")
    chain = ListeningChain(settings, noise_reduction_method)
    chain.prepare(sample_rate, block_size)
    latency = chain.latency_samples if compensate_latency else 0
    frames = len(x)
    blocks = -(-(frames + latency) // block_size)
    padded = np.zeros((blocks * block_size, 1), dtype=np.float32)
    padded[:frames, 0] = x
    out = np.zeros((blocks * block_size, 2), dtype=np.float32)
    started = time.perf_counter()
    for b in range(blocks):
        chain.process(
            padded[b * block_size : (b + 1) * block_size], out[b * block_size : (b + 1) * block_size]
        )
    elapsed = time.perf_counter() - started
    output = out[latency : latency + frames]
    report = {
        "sample_rate": sample_rate,
        "block_size": block_size,
        "algorithmic_latency_samples": chain.latency_samples,
        "algorithmic_latency_ms": round(chain.latency_ms, 3),
        "latency_compensated": compensate_latency,
        "realtime_factor": round(elapsed / (blocks * block_size / sample_rate), 5),
        "peak_output_dbfs": round(dbfs(float(np.max(np.abs(output), initial=0.0))), 2),
        "peak_input_dbfs": round(dbfs(float(np.max(np.abs(x), initial=0.0))), 2),
        "ceiling_dbfs": settings.max_output_dbfs,
        "blocks": blocks,
        "frames": frames,
        "feedback_events": chain.feedback_guard.events,
        # What ran ("classic" where the method asked for needs 48 kHz), and what was asked for.
        "noise_reduction_method": chain.noise_reduction_method_in_effect,
        "noise_reduction_method_requested": noise_reduction_method,
    }
    return OfflineResult(np.ascontiguousarray(output), report)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    if not path.exists():
        raise AudioError(f"Cannot read {path}: no such file. Check the path.")
    if path.is_dir():
        raise AudioError(f"Cannot read {path}: it is a folder, not a WAV file.")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        raise AudioError(
            f"Cannot read {path}: it is not a readable WAV file ({error}). "
            "Give a .wav file (PCM or float), e.g. convert with 'sox in.mp3 out.wav'."
        ) from None
    if info.format != "WAV" and info.format != "WAVEX":
        raise AudioError(
            f"{path} is a {info.format} file, not WAV. Convert it first, e.g. 'sox {path.name} out.wav'."
        )
    if info.samplerate not in SUPPORTED_RATES:
        allowed = ", ".join(str(r) for r in SUPPORTED_RATES)
        raise AudioError(
            f"{path} is at {info.samplerate} Hz; Hark processes {allowed} Hz. "
            f"Convert it first, e.g. 'sox {path.name} -r 48000 out.wav'."
        )
    if info.frames == 0:
        raise AudioError(f"{path} holds no audio (0 frames).")
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return data, int(rate)


def process_file(
    source: Path,
    destination: Path,
    settings: ListeningSettings,
    block_size: int = 128,
    noise_reduction_method: str = DEFAULT_METHOD,
) -> OfflineResult:
    """Process a WAV file into another; stereo out when the ears differ, mono otherwise."""
    if destination.suffix.lower() != ".wav":
        raise AudioError(f"The output {destination} must be a .wav file.")
    if source.resolve() == destination.resolve():
        raise AudioError("The output file must differ from the input file; Hark never overwrites its input.")
    if not destination.parent.exists():
        raise AudioError(f"Cannot write {destination}: the folder {destination.parent} does not exist.")
    data, rate = read_wav(source)
    result = process_signal(data, rate, settings, block_size, noise_reduction_method=noise_reduction_method)
    stereo = settings.ears_differ
    output = result.output if stereo else result.output[:, 0]
    # Write next to the destination, then rename: a failed run never leaves half a file.
    partial = destination.with_name(destination.name + ".partial")
    try:
        sf.write(str(partial), output, rate, subtype="FLOAT", format="WAV")
        partial.replace(destination)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise AudioError(f"Cannot write {destination}: {error.strerror or error}.") from None
    result.report.update(
        input=str(source),
        output=str(destination),
        input_channels=int(data.shape[1]),
        output_channels=2 if stereo else 1,
    )
    return result
