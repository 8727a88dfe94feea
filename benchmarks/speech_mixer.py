"""What synthetic speech costs: the audio thread's read per block, the chain with speech, and `push`.

Times, at 48 kHz / 128 after a warm-up: `SpeechInput.mix_into` idle and while
speech plays, and the whole `ListeningChain.process` without and with speech
playing; then `push` of a real 5 s pyttsx3-rate utterance (22050 Hz) to each
stream rate, first call (filter design) and later calls.

Run: .venv/bin/python -m benchmarks.speech_mixer  -> benchmarks/results/speech_mixer.json
"""

from __future__ import annotations

import gc
import json
import platform
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from audio.chain import ListeningChain
from audio.mixer import SpeechInput
from audio.settings import ListeningSettings

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
SPEECH = REPO / "tests/data/speech_1089-134686-0000.wav"
RATE, BLOCK, BLOCKS = 48000, 128, 3000


def utterance_22050(seconds: float = 5.0) -> np.ndarray:
    x, _ = sf.read(SPEECH, dtype="float64")
    return np.asarray(resample_poly(x, 441, 320)[: int(seconds * 22050)], dtype=np.float32)


def stats_us(times: list[float]) -> dict[str, float]:
    t = np.array(times) * 1e6
    return {"mean_us": round(float(t.mean()), 2), "p99_us": round(float(np.percentile(t, 99)), 2)}


def time_reads(speech: SpeechInput, playing: bool) -> dict[str, float]:
    block = np.zeros((1, BLOCK), dtype=np.float32)
    if playing:
        speech.push(utterance_22050(25.0), 22050)
    times = []
    for _ in range(BLOCKS):
        started = time.perf_counter()
        speech.mix_into(block)
        times.append(time.perf_counter() - started)
    speech.clear()
    speech.mix_into(block)
    return stats_us(times[200:])


def time_chain(playing: bool) -> dict[str, float]:
    chain = ListeningChain(ListeningSettings())
    chain.prepare(RATE, BLOCK)
    x, _ = sf.read(SPEECH, dtype="float32")
    mic = np.ascontiguousarray(resample_poly(x, 3, 1)[: BLOCKS * BLOCK], dtype=np.float32).reshape(-1, 1)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    if playing:
        chain.speech.push(utterance_22050(10.0), 22050)
    times = []
    for b in range(BLOCKS):
        view = mic[b * BLOCK : (b + 1) * BLOCK]
        started = time.perf_counter()
        chain.process(view, out)
        times.append(time.perf_counter() - started)
    return stats_us(times[200:])


def time_push(rate: int) -> dict[str, float]:
    speech = SpeechInput()
    speech.prepare(rate, BLOCK)
    x = utterance_22050(5.0)
    runs = []
    for _ in range(4):
        started = time.perf_counter()
        speech.push(x, 22050)
        runs.append(time.perf_counter() - started)
        speech.clear()
        speech.read_into(np.zeros((1, 4096), dtype=np.float32))
    return {"first_ms": round(1000 * runs[0], 2), "later_ms": round(1000 * min(runs[1:]), 2)}


def main() -> None:
    gc.collect()
    speech = SpeechInput()
    speech.prepare(RATE, BLOCK)
    time_reads(speech, True)  # warm-up: JIT compilation
    report = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "rate": RATE,
        "block": BLOCK,
        "block_period_us": round(1e6 * BLOCK / RATE, 1),
        "mix_into_idle": time_reads(speech, False),
        "mix_into_playing": time_reads(speech, True),
        "chain_without_speech": time_chain(False),
        "chain_with_speech": time_chain(True),
        "push_5s_22050_to": {str(rate): time_push(rate) for rate in (48000, 44100, 16000)},
    }
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speech_mixer.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
