"""A real audio engine whose microphone is a short speech recording looping, ears to nowhere:
for tests of what drives the engine (the listening controls, the windows) without sound devices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from audio.engine import AudioEngine
from audio.settings import ListeningSettings

SPEECH_2S = Path(__file__).resolve().parents[1] / "data" / "speech_1998-15444-0005_2s.wav"


@contextmanager
def running_file_engine(settings: ListeningSettings) -> Iterator[AudioEngine]:
    engine = AudioEngine(settings, source=SPEECH_2S)
    engine.start(wait=True)
    try:
        yield engine
    finally:
        engine.release()
