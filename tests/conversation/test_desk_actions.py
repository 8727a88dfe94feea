"""`hark captions`'s conversation pieces without a window: phrase fields, favourites, and the
--transcript rule (saved with no profile because asked; with a profile only when it agrees)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from assistant.conversation.desk_actions import favourites_for, phrase_fields
from assistant.conversation.errors import ConversationError
from assistant.conversation.favourites import DEFAULT_PERSON, FavouritesFile
from assistant.conversation.timeline import Conversation
from assistant.conversation.transcript_file import check_transcript_path, save_transcript


def profile(keep: bool) -> dict[str, Any]:
    return {
        "identity": {"preferred_name": "Ada"},
        "phrases": {"favourites": ["endings.thank-you"]},
        "consent": {"agreed_to": {"keep_transcripts": keep}},
    }


def talk() -> Conversation:
    conversation = Conversation()
    conversation.add_assessor_typed("Would you like a cup of tea?")
    conversation.add_person_typed("Yes please.")
    return conversation


def test_with_no_profile_the_transcript_is_saved_because_it_was_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "session.txt"
    message = save_transcript(talk(), path, None)
    assert message.startswith(f"Saved the conversation (2 lines) to {path}") and "--transcript" in message
    text = path.read_text(encoding="utf-8")
    assert "Assessor typed: Would you like a cup of tea?" in text and "Person typed: Yes please." in text
    assert "not saved: no --transcript" in save_transcript(talk(), None, None)


def test_with_a_profile_only_consent_lets_it_be_saved(tmp_path: Path) -> None:
    refused = tmp_path / "refused.txt"
    message = save_transcript(talk(), refused, profile(keep=False))
    assert "not saved" in message and "says not to keep transcripts" in message and not refused.exists()
    kept = tmp_path / "kept.txt"
    assert "agrees to keeping transcripts" in save_transcript(talk(), kept, profile(keep=True))
    assert "Yes please." in kept.read_text(encoding="utf-8")


def test_an_existing_or_impossible_transcript_path_is_refused_before_starting(tmp_path: Path) -> None:
    existing = tmp_path / "old.txt"
    existing.write_text("an earlier session", encoding="utf-8")
    with pytest.raises(ConversationError, match="already exists and Hark will not overwrite it"):
        check_transcript_path(existing)
    with pytest.raises(ConversationError, match="is a folder"):
        check_transcript_path(tmp_path)
    with pytest.raises(ConversationError, match="does not exist"):
        check_transcript_path(tmp_path / "missing" / "s.txt")
    assert existing.read_text(encoding="utf-8") == "an earlier session"
    check_transcript_path(tmp_path / "new.txt")


def test_fields_come_from_the_flags_and_the_profile() -> None:
    args = argparse.Namespace(assessor="Sam Jones", decision=" where you will live ", person=None)
    assert phrase_fields(args, profile(True)) == {
        "assessor": "Sam Jones",
        "decision": " where you will live ",
        "person": "Ada",
    }
    assert phrase_fields(argparse.Namespace(assessor="", decision=None, person="Bob"), profile(True)) == {
        "person": "Bob"
    }


def test_favourites_from_the_profile_else_the_assessors_own_list(private_files: Path) -> None:
    assert favourites_for(profile(True)) == (["endings.thank-you"], None)
    assert favourites_for(None) == ([], None)
    FavouritesFile().set(DEFAULT_PERSON, ["intro.hello"])
    assert favourites_for(None) == (["intro.hello"], None)
    FavouritesFile().path.write_text("{broken", encoding="utf-8")
    ids, warning = favourites_for(None)
    assert ids == [] and warning is not None and "were not loaded" in warning
