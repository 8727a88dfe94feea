"""The desk: quick phrases and typed text, spoken and/or shown large, and recorded.

`Desk` joins the parts of a two-way conversation: the phrase library, the speech service,
the caption window's message panel (through `show`, a plain callable, so no Qt here) and the
session's `Conversation` timeline. It decides where each line goes:

- the assessor's phrases and typed text go to the person: their headphones (the listening
  chain, under their ceiling), or the room speaker when their profile's speech route is "room";
- the person's typed reply is shown large as "You wrote" and, if asked, read out to the
  ROOM for the assessor, never into the person's own headphones.

The timeline only claims what happened: a line is marked spoken aloud once its speech has
finished playing; speech that failed or was stopped leaves a note saying so instead. Speech
ends on the speech service's thread, so `Said.wait()` is how a caller knows the record is
complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assistant.conversation.errors import DeskError, PhraseError
from assistant.conversation.phrases import Phrase
from assistant.conversation.timeline import MAX_TEXT_CHARS, Conversation, Entry, SpeechSettings
from assistant.personalise.settings import SpeechPreferences
from assistant.speech.errors import SpeechError
from assistant.speech.service import SpeechEvent, SpeechService, Ticket, TicketState
from assistant.speech.sinks import Sink
from assistant.speech.synthesis import DEFAULT_RATE_WPM, check_settings

ShowFn = Callable[[str, str], None]  # (text, source) -> the caption window's message panel
DEFAULT_PREFERENCES = SpeechPreferences(None, DEFAULT_RATE_WPM, 1.0, "headphones")
_END_KINDS = {
    s.value for s in (TicketState.FINISHED, TicketState.FAILED, TicketState.CANCELLED, TicketState.SKIPPED)
}


@dataclass
class Said:
    """One use of the desk: the timeline entry (None until a speak-only phrase has been spoken) and
    the speech ticket, if it was spoken. `wait()` returns once the timeline says how the speech ended."""

    text: str
    entry: Entry | None
    ticket: Ticket | None
    outcome: str = ""  # "", then "spoken", "failed: ...", "stopped"
    _recorded: threading.Event = field(default_factory=threading.Event, repr=False)

    def wait(self, timeout: float | None = None) -> bool:
        return self._recorded.wait(timeout)


@dataclass
class _Pending:
    said: Said
    settings: SpeechSettings
    phrase_id: str | None  # a speak-only phrase: added to the timeline only once it was spoken


class Desk:
    def __init__(
        self,
        conversation: Conversation,
        speech_service: SpeechService,
        show: ShowFn | None,
        headphones_sink: Sink | None,
        room_sink: Sink | None,
        preferences: SpeechPreferences | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        """`headphones_sink` / `room_sink` may be None when there is no such output; asking to speak
        there is then a DeskError. `on_problem` hears (on the speech thread) of speech that failed."""
        preferences = preferences or DEFAULT_PREFERENCES
        if preferences.route not in ("headphones", "room"):
            raise DeskError(
                f"The speech route must be 'headphones' or 'room', not {preferences.route!r}; "
                "fix the profile with `hark profiles edit`."
            )
        try:
            check_settings(preferences.rate_wpm, preferences.volume)
        except SpeechError as error:
            raise DeskError(f"The person's speech settings cannot be used: {error}") from None
        self.conversation, self.service, self._show = conversation, speech_service, show
        self.headphones_sink, self.room_sink, self.preferences = headphones_sink, room_sink, preferences
        self.on_problem = on_problem
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()  # speak + register vs the speech thread's end event
        speech_service.subscribe(self._on_speech)

    # --- what the assessor says to the person -------------------------------------------
    def say_phrase(
        self,
        phrase: Phrase,
        fields: Mapping[str, str] | None = None,
        *,
        speak: bool = True,
        show: bool = True,
    ) -> Said:
        """Fill in `phrase` with `fields` (assessor, person, decision), then speak it to the person
        and/or show it large as "Assessor says"."""
        if not (speak or show):
            raise DeskError("A phrase has to be spoken, shown, or both; choose at least one.")
        try:
            text = phrase.render(**dict(fields or {}))
        except PhraseError as error:
            raise DeskError(str(error)) from None
        sink, route = self._to_person(speak)
        self._check_show(show)
        settings = self._settings(route)
        if show:
            self._display(text, "phrase")
            entry = self.conversation.add_phrase(phrase.id, text, shown_large=True, spoken_aloud=False)
            return self._speak(Said(text, entry, None), sink, settings, None) if speak else _done(text, entry)
        return self._speak(Said(text, None, None), sink, settings, phrase.id)

    def say_typed(self, text: str, *, speak: bool = True, show: bool = True) -> Said:
        """The assessor's typed words for the person: spoken to them and/or shown large."""
        text = _check_text(text, "to say")
        if not (speak or show):
            raise DeskError("Typed text has to be spoken, shown, or both; choose at least one.")
        sink, route = self._to_person(speak)
        self._check_show(show)
        return self._record_and_speak(text, "assessor_typed", show, sink if speak else None, route)

    # --- what the person says to the assessor ---------------------------------------------
    def person_typed(self, text: str, *, show: bool = True, speak_aloud: bool = False) -> Said:
        """The person's typed reply: recorded; shown large as "You wrote"; read out to the room if asked."""
        text = _check_text(text, "from the person")
        if speak_aloud and self.room_sink is None:
            raise DeskError(
                "There is no room speaker to read the reply out on (Hark never reads the person's "
                "own words into their headphones). Start with --room-output DEV to choose one."
            )
        self._check_show(show)
        return self._record_and_speak(
            text, "person_typed", show, self.room_sink if speak_aloud else None, "room"
        )

    def stop_speaking(self) -> None:
        """Stop what is being said and drop what is queued; the timeline notes what was not finished."""
        self.service.stop()

    # --- inside ----------------------------------------------------------------------------
    def _to_person(self, speak: bool) -> tuple[Sink | None, str]:
        route = self.preferences.route
        if not speak:
            return None, route
        sink = self.room_sink if route == "room" else self.headphones_sink
        if sink is None:
            where = "room speaker" if route == "room" else "headphone output (listening is not set up)"
            raise DeskError(
                f"There is no {where} to speak to the person on; show the text instead, "
                "or start Hark with that output available."
            )
        return sink, route

    def _check_show(self, show: bool) -> None:
        if show and self._show is None:
            raise DeskError("There is no caption window to show the text on; speak it instead.")

    def _display(self, text: str, source: str) -> None:
        assert self._show is not None
        self._show(text, source)

    def _settings(self, route: str) -> SpeechSettings:
        p = self.preferences
        return SpeechSettings(p.voice, float(p.rate_wpm), float(p.volume), route)

    def _record_and_speak(self, text: str, source: str, show: bool, sink: Sink | None, route: str) -> Said:
        if show:
            self._display(text, source)
        add = (
            self.conversation.add_person_typed
            if source == "person_typed"
            else self.conversation.add_assessor_typed
        )
        entry = add(text)
        if show:
            entry = self.conversation.mark_shown_large(entry.id)
        if sink is None:
            return _done(text, entry)
        return self._speak(Said(text, entry, None), sink, self._settings(route), None)

    def _speak(self, said: Said, sink: Sink | None, settings: SpeechSettings, phrase_id: str | None) -> Said:
        assert sink is not None
        p = self.preferences
        with self._lock:
            try:
                said.ticket = self.service.speak(said.text, p.voice, p.rate_wpm, p.volume, sink)
            except SpeechError as error:
                self._note_failure(said, str(error))
                return said
            self._pending[said.ticket.number] = _Pending(said, settings, phrase_id)
        return said

    def _on_speech(self, event: SpeechEvent) -> None:
        if event.kind not in _END_KINDS:
            return
        with self._lock:
            pending = self._pending.pop(event.ticket.number, None)
        if pending is None:
            return  # someone else's request on the same service
        said, state = pending.said, event.ticket.state
        try:
            if state is TicketState.FINISHED:
                if said.entry is None:
                    assert pending.phrase_id is not None
                    said.entry = self.conversation.add_phrase(
                        pending.phrase_id,
                        said.text,
                        shown_large=False,
                        spoken_aloud=True,
                        speech=pending.settings,
                    )
                else:
                    said.entry = self.conversation.mark_spoken_aloud(said.entry.id, pending.settings)
                said.outcome = "spoken"
            elif state is TicketState.FAILED:
                self._note_failure(said, event.ticket.error or "the speech engine gave no reason")
            else:
                said.outcome = "stopped"
                self.conversation.add_system(f"Speech was stopped before it finished: {_which(said)}.")
        finally:
            said._recorded.set()

    def _note_failure(self, said: Said, error: str) -> None:
        said.outcome = f"failed: {error}"
        message = f"Hark could not speak {_which(said)}: {error}"
        self.conversation.add_system(message)
        said._recorded.set()
        if self.on_problem is not None:
            self.on_problem(message)


def _done(text: str, entry: Entry) -> Said:
    said = Said(text, entry, None)
    said._recorded.set()
    return said


def _which(said: Said) -> str:
    return f"line {said.entry.id}" if said.entry is not None else f"the phrase \u201c{said.text}\u201d"


def _check_text(text: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise DeskError(f"There is nothing {what}: the text is empty. Type something first.")
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise DeskError(
            f"That text has {len(text)} characters; one line holds at most {MAX_TEXT_CHARS}. "
            "Split it into shorter lines."
        )
    return text
