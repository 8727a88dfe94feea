"""Fast tuning loop for the noise reducer on a fixed development half of ../shared/data.

The speech files are split by their sorted index: even ones are DEVELOPMENT, odd ones HELD-OUT
(the ready noisy/clean pairs likewise). Tuning runs only on the development half, so the final
numbers of the held-out half (`--split heldout`) are not fitted to it. Each speech file is mixed at
-5, 0, 5 and 10 dB SNR with a noise in rotation, exactly as `benchmarks.noise_reduction_quality`
does; with even indices every noise still meets every SNR. The unprocessed input's and RNNoise's
scores are computed once and cached in /tmp.

An experiment overrides module constants of `audio.noise_reduction` and fields of the method's
`benchmarks.nr_experiments.Variant`:

    nice -n 15 .venv/bin/python -m benchmarks.nr_dev --name spp-fast --set NOISE_TIME_S=0.05 \
        --variant mode=0 [--method rnnoise-assisted] [--split heldout] [--limit 40]

It prints, against the input and RNNoise on the same cases: mean SI-SDR gain, mean STOI change,
how many cases and how many noise x SNR conditions have STOI below the input's, mean PESQ change;
and appends the line to /tmp/nr_dev_log.tsv.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from benchmarks.common import Case, load_mixture, load_pairs, mixture_specs, scores

CACHE = Path("/tmp/nr_dev_cache.json")
LOG = Path("/tmp/nr_dev_log.tsv")
SNRS = (-5.0, 0.0, 5.0, 10.0)


def split_cases(split: str, limit: int | None) -> list[tuple[str, str, float, int] | int]:
    """Mixture specs, then indices of ready pairs, of one half."""
    parity = 0 if split == "dev" else 1
    speech = sorted({s for s, _, _, _ in mixture_specs(SNRS, False, None)})
    keep = {name for i, name in enumerate(speech) if i % 2 == parity}
    specs: list[tuple[str, str, float, int] | int] = [
        s for s in mixture_specs(SNRS, False, None) if s[0] in keep
    ]
    specs += [i for i in range(len(load_pairs())) if i % 2 == parity]
    if limit is not None:
        order = np.random.default_rng(7).permutation(len(specs))[:limit]
        specs = [specs[i] for i in sorted(order)]
    return specs


def load(spec: tuple[str, str, float, int] | int) -> Case:
    return load_pairs()[spec] if isinstance(spec, int) else load_mixture(spec)


def _baseline(spec: tuple[str, str, float, int] | int) -> tuple[str, dict[str, dict[str, float]]]:
    from benchmarks.noise_reduction_quality import rnnoise

    case = load(spec)
    return case.name, {
        "input": scores(case.clean, case.noisy),
        "rnnoise": scores(case.clean, rnnoise(case.noisy)),
    }


_CONFIG: dict[str, object] = {}


def _init(overrides: dict[str, float], variant_fields: dict[str, float], method: str) -> None:
    import audio.noise_reduction as nr
    from benchmarks.nr_experiments import METHODS

    for name, value in overrides.items():
        setattr(nr, name, type(getattr(nr, name))(value))
    fields = {f: type(getattr(METHODS[method], f))(v) for f, v in variant_fields.items()}
    _CONFIG["variant"] = replace(METHODS[method], **fields)


def _evaluate(
    args: tuple[tuple[str, str, float, int] | int, float],
) -> tuple[str, str, float, dict[str, float]]:
    from benchmarks.noise_reduction_quality import hark

    spec, strength = args
    case = load(spec)
    out = hark(case.noisy, strength, _CONFIG["variant"])  # type: ignore[arg-type]
    return case.name, case.noise, case.snr_db, scores(case.clean, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="run")
    parser.add_argument("--split", choices=("dev", "heldout"), default="dev")
    parser.add_argument("--method", default="classic")
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--set", action="append", default=[], help="CONSTANT=value in audio.noise_reduction")
    parser.add_argument("--variant", action="append", default=[], help="field=value of the Variant")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dump", type=Path, default=None, help="write per-case scores as JSON")
    args = parser.parse_args()

    overrides = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    fields = {k: float(v) for k, v in (s.split("=", 1) for s in args.variant)}
    import audio.noise_reduction as nr
    from benchmarks.nr_experiments import METHODS

    unknown = [name for name in overrides if not hasattr(nr, name)]
    unknown += [f for f in fields if not hasattr(METHODS[args.method], f)]
    if unknown:
        raise SystemExit(f"Unknown constant or Variant field: {', '.join(unknown)}")
    specs = split_cases(args.split, args.limit)
    cache: dict[str, dict[str, dict[str, float]]] = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    started = time.perf_counter()
    missing = [s for s in specs if load(s).name not in cache]
    with Pool(args.workers) as pool:
        if missing:
            cache.update(pool.map(_baseline, missing, chunksize=1))
            CACHE.write_text(json.dumps(cache))
    with Pool(args.workers, initializer=_init, initargs=(overrides, fields, args.method)) as pool:
        results = pool.map(_evaluate, [(s, args.strength) for s in specs], chunksize=1)

    deltas: dict[str, list[float]] = defaultdict(list)
    conditions: dict[tuple[str, float], list[float]] = defaultdict(list)
    for name, noise, snr, hark_scores in results:
        base = cache[name]
        for metric in ("si_sdr", "stoi", "pesq"):
            deltas[metric].append(hark_scores[metric] - base["input"][metric])
            deltas[f"rnn_{metric}"].append(base["rnnoise"][metric] - base["input"][metric])
        conditions[(noise, snr)].append(hark_scores["stoi"] - base["input"]["stoi"])
    stoi_cases_below = sum(d < 0 for d in deltas["stoi"])
    stoi_conditions_below = sum(np.mean(v) < 0 for v in conditions.values())
    line = (
        f"{args.name}\t{args.split}\t{args.method}\t{args.strength}\t{' '.join(args.set + args.variant)}\t"
        f"dSISDR {np.mean(deltas['si_sdr']):+.2f}\tdSTOI {np.mean(deltas['stoi']):+.4f}\t"
        f"STOI<in {stoi_cases_below}/{len(results)} cases {stoi_conditions_below}/{len(conditions)} cond\t"
        f"dPESQ {np.nanmean(deltas['pesq']):+.3f}\t"
        f"(rnnoise {np.mean(deltas['rnn_si_sdr']):+.2f} {np.mean(deltas['rnn_stoi']):+.4f} "
        f"{np.nanmean(deltas['rnn_pesq']):+.3f})\t{time.perf_counter() - started:.0f}s"
    )
    print(line)
    with LOG.open("a") as log:
        log.write(line + "\n")
    if args.dump is not None:
        args.dump.write_text(json.dumps({"cases": results, "baseline": {r[0]: cache[r[0]] for r in results}}))


if __name__ == "__main__":
    main()
