"""`hark captions`: live listening with a large caption window for the person.

Start-up order matters for the person in front of the screen: the window opens
first (within a second), then the sound devices start, then the speech model loads
on a background thread (Vosk models take seconds, pocketsphinx runs in a child
process). The status line says what is happening at each step.

When something is missing the window still opens and says so, rather than a
terminal error nobody in the room sees: no microphone or headphones ("Waiting for
the sound device", and captions start by themselves when one is plugged in); no
speech model ("No speech model" with the command that installs one; listening
through the headphones keeps working). Only wrong flags (a bad colour scheme, a
screen that does not exist) stop before the window opens, as errors on the
terminal where they were typed.

The assessor's keys (ui/desk_controls.py): Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R
the person types a reply, Ctrl+F check for whistling (audio/feedback_check.py, through the running
stream; the status line gives the verdict). The first three go through the conversation desk
(assistant/conversation/desk.py) into the session's one conversation timeline, which also
receives every finished caption line.

Closing the window stops the caption worker, the recogniser, the speech and the stream, then
saves the timeline to --transcript only when allowed (see assistant/conversation/desk_session.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from assistant.captions.engines import ENGINES, choose_recognizer
from assistant.captions.live import CaptionWorker
from assistant.captions.style import SCHEMES, CaptionStyle, CaptionStyleError
from assistant.cli.listening import _device_spec
from assistant.cli.options import add_settings_arguments
from assistant.conversation.timeline import Conversation
from assistant.personalise.settings import (
    SpeechPreferences,
    add_profile_arguments,
    caption_style,
    listening_settings_for,
    load_profile,
    speech_preferences,
)
from audio.errors import AudioError
from audio.settings import ListeningSettings

POLL_MS = 1000
PROBLEM_SHOWN_S = 10.0  # a speech failure or a howl stays on the status line this long
FEEDBACK_SHOWN_S = 20.0  # the feedback check's verdict stays this long: it comes with something to do
FEEDBACK_HEADLINES = {
    "whistles": "Will whistle",
    "close": "Close to whistling",
    "unsure": "Whistling check unsure",
    "clear": "No whistling expected",
}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "captions",
        help="live listening with a large caption window",
        description="Listen through the headphones and show what is said in a large, high-contrast window. "
        "Keys: F11 full screen, Esc leave full screen, + and - text size, Space pause or carry on; "
        "Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R the person types a reply, Ctrl+F check for whistling.",
    )
    parser.add_argument("--input", metavar="DEV", help="input device name or index (default: system default)")
    parser.add_argument(
        "--output", metavar="DEV", help="output device name or index (default: system default)"
    )
    parser.add_argument(
        "--rate", type=int, default=48000, help="sample rate: 16000, 22050, 44100 or 48000 (default)"
    )
    parser.add_argument("--block", type=int, default=128, help="block size in samples (default 128)")
    parser.add_argument(
        "--engine", choices=ENGINES, help="speech engine (default: Vosk if a model is installed)"
    )
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="Vosk model: installed name or folder")
    parser.add_argument(
        "--language", default="en", help="language of the installed model to use (default en)"
    )
    style = parser.add_argument_group("caption window")
    style.add_argument(
        "--font-pt", type=int, metavar="N", help="caption text size, 20..160 (default 48, or the profile's)"
    )
    style.add_argument(
        "--scheme", choices=tuple(SCHEMES), help="colours (default white-on-black, or the profile's)"
    )
    style.add_argument(
        "--lines", type=int, metavar="N", help="lines shown, 2..10 (default 4, or the profile's)"
    )
    style.add_argument(
        "--upper-case", action="store_true", default=None, help="show captions in capital letters"
    )
    style.add_argument(
        "--profanity-filter", action="store_true", default=None, help="mask strong swear words"
    )
    style.add_argument("--fullscreen", action="store_true", help="start full screen (F11 switches)")
    style.add_argument("--screen", type=int, metavar="N", help="show on screen N (0 is the first)")
    talk = parser.add_argument_group("conversation")
    talk.add_argument(
        "--room-output",
        metavar="DEV",
        help="the room speaker, where the person's typed replies "
        "are read out (never their headphones); needed for 'Read it out to me'",
    )
    talk.add_argument("--assessor", metavar="NAME", help="your name, for phrases such as 'My name is ...'")
    talk.add_argument(
        "--person",
        metavar="NAME",
        help="the name the person likes to be called (default: the profile's preferred name)",
    )
    talk.add_argument(
        "--decision", metavar="TEXT", help="the decision in a few plain words, for phrases about it"
    )
    talk.add_argument(
        "--transcript",
        metavar="PATH",
        type=Path,
        help="save the conversation as text here when "
        "the window closes (with --profile only if the person agreed to keeping transcripts)",
    )
    add_settings_arguments(parser, with_preset=False)
    add_profile_arguments(parser)
    parser.set_defaults(run=captions)


def style_from_arguments(args: argparse.Namespace, base: CaptionStyle | None = None) -> CaptionStyle:
    """`base` (the person's profile, else the defaults) changed by the style flags given."""
    given = {
        name: getattr(args, name)
        for name in ("font_pt", "scheme", "lines", "upper_case", "profanity_filter")
        if getattr(args, name) is not None
    }
    try:
        return dataclasses.replace(base or CaptionStyle(), **given)
    except CaptionStyleError as error:
        raise AudioError(str(error)) from None  # the command line reports AudioError as one line


class CaptionSession:
    """The stream, the recogniser and the caption worker for one window; no widgets.

    Talks to the window only through the bridge's signals, so every call here is
    safe from the loader thread as well as the GUI thread.
    """

    def __init__(self, args: argparse.Namespace, settings: ListeningSettings, bridge: Any) -> None:
        self.args, self.settings, self.bridge = args, settings, bridge
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
        from audio.chain import ListeningChain
        from audio.stream import ListeningStream

        args = self.args
        chain = ListeningChain(self.settings, args.noise_reduction_method)
        # 1024 blocks (2.7 s at 48 kHz/128) ride out an end-of-utterance decode without dropping.
        self.stream = ListeningStream(
            chain, _device_spec(args.input), _device_spec(args.output), args.rate, args.block, tap_blocks=1024
        )
        self.stream.start(wait=True)  # missing devices: the status says so and the supervisor waits
        from assistant.speech.service import SpeechService
        from assistant.speech.sinks import HeadphonesSink

        self.speech = SpeechService(
            HeadphonesSink(self.stream.speech)
        )  # its synthesiser warms up off this thread
        threading.Thread(target=self._load, name="hark-caption-loader", daemon=True).start()

    def _load(self) -> None:
        try:
            recognizer = choose_recognizer(
                self.args.engine, Path(self.args.model) if self.args.model else None, self.args.language
            )
        except AudioError as error:
            self.model_error = str(error)
            self.refresh()
            return
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
        """The conversation desk: speech into this stream's headphones, or to --room-output."""
        from assistant.conversation.desk import ConversationDesk
        from assistant.speech.sinks import DeviceSink, HeadphonesSink

        room_spec = _device_spec(self.args.room_output)
        # With no separate room speaker given, the default output is probably the person's headphones.
        room = (
            DeviceSink(room_spec)
            if room_spec is not None and room_spec != _device_spec(self.args.output)
            else None
        )
        return ConversationDesk(
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


def captions(args: argparse.Namespace) -> int:
    from assistant.conversation.desk_session import (
        DeskSession,
        check_transcript_path,
        favourites_for,
        phrase_fields,
        save_transcript,
    )
    from assistant.conversation.phrases import load_library

    if args.transcript is not None:
        check_transcript_path(args.transcript)
    if args.room_output is not None:
        from assistant.speech.sinks import DeviceSink

        DeviceSink(
            _device_spec(args.room_output)
        ).check()  # a wrong --room-output stops here, not mid-session
    profile = load_profile(args, "captions")
    style = style_from_arguments(args, caption_style(profile) if profile else None)
    settings = listening_settings_for(args, profile)
    library = load_library()
    favourites, warning = favourites_for(profile)
    for problem in (library.warning, warning):
        if problem:
            print(problem, file=sys.stderr)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.caption_bridge import CaptionBridge
    from ui.caption_window import CaptionWindow
    from ui.desk_controls import DeskControls

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = CaptionWindow(style)
    bridge = CaptionBridge()
    bridge.partial.connect(window.show_partial)
    bridge.segment.connect(window.add_segment)
    bridge.status.connect(window.set_status)
    bridge.message.connect(window.set_status)
    bridge.engine.connect(window.set_engine)
    bridge.show.connect(window.show_message)
    session = CaptionSession(args, settings, bridge)
    window.pause_toggled.connect(session.set_paused)
    try:
        window.show_on_screen(args.screen, args.fullscreen)
    except ValueError as error:
        raise AudioError(str(error)) from None
    window.set_status("Starting", "Opening the sound devices.")
    app.processEvents()  # draw the window before the devices open
    session.start()
    desk = session.make_desk(speech_preferences(profile) if profile else None)
    controls = DeskControls(
        window,
        DeskSession(desk, library.library, favourites, phrase_fields(args, profile)),
        check_feedback=session.check_feedback,
    )
    window.closed.connect(desk.stop_speaking)
    window.closed.connect(controls.close_all)  # an open dialog would keep the app running
    timer = QTimer()
    timer.timeout.connect(session.refresh)  # device and model states change on other threads
    timer.start(POLL_MS)
    session.refresh()
    try:
        app.exec()
    finally:
        timer.stop()
        session.close()
        print(save_transcript(session.conversation, args.transcript, profile), file=sys.stderr)
    return 0
