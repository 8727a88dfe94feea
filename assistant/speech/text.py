"""Text before speech: cleaned, checked and split into utterances of a sensible length.

Why at most 400 characters per utterance: that is about 20 s of speech at 150 words per
minute, short enough that stop and skip, a failed synthesis and its retry, and the wait
before the first word all stay small (pyttsx3 gathers audio by concatenating bytes, which
grows quickly with length), and long enough that ordinary sentences are never broken up.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.speech.errors import SpeechError

MAX_UTTERANCE_CHARS = 400

# Zero-width joiner and non-joiner change how Arabic-script and Indic words are spelled: keep them.
_KEEP_FORMAT = {"\u200c", "\u200d"}
_SENTENCE_END = re.compile(r"(?:[.!?…؟۔]+[\"'”’»)\]]*(?=\s|$))|[。！？]+")
_CLAUSE_END = re.compile(r"(?:[,;:،؛]+[\"'”’»)\]]*(?=\s|$))|(?:\s[—–-](?=\s))|[、，；：]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")


def clean_text(text: str) -> str:
    """NFC text with control and invisible formatting characters removed and whitespace collapsed.

    Raises a SpeechError when nothing speakable is left.
    """
    if not isinstance(text, str):
        raise SpeechError(f"The text to speak must be a string, got {type(text).__name__}.")
    chars = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char.isspace():
            chars.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in _KEEP_FORMAT):
            continue  # bidirectional marks, BOMs, private-use symbols: nothing to say
        else:
            chars.append(char)
    cleaned = " ".join("".join(chars).split())
    if not cleaned:
        raise SpeechError("There is no text to speak: the text is empty. Type what Hark should say.")
    if not any(c.isalnum() for c in cleaned):
        shown = cleaned if len(cleaned) <= 40 else cleaned[:37] + "..."
        raise SpeechError(
            f"There is nothing to speak in '{shown}': it has no letters or numbers. "
            "Type words for Hark to say."
        )
    return cleaned


def word_count(text: str) -> int:
    """Space-separated pieces holding a letter or digit (a whole unspaced Chinese sentence counts as one)."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def _pieces(text: str, boundary: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for match in boundary.finditer(text):
        piece = text[start : match.end()].strip()
        if piece:
            pieces.append(piece)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _pack(pieces: list[str], limit: int) -> list[str]:
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + 1 + len(piece) <= limit:
            packed[-1] = f"{packed[-1]} {piece}"
        else:
            packed.append(piece)
    return packed


def _split_long(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    for clause in _pack(_pieces(sentence, _CLAUSE_END), limit):
        # A clause still too long breaks between words; one word longer than the limit stays whole.
        out.extend(_pack(clause.split(" "), limit) if len(clause) > limit else [clause])
    return out


def max_chars_for_rate(rate_wpm: int) -> int:
    """400 characters at 150 words per minute or faster (at most about 25 s of speech), fewer when slower,
    so an utterance always fits the listening engine's 30 s speech queue."""
    return max(100, int(MAX_UTTERANCE_CHARS * min(1.0, rate_wpm / 150)))


def split_utterances(text: str, limit: int = MAX_UTTERANCE_CHARS) -> list[str]:
    """Clean `text` and split it at sentence, then clause, then word boundaries into pieces of at most
    `limit` characters (a single longer word is never cut). Short sentences share a piece."""
    cleaned = clean_text(text)
    pieces: list[str] = []
    for sentence in _pieces(cleaned, _SENTENCE_END):
        pieces.extend(_split_long(sentence, limit))
    return [p for p in _pack(pieces, limit) if any(c.isalnum() for c in p)] or [cleaned]


def script_languages(text: str) -> tuple[str, ...]:
    """Languages a voice must speak to read this text as words rather than letter by letter.

    Empty when the text is in Latin or another script eSpeak's default voices read; a voice for
    another language reads such text as letter names, slowly and unintelligibly.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ()
    if sum(1 for c in letters if _ARABIC.match(c)) > len(letters) / 2:
        return ("ar", "ur", "fa")
    if sum(1 for c in letters if _HEBREW.match(c)) > len(letters) / 2:
        return ("he",)
    return ()
