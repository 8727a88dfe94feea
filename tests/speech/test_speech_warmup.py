"""A speech engine that cannot start fails each request clearly; it never leaves requests hanging.

A real way to break the engine's worker process: run Hark's speech from a script piped into
Python's standard input, where multiprocessing cannot re-import the main module. Before the
fix, the failed warm-up ended the service's thread and every request waited forever.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from pathlib import Path
from assistant.speech.service import SpeechService
from assistant.speech.sinks import FileSink
with SpeechService(FileSink(Path(sys.argv[1]))) as service:
    ticket = service.speak("Hello there.")
    print("finished" if ticket.wait(60) else "hung", ticket.state.name, flush=True)
"""


def test_a_worker_that_cannot_start_fails_requests_instead_of_hanging(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    done = subprocess.run(
        [sys.executable, "-", str(out)], input=SCRIPT, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    last = done.stdout.strip().splitlines()[-1]
    if last == "finished FINISHED":  # this platform can start workers from stdin: nothing to show
        assert out.exists()
        return
    assert last == "finished FAILED", done.stdout + done.stderr
    assert not out.exists()
