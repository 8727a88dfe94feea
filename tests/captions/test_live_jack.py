"""Live captions from a real stream on a JACK dummy server, and drops when recognition is slow."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import jack
import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from assistant.captions.engines import choose_recognizer
from assistant.captions.events import CaptionEvent, Segment
from assistant.captions.live import CaptionWorker
from audio.chain import ListeningChain
from audio.stream import ListeningStream

DATA = Path(__file__).resolve().parents[1] / "data"

PERIOD = 128


class Player:
    """A JACK client that plays `signal` into the stream's input port, then silence."""

    def __init__(self, server: str, signal: np.ndarray) -> None:
        self.client = jack.Client("hark-caption-rig", servername=server, no_start_server=True)
        self.port = self.client.outports.register("feed")
        self.signal = np.concatenate([signal, np.zeros(PERIOD, np.float32)]).astype(np.float32)
        self.pos = 0
        self.playing = False
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        out = self.port.get_array()
        if self.playing and self.pos + frames <= len(self.signal):
            out[:] = self.signal[self.pos : self.pos + frames]
            self.pos += frames
        else:
            out.fill(0.0)

    def play(self) -> None:
        pa_in = self.client.get_ports("PortAudio.*", is_audio=True, is_input=True)[0]
        for port in self.client.get_all_connections(pa_in):
            self.client.disconnect(port, pa_in)
        self.client.connect(self.port, pa_in)
        self.playing = True

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def speech_48k(name: str) -> np.ndarray:
    x, rate = sf.read(str(DATA / name), dtype="float32")
    return resample_poly(x, 48000 // rate, 1).astype(np.float32)


def run_live(jack_server, recognizer, signal: np.ndarray, tap_blocks: int, extra_s: float):  # type: ignore[no-untyped-def]
    stream = ListeningStream(ListeningChain(), "system", "system", 48000, PERIOD, tap_blocks=tap_blocks)
    events: list[CaptionEvent] = []
    lock = threading.Lock()

    def on_event(event: CaptionEvent) -> None:
        with lock:
            events.append(event)

    worker = CaptionWorker(stream.tap, 48000, recognizer, on_event)
    player = Player(jack_server.name, signal)
    try:
        worker.start()
        stream.start()
        player.play()
        time.sleep(len(signal) / 48000 + extra_s)
    finally:
        stream.close()
        worker.stop()
        player.close()
    # After close: no callback can drop another block between this and the worker's count
    # (taken before close, the two counts raced: 1265 vs 1266).
    status = stream.status
    return worker, events, status


def test_live_captions_from_the_stream(jack_server) -> None:  # type: ignore[no-untyped-def]
    recognizer = choose_recognizer("pocketsphinx")  # in a child process: its decoder holds the GIL
    try:
        signal = speech_48k("speech_1089-134686-0000.wav")
        worker, events, status = run_live(jack_server, recognizer, signal, tap_blocks=1024, extra_s=2.0)
    finally:
        recognizer.close()  # type: ignore[attr-defined]
    assert worker.error == ""
    text = " ".join(e.text for e in events if isinstance(e, Segment))
    expected = {"hoped", "stew", "dinner", "carrots", "potatoes", "mutton", "pieces"}
    assert len(expected & set(text.split())) >= 4, text
    assert worker.dropped_blocks == 0
    assert status.callback_errors == 0
    assert worker.real_time_factor > 0.0  # its value depends on the machine's load; the benchmark reports it


class SlowRecognizer:
    """pocketsphinx made deliberately too slow for real time."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name, self.label, self.sample_rate = inner.name, inner.label, inner.sample_rate

    def accept(self, pcm):  # type: ignore[no-untyped-def]
        time.sleep(len(pcm) / self.sample_rate * 3)  # three times slower than real time
        return self.inner.accept(pcm)

    def finish(self):  # type: ignore[no-untyped-def]
        return self.inner.finish()

    def reset(self) -> None:
        self.inner.reset()


def test_slow_recognition_drops_at_the_tap_not_the_callback(jack_server) -> None:  # type: ignore[no-untyped-def]
    signal = speech_48k("speech_1089-134691-0001.wav")
    inner = choose_recognizer("pocketsphinx")
    try:
        worker, _, status = run_live(jack_server, SlowRecognizer(inner), signal, tap_blocks=64, extra_s=0.5)
    finally:
        inner.close()  # type: ignore[attr-defined]
    assert worker.dropped_blocks > 0
    assert status.tap_drops >= worker.dropped_blocks
    assert status.callback_errors == 0
    assert status.callbacks > 0
