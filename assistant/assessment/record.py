"""The record of practicable steps: what was done to help the person understand and take part.

The Mental Capacity Act says a person is not to be treated as unable to decide until all
practicable steps to help them have been taken, and the assessor must be able to show them. Hark
writes down what it saw (listening, settings and each change, captions, phrases, typed exchanges,
feedback checks, whistling, the audio engine's restarts, the room's level as the microphone heard
it); the assessor adds what Hark cannot see (an interpreter present, easy-read information given,
changes to the room, breaks, notes). Every step says which of the two it came from. A correction is
a new step pointing at the one it corrects, which stays as it was.

Times are wall-clock UTC from `clock` (time.time by default), which keeps counting across a
suspended laptop, unlike a monotonic clock. Without the person's agreement to keep transcripts,
phrases and typed exchanges are kept as times and counts, never their words.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistant.assessment.errors import AssessmentError

SCHEMA = "hark.session-record"
VERSION = 1
SOURCES = {"hark": "Hark saw", "assessor": "Assessor noted"}
HARK_KINDS = (
    "listening", "setting", "captions", "phrase", "typed", "feedback_check", "whistling",
    "audio", "pause", "room_level",
)  # fmt: skip
ASSESSOR_KINDS = ("interpreter", "supporter", "information", "room", "break", "note", "correction")
MAX_TEXT_CHARS = 5_000


@dataclass(frozen=True)
class Step:
    seq: int
    at: str  # ISO 8601 UTC, to the second
    source: str  # "hark" or "assessor"
    kind: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)
    corrects: int | None = None

    @property
    def shown(self) -> str:
        """The step's text as the record shows it: a correction names the step it corrects."""
        return f"Correction to step {self.corrects}: {self.text}" if self.corrects is not None else self.text


