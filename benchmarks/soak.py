"""Soak: the audio engine in a real-time JACK graph for minutes, speech looped into its input.

One run (a slice): a private `jackd -d dummy` (48 kHz, period 128, asynchronous, its messages
kept; with `--rig realtime`, the default, its threads and the feeder's are SCHED_FIFO, as a
desktop's audio server and a sound card would be, while the engine's priority is its own), the
engine (`--engine process`: its own process, as the app runs it; `inline`: the same engine on a
thread of this process), the chain (`--chain full`, or `none`: a plain copy, the floor), the
priority (`--priority raised`, as the engine does, or `normal`), a feeder process looping speech
into the engine's input (benchmarks/soak_load.py), and the parent's load (`--load none`, or
`busy`: captions by Vosk and pocketsphinx from the tap into an offscreen caption window, a
sentence into the headphones every 10 s and a thread spinning pure Python; see soak_load.py).
Counters are taken over a window that starts after SETTLE_S:
- xruns: callbacks PortAudio flagged (JACK flags every client for a graph xrun);
- client_late_cycles: jackd's "client = PortAudio was not finished" lines (Hark's client; the
  feeder's are counted apart), the cycles in which Hark itself was the late one;
- callback_us_p99 and callback_start_late_us_p99: from the engine's timing ring (duration; start
  of the Python callback against the JACK cycle's start, see soak_load.py for how);
- cpu_percent_*: utime + stime from /proc over the window, in % of one core.

`--alternate` runs the modes as separate slices in fresh processes, in turn, `--repeats` times,
and writes every slice and each mode's median and range.

Run: .venv/bin/python -m benchmarks.soak --engine process --load busy --priority normal --seconds 120
     .venv/bin/python -m benchmarks.soak --alternate --repeats 3  -> benchmarks/results/soak.json
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

RESULTS = Path(__file__).resolve().parent / "results"
SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
RATE, PERIOD = 48000, 128
SETTLE_S = 3.0
TIMING_ROWS = 1 << 14  # 6 s of callbacks: read every 0.25 s
LATE_LINE = "was not finished"
JACKD = (
    "dummy driver, 48 kHz, period 128, asynchronous (jackd's default), --no-realtime (libjack leaves its "
    "clients' threads alone); with --rig realtime jackd's threads and the feeder's are SCHED_FIFO (80, 75)"
)
SERVER_RT_PRIORITY = 80  # above the engine's raised callback thread (70) and the feeder (75)


def speech(max_files: int = 20) -> np.ndarray:
    from scipy.signal import resample_poly

    from audio.offline import read_wav

    parts = []
    for path in sorted(SPEECH.glob("*.wav"))[:max_files]:
        x, rate = read_wav(path)
        x = x.reshape(len(x), -1).mean(axis=1)
        parts.append(resample_poly(x, RATE, rate).astype(np.float32))
    if not parts:
        raise SystemExit(f"No speech recordings in {SPEECH}")
    return np.concatenate(parts)


class LoggedJack:
    """tests.support.jack_rig.JackServer's dummy server, with its messages kept in a file."""

    def __init__(self, log: Path, sync: bool = False, server_rt: bool = False) -> None:
        from tests.support.jack_rig import JackServer

        self.server = JackServer(f"hark-soak-{os.getpid()}", RATE, PERIOD)
        self.name, self.log, self.sync, self.server_rt = self.server.name, log, sync, server_rt

    def start(self) -> None:
        import jack

        env = {**os.environ, **self.server.env()}
        # As JackServer.start but asynchronous (jackd's default, as on a user's machine): a cycle does not
        # wait for a late client, and jackd names the client that was not finished.
        sync = ["--sync"] if self.sync else []
        command = [
            "jackd",
            "-n",
            self.name,
            "--no-realtime",
            *sync,
            "-d",
            "dummy",
            "-r",
            str(RATE),
            "-p",
            str(PERIOD),
        ]
        with self.log.open("wb") as out:
            self.server.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10.0
        while True:
            try:
                jack.Client("hark-ready", servername=self.name, no_start_server=True).close()
                break
            except jack.JackError:
                if self.server.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jackd '{self.name}' did not start") from None
                time.sleep(0.05)
        os.environ.update(self.server.env())  # the engine, spawned later, inherits it
        if self.server_rt:
            # jackd's threads SCHED_FIFO, as an audio server gets on a desktop, while --no-realtime keeps libjack
            # from making its clients' threads real-time: Hark's priority stays its own.
            for task in Path(f"/proc/{self.server.process.pid}/task").iterdir():
                os.sched_setscheduler(int(task.name), os.SCHED_FIFO, os.sched_param(SERVER_RT_PRIORITY))

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def stop(self) -> None:
        self.server.stop()


