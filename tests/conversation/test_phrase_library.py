"""Phrases and the library in memory: filling in placeholders, adding, editing, removing."""

from __future__ import annotations

import pytest

from assistant.conversation.errors import PhraseError, PhraseFileError
from assistant.conversation.phrase_files import builtin_library
from assistant.conversation.phrases import (
    MAX_PHRASES,
    MAX_TEXT_CHARS,
    Library,
    Phrase,
)


def test_render_fills_each_placeholder_with_the_value_trimmed() -> None:
    phrase = Phrase("intro.my-name", "intro", "My name is {assessor}.")
    assert phrase.fields == ("assessor",)
    assert phrase.render(assessor="  Sam\n  Jones ") == "My name is Sam Jones."
    assert phrase.render(assessor="Sam", person="unused") == "My name is Sam."


def test_values_are_not_searched_for_placeholders() -> None:
    phrase = Phrase("decision.x", "decision", "We need to talk about {decision}, {person}.")
    assert phrase.render(decision="{person}", person="Ada") == "We need to talk about {person}, Ada."


@pytest.mark.parametrize("fields", [{}, {"assessor": ""}, {"assessor": "   "}])
def test_an_unfilled_placeholder_is_an_error_naming_it(fields: dict[str, str]) -> None:
    phrase = Phrase("intro.my-name", "intro", "My name is {assessor}.")
    with pytest.raises(PhraseError, match=r"intro\.my-name .*\{assessor\} is your name"):
        phrase.render(**fields)


def test_a_phrase_without_placeholders_renders_as_it_is() -> None:
    assert Phrase("intro.hello", "intro", "Hello.").render() == "Hello."


def test_add_makes_an_id_from_the_group_and_text_and_keeps_groups_together() -> None:
    library = builtin_library()
    phrase = library.add("intro", "  Is the \n  light OK? ")
    assert phrase == Phrase("intro.is-the-light-ok", "intro", "Is the light OK?")
    again = library.add("intro", "Is the light OK?")
    assert again.id == "intro.is-the-light-ok-2"
    other = library.add("comfort", "Ça va? Ça va bien?")
    assert other.id == "comfort.ca-va-ca-va"
    script = library.add("comfort", "هل أنت مرتاح؟")
    assert script.id == "comfort.phrase" and script.text == "هل أنت مرتاح؟"
    ids = [p.id for p in library]
    assert ids.index("intro.is-the-light-ok-2") < ids.index("comfort.hear-me")
    assert ids.index("intro.is-the-light-ok-2") == ids.index("intro.type-or-point") + 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "empty"),
        ("x" * (MAX_TEXT_CHARS + 1), f"at most {MAX_TEXT_CHARS}"),
        ("Hello.\x07Goodbye.", "control character"),
        ("Hello {name}.", "cannot fill in"),
        ("Hello {assessor.", "not part of a placeholder"),
        ("Hello }", "not part of a placeholder"),
    ],
)
def test_bad_text_is_refused_and_changes_nothing(text: str, reason: str) -> None:
    library = builtin_library()
    before = list(library)
    with pytest.raises(PhraseError, match=reason):
        library.add("intro", text)
    with pytest.raises(PhraseError, match=reason):
        library.edit("intro.hello", text)
    assert list(library) == before


def test_unknown_group_is_refused() -> None:
    with pytest.raises(PhraseError, match="no phrase group 'hello'; the groups are intro, comfort"):
        builtin_library().add("hello", "Hi.")


def test_edit_keeps_the_id_and_group() -> None:
    library = builtin_library()
    edited = library.edit("comfort.drink", "Would you like a cup of tea?")
    assert edited == Phrase("comfort.drink", "comfort", "Would you like a cup of tea?")
    assert library.get("comfort.drink") == edited
    assert [p.id for p in library] == [p.id for p in builtin_library()]


def test_remove_and_unknown_ids() -> None:
    library = builtin_library()
    removed = library.remove("endings.goodbye")
    assert removed.text == "Goodbye. Take care."
    assert "endings.goodbye" not in library and len(library) == len(builtin_library()) - 1
    with pytest.raises(PhraseError, match=r"no phrase with the id 'endings\.goodbye'"):
        library.remove("endings.goodbye")
    with pytest.raises(PhraseError, match=r"Did you mean comfort\.drink"):
        library.get("comfort.drinks")


def test_a_library_refuses_duplicate_ids_and_too_many_phrases() -> None:
    with pytest.raises(PhraseFileError) as caught:
        Library([Phrase("intro.a", "intro", "A."), Phrase("intro.a", "intro", "B."), Phrase("x", "nope", "")])
    assert len(caught.value.problems) == 3
    library = Library(Phrase(f"intro.p{i}", "intro", "Hello.") for i in range(MAX_PHRASES))
    with pytest.raises(PhraseError, match=f"already holds {MAX_PHRASES}"):
        library.add("intro", "One more.")