class SessionRecord:
    """One assessment session's steps, safe to add to from any thread."""

    def __init__(
        self,
        person: str | None,
        keep_words: bool,
        clock: Callable[[], float] = time.time,
        started: float | None = None,
    ) -> None:
        """`person`: the profile id, or None for a quick session. `keep_words`: the person agreed
        to keep transcripts (consent.agreed_to.keep_transcripts)."""
        self.person, self.keep_words, self._clock = person, keep_words, clock
        self.started = clock() if started is None else started
        self.ended: float | None = None
        self._steps: list[Step] = []
        self._levels: list[float] = []
        self._device_trouble = False
        self._lock = threading.Lock()

    # -- what Hark saw ---------------------------------------------------------------------------

    def saw(self, kind: str, text: str, at: float | None = None, **detail: Any) -> Step:
        if kind not in HARK_KINDS:
            raise AssessmentError(
                f"'{kind}' is not something Hark records; use one of {', '.join(HARK_KINDS)}."
            )
        return self._add("hark", kind, text, at, detail)

    def phrase(self, phrase_id: str, text: str, spoken: bool, shown: bool) -> Step:
        how = " and ".join(w for w, on in (("spoken", spoken), ("shown large", shown)) if on) or "used"
        if self.keep_words:
            return self.saw("phrase", f"Phrase {how}: “{text}”", phrase_id=phrase_id)
        return self.saw("phrase", f"A quick phrase was {how}", phrase_id=phrase_id)

    def typed(self, by: str, text: str) -> Step:
        """`by`: "person" or "assessor"."""
        who = {"person": "The person", "assessor": "The assessor"}.get(by)
        if who is None:
            raise AssessmentError(f"A typed message comes from the person or the assessor, not '{by}'.")
        said = f": “{text}”" if self.keep_words else ""
        return self.saw("typed", f"{who} typed a message{said}", by=by, characters=len(text))

    def room_level(self, input_rms_dbfs: float) -> None:
        """The microphone's level now (uncalibrated: dB relative to the converter's full scale)."""
        with self._lock:
            self._levels.append(round(float(input_rms_dbfs), 1))

    def engine_event(self, kind: str, message: str, at: float, data: dict[str, object]) -> Step | None:
        """A step for an audio engine event (audio.engine_protocol.EngineEvent), or None for the
        ones that are counted rather than listed (xruns, priority, room sounds finishing)."""
        if kind == "howl":
            hz = data.get("hz")
            where = f" at {float(hz):,.0f} Hz" if isinstance(hz, int | float) else ""
            return self.saw(
                "whistling", f"Whistling (feedback){where}: Hark turned the sound down", at, **data
            )
        if kind == "howl-released":
            return self.saw("whistling", "Whistling stopped: the sound came back up", at)
        if kind == "restarted":
            return self.saw("audio", f"The audio stopped and Hark restarted it ({message})", at, **data)
        # A device missing at the start comes with the engine's "started"; later ones as "state".
        if kind in ("state", "started") and data.get("state") in ("disappeared", "waiting"):
            self._device_trouble = True
            return self.saw("audio", f"Sound device problem: {message}", at, state=data.get("state"))
        if kind == "state" and data.get("state") == "running" and self._device_trouble:
            self._device_trouble = False  # "running" at the start is no news; after a problem it is
            return self.saw("audio", "The sound device came back", at, state="running")
        if kind == "error":
            return self.saw("audio", f"Audio error: {message}", at)
        return None

    # -- what the assessor adds ------------------------------------------------------------------

    def noted(self, kind: str, text: str) -> Step:
        if kind not in ASSESSOR_KINDS or kind == "correction":
            raise AssessmentError(
                f"'{kind}' is not a kind of note; use one of {', '.join(k for k in ASSESSOR_KINDS[:-1])}."
            )
        return self._add("assessor", kind, text, None, {})

    def correct(self, seq: int, text: str) -> Step:
        """A correction of step `seq`; the original stays in the record as it was."""
        with self._lock:
            if not 1 <= seq <= len(self._steps):
                raise AssessmentError(
                    f"There is no step {seq} to correct; the record has {len(self._steps)}."
                )
        return self._add("assessor", "correction", text, None, {}, corrects=seq)

    def end(self, at: float | None = None) -> None:
        self.ended = self._clock() if at is None else at

    # -- reading -------------------------------------------------------------------------------

    def steps(self) -> list[Step]:
        with self._lock:
            return list(self._steps)

    def summary(self) -> dict[str, Any]:
        steps = self.steps()
        count = {kind: sum(1 for s in steps if s.kind == kind) for kind in HARK_KINDS + ASSESSOR_KINDS}
        with self._lock:
            levels = list(self._levels)
        end = self.ended if self.ended is not None else self._clock()
        return {
            "minutes": round(max(0.0, end - self.started) / 60, 1),
            "setting_changes": count["setting"],
            "phrases": count["phrase"],
            "typed_messages": count["typed"],
            "feedback_checks": count["feedback_check"],
            "whistling": sum(1 for s in steps if s.kind == "whistling" and s.detail.get("hz") is not None),
            "audio_restarts": sum(1 for s in steps if s.kind == "audio" and "gap_s" in s.detail),
            "assessor_notes": sum(count[k] for k in ASSESSOR_KINDS),
            "room_level_dbfs": (
                {"median": statistics.median(levels), "max": max(levels), "readings": len(levels)}
                if levels
                else None
            ),
        }

    def to_data(self) -> dict[str, Any]:
        with self._lock:
            levels = list(self._levels)
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "person": self.person,
            "keep_words": self.keep_words,
            "started": self.started,
            "ended": self.ended,
            "steps": [asdict(step) for step in self.steps()],
            "room_levels_dbfs": levels,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any], clock: Callable[[], float] = time.time) -> SessionRecord:
        """A record read back from a saved draft, to resume it."""
        if data.get("schema") != SCHEMA or data.get("version") != VERSION:
            raise AssessmentError(
                f"This saved session is not a Hark session record this version can read "
                f"(schema {data.get('schema')!r}, version {data.get('version')!r})."
            )
        record = cls(data["person"], bool(data["keep_words"]), clock, float(data["started"]))
        record.ended = data["ended"]
        record._steps = [Step(**step) for step in data["steps"]]
        record._levels = [float(level) for level in data["room_levels_dbfs"]]
        return record

    def _add(
        self,
        source: str,
        kind: str,
        text: str,
        at: float | None,
        detail: dict[str, Any],
        corrects: int | None = None,
    ) -> Step:
        text = text.strip()
        if not text or len(text) > MAX_TEXT_CHARS:
            raise AssessmentError(f"A step of the record needs 1 to {MAX_TEXT_CHARS:,} characters of text.")
        when = self._clock() if at is None else at
        stamp = datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")
        with self._lock:
            step = Step(len(self._steps) + 1, stamp, source, kind, text, detail, corrects)
            self._steps.append(step)
        return step


def wall_time(stamp: str) -> str:
    """`HH:MM` in the computer's time zone, as the assessor reads it."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
