"""Mask strong swear words in captions, only when a person's caption style asks.

Off by default: captions are an account of what was said, and a carer may need to
know someone swore. Some people (or their families) prefer not to read the words,
so `CaptionStyle.profanity_filter` turns this on. The word keeps its first letter
and its length ("f***"), so the reader still knows a word was said there.
The list is short on purpose: strong British and American English words only;
mild words ("damn", "hell") and medical or body words are never masked.
"""

from __future__ import annotations

import re

WORDS = (
    "fuck",
    "fucks",
    "fucked",
    "fucker",
    "fuckers",
    "fucking",
    "motherfucker",
    "motherfucking",
    "shit",
    "shits",
    "shitty",
    "bullshit",
    "cunt",
    "cunts",
    "bitch",
    "bitches",
    "bastard",
    "bastards",
    "wanker",
    "wankers",
    "twat",
    "twats",
    "arsehole",
    "arseholes",
    "asshole",
    "assholes",
    "bollocks",
    "prick",
    "pricks",
    "dickhead",
    "dickheads",
)

_PATTERN = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def _mask(match: re.Match[str]) -> str:
    word = match.group(0)
    return word[0] + "*" * (len(word) - 1)


def mask_profanity(text: str) -> str:
    """`text` with each listed word replaced by its first letter and asterisks."""
    return _PATTERN.sub(_mask, text)
