"""What RNNoise's own gains are worth inside Hark's latency budget.

RNNoise's output lags its input by 20 ms: a 10 ms frame, and since version 0.2 a 10 ms look-ahead
(the gains it computes from frame n are applied to frame n - 1). Hark's noise-reduction target compares Hark,
at a third of that delay or less, with RNNoise at its full delay. This benchmark measures how much
of RNNoise's gain is its delay. On the held-out cases of both folds (the very cases
`nr_train evaluate` scores the learned method on), it takes RNNoise's gains as they act on the
audio: per band of Hark's filter bank, the amplitude ratio of RNNoise's aligned output to its input,
frame by frame. It applies them through Hark's own filter bank (the reducer replaying a gain log):
- on time, as if RNNoise had no delay (this also shows whether Hark's filter bank loses anything);
- stale by a number of Hark's frames (2.67 ms each);
- causally: each frame gets the newest gains RNNoise could have finished by then, if the audio
  waits `extra` samples more than Hark's 2.67 ms. RNNoise computes a set every 480 samples, for
  audio centred 960 samples before its newest sample, so they are 20-30 ms stale, less `extra`.
  `extra` 0 is Hark as it is; 112 samples is what the chain's 6 ms budget leaves (it uses 3.67 ms);
  192 samples makes the noise reducer's delay a third of RNNoise's.
Scores are SI-SDR and STOI changes from the input at 16 kHz, beside RNNoise itself and the learned
method's held-out scores on the same cases (from `nr_learned_heldout.json` and its swapped twin).

    .venv/bin/python -m benchmarks.nr_staleness [--limit N] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import Pool

import numpy as np
from scipy.signal import resample_poly

from audio.noise_reduction import MAX_ATTENUATION_DB, _windows
from audio.settings import ListeningSettings
from benchmarks.common import RESULTS, load_mixture, load_pairs, si_sdr
from benchmarks.noise_reduction_quality import RNNOISE_DELAY, RNNOISE_FRAME, rnnoise_48k, through
from benchmarks.nr_experiments import CLASSIC, ExperimentalReducer
from benchmarks.nr_train import HOP, N_FFT, band_matrix, frames, heldout_cases

STALE_FRAMES = (2, 4, 6, 8, 11)
EXTRA_SAMPLES = (0, 112, 192)
HELDOUT_REPORTS = {"odd": "nr_learned_heldout.json", "even": "nr_learned_heldout_swapped.json"}


def rnnoise_gains(x48: np.ndarray, y48: np.ndarray) -> np.ndarray:
    """Per frame of Hark's filter bank and per bin, the gain RNNoise applied: the amplitude ratio of
    its aligned output `y48` to the input `x48` in each of the learned estimator's bands."""
    spec_in, spec_out = frames(x48), frames(y48)
    bands = band_matrix(spec_in.shape[1])
    covered = bands.sum(axis=1) > 0
    ratio = np.sqrt(((np.abs(spec_out) ** 2) @ bands + 1e-12) / ((np.abs(spec_in) ** 2) @ bands + 1e-12))
    gains = np.ones(spec_in.shape)
    gains[:, covered] = (ratio @ bands.T)[:, covered] / bands.sum(axis=1)[covered]
    # Hark's floor; above the bands (8 kHz) the gains stay 1 for every variant alike.
    return np.clip(gains, 10 ** (-MAX_ATTENUATION_DB / 20), 1.0)


def stale(gains: np.ndarray, frames_late: int) -> np.ndarray:
    if frames_late == 0:
        return gains
    return np.concatenate([np.ones((frames_late, gains.shape[1])), gains[:-frames_late]])


def frame_centre() -> float:
    """How far before its end a frame's content lies: the centroid of the analysis window's energy
    (356 samples: the asymmetric window's long side looks back)."""
    window, _ = _windows(N_FFT, HOP)
    energy = window**2
    return float(N_FFT - (energy * np.arange(N_FFT)).sum() / energy.sum())


