"""The built-in phrases follow the plain-English rule in assistant/conversation/plain_english.py."""

from __future__ import annotations

import re

import pytest

from assistant.conversation import plain_english
from assistant.conversation.phrase_files import builtin_library
from assistant.conversation.phrases import FIELDS, GROUPS, SAMPLE_FIELDS

# Syllable counts from a dictionary, for words like those the phrases use.
KNOWN_SYLLABLES = {
    "hello": 2,
    "capacity": 4,
    "understand": 3,
    "decision": 3,
    "comfortable": 4,
    "make": 1,
    "talked": 1,
    "choices": 2,
    "information": 4,
    "headphones": 2,
    "people": 2,
    "while": 1,
    "wanted": 2,
    "boxes": 2,
    "table": 2,
    "yellow": 2,
    "you": 1,
    "today": 2,
    "important": 3,
    "remember": 3,
    "social": 2,
    "worker": 2,
    "louder": 2,
    "screen": 1,
    "anything": 3,
    "different": 3,
    "questions": 2,
    "goodbye": 2,
    "someone": 2,
    "another": 3,
    "accommodation": 5,
    "assessment": 3,
    "happen": 2,
    "toilet": 2,
}
CODE_OF_PRACTICE = (
    "A person must be assumed to have capacity unless it is established that they lack capacity. "
    "A person is not to be treated as unable to make a decision unless all practicable steps to help "
    "him to do so have been taken without success."
)


def test_syllable_estimate_matches_the_dictionary() -> None:
    wrong = {
        w: plain_english.syllables(w) for w, n in KNOWN_SYLLABLES.items() if plain_english.syllables(w) != n
    }
    assert wrong == {}


def test_six_groups_of_eight_to_fifteen_phrases_with_stable_ids() -> None:
    library = builtin_library()
    assert [p.group for p in library] == sorted((p.group for p in library), key=list(GROUPS).index)
    for group in GROUPS:
        phrases = library.in_group(group)
        assert 8 <= len(phrases) <= 15, group
        for phrase in phrases:
            assert re.fullmatch(rf"{group}\.[a-z]+(-[a-z]+)*", phrase.id), phrase.id
    assert len({p.id for p in library}) == len(library)


def test_every_built_in_phrase_passes_the_rule() -> None:
    failures = {p.id: plain_english.problems(p.render(**SAMPLE_FIELDS)) for p in builtin_library()}
    assert {k: v for k, v in failures.items() if v} == {}


@pytest.mark.parametrize("group", list(GROUPS))
def test_each_group_reads_very_easily(group: str) -> None:
    texts = [p.render(**SAMPLE_FIELDS) for p in builtin_library().in_group(group)]
    assert plain_english.reading_ease(texts) >= plain_english.READING_EASE_FLOOR


def test_the_rule_rejects_code_of_practice_prose() -> None:
    found = plain_english.problems(CODE_OF_PRACTICE)
    assert any("words (at most" in p for p in found)
    assert any("capacity" in p and "jargon" in p for p in found)
    assert plain_english.reading_ease([CODE_OF_PRACTICE]) < 60
    assert plain_english.problems("We need to touch base about it.") == [
        '"touch base" is jargon or an idiom; say it in everyday words'
    ]
    assert plain_english.problems("Hello. Hello. Hello.")[0].startswith("it has 3 sentences")


def test_placeholders_only_where_needed() -> None:
    used = [field for p in builtin_library() for field in p.fields]
    assert set(used) == set(FIELDS)
    assert len(used) <= 4


def test_sentences_and_words() -> None:
    assert plain_english.sentences("Goodbye. Take care.") == ["Goodbye", "Take care"]
    assert plain_english.sentences("Is it 3.5 miles?") == ["Is it 3.5 miles"]
    assert plain_english.words("Don't worry, it's fine.") == ["Don't", "worry", "it's", "fine"]
