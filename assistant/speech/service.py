"""The speech service: a queue of requests spoken one after another off the caller's thread.

`speak(...)` checks the text and settings at once (raising SpeechError for empty text or
a bad rate), splits long text into utterances and returns a `Ticket`. One worker thread
synthesises each utterance (the next one while the current one plays) and hands it to
the request's sink. `stop()` ends the current request and drops everything queued;
`skip()` ends only the current request. Listeners get a `SpeechEvent` for every step, on
the worker thread: a Qt front end must pass them on to its own thread.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import numpy as np

from assistant.speech.errors import SpeechError
from assistant.speech.sinks import Playback, Sink
from assistant.speech.synthesis import DEFAULT_RATE_WPM, Synthesiser, Utterance, check_settings
from assistant.speech.text import max_chars_for_rate, split_utterances

log = logging.getLogger(__name__)
WAIT_SLICE_S = 0.1


class TicketState(enum.Enum):
    QUEUED = "queued"
    SPEAKING = "speaking"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"  # by stop(): never spoken, or cut short
    SKIPPED = "skipped"  # by skip(): cut short, the queue went on


class Ticket:
    """One speak request: its parts, its state, and what was spoken. Wait on it or listen for events."""

    def __init__(
        self,
        number: int,
        text: str,
        parts: list[str],
        voice: str | None,
        rate_wpm: int,
        volume: float,
        sink: Sink,
    ) -> None:
        self.number, self.text, self.parts = number, text, parts
        self.voice, self.rate_wpm, self.volume, self.sink = voice, rate_wpm, volume, sink
        self.state = TicketState.QUEUED
        self.error = ""
        self.spoken: list[Utterance] = []  # utterances handed to the sink, in order
        self._abort: TicketState | None = None
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the request has ended (finished, failed, cancelled or skipped)."""
        return self._done.wait(timeout)

    def __repr__(self) -> str:
        return f"Ticket({self.number}, {self.state.value}, {len(self.parts)} parts)"


@dataclass(frozen=True)
class SpeechEvent:
    kind: str  # "started", "utterance" (a part starts playing), "finished", "failed", "cancelled", "skipped"
    ticket: Ticket
    part: int = -1
    utterance: Utterance | None = None
    error: str = ""


_END = object()


