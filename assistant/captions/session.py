"""One caption window's services: the audio engine, the recogniser and the caption worker.

No widgets here. The session talks to the window only through a bridge object whose
attributes behave like signals (`message.emit(headline, detail)`, `engine.emit(label)`,
`show.emit(text, source)`, `on_event(event)`), so every call is safe from the loader thread
as well as the GUI thread, and the session can be tested without a display.

Start-up order matters for the person in front of the screen: the window opens first, then
`start()` starts the audio engine (its own process, audio.engine) and loads the speech model, each
on a background thread so the window stays responsive; the first start compiles the engine's
kernels, and the status line says so. When a device or a model is missing the status line says
so (`status()`, most urgent first) rather than failing: captions start by themselves when a
device is plugged in.

Given an `engine` (the assessor's app runs one audio engine per session, shared by the listening
panel and the captions), the session only attaches to it: the caption worker reads its tap and the
speech service speaks through it; starting, stopping and releasing the engine stay with its owner.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.assessment.feedback import HEADLINES
from assistant.assessment.feedback import SHOWN_S as FEEDBACK_SHOWN_S
from assistant.captions.engines import choose_recognizer
from assistant.captions.errors import CaptionError
from assistant.captions.live import CaptionWorker
from assistant.conversation.timeline import Conversation
from assistant.personalise.settings import SpeechPreferences
from audio.errors import AudioError
from audio.noise_reduction import DEFAULT_METHOD
from audio.settings import ListeningSettings

PROBLEM_SHOWN_S = 10.0  # a speech failure or a howl stays on the status line this long
OPENING = "Opening the sound devices."
NOT_STARTED = ("stopped", "Not started.")  # a new audio engine's status (audio/engine.py)

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
    """The audio engine, the recogniser and the caption worker for one window; no widgets."""

    def __init__(
        self, options: SessionOptions, settings: ListeningSettings, bridge: Any, *, engine: Any = None
    ) -> None:
        """`engine`: an audio.engine.AudioEngine made (and started, released) by someone else; None:
        the session makes its own from `options` and `settings`."""
        self.options, self.settings, self.bridge = options, settings, bridge
        self.engine: Any = engine  # audio.engine.AudioEngine
        self.owns_engine = engine is None
        self.starting = ""  # what the engine's start is doing, while it starts
        self.engine_error = ""
        self.recognizer: Any = None
        self.worker: CaptionWorker | None = None
        self.model_error = ""
        self.conversation = Conversation()
        self.speech: Any = None  # the SpeechService, once the engine exists
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
        from audio.engine import AudioEngine

        if not self.owns_engine:
            self.speech = SpeechService(HeadphonesSink.for_engine(self.engine))
            threading.Thread(target=self._load, name="hark-caption-loader", daemon=True).start()
            return
        options = self.options
        # 1024 blocks (2.7 s at 48 kHz/128) ride out an end-of-utterance decode without dropping.
        self.engine = AudioEngine(
            self.settings, options.noise_reduction_method, options.input, options.output, options.rate,
            options.block, tap_blocks=1024,
        )  # fmt: skip
        self.starting = OPENING
        self.speech = SpeechService(HeadphonesSink.for_engine(self.engine))  # warms up off this thread
        threading.Thread(target=self._start_engine, name="hark-engine-start", daemon=True).start()
        threading.Thread(target=self._load, name="hark-caption-loader", daemon=True).start()

    def _start_engine(self) -> None:
        from audio.engine_startup import start_engine

        def say(message: str) -> None:
            self.starting = message
            self.refresh()

        try:
            if self._closed:  # the window closed at once: starting now would outlive it
                return
            # Missing devices: the status says so and the engine opens them when they appear.
            start_engine(self.engine, say, wait=True)
        except AudioError as error:
            if not self._closed:
                self.engine_error = str(error)
        finally:
            self.starting = ""
        if not self._closed:
            self.refresh()

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
            self.worker = CaptionWorker(self.engine.tap, self.engine.sample_rate, recognizer, self._on_event)
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
        """The conversation desk: speech into the person's headphones, or to the room speaker (both
        played by this session's audio engine)."""
        from assistant.conversation.desk import Desk
        from assistant.speech.sinks import DeviceSink, HeadphonesSink

        room_spec = self.options.room_output
        # With no separate room speaker given, the default output is probably the person's headphones.
        room = (
            DeviceSink(room_spec, self.engine)
            if room_spec is not None and room_spec != self.options.output
            else None
        )
        return Desk(
            self.conversation,
            self.speech,
            self.bridge.show.emit,
            HeadphonesSink.for_engine(self.engine),
            room,
            preferences,
            self.note_speech_problem,
        )

    def check_feedback(self) -> None:
        """Check for whistling (audio.feedback_check) on a background thread: the status line says it is
        checking, then the verdict and what to do."""
        if self.checking_feedback or self.engine is None:
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
            # A shared engine's settings change with the assessor's controls: check those in use.
            result = measure(self.engine, self.settings if self.owns_engine else self.engine.settings)
            self.feedback = (HEADLINES[result.verdict], result.advice, time.monotonic())
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
        if self.starting:
            return "Starting", self.starting
        if self.engine_error:
            return "No sound", f"{self.engine_error} Close this window and start it again."
        engine = self.engine.status if self.engine is not None else None
        if engine is not None and not self.owns_engine and (engine.state, engine.message) == NOT_STARTED:
            return "Starting", OPENING  # its owner is starting it
        if engine is not None and engine.state != "running":
            return "Waiting for the sound device", engine.message
        now = time.monotonic()
        howl: tuple[str, str] | None = None
        if engine is not None:
            if engine.howl_events > self.howls_seen:
                self.howl_at = now
            self.howls_seen = engine.howl_events  # fewer: the chain was reset, and counts again from 0
            if self.howl_at is not None and now - self.howl_at < PROBLEM_SHOWN_S:
                # What to do first: a narrow window shows only the start of the detail.
                howl = (
                    "Whistling turned down",
                    (
                        "Move the microphone away from the headphones, or lower the volume. Their sound "
                        f"reached the microphone and whistled (at {engine.last_howl_hz:.0f} Hz). "
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
        if self.engine is None:
            return
        if self.owns_engine:
            self.engine.release()  # an engine stuck on a vanished device is ended after a few seconds
        elif worker is not None:
            self.engine.tap.detach()  # the engine stops queueing blocks nobody reads


def _close_recognizer(recognizer: Any) -> None:
    close = getattr(recognizer, "close", None)  # the pocketsphinx child process
    if close is not None:
        close()
