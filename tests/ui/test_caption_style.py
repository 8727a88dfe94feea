"""CaptionStyle validation, schemes' contrast and the profanity mask (no Qt)."""

from __future__ import annotations

import pytest

from assistant.captions.profanity import mask_profanity
from assistant.captions.style import MAX_FONT_PT, MIN_FONT_PT, SCHEMES, CaptionStyle, CaptionStyleError


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_defaults() -> None:
    style = CaptionStyle()
    assert (style.font_pt, style.scheme, style.lines) == (48, "white-on-black", 4)
    assert not style.upper_case and not style.profanity_filter and style.mark_low_confidence
    assert style.low_confidence_threshold == 0.5


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"font_pt": 8}, "20 to 160 pt"),
        ({"font_pt": 48.5}, "whole number"),
        ({"scheme": "pink-on-green"}, "white-on-black"),
        ({"lines": 1}, "2 to 10 lines"),
        ({"lines": 11}, "2 to 10 lines"),
        ({"upper_case": "yes"}, "true or false"),
        ({"low_confidence_threshold": 1.5}, "from 0 to 1"),
    ],
)
def test_bad_values_say_what_is_allowed(changes: dict[str, object], words: str) -> None:
    with pytest.raises(CaptionStyleError, match=words):
        CaptionStyle(**changes)  # type: ignore[arg-type]


def test_font_steps_stay_in_range() -> None:
    assert CaptionStyle(font_pt=MAX_FONT_PT).with_font_step(+1).font_pt == MAX_FONT_PT
    assert CaptionStyle(font_pt=MIN_FONT_PT).with_font_step(-1).font_pt == MIN_FONT_PT
    assert CaptionStyle().with_font_step(+1).font_pt > 48


def test_round_trip_through_a_dict_ignores_unknown_keys() -> None:
    style = CaptionStyle(font_pt=60, scheme="black-on-cream", lines=6, upper_case=True)
    assert CaptionStyle.from_dict({**style.as_dict(), "from_a_newer_version": 1}) == style
    with pytest.raises(CaptionStyleError):
        CaptionStyle.from_dict({"lines": 40})


@pytest.mark.parametrize("name", list(SCHEMES))
def test_every_text_colour_reaches_aaa_contrast(name: str) -> None:
    colours = SCHEMES[name]
    assert _contrast(colours.text, colours.background) >= 7.0
    assert _contrast(colours.live, colours.background) >= 7.0  # the softer live line too
    assert _contrast(colours.text, colours.status_background) >= 7.0
    assert _contrast(colours.accent, colours.background) >= 4.5  # focus ring, underline


def test_profanity_mask_keeps_first_letter_and_length() -> None:
    assert mask_profanity("Oh shit, the Bastard's late") == "Oh s***, the B******'s late"
    assert mask_profanity("Scunthorpe shitake hello") == "Scunthorpe shitake hello"
