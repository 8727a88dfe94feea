"""Cleaning and splitting text: empty, very long, unicode and right-to-left text."""

from __future__ import annotations

import re

import pytest

from assistant.speech.errors import SpeechError
from assistant.speech.text import (
    MAX_UTTERANCE_CHARS,
    clean_text,
    max_chars_for_rate,
    script_languages,
    split_utterances,
    word_count,
)

SENTENCE = (
    "The assessor will explain the decision about where you live, and you can ask questions at any time."
)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\u200e\u200f\ufeff", "\x00\x07"])
def test_empty_or_invisible_text_is_a_clear_error(text: str) -> None:
    with pytest.raises(SpeechError, match="no text to speak"):
        clean_text(text)


@pytest.mark.parametrize("text", ["...", "?!", "👋😀", "— — —"])
def test_text_without_letters_or_numbers_is_a_clear_error(text: str) -> None:
    with pytest.raises(SpeechError, match="no letters or numbers"):
        split_utterances(text)


def test_cleaning_removes_controls_and_bidi_marks_and_collapses_space() -> None:
    assert clean_text("  Hello,\x00\x1b  how\tare\n\nyou?\u200f ") == "Hello, how are you?"
    # Decomposed accents are composed, and zero-width non-joiner (Persian and Urdu spelling) is kept.
    assert clean_text("Cafe\u0301") == "Café"
    assert "\u200c" in clean_text("می\u200cخواهم")


def test_short_text_is_one_utterance() -> None:
    assert split_utterances("  Are you comfortable?  Can you hear me? ") == [
        "Are you comfortable? Can you hear me?"
    ]


def _joined(parts: list[str]) -> str:
    return " ".join(parts)


def test_very_long_text_splits_at_sentences_within_the_limit_and_loses_nothing() -> None:
    text = " ".join([SENTENCE] * 300)  # about 30,000 characters
    parts = split_utterances(text)
    assert all(len(p) <= MAX_UTTERANCE_CHARS for p in parts)
    assert _joined(parts) == clean_text(text)
    assert all(p.endswith(".") for p in parts)  # every break is at the end of a sentence
    assert len(parts) == pytest.approx(len(text) / MAX_UTTERANCE_CHARS, rel=0.35)


def test_a_long_sentence_breaks_at_clauses_then_words_never_mid_word() -> None:
    clause = "and then we will talk about the care home, the family visits, and the garden"
    sentence = ", ".join([clause] * 12) + "."
    parts = split_utterances(sentence, limit=120)
    assert all(len(p) <= 120 for p in parts)
    assert _joined(parts) == sentence
    assert all(p.endswith((",", ".")) for p in parts)
    words = "word " * 200
    parts = split_utterances(words, limit=50)
    assert all(len(p) <= 50 for p in parts) and _joined(parts) == words.strip()
    assert all(re.fullmatch(r"(word ?)+", p) for p in parts)


def test_one_word_longer_than_the_limit_is_kept_whole() -> None:
    long_word = "x" * 500
    assert split_utterances(f"Visit {long_word} today.", limit=100) == ["Visit", long_word, "today."]


def test_right_to_left_and_other_scripts_split_at_their_own_punctuation() -> None:
    arabic = "مرحبا، كيف حالك اليوم؟ " * 40
    parts = split_utterances(arabic, limit=100)
    assert all(len(p) <= 100 and p.endswith("؟") for p in parts)
    assert _joined(parts) == clean_text(arabic)
    urdu = "آپ آج کیسے ہیں۔ " * 40
    assert all(p.endswith("۔") for p in split_utterances(urdu, limit=100))
    hebrew = "שלום, מה שלומך היום? " * 40
    assert all(p.endswith("?") for p in split_utterances(hebrew, limit=100))
    chinese = "你好。今天怎么样？" * 40
    parts = split_utterances(chinese, limit=50)
    assert all(len(p) <= 50 for p in parts) and "".join(parts).replace(" ", "") == chinese


def test_decimal_points_do_not_end_sentences() -> None:
    text = "The dose is 2.5 mg at 10.30 today. Then rest."
    assert split_utterances(text, limit=40) == ["The dose is 2.5 mg at 10.30 today.", "Then rest."]
    assert split_utterances(text, limit=20) == ["The dose is 2.5 mg", "at 10.30 today.", "Then rest."]


def test_slow_rates_get_shorter_utterances() -> None:
    assert max_chars_for_rate(150) == max_chars_for_rate(450) == MAX_UTTERANCE_CHARS
    assert max_chars_for_rate(80) < MAX_UTTERANCE_CHARS


def test_word_count_and_script_detection() -> None:
    assert word_count("Hello, how are you? 42 - !") == 5
    assert script_languages("مرحبا، كيف حالك") == ("ar", "ur", "fa")
    assert script_languages("שלום, מה שלומך") == ("he",)
    assert script_languages("Hello there") == () and script_languages("Zoë, café") == ()