def late_counts(lines: list[str]) -> dict[str, int]:
    """jackd's 'client = NAME was not finished' lines, by client, and its own late wake-ups."""
    counts: dict[str, int] = {}
    for line in lines:
        if "JackTimedDriver::Process XRun" in line:
            counts["(jackd's driver woke late)"] = counts.get("(jackd's driver woke late)", 0) + 1
        if LATE_LINE in line and "client = " in line:
            name = line.split("client = ", 1)[1].replace(LATE_LINE, "").strip()  # "NAME, state = S"
            counts[name] = counts.get(name, 0) + 1
    return counts


def cpu_s(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TimingReader:
    """Drains the engine's timing ring (duration µs, start lateness s) on a thread."""

    def __init__(self, ring: Any) -> None:
        self.ring, self.keep = ring, False
        self.rows: list[np.ndarray] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            rows = self.ring.read()
            if self.keep and len(rows):
                self.rows.append(rows)

    def stop(self) -> np.ndarray:
        self._stop.set()
        self._thread.join()
        return np.concatenate(self.rows) if self.rows else np.zeros((0, 2), dtype=np.float32)


def run_slice(args: argparse.Namespace) -> dict[str, Any]:
    from audio.engine import AudioEngine
    from benchmarks import soak_load

    folder = Path(tempfile.mkdtemp(prefix="hark-soak-"))
    server = LoggedJack(folder / "jackd.log", server_rt=args.rig == "realtime")
    server.start()
    clock_path = f"/dev/shm/hark-soak-clock-{os.getpid()}"
    np.memmap(clock_path, dtype=np.float64, mode="w+", shape=(soak_load.CLOCK_FIELDS,)).flush()
    if args.raw_time:
        pass  # the engine's own second timing column: PortAudio's currentTime - inputBufferAdcTime
    elif args.engine == "inline":
        soak_load.install_lateness_hook(clock_path, PERIOD / RATE)
    else:
        soak_load.use_timed_engine(clock_path)
        if args.engine_session == "own":
            os.environ[soak_load.OWN_SESSION_ENV] = "1"
    np.save(folder / "speech.npy", speech())
    engine = AudioEngine(None, input_device="system", output_device="system", sample_rate=RATE, block_size=PERIOD,
                         timing_blocks=TIMING_ROWS, raise_priority=args.priority == "raised",
                         inline=args.engine == "inline", chain=args.chain)  # fmt: skip
    feeder: subprocess.Popen[str] | None = None
    load: Any = None
    try:
        engine.start()
        assert engine._segments.timing is not None
        timing = TimingReader(engine._segments.timing)
        feeder = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.soak_load", "feed", "--server", server.name, "--signal",
             str(folder / "speech.npy"), "--clock", clock_path, "--stats", str(folder / "feeder.json"),
             *(["--realtime"] if args.rig == "realtime" else [])],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert feeder.stdout is not None
        if feeder.stdout.readline().strip() != "ready":
            raise SystemExit("The JACK feeder did not start.")
        if args.parent_nice:
            # An experiment: the app's own threads (the engine is in another process, already started) give way.
            for task in Path("/proc/self/task").iterdir():
                os.setpriority(os.PRIO_PROCESS, int(task.name), args.parent_nice)
        if args.load == "busy":
            load = soak_load.BusyLoad(engine, RATE)
            load.start()
        wait = load.run_for if load is not None else time.sleep
        wait(SETTLE_S)
        parent, child = os.getpid(), engine.pid
        helpers = load.recogniser_pids() if load is not None else []
        before = engine.status
        log_from = len(server.lines())
        cpu0 = [cpu_s(parent), cpu_s(child), *[cpu_s(p) for p in helpers]]
        timing.keep = True
        t0 = time.monotonic()
        wait(args.seconds)
        elapsed = time.monotonic() - t0
        timing.keep = False
        cpu1 = [cpu_s(parent), cpu_s(child), *[cpu_s(p) for p in helpers]]
        after = engine.status
        late = late_counts(server.lines()[log_from:])
        load_result = load.stop() if load is not None else None
        load = None
        rows = timing.stop()
    finally:
        if load is not None:
            load.stop()
        if feeder is not None:
            feeder.terminate()
            feeder.wait(10)
        engine.release()
        if "sounddevice" in sys.modules:  # inline: PortAudio aborts at exit if its server vanished first
            sys.modules["sounddevice"]._terminate()
        server.stop()
        Path(clock_path).unlink(missing_ok=True)
    feeder_stats = (
        json.loads((folder / "feeder.json").read_text()) if (folder / "feeder.json").exists() else {}
    )
    return summarise(args, before, after, elapsed, rows, cpu0, cpu1, late, feeder_stats, load_result, engine)


