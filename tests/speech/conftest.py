"""Shared pieces for the speech tests: one real synthesiser for the session, and a paced consumer
that plays the part of the audio thread for the listening engine's real SpeechInput."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from assistant.speech.synthesis import Synthesiser
from audio.mixer import SpeechInput


@pytest.fixture(scope="session")
def synthesiser() -> Iterator[Synthesiser]:
    with Synthesiser() as synth:
        synth.start()
        yield synth


def hark(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
    )


class Consumer:
    """Reads a prepared SpeechInput block by block on its own thread, `speed` times faster than real time,
    the way the listening chain's callback does, and keeps everything it read."""

    def __init__(self, speech: SpeechInput, speed: int = 32) -> None:
        self.speech, self.speed = speech, speed
        self.blocks: list[np.ndarray] = []
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        out = np.zeros((1, self.speech.block_size), dtype=np.float32)
        period = self.speech.block_size / self.speech.sample_rate
        while self._running:
            for _ in range(self.speed):
                self.speech.read_into(out)
                self.blocks.append(out[0].copy())
            time.sleep(period)

    def stop(self) -> np.ndarray:
        self._running = False
        self._thread.join(5)
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)


@pytest.fixture
def headphones() -> Iterator[tuple[SpeechInput, Consumer]]:
    speech = SpeechInput()
    speech.prepare(48000, 128)
    consumer = Consumer(speech)
    try:
        yield speech, consumer
    finally:
        consumer.stop()