class SpeechService:
    def __init__(self, sink: Sink, synthesiser: Synthesiser | None = None) -> None:
        self.default_sink = sink
        self.synthesiser = synthesiser or Synthesiser()
        self._owns_synthesiser = synthesiser is None
        self._queue: queue.Queue[object] = queue.Queue()
        self._listeners: list[Callable[[SpeechEvent], None]] = []
        self._lock = threading.Lock()
        self._current: Ticket | None = None
        self._playback: Playback | None = None
        self._numbers = count(1)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="hark-speech-service", daemon=True)
        self._thread.start()

    def subscribe(self, listener: Callable[[SpeechEvent], None]) -> None:
        self._listeners.append(listener)

    def speak(
        self,
        text: str,
        voice: str | None = None,
        rate_wpm: int = DEFAULT_RATE_WPM,
        volume: float = 1.0,
        sink: Sink | None = None,
    ) -> Ticket:
        """Queue `text`; returns at once. Raises SpeechError for empty text or settings out of range."""
        if self._closed:
            raise SpeechError("The speech service has been closed; start a new one.")
        check_settings(rate_wpm, volume)
        parts = split_utterances(text, max_chars_for_rate(rate_wpm))
        ticket = Ticket(
            next(self._numbers), " ".join(parts), parts, voice, rate_wpm, volume, sink or self.default_sink
        )
        self._queue.put(ticket)
        return ticket

    def stop(self) -> None:
        """Stop what is being said now and drop everything queued."""
        dropped: list[Ticket] = []
        with self._lock:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, Ticket):
                    dropped.append(item)
                else:
                    self._queue.put(item)  # keep the shutdown marker
                    break
            playback = self._interrupt(TicketState.CANCELLED)
        for ticket in dropped:
            self._end(ticket, TicketState.CANCELLED)
        if playback is not None:
            playback.stop()

    def skip(self) -> None:
        """Stop what is being said now and go on with the next request."""
        with self._lock:
            playback = self._interrupt(TicketState.SKIPPED)
        if playback is not None:
            playback.stop()

    def _interrupt(self, how: TicketState) -> Playback | None:
        if self._current is None:
            return None
        self._current._abort = how
        return self._playback

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._queue.put(_END)
        self._thread.join(10.0)
        if self._owns_synthesiser:
            self.synthesiser.close()

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the worker thread -------------------------------------------------------------
    def _emit(self, event: SpeechEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not silence the speech
                log.exception("speech event listener failed")

    def _end(self, ticket: Ticket, state: TicketState, error: str = "") -> None:
        ticket.state, ticket.error = state, error
        ticket._done.set()
        self._emit(SpeechEvent(state.value, ticket, error=error))

    def _run(self) -> None:
        # Warm up off the caller's thread, so the first request is quick. With no engine,
        # the first request fails with the full message.
        # Any failure here (no engine, a worker that could not start) must not end this thread:
        # the first request retries and reports it on its ticket.
        try:
            self.synthesiser.start()
        except Exception as failure:
            log.warning("speech engine warm-up failed: %s", failure)
        while True:
            item = self._queue.get()
            if item is _END:
                return
            assert isinstance(item, Ticket)
            with self._lock:
                self._current = item
            try:
                state, error = self._speak(item), ""
            except SpeechError as failure:
                state, error = TicketState.FAILED, str(failure)
            except Exception as failure:  # a bug: report it on the ticket rather than kill the queue
                log.exception("speech request %s failed", item.number)
                state, error = TicketState.FAILED, f"Speech failed unexpectedly: {failure!r}"
            with self._lock:
                self._current, self._playback = None, None
                state = item._abort or state
            self._end(item, state, error)

    def _synthesise(self, ticket: Ticket, part: str) -> Utterance:
        return self.synthesiser.synthesise(part, ticket.voice, ticket.rate_wpm, ticket.volume)

    def _speak(self, ticket: Ticket) -> TicketState:
        ticket.state = TicketState.SPEAKING
        self._emit(SpeechEvent("started", ticket))
        if ticket.sink.whole_ticket:
            parts = []
            for part in ticket.parts:
                if ticket._abort:
                    return ticket._abort
                parts.append(self._synthesise(ticket, part))
            joined = Utterance(
                ticket.text,
                np.concatenate([u.samples for u in parts]),
                parts[0].sample_rate,
                parts[0].voice,
                ticket.rate_wpm,
                ticket.volume,
            )
            self._play(ticket, 0, joined, None)
            return ticket._abort or TicketState.FINISHED
        upcoming: Utterance | None = self._synthesise(ticket, ticket.parts[0])
        for index in range(len(ticket.parts)):
            if ticket._abort or upcoming is None:
                break
            following = ticket.parts[index + 1] if index + 1 < len(ticket.parts) else None
            upcoming = self._play(ticket, index, upcoming, following)
        return ticket._abort or TicketState.FINISHED

    def _play(
        self, ticket: Ticket, index: int, utterance: Utterance, following: str | None
    ) -> Utterance | None:
        """Play one utterance to the end (or until stopped), synthesising `following` meanwhile."""
        playback = ticket.sink.start(utterance)
        with self._lock:
            self._playback = playback
            interrupted = ticket._abort is not None
        if interrupted:
            playback.stop()
            return None
        ticket.spoken.append(utterance)
        self._emit(SpeechEvent("utterance", ticket, part=index, utterance=utterance))
        upcoming, failure = None, None
        try:
            upcoming = self._synthesise(ticket, following) if following is not None else None
        except SpeechError as error:
            failure = error  # let what is playing finish first, then report it
        while not playback.wait(WAIT_SLICE_S):
            pass
        with self._lock:
            self._playback = None
        if failure is not None and not ticket._abort:
            raise failure
        return upcoming
