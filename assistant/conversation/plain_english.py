"""A readability check for short spoken or shown phrases, with no outside packages.

The rule, for people with dementia or a learning disability (easy-read guidance from Mencap
and the Department of Health, the Alzheimer's Society's advice on communicating, and the
Mental Capacity Act Code of Practice, chapter 3, "use simple language"):

- a sentence has at most MAX_SENTENCE_WORDS words, and a phrase at most MAX_SENTENCES sentences,
  so each sentence carries one idea and a phrase fits on the caption window in large type;
- a sentence has at most one word of three or more syllables, and no word has more than four:
  short, common words;
- no jargon or idiom from the JARGON list (the words professionals use about the person,
  and figures of speech that people with dementia may take literally);
- a group of phrases scores at least READING_EASE_FLOOR on Flesch reading ease. Flesch's scale
  calls 90-100 "very easy" (read easily by an average 11-year-old; most newspapers score 30-60);
  scores on one short phrase swing too much to judge alone, so the floor applies to a group
  taken together.

Syllables are estimated from vowel groups with the usual English corrections (silent final
e, -ed and -es endings). The estimate is right for most everyday words and errs by one on some
(for example "idea"), which is close enough for a floor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_SENTENCE_WORDS = 11
MAX_SENTENCES = 2
MAX_LONG_WORDS_PER_SENTENCE = 1
MAX_SYLLABLES = 4
READING_EASE_FLOOR = 90.0

JARGON = (
    "capacity",
    "assessment",
    "assess",
    "best interests",
    "deprivation",
    "liberty",
    "dols",
    "lpa",
    "imca",
    "deputy",
    "cognitive",
    "cognition",
    "consent",
    "facilitate",
    "appropriate",
    "ascertain",
    "utilise",
    "commence",
    "regarding",
    "subsequently",
    "prior to",
    "in order to",
    "with regard to",
    "bear with me",
    "touch base",
    "on the same page",
    "in a nutshell",
    "at the end of the day",
    "piece of cake",
    "keep an eye",
    "hang on",
    "sleep on it",
    "under the weather",
    "hold your horses",
    "get the ball rolling",
    "on board",
    "pop in",
    "cup of tea and a chat",
)

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """An estimate of the syllables in one English word (at least 1)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 1
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye", "oe")) and _VOWEL_GROUP.search(w[:-1]):
        count -= 1  # "make", "phone": silent e
    elif w.endswith("le") and len(w) > 2 and w[-3] in "aeiouy":
        count -= 1  # "while", "smile": the e is silent after a vowel
    elif w.endswith("ed") and w[-3] not in "td" and w[-3] not in "aeiouy":
        count -= 1  # "talked" but not "wanted" or "needed"
    elif w.endswith("es") and w[-3] not in "aeiouycgsxz" and not w.endswith(("ches", "shes")):
        count -= 1  # "makes", "phones" but not "choices", "boxes", "wishes"
    return max(1, count)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, split after . ! or ? (a phrase without one is one sentence)."""
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if _WORD.search(part)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def reading_ease(texts: Iterable[str]) -> float:
    """Flesch reading ease of the texts taken together: higher is easier (90-100 very easy)."""
    sentence_count = word_count = syllable_count = 0
    for text in texts:
        for sentence in sentences(text):
            found = words(sentence)
            sentence_count += 1
            word_count += len(found)
            syllable_count += sum(syllables(word) for word in found)
    if word_count == 0:
        return 100.0
    return 206.835 - 1.015 * (word_count / sentence_count) - 84.6 * (syllable_count / word_count)


def problems(text: str) -> list[str]:
    """What makes one phrase harder to follow than the rule allows; empty when it passes."""
    found: list[str] = []
    parts = sentences(text)
    if len(parts) > MAX_SENTENCES:
        found.append(f"it has {len(parts)} sentences; use at most {MAX_SENTENCES}")
    for sentence in parts:
        sentence_words = words(sentence)
        issues = []
        if len(sentence_words) > MAX_SENTENCE_WORDS:
            issues.append(f"{len(sentence_words)} words (at most {MAX_SENTENCE_WORDS})")
        long_words = [w for w in sentence_words if syllables(w) >= 3]
        if len(long_words) > MAX_LONG_WORDS_PER_SENTENCE:
            issues.append(
                f"{len(long_words)} long words ({', '.join(long_words)}; at most "
                f"{MAX_LONG_WORDS_PER_SENTENCE})"
            )
        if issues:
            found.append(f'the sentence "{sentence}" has {" and ".join(issues)}')
        found += [
            f'"{word}" is a very long word; find a shorter one'
            for word in sentence_words
            if syllables(word) > MAX_SYLLABLES
        ]
    lowered = " " + " ".join(words(text.lower())) + " "
    for term in JARGON:
        if f" {term} " in lowered:
            found.append(f'"{term}" is jargon or an idiom; say it in everyday words')
    return found
