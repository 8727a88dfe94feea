"""Speech synthesis: how often plain pyttsx3 loses settings or files here, and what Hark's synthesiser costs.

1. Plain pyttsx3 on one reused engine (the usual setProperty / save_to_file / runAndWait
   loop), rates alternating 100 and 250 wpm: how many files came out at the wrong rate
   or not at all.
2. Plain pyttsx3, one utterance per fresh process: how many runs wrote no audio.
3. Hark's Synthesiser (one reused worker, settings verified, retried in a fresh worker on a
   failed check), the same alternation: wrong results (must be 0), retries, time per
   utterance; then worker start-up and time against text length.

    .venv/bin/python -m benchmarks.speech_synthesis [--runs 200]  -> benchmarks/results/speech_synthesis.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.speech.synthesis import Synthesiser
from benchmarks.common import RESULTS

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."
# Midway between the sentence's duration at 100 wpm (6.5 s) and at 250 wpm (2.6 s).
SLOW_FAST_SPLIT_S = 4.5

PLAIN_REUSED = """
import os, sys, time, wave
import pyttsx3
folder, runs, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = pyttsx3.init()
for i in range(runs):
    path = os.path.join(folder, f"{i}.wav")
    engine.setProperty("rate", 100 if i % 2 == 0 else 250)
    engine.save_to_file(text, path)
    engine.runAndWait()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not os.path.exists(path):
        time.sleep(0.01)
    time.sleep(0.05)
    frames = -1
    if os.path.exists(path):
        with wave.open(path) as w:
            frames = w.getnframes()
    print("RESULT", i, frames / 22050 if frames >= 0 else -1, file=sys.stderr, flush=True)
"""

PLAIN_FRESH = """
import sys, pyttsx3
engine = pyttsx3.init()
engine.save_to_file(sys.argv[1], sys.argv[2])
engine.runAndWait()
"""


def plain_reused(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", PLAIN_REUSED, folder, str(runs), SENTENCE],
            capture_output=True,
            text=True,
            timeout=600,
        )
    wrong = missing = 0
    for line in done.stderr.splitlines():
        if not line.startswith("RESULT"):
            continue
        _, index, seconds = line.split()
        if float(seconds) <= 0:
            missing += 1
        elif (float(seconds) > SLOW_FAST_SPLIT_S) != (int(index) % 2 == 0):
            wrong += 1
    return {"runs": runs, "wrong_rate": wrong, "no_audio": missing}


def plain_fresh(runs: int) -> dict[str, Any]:
    missing = 0
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs):
            path = Path(folder) / f"{i}.wav"
            subprocess.run(
                [sys.executable, "-c", PLAIN_FRESH, SENTENCE, str(path)], capture_output=True, timeout=60
            )
            if not path.exists() or path.stat().st_size <= 44:
                missing += 1
    return {"runs": runs, "no_audio": missing}


def hark_synthesiser(runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    synth = Synthesiser()
    synth.start()
    cold = time.perf_counter() - started
    wrong, times = 0, []
    for i in range(runs):
        rate = 100 if i % 2 == 0 else 250
        t = time.perf_counter()
        u = synth.synthesise(SENTENCE, "gmw/en", rate)
        times.append(time.perf_counter() - t)
        wrong += (u.duration_s > SLOW_FAST_SPLIT_S) != (rate == 100)
    by_length = {}
    for chars in (100, 400, 2000):
        text = (SENTENCE + " ") * (chars // len(SENTENCE) + 1)
        t = time.perf_counter()
        synth.synthesise(text[:chars].rsplit(" ", 1)[0], "gmw/en", 150)
        by_length[chars] = round(time.perf_counter() - t, 4)
    retries = synth.failed_attempts
    synth.close()
    started = time.perf_counter()
    with Synthesiser() as again:
        again.start()
        warm = time.perf_counter() - started
    times.sort()
    return {
        "runs": runs,
        "wrong_rate": wrong,
        "retries": retries,
        "median_s": round(statistics.median(times), 4),
        "p95_s": round(times[int(0.95 * len(times))], 4),
        "worker_start_cold_s": round(cold, 3),
        "worker_start_warm_s": round(warm, 3),
        "seconds_by_characters": by_length,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=200, help="utterances per reused-engine test (default 200)"
    )
    parser.add_argument(
        "--fresh-runs", type=int, default=30, help="fresh processes for plain pyttsx3 (default 30)"
    )
    args = parser.parse_args()
    results = {
        "plain_pyttsx3_reused_engine": plain_reused(args.runs),
        "plain_pyttsx3_fresh_process": plain_fresh(args.fresh_runs),
        "hark_synthesiser": hark_synthesiser(args.runs),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speech_synthesis.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
