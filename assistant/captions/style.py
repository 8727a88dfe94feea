"""How captions look for one person: text size, colours, lines, case, filtering.

A frozen dataclass with no Qt in it, validated when built: a bad value raises
`CaptionStyleError` naming the setting, the value and what is allowed. Every colour scheme's
text reaches at least 7:1 contrast against its background (WCAG AAA), checked in tests/ui.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from assistant.captions.errors import CaptionError

MIN_FONT_PT = 20  # below this the captions stop serving people with poor sight
MAX_FONT_PT = 160  # two or three words a line on a laptop screen: larger is unreadable as captions
FONT_STEP_PT = 4
MIN_LINES = 2
MAX_LINES = 10


class CaptionStyleError(CaptionError, ValueError):
    """A caption setting is out of range; the message says which and what is allowed."""


@dataclass(frozen=True)
class ColourScheme:
    """Colours as '#RRGGBB' strings (the window turns them into QColor)."""

    text: str  # finished lines
    live: str  # the line still being spoken: a slightly softer shade of `text`
    background: str
    status_background: str  # the status bar, set a little apart from the captions
    accent: str  # focus ring and the low-confidence underline


SCHEMES: dict[str, ColourScheme] = {
    "white-on-black": ColourScheme("#FFFFFF", "#D0D0D0", "#000000", "#1A1A1A", "#FFD200"),
    "yellow-on-black": ColourScheme("#FFFF00", "#E6DC8C", "#000000", "#1A1A1A", "#FFFFFF"),
    "cyan-on-black": ColourScheme("#00FFFF", "#A6E6E6", "#000000", "#1A1A1A", "#FFFFFF"),
    "black-on-white": ColourScheme("#000000", "#3A3A3A", "#FFFFFF", "#E6E6E6", "#0040C0"),
    "black-on-cream": ColourScheme("#000000", "#3A3A3A", "#FFF8DC", "#EFE6C4", "#0040C0"),
}


@dataclass(frozen=True)
class CaptionStyle:
    font_pt: int = 48
    scheme: str = "white-on-black"
    lines: int = 4  # wrapped display lines shown at once (see ui/caption_window.py)
    upper_case: bool = False
    profanity_filter: bool = False  # off by default: captions should say what was said
    mark_low_confidence: bool = True
    low_confidence_threshold: float = 0.5  # words the engine is less sure of than this are marked

    def __post_init__(self) -> None:
        if isinstance(self.font_pt, bool) or not isinstance(self.font_pt, int):
            raise CaptionStyleError(
                f"Caption text size must be a whole number of points, not {self.font_pt!r}."
            )
        if not MIN_FONT_PT <= self.font_pt <= MAX_FONT_PT:
            raise CaptionStyleError(
                f"Caption text size {self.font_pt} pt is out of range; use {MIN_FONT_PT} to {MAX_FONT_PT} pt."
            )
        if self.scheme not in SCHEMES:
            raise CaptionStyleError(
                f"Unknown colour scheme {self.scheme!r}; use one of: {', '.join(SCHEMES)}."
            )
        if isinstance(self.lines, bool) or not isinstance(self.lines, int):
            raise CaptionStyleError(
                f"The number of caption lines must be a whole number, not {self.lines!r}."
            )
        if not MIN_LINES <= self.lines <= MAX_LINES:
            raise CaptionStyleError(
                f"{self.lines} caption lines is out of range; use {MIN_LINES} to {MAX_LINES} lines."
            )
        for name in ("upper_case", "profanity_filter", "mark_low_confidence"):
            if not isinstance(getattr(self, name), bool):
                raise CaptionStyleError(
                    f"Caption setting {name} must be true or false, not {getattr(self, name)!r}."
                )
        threshold = self.low_confidence_threshold
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0.0 <= threshold <= 1.0
        ):
            raise CaptionStyleError(
                f"Low-confidence threshold {threshold!r} is out of range; use a number from 0 to 1."
            )

    @property
    def colours(self) -> ColourScheme:
        return SCHEMES[self.scheme]

    def with_font_step(self, steps: int) -> CaptionStyle:
        """This style with the text `steps` sizes larger (or smaller), kept within range."""
        font_pt = min(MAX_FONT_PT, max(MIN_FONT_PT, self.font_pt + steps * FONT_STEP_PT))
        return dataclasses.replace(self, font_pt=font_pt)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptionStyle:
        """Build from stored settings; unknown keys (from a newer version) are ignored, bad values raise."""
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
