"""How soon the assessor's app can be used: from the command to a window that takes input.

    python -m benchmarks.app_startup      # about 1 minute; writes benchmarks/results/app_startup.json

Each run starts `hark` as a user would (a new Python process, offscreen Qt), once for the home
(`hark --demo FILE.wav`) and once straight into a quick session (`hark app --quick --demo FILE.wav`),
and reads the time the app wrote when its first window had been drawn and its event loop was free
(ui/assessor_app.py, HARK_READY_MARK). The audio engine and recogniser go on starting behind the
window; that is not counted here. The target is 3 s on this machine.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEMO = ROOT / "tests" / "data" / "speech_1998-15444-0005_2s.wav"
RUNS = 5
TARGET_S = 3.0
COMMANDS = {
    "home": ["--demo", str(DEMO)],
    "quick_session": ["app", "--quick", "--demo", str(DEMO)],
}


def time_to_usable(arguments: list[str], folder: Path) -> float:
    mark = folder / "ready"
    mark.unlink(missing_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HARK_READY_MARK": str(mark),
        "XDG_CONFIG_HOME": str(folder / "config"),  # a first run would otherwise be a fresh user's
    }
    started = time.time()
    app = subprocess.Popen(
        [sys.executable, "-m", "ui.main", *arguments],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not mark.exists() and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.01)
        if not mark.exists():
            problem = app.stderr.read().decode(errors="replace") if app.stderr else ""
            raise RuntimeError(f"hark {' '.join(arguments)} never became usable: {problem}")
        time.sleep(0.05)  # the mark may be half written
        return float(mark.read_text().strip()) - started
    finally:
        os.killpg(app.pid, signal.SIGINT)
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(app.pid, signal.SIGKILL)


def main() -> None:
    figures: dict[str, object] = {"target_s": TARGET_S, "runs": RUNS}
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config" / "hark"
        config.mkdir(parents=True)
        (config / "app.json").write_text(json.dumps({"format": 1, "first_run_done": True}))
        for name, arguments in COMMANDS.items():
            times = [time_to_usable(arguments, Path(folder)) for _ in range(RUNS)]
            figures[name] = {
                "median_s": round(statistics.median(times), 2),
                "max_s": round(max(times), 2),
                "all_s": [round(t, 2) for t in times],
            }
            print(
                f"{name}: usable after {statistics.median(times):.2f} s median, {max(times):.2f} s at worst"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "app_startup.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