def _percent(a: float | None, b: float | None, seconds: float) -> float | None:
    return None if a is None or b is None else round(100.0 * (b - a) / seconds, 1)


def summarise(args: argparse.Namespace, before: Any, after: Any, elapsed: float, rows: np.ndarray,
              cpu0: list[Any], cpu1: list[Any], late: dict[str, int], feeder: dict[str, Any],
              load: dict[str, Any] | None, engine: Any) -> dict[str, Any]:  # fmt: skip
    callbacks = after.callbacks - before.callbacks
    xruns = after.xruns - before.xruns
    duration, start_late = rows[:, 0], rows[:, 1]  # both in µs

    def pct(x: np.ndarray, q: float) -> float | None:
        return round(float(np.percentile(x, q)), 1) if len(x) else None

    hark_late = sum(n for name, n in late.items() if name.startswith("PortAudio"))
    result = {
        "engine": args.engine,
        "load": args.load,
        "chain": args.chain,
        "priority": args.priority,
        "rig": args.rig,
        "engine_session": args.engine_session,
        "parent_nice": args.parent_nice,
        "priority_got": engine.priority or ("inline: the engine thread's" if args.engine == "inline" else ""),
        "seconds": round(elapsed, 1),
        "sample_rate": RATE,
        "period": PERIOD,
        "callbacks": callbacks,
        "xruns": xruns,
        "xrun_fraction": round(xruns / callbacks, 6) if callbacks else None,
        "client_late_cycles": hark_late,
        "client_late_fraction": round(hark_late / callbacks, 6) if callbacks else None,
        "jackd_not_finished_by_client": late,
        "callback_us_p50": pct(duration, 50),
        "callback_us_p99": pct(duration, 99),
        "callback_us_max": pct(duration, 100),
        "callback_start_late_us_p50": pct(start_late, 50),
        "callback_start_late_us_p99": pct(start_late, 99),
        "callback_start_late_us_max": pct(start_late, 100),
        "callback_start_late_us_min": pct(start_late, 0),
        "timing_rows": len(rows),
        "feeder": feeder,
        "tap_drops": after.tap_drops - before.tap_drops,
        "speech_underruns": None,
        "engine_restarts": after.engine_restarts - before.engine_restarts,
        "callback_errors": after.callback_errors - before.callback_errors,
        "cpu_percent_parent": _percent(cpu0[0], cpu1[0], elapsed),
        "cpu_percent_engine": _percent(cpu0[1], cpu1[1], elapsed) if args.engine == "process" else None,
        "cpu_percent_recogniser_child": _percent(cpu0[2], cpu1[2], elapsed) if len(cpu0) > 2 else None,
        "parent_imported_sounddevice": "sounddevice" in sys.modules,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "method": {
            "callback_start_late_us": "time.perf_counter() at the start of the engine's Python callback minus "
            "the JACK cycle's start on CLOCK_MONOTONIC, published every cycle by the feeder (JACK runs it "
            "first: it feeds the engine's input); includes waiting for the GIL. PortAudio's currentTime - "
            "inputBufferAdcTime is the capture port latency under JACK, a constant, so it is not used.",
            "client_late_cycles": "jackd lines 'JackEngine::XRun: client = PortAudio... was not finished'",
            "cpu_percent_engine": "null inline: the engine's share is inside the parent's figure",
        },
    }
    if load is not None:
        result["speech_underruns"] = load.pop("speech_underruns", 0)
        result["busy"] = load
    else:
        result["tap_note"] = "no reader under load none: the tap is not attached, so nothing can drop"
    return result


