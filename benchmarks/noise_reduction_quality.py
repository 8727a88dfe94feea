"""Noise reduction quality on real recordings: Hark's NoiseReducer against RNNoise and WebRTC NS.

Every speech file of ../shared/data is mixed with a real household noise at -5, 0, 5, 10 dB SNR
(noise in rotation, random segment, fixed seed; `--all` for every noise), plus the 16 ready
noisy/clean pairs. Each method's output is aligned to the clean speech (known latency removed,
then checked by cross-correlation) and scored with SI-SDR, STOI and wide-band PESQ at 16 kHz.
Hark runs in its real configuration, 48 kHz with 128-sample blocks: `hark_1.0`/`hark_0.7` are the
shipped default method (`audio.noise_reduction.DEFAULT_METHOD`) at strength 1 and 0.7; `hark_classic`
(SPP/MMSE-LSA gains), `hark_learned` (the trained estimator of `audio.learned_gains` joined with
them) and `hark_rnnoise` (RNNoise side-chain gains joined with them) each at strength 1. The learned
estimator was trained on these same recordings (`benchmarks/nr_train.py --fold all`), so its figures
here are in-sample; `benchmarks/nr_train.py evaluate` gives its held-out figures.
CPU is the reducer's mean wall time per 128-sample block over 20 s of noise (load-sensitive).

    .venv/bin/python -m benchmarks.noise_reduction_quality [--limit N] [--all] [--workers 2]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import time
from collections import defaultdict
from collections.abc import Callable
from multiprocessing import Pool

import numpy as np
from scipy.signal import resample_poly

from audio.noise_reduction import CLASSIC, DEFAULT_METHOD, LEARNED, RNNOISE_ASSISTED, NoiseReducer
from audio.settings import ListeningSettings
from benchmarks.common import RESULTS, Case, load_mixture, load_pairs, mixture_specs, residual_lag, scores
from benchmarks.nr_experiments import Variant, reducer_for

HARK_RATE, HARK_BLOCK = 48000, 128
RNNOISE_FRAME = 480
RNNOISE_DELAY = 960  # at 48 kHz: 10 ms frame + 10 ms look-ahead
WEBRTC_FRAME = 160
WEBRTC_DELAY = 95  # 256-point FFT on 160-sample frames
SNRS = (-5.0, 0.0, 5.0, 10.0)


def hark(noisy: np.ndarray, strength: float, method: str | Variant | None = None) -> np.ndarray:
    """`noisy` (16 kHz) through the product's reducer for a method name (the default for None), or
    an experimental one for a `Variant`."""
    nr = reducer_for(method)
    nr.prepare(HARK_RATE, HARK_BLOCK, 1)
    nr.configure(ListeningSettings(noise_reduction=strength))
    nr.reset()
    return through(nr, resample_poly(noisy, 3, 1))


def through(reducer: NoiseReducer, x48: np.ndarray) -> np.ndarray:
    """`x48` (48 kHz) block by block through a prepared `reducer`, its latency removed, at 16 kHz."""
    latency = reducer.latency_samples
    padded = np.zeros(-(-(len(x48) + latency) // HARK_BLOCK) * HARK_BLOCK, dtype=np.float32)
    padded[: len(x48)] = x48
    block = np.zeros((1, HARK_BLOCK), dtype=np.float32)
    for start in range(0, len(padded), HARK_BLOCK):
        block[0] = padded[start : start + HARK_BLOCK]
        reducer.process(block)
        padded[start : start + HARK_BLOCK] = block[0]
    return np.asarray(resample_poly(padded[latency : latency + len(x48)].astype(np.float64), 1, 3))


def rnnoise(noisy: np.ndarray) -> np.ndarray:
    return np.asarray(resample_poly(rnnoise_48k(resample_poly(noisy, 3, 1)), 1, 3))


def rnnoise_48k(x48: np.ndarray) -> np.ndarray:
    """RNNoise's output for `x48` (48 kHz, float), aligned with it (its 20 ms delay removed)."""
    from pyrnnoise.rnnoise import create, destroy, lib

    x = x48 * 32768.0
    n = len(x) + RNNOISE_DELAY
    padded = np.zeros(-(-n // RNNOISE_FRAME) * RNNOISE_FRAME, dtype=np.float32)
    padded[: len(x)] = x
    state = create()
    frame = np.zeros(RNNOISE_FRAME, dtype=np.float32)
    pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    for start in range(0, len(padded), RNNOISE_FRAME):
        frame[:] = padded[start : start + RNNOISE_FRAME]
        lib.rnnoise_process_frame(state, pointer, pointer)
        padded[start : start + RNNOISE_FRAME] = frame
    destroy(state)
    return padded[RNNOISE_DELAY : RNNOISE_DELAY + len(x)].astype(np.float64) / 32768.0


def webrtc(noisy: np.ndarray) -> np.ndarray:
    from webrtc_noise_gain import AudioProcessor

    processor = AudioProcessor(0, 4)  # auto gain off, strongest suppression
    pcm = np.clip(np.round(noisy * 32767.0), -32768, 32767).astype(np.int16)
    padded = np.zeros(-(-len(pcm) // WEBRTC_FRAME) * WEBRTC_FRAME, dtype=np.int16)
    padded[: len(pcm)] = pcm
    padded = np.concatenate([padded, np.zeros(WEBRTC_FRAME, dtype=np.int16)])
    out = np.zeros_like(padded)
    for start in range(0, len(padded), WEBRTC_FRAME):
        result = processor.Process10ms(padded[start : start + WEBRTC_FRAME].tobytes())
        out[start : start + WEBRTC_FRAME] = np.frombuffer(result.audio, dtype=np.int16)
    return out[WEBRTC_DELAY : WEBRTC_DELAY + len(pcm)].astype(np.float64) / 32767.0


def _hark_latency_ms(method: str = DEFAULT_METHOD) -> float:
    nr = NoiseReducer(method)
    nr.prepare(HARK_RATE, HARK_BLOCK, 1)
    return nr.latency_samples / (HARK_RATE / 1000.0)


METHODS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    # name: (process at 16 kHz in, aligned 16 kHz out; algorithmic latency in ms)
    "input": (lambda x: x, 0.0),
    "hark_1.0": (lambda x: hark(x, 1.0), _hark_latency_ms()),
    "hark_0.7": (lambda x: hark(x, 0.7), _hark_latency_ms()),
    "hark_classic": (lambda x: hark(x, 1.0, CLASSIC), _hark_latency_ms(CLASSIC)),
    "hark_learned": (lambda x: hark(x, 1.0, LEARNED), _hark_latency_ms(LEARNED)),
    "hark_rnnoise": (lambda x: hark(x, 1.0, RNNOISE_ASSISTED), _hark_latency_ms(RNNOISE_ASSISTED)),
    "rnnoise": (rnnoise, 20.0),
    "webrtc_ns": (webrtc, 6.0),  # plus its fixed 10 ms frames
}


# The default method under its own name is hark_1.0 again: its scores are copied, not recomputed.
SAME_AS = {f"hark_{DEFAULT_METHOD}": "hark_1.0"}


def evaluate(case: Case) -> dict[str, object]:
    row: dict[str, object] = {"name": case.name, "noise": case.noise, "snr": case.snr_db}
    for method, (run, _) in METHODS.items():
        if method in SAME_AS:
            row[method] = row[SAME_AS[method]]
            continue
        out = run(case.noisy)
        row[method] = scores(case.clean, out) | {"lag": residual_lag(case.clean, out)}
    return row


def evaluate_spec(spec: tuple[str, str, float, int]) -> dict[str, object]:
    return evaluate(load_mixture(spec))


def hark_cpu_us(seconds: float = 20.0, method: str = DEFAULT_METHOD) -> float:
    reducer = NoiseReducer(method)
    reducer.prepare(HARK_RATE, HARK_BLOCK, 1)
    rng = np.random.default_rng(0)
    block = np.zeros((1, HARK_BLOCK), dtype=np.float32)
    blocks = int(seconds * HARK_RATE / HARK_BLOCK)
    noise = (0.05 * rng.standard_normal((blocks, HARK_BLOCK))).astype(np.float32)
    for i in range(200):
        block[0] = noise[i]
        reducer.process(block)
    elapsed = 0.0
    for i in range(blocks):
        block[0] = noise[i]
        start = time.perf_counter()
        reducer.process(block)
        elapsed += time.perf_counter() - start
    return elapsed / blocks * 1e6


def summarize(rows: list[dict[str, object]]) -> dict[str, dict[str, dict[str, float]]]:
    """group -> method -> mean SI-SDR gain, STOI delta, PESQ delta (and absolute values)."""
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups["ALL mixtures" if row["noise"] != "pairs" else "pairs"].append(row)
        if row["noise"] != "pairs":
            groups[f"snr {row['snr']:+g}"].append(row)
            groups[f"noise {row['noise']}"].append(row)
            groups[f"{row['noise']} @ {row['snr']:+g}"].append(row)
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for group, members in sorted(groups.items()):
        summary[group] = {}
        for method in METHODS:
            stats: dict[str, float] = {"n": float(len(members))}
            for metric in ("si_sdr", "stoi", "pesq"):
                values = np.array([m[method][metric] for m in members])  # type: ignore[index]
                base = np.array([m["input"][metric] for m in members])  # type: ignore[index]
                stats[metric] = float(np.nanmean(values))
                stats[f"{metric}_delta"] = float(np.nanmean(values - base))
            summary[group][method] = stats
    return summary


def print_table(summary: dict[str, dict[str, dict[str, float]]], only_main: bool = False) -> None:
    columns = f"{'SI-SDR':>7s} {'dSISDR':>7s} {'STOI':>6s} {'dSTOI':>7s} {'PESQ':>5s} {'dPESQ':>6s}"
    print(f"{'group':34s} {'method':12s} {columns}")
    for group, methods in summary.items():
        if only_main and not (group.startswith(("ALL", "snr", "pairs"))):
            continue
        for method, s in methods.items():
            print(
                f"{group:34s} {method:12s} {s['si_sdr']:7.2f} {s['si_sdr_delta']:+7.2f} {s['stoi']:6.3f}"
                f" {s['stoi_delta']:+7.3f} {s['pesq']:5.2f} {s['pesq_delta']:+6.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only N mixtures (quick run)")
    parser.add_argument("--all", action="store_true", help="every speech file with every noise")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-pairs", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    specs = mixture_specs(SNRS, args.all, args.limit)
    with Pool(args.workers) as pool:
        rows = pool.map(evaluate_spec, specs, chunksize=1)
        if not args.no_pairs:
            rows += pool.map(evaluate, load_pairs(), chunksize=1)
    cpu = hark_cpu_us(method=CLASSIC)
    cpu_learned = hark_cpu_us(method=LEARNED)
    cpu_rnnoise = hark_cpu_us(method=RNNOISE_ASSISTED)
    summary = summarize(rows)
    print_table(summary)
    print("\nSummary (mean over conditions; d = change from the unprocessed input):")
    print_table(summary, only_main=True)
    bad_lags = {m: sorted({r[m]["lag"] for r in rows} - {0}) for m in METHODS}  # type: ignore[index]
    print(f"\nresidual alignment lags (16 kHz samples, 0 = aligned): {bad_lags}")
    latencies = {m: ms for m, (_, ms) in METHODS.items()}
    print(f"algorithmic latency (ms): {latencies}")
    print(
        f"Hark noise reducer CPU per {HARK_BLOCK}-sample block at {HARK_RATE} Hz: classic {cpu:.1f} us,",
        end=" ",
    )
    print(f"learned {cpu_learned:.1f} us, rnnoise-assisted {cpu_rnnoise:.1f} us")
    print(f"{len(rows)} cases in {time.perf_counter() - started:.0f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "noise_reduction_quality.json"
    out.write_text(
        json.dumps(
            {
                "summary": summary,
                "latency_ms": latencies,
                "default_method": DEFAULT_METHOD,
                "hark_cpu_us_per_block": cpu,
                "hark_learned_cpu_us_per_block": cpu_learned,
                "hark_rnnoise_cpu_us_per_block": cpu_rnnoise,
                "cases": rows,
                "residual_lags": bad_lags,
            },
            indent=1,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
