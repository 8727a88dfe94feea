"""CPU cost per block of the whole listening chain, and its algorithmic latency, at every rate.

Runs the chain block by block over real speech mixed with real household noise
(../shared/data, or tests/data when the shared set is absent) and times each
`chain.process` call with perf_counter after a warm-up. Target at 48 kHz / 128:
at most 10 % of one core, i.e. under 267 us per block.

Run: .venv/bin/python -m benchmarks.cpu  -> benchmarks/results/cpu.json
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from audio.chain import ListeningChain
from audio.processor import SUPPORTED_RATES
from audio.settings import TONE_PRESETS, ListeningSettings

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SOURCES = (
    (
        REPO.parent / "shared/data/speech/1998-15444-0001.wav",
        REPO.parent / "shared/data/noise/babble_cafeteria_b.wav",
    ),
    (REPO / "tests/data/speech_1089-134686-0000.wav", REPO / "tests/data/noise_babble_cafeteria_a_8s.wav"),
)


def material(seconds: float) -> np.ndarray:
    speech_path, noise_path = next((s, n) for s, n in SOURCES if s.exists() and n.exists())
    speech, _ = sf.read(speech_path, dtype="float64")
    noise, _ = sf.read(noise_path, dtype="float64")
    n = int(seconds * 16000)
    x = np.resize(speech, n) + 0.3 * np.resize(noise, n)
    return np.asarray(x / np.max(np.abs(x)) * 0.3)


def measure(
    rate: int, block: int, seconds: float, settings: ListeningSettings, method: str = "classic"
) -> dict[str, float | str]:
    x16 = material(seconds)
    x = x16 if rate == 16000 else resample_poly(x16, rate // 50, 320)
    x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, 1)
    chain = ListeningChain(settings, method)
    chain.prepare(rate, block)
    out = np.zeros((block, 2), dtype=np.float32)
    blocks = len(x) // block
    views = [x[b * block : (b + 1) * block] for b in range(blocks)]
    for view in views[:200]:  # warm-up: JIT compilation and caches
        chain.process(view, out)
    times = np.empty(blocks)
    gc.disable()  # the live callback runs with the collector idle too, most of the time
    try:
        for b, view in enumerate(views):
            t0 = time.perf_counter()
            chain.process(view, out)
            times[b] = time.perf_counter() - t0
    finally:
        gc.enable()
    period_us = 1e6 * block / rate
    us = times * 1e6
    return {
        "noise_reduction_method": method,
        "sample_rate": rate,
        "block_size": block,
        "blocks": blocks,
        "mean_us": round(float(us.mean()), 1),
        "p50_us": round(float(np.percentile(us, 50)), 1),
        "p99_us": round(float(np.percentile(us, 99)), 1),
        "max_us": round(float(us.max()), 1),
        "block_period_us": round(period_us, 1),
        "mean_percent_of_one_core": round(100 * float(us.mean()) / period_us, 2),
        "algorithmic_latency_samples": chain.latency_samples,
        "algorithmic_latency_ms": round(chain.latency_ms, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    # Everything on, both ears different: the most work the chain ever does.
    settings = ListeningSettings(
        left_tone_db=TONE_PRESETS["speech-clarity"], right_tone_db=TONE_PRESETS["high-frequency-boost"]
    )
    rows = [measure(rate, 128, args.seconds, settings, "classic") for rate in SUPPORTED_RATES]
    rows.append(measure(48000, 64, args.seconds, settings, "classic"))
    rows.append(measure(48000, 128, args.seconds, settings, "learned"))
    rows.append(measure(48000, 128, args.seconds, settings, "rnnoise-assisted"))
    print(
        f"{'noise reduction':>16} {'rate':>6} {'block':>5} {'mean us':>8} {'p99 us':>7} {'max us':>7} {'period us':>9} "
        f"{'% core':>6} {'latency ms':>10}"
    )
    for r in rows:
        print(
            f"{r['noise_reduction_method']:>16} {r['sample_rate']:>6} {r['block_size']:>5} {r['mean_us']:>8} "
            f"{r['p99_us']:>7} {r['max_us']:>7} {r['block_period_us']:>9} {r['mean_percent_of_one_core']:>6} "
            f"{r['algorithmic_latency_ms']:>10}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "seconds_per_run": args.seconds,
        "runs": rows,
    }
    (RESULTS / "cpu.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / 'cpu.json'}")


if __name__ == "__main__":
    main()
