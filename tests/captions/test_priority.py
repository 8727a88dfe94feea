"""Recognition runs at a lower scheduling priority than the listening path (Linux, where niceness
is per thread; the application's own threads keep theirs)."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from assistant.captions.engines import RECOGNITION_NICENESS, SubprocessRecognizer
from assistant.captions.events import CaptionEvent
from assistant.captions.live import CaptionWorker
from audio.stream import InputTap

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux's")


def niceness(thread_id: int = 0) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread_id)


def test_the_recogniser_process_is_nicer_than_the_application() -> None:
    before = niceness()
    recognizer = SubprocessRecognizer("pocketsphinx")
    try:
        assert recognizer._process.pid is not None
        assert niceness(recognizer._process.pid) == max(before, RECOGNITION_NICENESS)
        assert recognizer.accept(np.zeros(1600, np.int16)) == []  # and it still recognises
    finally:
        recognizer.close()
    assert niceness() == before


class NicenessProbe:
    """A recogniser that notes the niceness of the thread calling it."""

    name, label, sample_rate = "probe", "probe", 16000

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.called = threading.Event()

    def accept(self, pcm: np.ndarray) -> list[CaptionEvent]:
        self.seen.append(niceness(threading.get_native_id()))
        self.called.set()
        return []

    def finish(self) -> list[CaptionEvent]:
        return []

    def reset(self) -> None:
        pass


def test_the_caption_worker_thread_lowers_only_itself() -> None:
    before = niceness(threading.get_native_id())
    tap = InputTap(480)
    probe = NicenessProbe()
    worker = CaptionWorker(tap, 48000, probe, lambda event: None)
    worker.start()
    try:
        for _ in range(20):
            tap.push(np.zeros((480, 1), np.float32))
        assert probe.called.wait(5.0), worker.error
    finally:
        worker.stop()
    assert worker.error == ""
    assert probe.seen[0] == max(before, RECOGNITION_NICENESS)
    assert niceness(threading.get_native_id()) == before  # the caller (audio, UI) keeps its priority
