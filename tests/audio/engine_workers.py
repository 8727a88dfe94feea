"""What a helper process does for tests/audio/test_engine_jack.py: `start-engine` starts an audio
engine on JACK's "system" device (the server from the environment), prints its pid and shared
memory names as one JSON line, then waits to be killed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from audio.engine import AudioEngine


def start_engine() -> None:
    engine = AudioEngine(input_device="system", output_device="system")
    engine.start()
    names = engine._segments.names
    segments = [n for n in (names.tap, names.status, names.speech, names.timing) if n]
    print(json.dumps({"pid": engine.pid, "segments": segments}), flush=True)
    while True:
        time.sleep(1.0)


if __name__ == "__main__":
    if sys.argv[1:] == ["start-engine"]:
        start_engine()