MODES = (  # (engine, load, chain, priority), the order of one repeat
    ("process", "busy", "full", "normal"),
    ("inline", "busy", "full", "normal"),
    ("process", "busy", "none", "normal"),
    ("inline", "busy", "none", "normal"),
    ("process", "none", "none", "normal"),
    ("inline", "none", "none", "normal"),
    ("process", "busy", "full", "raised"),
    ("inline", "busy", "full", "raised"),
)
EXTRA_MODES = (  # with --all-modes: the full chain with no load
    ("process", "none", "full", "normal"),
    ("inline", "none", "full", "normal"),
)
SUMMARY_KEYS = ("xrun_fraction", "client_late_fraction", "callback_us_p99", "callback_start_late_us_p99",
                "cpu_percent_parent", "cpu_percent_engine", "tap_drops", "speech_underruns")  # fmt: skip


def mode_key(mode: tuple[str, ...]) -> str:
    return "/".join(mode)


def aggregate(slices: list[dict[str, Any]]) -> dict[str, Any]:
    modes: dict[str, Any] = {}
    for s in slices:
        key = mode_key((s["engine"], s["load"], s["chain"], s["priority"]))
        modes.setdefault(key, []).append(s)
    out = {}
    for key, runs in modes.items():
        row: dict[str, Any] = {"repeats": len(runs)}
        for name in SUMMARY_KEYS:
            values = [r[name] for r in runs if r.get(name) is not None]
            row[name] = ({"median": float(np.median(values)), "min": min(values), "max": max(values),
                          "values": values} if values else None)  # fmt: skip
        out[key] = row
    return out


