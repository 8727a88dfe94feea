"""The audio engine's start-up, faults, settings changes and latency, timed on a JACK dummy server.

- first start (cold: a fresh, empty NUMBA_CACHE_DIR, so every kernel compiles) and warm start (the
  same folder again), each in a fresh process: import, construct, `start()` returning, first callback;
- restart to sound: SIGKILL the engine; time to the replacement's first callback (the shared
  status's callback count starting again) and to sound (a JACK client feeding speech into the
  engine's input hears its output again; a thread wires each new engine's ports as they appear),
  with the client's "Audio back" gap and the new engine's phases (profiled_run);
- parent killed: a helper process runs an engine; SIGKILL the helper; time until the engine's
  process is gone (/proc) and until its JACK ports are;
- a settings change: `configure` to the first block computed with the new settings
  (status.settings_applied_at, the block's start, minus the call), 100 changes;
- end to end through JACK: as benchmarks/latency_jack.py, through AudioEngine (process).

Run: .venv/bin/python -m benchmarks.engine_faults  -> benchmarks/results/engine_faults.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
RATE, PERIOD = 48000, 128
HEARD = 1e-4  # an output sample above this (-80 dBFS) is sound


def stats(values: list[float], digits: int = 3) -> dict[str, Any]:
    v = np.asarray(values, dtype=np.float64)
    if not len(v):
        return {"n": 0}
    return {"n": len(v), "median": round(float(np.median(v)), digits),
            "p95": round(float(np.percentile(v, 95)), digits), "min": round(float(v.min()), digits),
            "max": round(float(v.max()), digits)}  # fmt: skip


def jack_server(sync: bool) -> Any:
    """jackd's dummy driver, asynchronous (its default, as users run it) unless `sync` (as the test rig)."""
    from benchmarks.soak import LoggedJack

    server = LoggedJack(Path(tempfile.mkdtemp(prefix="hark-faults-")) / "jackd.log", sync=sync)
    server.start()  # and exports its name: engines spawned later inherit it
    return server


# --- a fresh process: one start, timed ------------------------------------------------
def start_once() -> None:
    t0 = time.monotonic()
    from audio.engine import AudioEngine

    imported = time.monotonic()
    engine = AudioEngine(
        None, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD
    )
    made = time.monotonic()
    engine.status  # noqa: B018  # this side's first read loads its kernel (timed apart: status_read_s)
    status_read = time.monotonic() - made
    made = time.monotonic()
    engine.start()
    started = time.monotonic()
    while engine.status.callbacks == 0:
        time.sleep(0.0005)
    first = time.monotonic()
    engine.release()
    print(json.dumps({"import_s": imported - t0, "construct_s": made - imported - status_read,
                      "first_status_read_s": status_read, "start_s": started - made,
                      "first_callback_s": first - made, "total_s": first - t0}))  # fmt: skip


def hold() -> None:
    """A stand-in for the app: run an engine, say its pid, wait to be killed."""
    from audio.engine import AudioEngine

    engine = AudioEngine(
        None, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD
    )
    engine.start()
    print(engine.pid, flush=True)
    time.sleep(3600)


def starts(server_name: str, cache: Path | None) -> dict[str, Any]:
    env = {**os.environ, "JACK_DEFAULT_SERVER": server_name}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    done = subprocess.run([sys.executable, "-m", "benchmarks.engine_faults", "--start-once"], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"start-once failed: {done.stderr[-2000:]}")
    return {k: round(v, 3) for k, v in json.loads(lines[-1]).items()}


# --- where a start's time goes, inside the engine process ------------------------------
PROFILE_ENV = "HARK_ENGINE_PROFILE"