def causal(gains: np.ndarray, extra: int) -> np.ndarray:
    """Frame m (ending at sample (m + 1) * HOP) gets the gains of RNNoise's newest call that has
    ended by then plus `extra`. Those act on the audio centred RNNOISE_DELAY before that call's end,
    which is the content of the frame ending `frame_centre()` later."""
    ends = (np.arange(len(gains)) + 1) * HOP
    call_ends = (ends + extra) // RNNOISE_FRAME * RNNOISE_FRAME
    source = np.rint((call_ends - RNNOISE_DELAY + frame_centre()) / HOP).astype(int) - 1
    out = np.ones_like(gains)
    ok = source >= 0
    out[ok] = gains[source[ok]]
    return out


def replay(x48: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """x48 through Hark's filter bank with `gains` per frame, aligned and back at 16 kHz."""
    reducer = ExperimentalReducer(CLASSIC)
    reducer.prepare(48000, HOP, 1)
    reducer.configure(ListeningSettings(noise_reduction=1.0))
    reducer.reset()
    # Frames past the end of the recording (the latency's flush) pass unchanged.
    flush = np.ones((reducer.latency_samples // HOP + 2, gains.shape[1]))
    reducer.replay_gains(np.concatenate([gains, flush]).astype(np.float32))
    return through(reducer, x48)


def variants() -> list[str]:
    return (
        ["rnnoise", "on time"]
        + [f"{n} frames late" for n in STALE_FRAMES]
        + [f"causal +{e}" for e in EXTRA_SAMPLES]
    )  # fmt: skip


def score_case(job: tuple[tuple[str, str, float, int], str]) -> dict[str, object]:
    from pystoi import stoi

    spec, pair = job
    case = next(c for c in load_pairs() if c.name == pair) if pair else load_mixture(spec)
    x48 = resample_poly(case.noisy, 3, 1)
    y48 = rnnoise_48k(x48)
    gains = rnnoise_gains(x48, y48)
    outputs = {"input": case.noisy, "rnnoise": resample_poly(y48, 1, 3), "on time": replay(x48, gains)}
    for n in STALE_FRAMES:
        outputs[f"{n} frames late"] = replay(x48, stale(gains, n))
    for e in EXTRA_SAMPLES:
        outputs[f"causal +{e}"] = replay(x48, causal(gains, e))
    row: dict[str, object] = {"name": case.name, "noise": case.noise, "snr": case.snr_db}
    for label, y in outputs.items():
        est = y[: len(case.clean)]
        row[label] = {"si_sdr": si_sdr(case.clean, est), "stoi": float(stoi(case.clean, est, 16000))}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="score about this many cases of each half")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    report: dict[str, object] = {}
    for fold in ("odd", "even"):
        jobs = heldout_cases(fold)
        if args.limit:
            jobs = jobs[:: max(1, len(jobs) // args.limit)]
        with Pool(args.workers) as pool:
            rows = pool.map(score_case, jobs, chunksize=1)
        learned = {
            (c["name"], c["snr"]): c["learned"]
            for c in json.loads((RESULTS / HELDOUT_REPORTS[fold]).read_text())["cases"]
        }
        for row in rows:
            row["hark learned (held out)"] = learned[(row["name"], row["snr"])]
        summary = {}
        print(f"{fold} half ({len(rows)} cases): change from the input")
        for label in ["hark learned (held out)", *variants()]:
            si = float(np.mean([r[label]["si_sdr"] - r["input"]["si_sdr"] for r in rows]))  # type: ignore[index]
            st = float(np.mean([r[label]["stoi"] - r["input"]["stoi"] for r in rows]))  # type: ignore[index]
            summary[label] = {"si_sdr_gain_db": si, "stoi_change": st}
            print(f"  {label:26s} SI-SDR {si:+.2f} dB  STOI {st:+.4f}")
        report[fold] = {"summary": summary, "cases": rows}
    print(f"({time.perf_counter() - started:.0f} s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "nr_staleness.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