def targets(modes: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets on the medians, at --priority normal with the busy load."""

    def median(key: str) -> float | None:
        row = modes.get(key, {}).get("xrun_fraction")
        return None if row is None else float(row["median"])

    process, floor, inline = (median(f"{e}/busy/{c}/normal") for e, c in
                              (("process", "full"), ("process", "none"), ("inline", "full")))  # fmt: skip
    if process is None:
        return {}
    limit = max(0.0005, 2 * floor) if floor is not None else 0.0005
    return {
        "process_busy_xrun_fraction": process,
        "limit": limit,
        "limit_rule": "0.05 %, or twice the floor (process/busy/none/normal) when that is higher",
        "met_absolute_or_floor": process <= limit,
        "inline_busy_xrun_fraction": inline,
        "met_tenth_of_inline": None if inline is None else process <= 0.1 * inline,
    }


def table(report: dict[str, Any]) -> str:
    """The modes as markdown rows: median [min-max] of each repeat."""

    def cell(row: dict[str, Any] | None, scale: float = 1.0, digits: int = 0, unit: str = "") -> str:
        if row is None:
            return "n/a"
        f = f"{{:.{digits}f}}"
        lo, mid, hi = (f.format(scale * row[k]) for k in ("min", "median", "max"))
        return f"{mid}{unit} [{lo}-{hi}]"

    lines = ["| engine | load | chain | priority | xruns | Hark's client late | callback p99 | start late p99 "
             "| CPU parent / engine | tap drops | speech underruns |", "|" + "---|" * 11]  # fmt: skip
    for key, row in report["modes"].items():
        cells = [*key.split("/"), cell(row["xrun_fraction"], 100, 2, " %"),
                 cell(row["client_late_fraction"], 100, 2, " %"), cell(row["callback_us_p99"], unit=" µs"),
                 cell(row["callback_start_late_us_p99"], unit=" µs"),
                 f"{cell(row['cpu_percent_parent'])} / {cell(row['cpu_percent_engine'])} %",
                 cell(row["tap_drops"]), cell(row["speech_underruns"])]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def alternate(args: argparse.Namespace) -> None:
    slices: list[dict[str, Any]] = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    every = MODES + EXTRA_MODES if args.all_modes else MODES
    modes = [m for m in every if not args.only or any(o in mode_key(m) for o in args.only)]
    for repeat in range(args.repeats):
        order = modes[repeat % len(modes) :] + modes[: repeat % len(modes)]  # rotate: no mode always first
        for mode in order:
            engine, load, chain, priority = mode
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
                out = Path(handle.name)
            command = [sys.executable, "-m", "benchmarks.soak", "--engine", engine, "--load", load, "--chain", chain,
                       "--priority", priority, "--seconds", str(args.seconds), "--json", str(out),
                       "--rig", args.rig]  # fmt: skip
            print(f"repeat {repeat + 1}: {mode_key(mode)} (load {os.getloadavg()[0]:.2f})", flush=True)
            done = subprocess.run(command, stdout=subprocess.DEVNULL, timeout=args.seconds + 300)
            if out.stat().st_size:
                result = json.loads(out.read_text())
                result["repeat"] = repeat + 1
                slices.append(result)
                print(f"  xruns {result['xrun_fraction']:.4%}, PortAudio late {result['client_late_cycles']}, "
                      f"start late p99 {result['callback_start_late_us_p99']} µs", flush=True)  # fmt: skip
            else:
                print(f"  failed ({done.returncode})", flush=True)
            out.unlink(missing_ok=True)
            modes_now = aggregate(slices)
            report = {"started": started, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                      "machine": machine(), "slice_seconds": args.seconds, "repeats": args.repeats,
                      "jackd": JACKD, "rig": args.rig,
                      "targets": targets(modes_now), "modes": modes_now, "slices": slices}  # fmt: skip
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n")


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "uname": " ".join(os.uname()[2:5])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("process", "inline"), default="process")
    parser.add_argument("--load", choices=("none", "busy"), default="none")
    parser.add_argument("--chain", choices=("full", "none"), default="full")
    parser.add_argument("--priority", choices=("raised", "normal"), default="raised")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--engine-session", choices=("shared", "own"), default="shared",
                        help="own: the engine process calls setsid (an experiment; the product does not)")  # fmt: skip
    parser.add_argument("--parent-nice", type=int, default=0,
                        help="renice this process's threads after the engine starts (an experiment)")  # fmt: skip
    parser.add_argument("--rig", choices=("realtime", "plain"), default="realtime",
                        help="realtime: jackd's threads and the feeder SCHED_FIFO (a desktop's audio server and a "
                        "sound card); plain: neither, as tests/support/jack_rig.py")  # fmt: skip
    parser.add_argument("--alternate", action="store_true", help="run the modes in turn, in fresh processes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", action="append", help="with --alternate: modes whose key contains this")
    parser.add_argument(
        "--all-modes", action="store_true", help="with --alternate: also the full chain, no load"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--raw-time", action="store_true", help="keep the engine's own timing column (a check)"
    )
    parser.add_argument(
        "--table", type=Path, help="print the markdown table of an --alternate JSON, and stop"
    )
    args = parser.parse_args(argv)
    if args.table is not None:
        report = json.loads(args.table.read_text())
        print(table(report))
        print(json.dumps(report.get("targets"), indent=2))
        return
    if args.alternate:
        args.json = args.json or RESULTS / "soak.json"
        alternate(args)
        return
    result = run_slice(args)
    if args.raw_time:
        column = {k.replace("callback_start_late", "portaudio_current_minus_adc"): v for k, v in result.items()
                  if k.startswith("callback_start_late")}  # fmt: skip
        result = {
            "check": "the engine's timing column 2 unpatched",
            **column,
            "callbacks": result["callbacks"],
        }
    print(json.dumps(result, indent=2))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