def profiled_run(conn: Any, config: Any, names: Any) -> None:
    """The engine child's entry point while profiling: time stamps (time.monotonic) of each phase."""
    log = Path(os.environ[PROFILE_ENV])
    marks = [("entered run (interpreter up, spawn data unpickled)", time.monotonic())]

    def mark(what: str) -> None:
        marks.append((what, time.monotonic()))
        log.write_text(json.dumps(marks))

    from audio import engine_process

    mark("imported audio.engine_process (numpy, numba, the protocol)")
    from audio import warmup

    mark("imported audio.warmup (audio.chain and its stages)")
    from audio import stream

    mark("imported audio.stream (sounddevice: PortAudio initialised, JACK client opened)")
    compile_kernels, start, init = (
        warmup.compile_kernels,
        stream.ListeningStream.start,
        engine_process.EngineCore.__init__,
    )

    def timed_init(self: Any, *a: Any, **k: Any) -> None:
        init(self, *a, **k)
        mark("EngineCore made (shared memory attached, chain built: kernels loaded from the numba cache)")

    def timed_compile(*a: Any) -> None:
        compile_kernels(*a)
        mark("compile_kernels (a spare chain run over test blocks)")

    def timed_start(self: Any, wait: bool = False) -> None:
        start(self, wait)
        mark("stream opened and started")

    warmup.compile_kernels = timed_compile  # type: ignore[assignment]
    stream.ListeningStream.start = timed_start  # type: ignore[method-assign]
    engine_process.EngineCore.__init__ = timed_init  # type: ignore[method-assign]
    engine_process.run(conn, config, names)


def profile_start(log: Path) -> None:
    """Later engines (spawned by this process) enter through profiled_run."""
    from audio import engine_process
    from benchmarks.engine_faults import profiled_run as by_name  # not __main__'s: the child hides that

    os.environ[PROFILE_ENV] = str(log)
    engine_process.run = by_name  # pickled by name


# --- restart to sound -------------------------------------------------------------------
class Listener:
    """A JACK client that feeds speech into whichever engine is running and notes when it hears it."""

    def __init__(self, server_name: str, signal_: np.ndarray) -> None:
        import jack

        self.client = jack.Client("hark-listener", servername=server_name, no_start_server=True)
        self.feed = self.client.outports.register("feed")
        self.rec = self.client.inports.register("rec")
        self.signal, self.pos = signal_, 0
        self.heard_at: float | None = None
        self.armed = False
        self.client.set_process_callback(self._process)
        self._stop = threading.Event()
        self.client.activate()
        self._wirer = threading.Thread(target=self._wire, daemon=True)
        self._wirer.start()

    def _process(self, frames: int) -> None:
        out = self.feed.get_array()
        start = self.pos % (len(self.signal) - frames)
        out[:] = self.signal[start : start + frames]
        self.pos += frames
        if self.armed and self.heard_at is None and float(np.max(np.abs(self.rec.get_array()))) > HEARD:
            self.heard_at = time.monotonic()

    def _wire(self) -> None:
        while not self._stop.wait(0.005):
            with contextlib.suppress(Exception):  # ports come and go with the engine
                ins = self.client.get_ports("PortAudio.*", is_audio=True, is_input=True)
                outs = self.client.get_ports("PortAudio.*", is_audio=True, is_output=True)
                if ins and outs:
                    if self.feed.name not in [p.name for p in self.client.get_all_connections(ins[0])]:
                        for port in self.client.get_all_connections(ins[0]):
                            self.client.disconnect(port, ins[0])
                        self.client.connect(self.feed, ins[0])
                    if outs[0].name not in [p.name for p in self.client.get_all_connections(self.rec)]:
                        self.client.connect(outs[0], self.rec)

    def close(self) -> None:
        self._stop.set()
        self._wirer.join()
        self.client.deactivate()
        self.client.close()


