"""One session's conversation: what the assessor said, what Hark spoke or showed, what was typed.

Entries are never removed or reordered. After it is added, an entry changes only when it is
marked shown large or spoken aloud, or redacted at the person's request; listeners hear of
each addition and change. Any thread may add (caption segments arrive from the caption worker);
listeners run on the thread that made the change, so a Qt view must pass them on through a
signal. Listeners are called one at a time, in the order of the changes.

`t` is seconds since the session started, on a monotonic clock that can be injected; the wall
time is the session's UTC start plus `t`, so it never jumps when the computer's clock is set.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.captions.events import CaptionEvent, Segment
from assistant.conversation.entries import CaptionDetail, Entry, SpeechSettings
from assistant.conversation.errors import ConversationError

SCHEMA = "hark.conversation"
VERSION = 1
SOURCES = ("assessor_speech", "app_spoken", "phrase", "person_typed", "assessor_typed", "system")
LABELS = {
    "assessor_speech": "Assessor (captions)",
    "app_spoken": "Hark said",
    "phrase": "Phrase",
    "person_typed": "Person typed",
    "assessor_typed": "Assessor typed",
    "system": "Note",
}
MAX_TEXT_CHARS = 10_000
REDACTED_TEXT = "[removed at the person's request]"

log = logging.getLogger(__name__)


Listener = Callable[[str, Entry], None]  # ("added" | "changed", entry)


@dataclass(frozen=True)
class RecordDecision:
    """The conversation for the session record, or None and why it was not kept."""

    record: dict[str, Any] | None
    reason: str


def keep_transcripts_from(profile: Mapping[str, Any] | None) -> bool | None:
    """The profile's consent.agreed_to.keep_transcripts (profiles/SCHEMA.md); None with no profile."""
    if profile is None:
        return None
    value = profile.get("consent", {}).get("agreed_to", {}).get("keep_transcripts", False)
    return value is True


