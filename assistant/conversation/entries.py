"""The lines of a conversation: `Entry` and what it records of how a line was captioned or spoken.

Entries are frozen: the timeline (timeline.py) replaces an entry with a changed copy, so a
listener's entry never changes under it. `to_dict` is the entry in the conversation's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.captions.events import Word


@dataclass(frozen=True)
class SpeechSettings:
    """How Hark spoke a line: the voice id (None for the default), rate, volume and where it went."""

    voice: str | None
    rate_wpm: float
    volume: float
    route: str  # e.g. "headphones", "room" or "file"


@dataclass(frozen=True)
class CaptionDetail:
    """A caption segment's own timing (seconds on the captioning audio clock) and words."""

    start: float
    end: float
    engine: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Entry:
    id: int  # 1, 2, 3... in the order entries were added
    t: float
    wall_time: str  # ISO 8601, UTC
    source: str
    text: str
    shown_large: bool = False
    spoken_aloud: bool = False
    phrase_id: str | None = None
    speech: SpeechSettings | None = None
    caption: CaptionDetail | None = None
    redacted: bool = False

    def to_dict(self) -> dict[str, Any]:
        caption = (
            None
            if self.caption is None
            else {
                "start": self.caption.start,
                "end": self.caption.end,
                "engine": self.caption.engine,
                "words": [
                    {"text": w.text, "start": w.start, "end": w.end, "confidence": w.confidence}
                    for w in self.caption.words
                ],
            }
        )
        speech = (
            None
            if self.speech is None
            else {
                "voice": self.speech.voice,
                "rate_wpm": self.speech.rate_wpm,
                "volume": self.speech.volume,
                "route": self.speech.route,
            }
        )
        return {
            "id": self.id,
            "t": round(self.t, 3),
            "wall_time": self.wall_time,
            "source": self.source,
            "text": self.text,
            "shown_large": self.shown_large,
            "spoken_aloud": self.spoken_aloud,
            "phrase_id": self.phrase_id,
            "speech": speech,
            "caption": caption,
            "redacted": self.redacted,
        }