def restarts(server_name: str, times: int) -> dict[str, Any]:
    from audio.engine import AudioEngine
    from benchmarks.soak import speech

    listener = Listener(server_name, speech(4))
    log = Path(tempfile.mkdtemp(prefix="hark-faults-")) / "phases.json"
    profile_start(log)
    engine = AudioEngine(
        None, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD
    )
    rows: list[dict[str, Any]] = []
    try:
        engine.status  # noqa: B018  # load this side's kernel before timing
        engine.start()
        for _ in range(times):
            time.sleep(2.0)
            listener.heard_at, listener.armed = None, False
            old = engine.pid
            assert old is not None
            events_before = len(engine.events())
            raw = engine._segments.status.read()
            counted = raw[0] if raw is not None else 1e12
            killed = time.monotonic()
            wall_killed = time.time()
            os.kill(old, signal.SIGKILL)
            first_block = None
            looked = 0.0
            while time.monotonic() - killed < 30.0:
                # Asking jackd for its ports often would slow every other client's requests, the new engine's too.
                if not listener.armed and time.monotonic() - looked > 0.01:
                    looked = time.monotonic()
                    if not _ports(listener.client):  # the dead engine's client is gone
                        listener.heard_at, listener.armed = None, True
                raw = engine._segments.status.read()  # the new engine counts its callbacks from 1
                if first_block is None and raw is not None and raw[0] < counted:
                    first_block = time.monotonic()
                if first_block is not None and listener.heard_at is not None:
                    break
                time.sleep(0.001)
            new = engine.events()[events_before:]
            phases = {what: round(at - killed, 3) for what, at in json.loads(log.read_text())}
            at = {
                e.kind + ("-back" if e.data.get("gap_s") is not None else ""): e.at - wall_killed for e in new
            }
            gap = next((e.data["gap_s"] for e in new if e.data.get("gap_s") is not None), None)
            rows.append({"first_callback_s": None if first_block is None else first_block - killed,
                         "sound_s": None if listener.heard_at is None else listener.heard_at - killed,
                         "client_gap_s": gap, "events_after_kill_s": at, "engine_phases_after_kill_s": phases,
                         "new_pid": engine.pid, "callbacks_rising": _rising(engine)})  # fmt: skip
    finally:
        engine.release()
        listener.close()
    return {
        "first_callback_s": stats([r["first_callback_s"] for r in rows if r["first_callback_s"] is not None]),
        "sound_s": stats([r["sound_s"] for r in rows if r["sound_s"] is not None]),
        "runs": rows,
    }


def _ports(client: Any) -> list[Any]:
    try:
        return list(client.get_ports("PortAudio.*"))
    except Exception:  # a port went away while being listed
        return [None]


def _rising(engine: Any) -> bool:
    before = engine.status.callbacks
    time.sleep(0.1)
    return bool(engine.status.callbacks > before + 10)


# --- the parent killed -----------------------------------------------------------------
def orphans(server_name: str, times: int) -> dict[str, Any]:
    import jack

    watcher = jack.Client("hark-orphan-watch", servername=server_name, no_start_server=True)
    rows = []
    try:
        for _ in range(times):
            helper = subprocess.Popen([sys.executable, "-m", "benchmarks.engine_faults", "--hold"],
                                      stdout=subprocess.PIPE, text=True)  # fmt: skip
            assert helper.stdout is not None
            pid = int(helper.stdout.readline())
            time.sleep(1.0)
            killed = time.monotonic()
            helper.kill()
            gone = ports_gone = None
            looked = 0.0
            while time.monotonic() - killed < 20.0 and (gone is None or ports_gone is None):
                if gone is None and not _alive(pid):
                    gone = time.monotonic() - killed
                if ports_gone is None and time.monotonic() - looked > 0.005:
                    looked = time.monotonic()
                    if not _ports(watcher):
                        ports_gone = looked - killed
                time.sleep(0.001)
            helper.wait(5)
            rows.append({"process_gone_s": gone, "jack_ports_gone_s": ports_gone})
    finally:
        watcher.close()
    return {"process_gone_s": stats([r["process_gone_s"] for r in rows if r["process_gone_s"] is not None]),
            "jack_ports_gone_s": stats([r["jack_ports_gone_s"] for r in rows if r["jack_ports_gone_s"] is not None]),
            "runs": rows}  # fmt: skip


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status waits to be collected


# --- settings changes --------------------------------------------------------------------
def settings_changes(times: int) -> dict[str, Any]:
    import dataclasses

    from audio.engine import AudioEngine
    from audio.settings import ListeningSettings

    base = ListeningSettings()
    engine = AudioEngine(
        base, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD
    )
    delays = []
    try:
        engine.start()
        time.sleep(1.0)
        for i in range(times):
            settings = dataclasses.replace(base, gain_db=base.gain_db + (3.0 if i % 2 == 0 else 0.0))
            called = time.monotonic()
            tag = engine.configure(settings)
            while engine.status.settings_tag != tag and time.monotonic() - called < 2.0:
                time.sleep(0.0002)
            delays.append(1000.0 * (engine.status.settings_applied_at - called))
            time.sleep(0.05)
    finally:
        engine.release()
    return {"ms": stats(delays, 2), "changes": times,
            "measure": "status.settings_applied_at (time.monotonic() at the start of the first block that used "
            "the new settings) minus time.monotonic() just before configure(); gain changes, 50 ms apart"}  # fmt: skip


