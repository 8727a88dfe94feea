"""Captions from the listening stream's input tap, on a worker thread.

The audio callback only copies input blocks into the tap (a bounded lock-free ring); when
recognition falls behind, the tap drops blocks and counts them, and the callback never
waits. This worker reads the tap, resamples to 16 kHz, optionally applies the noise
reducer (at a stronger setting than the ears would like: recognisers mind residual noise
more than processing artefacts), converts to int16 and feeds the recogniser.
`feed_signal` runs the identical path over a recording, for `hark caption` and the tests.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.captions.engines import Recognizer, lower_priority
from assistant.captions.events import CaptionEvent, Partial
from assistant.captions.resample import StreamingResampler

NR_BLOCK = 160  # 10 ms at 16 kHz: the noise reducer takes fixed blocks
BATCH_S = 0.05  # hand the recogniser ~50 ms at a time: fewer calls, same results


class RecognitionFeed:
    """stream-rate float blocks -> 16 kHz (denoised) int16 -> recogniser events."""

    def __init__(self, stream_rate: int, recognizer: Recognizer, noise_reduction: float = 0.0) -> None:
        self.recognizer = recognizer
        self.resampler = StreamingResampler(stream_rate, recognizer.sample_rate)
        self._reducer: Any = None
        if noise_reduction > 0.0:
            # Only the public Processor API: the reducer's internals are being reworked.
            from audio.noise_reduction import NoiseReducer
            from audio.settings import ListeningSettings

            self._reducer = NoiseReducer()
            self._reducer.prepare(
                recognizer.sample_rate, NR_BLOCK, 1, ListeningSettings(noise_reduction=noise_reduction)
            )
            self._nr_block = np.zeros((1, NR_BLOCK), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self.audio_s = 0.0  # stream audio consumed
        self.busy_s = 0.0  # time spent on it

    def push(self, block: np.ndarray) -> list[CaptionEvent]:
        """Stream-rate float samples (one tap block or several joined) in, events out."""
        return self.push_resampled(self.resampler.process(block), len(block) / self.resampler.rate_in)

    def push_resampled(self, x: np.ndarray, seconds: float) -> list[CaptionEvent]:
        """Samples already at 16 kHz, standing for `seconds` of stream audio."""
        started = time.perf_counter()
        if self._reducer is not None:
            x = self._denoise(x)
        events = self.recognizer.accept(_to_int16(x)) if len(x) else []
        self.audio_s += seconds
        self.busy_s += time.perf_counter() - started
        return events

    def _denoise(self, x: np.ndarray) -> np.ndarray:
        buf = np.concatenate([self._pending, x])
        whole = len(buf) // NR_BLOCK * NR_BLOCK
        out = np.empty(whole, dtype=np.float32)
        for i in range(0, whole, NR_BLOCK):
            self._nr_block[0] = buf[i : i + NR_BLOCK]
            self._reducer.process(self._nr_block)
            out[i : i + NR_BLOCK] = self._nr_block[0]
        self._pending = buf[whole:]
        return out

    def finish(self) -> list[CaptionEvent]:
        started = time.perf_counter()
        events = self.recognizer.finish()
        self.busy_s += time.perf_counter() - started
        return events

    @property
    def real_time_factor(self) -> float:
        return self.busy_s / self.audio_s if self.audio_s else 0.0


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def feed_signal(
    signal: np.ndarray,
    rate: int,
    recognizer: Recognizer,
    noise_reduction: float = 0.0,
    block: int = 128,
    on_event: Callable[[CaptionEvent], None] | None = None,
) -> tuple[list[CaptionEvent], RecognitionFeed]:
    """Run a mono float signal through the live path in `block`-sample pieces."""
    feed = RecognitionFeed(rate, recognizer, noise_reduction)
    events: list[CaptionEvent] = []
    batch = max(1, int(BATCH_S * rate) // block) * block
    for i in range(0, len(signal), batch):
        # The resampler and noise reducer see `block`-sized pieces, as from the tap.
        chunk = np.concatenate(
            [
                feed.resampler.process(signal[j : j + block])
                for j in range(i, min(i + batch, len(signal)), block)
            ]
        )
        new = feed.push_resampled(chunk, min(batch, len(signal) - i) / rate)
        events.extend(new)
        if on_event is not None:
            for event in new:
                on_event(event)
    last = feed.finish()
    events.extend(last)
    if on_event is not None:
        for event in last:
            on_event(event)
    return events, feed


class CaptionWorker:
    def __init__(
        self,
        tap: Any,
        stream_rate: int,
        recognizer: Recognizer,
        on_event: Callable[[CaptionEvent], None],
        noise_reduction: float = 0.0,
    ) -> None:
        self._tap = tap
        self._feed = RecognitionFeed(stream_rate, recognizer, noise_reduction)
        self._on_event = on_event
        self._rate = stream_rate
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._drops_at_start = 0
        self._paused = False
        self._skipped_s = 0.0  # audio discarded while paused: shifts later caption times
        self.error = ""

    # --- control, from any thread ---
    def start(self) -> None:
        if self._thread is not None:
            return
        self._tap.attach()
        self._drops_at_start = self._tap.drops
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="hark-captions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join()

    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self._paused = bool(value)

    @property
    def dropped_blocks(self) -> int:
        return int(self._tap.drops - self._drops_at_start)

    @property
    def real_time_factor(self) -> float:
        return self._feed.real_time_factor

    # --- the worker thread ---
    def _run(self) -> None:
        lower_priority(this_thread_only=True)  # Vosk decodes here; resampling always does
        was_paused = False
        try:
            while not self._stop.is_set():
                blocks = self._read_available()
                if not blocks:
                    continue
                if self._paused:
                    if not was_paused:  # close the utterance that pausing cut off
                        self._emit(self._feed.finish())
                    was_paused = True
                    self._skipped_s += sum(len(b) for b in blocks) / self._rate
                    continue
                was_paused = False
                self._emit(self._feed.push(np.concatenate(blocks)))
            self._emit(self._feed.finish())
        except Exception as error:  # report, never take the process down from a daemon thread
            self.error = f"{type(error).__name__}: {error}"

    def _read_available(self) -> list[np.ndarray]:
        """One block (waiting up to 0.1 s), then whatever else is already queued, up to BATCH_S."""
        first = self._tap.read(timeout=0.1)
        if first is None:
            return []
        blocks = [first]
        limit = max(1, int(BATCH_S * self._rate) // len(first))
        # Let a batch gather before working on it. Every wake-up and every recogniser call takes
        # the GIL, which the audio callback then waits for: handling each 2.7 ms block on its own
        # made about 5 % of the person's audio blocks late; a few wake-ups per batch do not.
        deadline = time.monotonic() + BATCH_S
        while self._tap.pending < limit - 1 and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(BATCH_S / 5)
        while len(blocks) < limit and self._tap.pending > 0:
            block = self._tap.read(timeout=0.0)
            if block is None:
                break
            blocks.append(block)
        return blocks

    def _emit(self, events: list[CaptionEvent]) -> None:
        for event in events:
            if self._skipped_s:
                event = _shifted(event, self._skipped_s)
            self._on_event(event)


def _shifted(event: CaptionEvent, by: float) -> CaptionEvent:
    if isinstance(event, Partial):
        return dataclasses.replace(event, time=round(event.time + by, 3))
    words = tuple(
        dataclasses.replace(w, start=round(w.start + by, 3), end=round(w.end + by, 3)) for w in event.words
    )
    return dataclasses.replace(
        event, start=round(event.start + by, 3), end=round(event.end + by, 3), words=words
    )
