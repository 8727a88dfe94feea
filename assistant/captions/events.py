"""What a recogniser reports: partial hypotheses while someone speaks, segments when they stop.

All times are seconds from the start of the captioning session (the first sample the
recogniser was given after creation or `reset`), on the audio's own clock.
No Qt here: the UI wraps the callback in a signal itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float  # 0..1


@dataclass(frozen=True)
class Partial:
    text: str  # words so far in the current utterance
    time: float  # audio time reached when this hypothesis was made


@dataclass(frozen=True)
class Segment:
    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    engine: str


CaptionEvent = Partial | Segment