# --- end to end ------------------------------------------------------------------------
def end_to_end(server_name: str) -> dict[str, Any]:
    from audio.engine import AudioEngine
    from audio.offline import process_signal
    from audio.settings import ListeningSettings
    from tests.support.jack_rig import Rig

    signal_ = (0.1 * np.random.default_rng(1).standard_normal(RATE)).astype(np.float32)
    rig = Rig(server_name, signal_, record_frames=RATE + RATE // 2)
    engine = AudioEngine(
        None, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD
    )
    try:
        engine.start()
        rig.wire()
        recording = rig.run(timeout=20, settle_s=0.5)
        status = engine.status
    finally:
        engine.release()
        rig.close()
    offline = process_signal(signal_, RATE, ListeningSettings(), PERIOD, compensate_latency=True).output[:, 0]
    corr = np.correlate(recording.astype(np.float64), offline.astype(np.float64), mode="valid")
    lag = int(np.argmax(corr))
    chain = status.chain_latency_samples
    before = json.loads((RESULTS / "latency_jack.json").read_text())["periods"][str(PERIOD)]["end_to_end"]
    return {"end_to_end_samples": lag, "end_to_end_ms": round(1000 * lag / RATE, 3),
            "device_path_periods": (lag - chain) / PERIOD, "chain_latency_samples": chain,
            "listening_stream_in_process_samples": before["end_to_end_samples"],
            "unchanged": lag == before["end_to_end_samples"], "xruns": status.xruns}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start-once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--json", type=Path, default=RESULTS / "engine_faults.json")
    parser.add_argument("--sections", default="start,restart,orphan,settings,e2e")
    parser.add_argument(
        "--sync", action="store_true", help="run jackd with --sync, as tests/support/jack_rig.py"
    )
    args = parser.parse_args(argv)
    if args.start_once:
        return start_once()
    if args.hold:
        return hold()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "sample_rate": RATE,
                              "period": PERIOD, "load_average_1min_before": round(os.getloadavg()[0], 2)}  # fmt: skip
    sections = set(args.sections.split(","))
    server = jack_server(args.sync)
    report["jackd"] = (
        "--sync (each cycle waits for every client)" if args.sync else "asynchronous (the default)"
    )
    try:
        if "start" in sections:
            with tempfile.TemporaryDirectory(prefix="hark-numba-") as cache:
                report["first_start_cold"] = starts(server.name, Path(cache))
                print("first start (cold cache):", report["first_start_cold"], flush=True)
                report["warm_start"] = starts(server.name, Path(cache))
                print("warm start:", report["warm_start"], flush=True)
        if "restart" in sections:
            report["restart"] = restarts(server.name, args.restarts)
            print("restart:", {k: v for k, v in report["restart"].items() if k != "runs"}, flush=True)
        if "orphan" in sections:
            report["parent_killed"] = orphans(server.name, 3)
            print(
                "parent killed:",
                {k: v for k, v in report["parent_killed"].items() if k != "runs"},
                flush=True,
            )
        if "settings" in sections:
            report["settings_change"] = settings_changes(args.changes)
            print("settings change:", report["settings_change"]["ms"], flush=True)
        if "e2e" in sections:
            report["end_to_end"] = end_to_end(server.name)
            print("end to end:", report["end_to_end"], flush=True)
    finally:
        server.stop()
    report["targets"] = {
        "restart_sound_within_2_s": report.get("restart", {}).get("sound_s", {}).get("max", 99) <= 2.0,
        "settings_change_p95_under_20_ms": report.get("settings_change", {}).get("ms", {}).get("p95", 99)
        < 20.0,
        "end_to_end_unchanged": report.get("end_to_end", {}).get("unchanged"),
    }
    report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["targets"]))


if __name__ == "__main__":
    main()