class Conversation:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, started_at: datetime | None = None
    ) -> None:
        started_at = started_at or datetime.now(UTC)
        if started_at.tzinfo is None:
            raise ConversationError("The session start time needs a time zone (use UTC).")
        self.started_at = started_at.astimezone(UTC)
        self._clock = clock
        self._origin = clock()
        self._entries: list[Entry] = []
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._pending: deque[tuple[str, Entry]] = deque()
        self._dispatching = threading.Lock()

    # --- adding ---
    def add_caption(self, segment: Segment) -> Entry | None:
        """A finished caption segment, with its words and confidences; None when it has no words."""
        if not segment.text.strip():
            return None
        detail = CaptionDetail(segment.start, segment.end, segment.engine, tuple(segment.words))
        return self._add("assessor_speech", segment.text, caption=detail)

    def on_caption_event(self, event: CaptionEvent) -> None:
        """Give this to the caption worker as its on_event: segments are kept, partials are not."""
        if isinstance(event, Segment):
            self.add_caption(event)

    def add_app_spoken(self, text: str, speech: SpeechSettings) -> Entry:
        return self._add("app_spoken", text, spoken_aloud=True, speech=speech)

    def add_phrase(
        self,
        phrase_id: str,
        text: str,
        *,
        shown_large: bool,
        spoken_aloud: bool,
        speech: SpeechSettings | None = None,
    ) -> Entry:
        """A quick phrase as it was used (the text after its placeholders were filled in)."""
        if not (shown_large or spoken_aloud):
            raise ConversationError(
                "A phrase enters the conversation when it is shown large, spoken, or both; "
                "this one was neither."
            )
        return self._add(
            "phrase",
            text,
            shown_large=shown_large,
            spoken_aloud=spoken_aloud,
            phrase_id=phrase_id,
            speech=speech,
        )

    def add_person_typed(self, text: str) -> Entry:
        return self._add("person_typed", text)

    def add_assessor_typed(self, text: str) -> Entry:
        return self._add("assessor_typed", text)

    def add_system(self, text: str) -> Entry:
        """A note about the session itself, such as "Captions paused."."""
        return self._add("system", text)

    # --- changing ---
    def mark_shown_large(self, entry_id: int) -> Entry:
        return self._change(entry_id, lambda e: dataclasses.replace(e, shown_large=True))

    def mark_spoken_aloud(self, entry_id: int, speech: SpeechSettings) -> Entry:
        return self._change(entry_id, lambda e: dataclasses.replace(e, spoken_aloud=True, speech=speech))

    def redact(self, entry_id: int) -> Entry:
        """Remove what a line said, at the person's request. The line keeps its place, time and
        source, so the record shows that something was removed; a note records when."""
        with self._lock:
            entry = self._find(entry_id)
            if entry.redacted:
                return entry
            entry = dataclasses.replace(
                entry,
                text="",
                phrase_id=None,
                redacted=True,
                caption=None if entry.caption is None else dataclasses.replace(entry.caption, words=()),
            )
            self._entries[entry_id - 1] = entry
            self._pending.append(("changed", entry))
        self._notify()
        self.add_system(f"Line {entry_id} was removed at the person's request.")
        return entry

    # --- reading ---
    def entries(self, since: int | None = None) -> list[Entry]:
        """Every entry, or those added after entry `since` (so a view can fetch only what is new)."""
        with self._lock:
            return list(self._entries[max(0, since or 0) :])

    def get(self, entry_id: int) -> Entry:
        with self._lock:
            return self._find(entry_id)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(kind, entry)` for every later change; returns a function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    # --- exporting ---
    def to_data(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "started_at": self.started_at.isoformat(timespec="milliseconds"),
            "entries": [entry.to_dict() for entry in self.entries()],
        }

    def to_json(self) -> str:
        """The same as to_data, one entry per line (json's indent is pure Python, and much slower)."""
        data = self.to_data()
        entries = data.pop("entries")
        head = json.dumps(data, ensure_ascii=False)[:-1]
        body = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
        return f'{head}, "entries": [\n{body}\n]}}\n' if entries else f'{head}, "entries": []}}\n'

    def to_text(self) -> str:
        """One line per entry: `[HH:MM:SS] Label: text (shown large, spoken aloud)`."""
        lines = [f"Conversation started {self.started_at.isoformat(timespec='seconds')}"]
        for entry in self.entries():
            flags = [
                name
                for name, on in (("shown large", entry.shown_large), ("spoken aloud", entry.spoken_aloud))
                if on
            ]
            text = REDACTED_TEXT if entry.redacted else _isolated(entry.text)
            text = text.replace("\r\n", "\n").replace("\n", "\n    ")  # continuation lines indented
            suffix = f" ({', '.join(flags)})" if flags else ""
            label = LABELS[entry.source] + (f" {entry.phrase_id}" if entry.phrase_id else "")
            lines.append(f"[{_clock(entry.t)}] {label}: {text}{suffix}")
        return "\n".join(lines) + "\n"

    def session_record(self, keep_transcripts: bool | None) -> RecordDecision:
        """The conversation for the session record when the person agreed to keep transcripts
        (see keep_transcripts_from); otherwise None and the reason, to show the assessor."""
        if keep_transcripts is None:
            return RecordDecision(
                None,
                "No profile is open, so there is no agreement to keep the conversation; it was not kept.",
            )
        if not keep_transcripts:
            return RecordDecision(
                None, "The person's profile says not to keep transcripts, so the conversation was not kept."
            )
        return RecordDecision(self.to_data(), "Kept: the person's profile agrees to keeping transcripts.")

    # --- inside ---
    def _add(self, source: str, text: str, **fields: Any) -> Entry:
        _check_text(text)
        with self._lock:
            t = self._clock() - self._origin
            if self._entries:
                t = max(t, self._entries[-1].t)  # an injected clock may step back; order must not
            wall = (self.started_at + timedelta(seconds=t)).isoformat(timespec="milliseconds")
            entry = Entry(len(self._entries) + 1, t, wall, source, text, **fields)
            self._entries.append(entry)
            self._pending.append(("added", entry))
        self._notify()
        return entry

    def _change(self, entry_id: int, change: Callable[[Entry], Entry]) -> Entry:
        with self._lock:
            entry = change(self._find(entry_id))
            self._entries[entry_id - 1] = entry
            self._pending.append(("changed", entry))
        self._notify()
        return entry

    def _find(self, entry_id: int) -> Entry:
        if not isinstance(entry_id, int) or not 1 <= entry_id <= len(self._entries):
            raise ConversationError(
                f"There is no line {entry_id} in this conversation (it has {len(self._entries)})."
            )
        return self._entries[entry_id - 1]

    def _notify(self) -> None:
        # Whoever holds _dispatching delivers everything pending, including what other threads add
        # meanwhile; a listener that adds an entry has it delivered after it returns.
        while self._dispatching.acquire(blocking=False):
            try:
                while True:
                    with self._lock:
                        if not self._pending:
                            break
                        kind, entry = self._pending.popleft()
                        listeners = list(self._listeners)
                    for listener in listeners:
                        try:
                            listener(kind, entry)
                        except Exception as error:  # one broken view must not stop captions
                            log.error("A conversation listener failed with %s", type(error).__name__)
            finally:
                self._dispatching.release()
            with self._lock:
                if not self._pending:
                    return


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ConversationError("There is nothing to add: the text is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise ConversationError(
            f"That text has {len(text)} characters; one line holds at most {MAX_TEXT_CHARS}. "
            "Split it into shorter lines."
        )


def _isolated(text: str) -> str:
    # Right-to-left text between a left-to-right label and flags would be reordered by the
    # bidirectional algorithm; first-strong isolates keep each part in its own direction.
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return f"\u2068{text}\u2069"
    return text


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
