"""One caption window's services: the listening stream, the recogniser and the caption worker.

No widgets here. The session talks to the window only through a bridge object whose
attributes behave like signals (`message.emit(headline, detail)`, `engine.emit(label)`,
`show.emit(text, source)`, `on_event(event)`), so every call is safe from the loader thread
as well as the GUI thread, and the session can be tested without a display.

Start-up order matters for the person in front of the screen: the window opens first, then
`start()` opens the sound devices, then the speech model loads on a background thread. When a
device or a model is missing the status line says so (`status()`, most urgent first) rather
than failing: captions start by themselves when a device is plugged in.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.captions.engines import choose_recognizer
from assistant.captions.errors import CaptionError
from assistant.captions.live import CaptionWorker
from assistant.conversation.timeline import Conversation
from assistant.personalise.settings import SpeechPreferences
from audio.errors import AudioError
from audio.noise_reduction import DEFAULT_METHOD
from audio.settings import ListeningSettings

PROBLEM_SHOWN_S = 10.0  # a speech failure or a howl stays on the status line this long
FEEDBACK_SHOWN_S = 20.0  # the feedback check's verdict stays this long: it comes with something to do
FEEDBACK_HEADLINES = {
    "whistles": "Will whistle",
    "close": "Close to whistling",
    "unsure": "Whistling check unsure",
    "clear": "No whistling expected",
}

DeviceSpec = int | str | None


@dataclass(frozen=True)
class SessionOptions:
    """Which devices, rate and recogniser one caption window uses (from `hark captions`' flags)."""

    input: DeviceSpec = None
    output: DeviceSpec = None
    rate: int = 48000
    block: int = 128
    noise_reduction_method: str = DEFAULT_METHOD
    engine: str | None = None
    model: Path | None = None
    language: str = "en"
    room_output: DeviceSpec = None  # the room speaker for typed replies read out; never the headphones


class CaptionSession:
    """The stream, the recogniser and the caption worker for one window; no widgets."""

    def __init__(self, options: SessionOptions, settings: ListeningSettings, bridge: Any) -> None:
        self.options, self.settings, self.bridge = options, settings, bridge
        self.stream: Any = None
        self.recognizer: Any = None
        self.worker: CaptionWorker | None = None
        self.model_error = ""
        self.conversation = Conversation()
        self.speech: Any = None  # the SpeechService, once the stream exists
        self.speech_problem: tuple[str, float] | None = None
        self.howls_seen = 0
        self.howl_at: float | None = None  # when the howl guard last cut in
        self.checking_feedback = False
        self.feedback: tuple[str, str, float] | None = None  # the last check's (headline, detail, when)
        self.paused = False
        self._closed = False
        self._lock = threading.Lock()  # the loader thread vs close()

    def start(self) -> None:
        from assistant.speech.service import SpeechService
        from assistant.speech.sinks import HeadphonesSink
        from audio.chain import ListeningChain
        from audio.stream import ListeningStream

        options = self.options
        chain = ListeningChain(self.settings, options.noise_reduction_method)
        # 1024 blocks (2.7 s at 48 kHz/128) ride out an end-of-utterance decode without dropping.
        self.stream = ListeningStream(
            chain, options.input, options.output, options.rate, options.block, tap_blocks=1024
        )
        self.stream.start(wait=True)  # missing devices: the status says so and the supervisor waits
        self.speech = SpeechService(HeadphonesSink(self.stream.speech))  # warms up off this thread
        threading.Thread(target=self._load, name="hark-caption-loader", daemon=True).start()

    def _load(self) -> None:
        try:
            recognizer = choose_recognizer(self.options.engine, self.options.model, self.options.language)
        except CaptionError as error:
            self.model_error = str(error)
            self.refresh()
            return
        except Exception:
            if self._closed:  # the window closed while the recogniser started: its failure is moot
                return
            raise
        with self._lock:
            if self._closed:
                _close_recognizer(recognizer)
                return
            self.recognizer = recognizer
            self.worker = CaptionWorker(self.stream.tap, self.stream.sample_rate, recognizer, self._on_event)
            self.worker.paused = self.paused
            self.worker.start()
        self.bridge.engine.emit(recognizer.label)
        self.refresh()

    def _on_event(self, event: object) -> None:
        self.bridge.on_event(event)
        self.conversation.on_caption_event(event)  # type: ignore[arg-type]  # keeps only finished lines

    def note_speech_problem(self, message: str) -> None:
        self.speech_problem = (message, time.monotonic())
        self.refresh()

    def make_desk(self, preferences: SpeechPreferences | None) -> Any:
        """The conversation desk: speech into this stream's headphones, or to the room speaker."""
        from assistant.conversation.desk import Desk
        from assistant.speech.sinks import DeviceSink, HeadphonesSink

        room_spec = self.options.room_output
        # With no separate room speaker given, the default output is probably the person's headphones.
        room = DeviceSink(room_spec) if room_spec is not None and room_spec != self.options.output else None
        return Desk(
            self.conversation,
            self.speech,
            self.bridge.show.emit,
            HeadphonesSink(self.stream.speech),
            room,
            preferences,
            self.note_speech_problem,
        )

    def check_feedback(self) -> None:
        """Check for whistling (audio.feedback_check) on a background thread: the status line says it is
        checking, then the verdict and what to do."""
        if self.checking_feedback or self.stream is None:
            return
        self.checking_feedback = True
        self.refresh()
        threading.Thread(target=self._check_feedback, name="hark-feedback-check", daemon=True).start()

    def _check_feedback(self) -> None:
        from audio.feedback_check import measure

        worker = self.worker
        if worker is not None:
            worker.paused = True  # the sweep is not speech
        try:
            result = measure(self.stream, self.settings)
            self.feedback = (FEEDBACK_HEADLINES[result.verdict], result.advice, time.monotonic())
        except AudioError as error:
            self.feedback = ("Whistling not checked", str(error), time.monotonic())
        finally:
            if worker is not None:
                worker.paused = self.paused
            self.checking_feedback = False
            self.refresh()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if self.worker is not None:
            self.worker.paused = paused

    def status(self) -> tuple[str, str]:
        """(headline, detail) for the status line, most urgent first."""
        stream = self.stream.status if self.stream is not None else None
        if stream is not None and stream.state != "running":
            return "Waiting for the sound device", stream.message
        now = time.monotonic()
        howl: tuple[str, str] | None = None
        if self.stream is not None:
            guard = self.stream.chain.feedback_guard
            if guard.events > self.howls_seen:
                self.howl_at = now
            self.howls_seen = guard.events  # fewer: the chain was reset, and counts again from 0
            if self.howl_at is not None and now - self.howl_at < PROBLEM_SHOWN_S:
                # What to do first: a narrow window shows only the start of the detail.
                howl = (
                    "Whistling turned down",
                    (
                        "Move the microphone away from the headphones, or lower the volume. Their sound "
                        f"reached the microphone and whistled (at {guard.last_howl_hz:.0f} Hz). "
                        "Ctrl+F checks the new placement."
                    ),
                )
        # The assessor asked for the check (often because of a howl): it shows while it runs, then
        # whichever is newer of its verdict and a howl.
        if self.checking_feedback:
            from audio.feedback_check import SWEEP_S

            return "Checking for whistling", (
                f"A rising tone plays in the headphones for {SWEEP_S:g} seconds. Please keep quiet for a moment."
            )
        verdict = (
            self.feedback if self.feedback is not None and now - self.feedback[2] < FEEDBACK_SHOWN_S else None
        )
        if verdict is not None and (howl is None or (self.howl_at is not None and verdict[2] > self.howl_at)):
            return verdict[0], verdict[1]
        if howl is not None:
            return howl
        if self.speech_problem and time.monotonic() - self.speech_problem[1] < PROBLEM_SHOWN_S:
            return "Speech not spoken", self.speech_problem[0]
        if self.model_error:
            return "No speech model", self.model_error
        if self.worker is None:
            return "Starting", "Loading the speech model. This can take a few seconds."
        if self.worker.error:
            return "Captions stopped", f"{self.worker.error}. Close this window and start it again."
        return "Listening", ""

    def refresh(self) -> None:
        self.bridge.message.emit(*self.status())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        if self.speech is not None:
            self.speech.close()
        if self.recognizer is not None:
            _close_recognizer(self.recognizer)
        if self.stream is not None:
            if self.stream.status.state == "disappeared":
                # PortAudio can hang for minutes closing a stream whose device vanished.
                sys.stdout.flush()
                os._exit(0)
            self.stream.close()


def _close_recognizer(recognizer: Any) -> None:
    close = getattr(recognizer, "close", None)  # the pocketsphinx child process
    if close is not None:
        close()
