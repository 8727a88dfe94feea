"""The phrase library on disk: schema-versioned, atomic, and malformed files rejected whole."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant import json_files
from assistant.conversation.errors import PhraseError, PhraseFileError
from assistant.conversation.phrase_files import (
    MAX_FILE_BYTES,
    builtin_library,
    load_for_editing,
    load_library,
    read_library_file,
    reset_library,
    save_library,
    user_library_path,
)
from assistant.conversation.phrases import MAX_TEXT_CHARS


def document(phrases: list[dict[str, Any]], **top: Any) -> bytes:
    data = {"schema": "hark.phrases", "version": 1, "phrases": phrases, **top}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


GOOD = {"id": "intro.hi", "group": "intro", "text": "Hi."}
MALFORMED = {
    "bad JSON": (
        b'{"schema": "hark.phrases", "version": 1, "phrases": [}',
        "not valid JSON: .* line 1, column 54",
    ),
    "wrong version": (document([GOOD], version=2), "version 2 and this Hark reads version 1 only"),
    "wrong schema": (document([GOOD], schema="hark.profile"), "\"schema\" must be 'hark.phrases'"),
    "duplicate ids": (document([GOOD, {**GOOD, "text": "Hello."}]), "phrase 2 .*used by an earlier phrase"),
    "empty text": (document([{**GOOD, "text": "  "}]), "text is empty"),
    "too-long text": (document([{**GOOD, "text": "a" * (MAX_TEXT_CHARS + 1)}]), "at most 200, so split it"),
    "unknown group": (document([{**GOOD, "group": "greetings"}]), "group 'greetings' is not one of intro"),
    "non-UTF-8": (
        document([{**GOOD, "text": "Café."}]).replace("é".encode(), "é".encode("latin-1")),
        r"not UTF-8 text \(byte 0xe9 at position \d+\); save it as UTF-8",
    ),
    "huge file": (b" " * (MAX_FILE_BYTES + 1), "larger than 512 KB"),
    "repeated key": (
        b'{"schema": "hark.phrases", "version": 1, "version": 1, "phrases": []}',
        "'version' appears twice",
    ),
    "not an object": (b"[]", "one JSON object"),
    "phrases not a list": (
        b'{"schema": "hark.phrases", "version": 1, "phrases": {"a": 1}}',
        '"phrases" must be a list',
    ),
    "missing text": (document([{"id": "intro.hi", "group": "intro"}]), "phrase 1 needs text as text"),
    "unknown key": (document([{**GOOD, "colour": "red"}]), "phrase 1 has unknown keys 'colour'"),
    "bad id": (document([{**GOOD, "id": "Intro Hi"}]), "id must be lower-case"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_with_its_reason_and_left_alone(case: str, private_files: Path) -> None:
    raw, reason = MALFORMED[case]
    path = user_library_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)

    with pytest.raises(PhraseFileError, match=reason) as caught:
        read_library_file(path)
    assert str(path) in str(caught.value)

    loaded = load_library()
    assert loaded.source == "built-in" and loaded.library == builtin_library()
    assert (
        loaded.warning is not None and str(path) in loaded.warning and "hark phrases reset" in loaded.warning
    )

    with pytest.raises(PhraseError, match="Nothing was changed"):
        load_for_editing()
    assert path.read_bytes() == raw
    assert sorted(os.listdir(path.parent)) == ["phrases.json"]


def test_every_problem_is_reported_at_once() -> None:
    raw = document(
        [
            GOOD,
            {"id": "intro.x"},
            {**GOOD, "text": ""},
            {"id": "comfort.x", "group": "nope", "text": "{name}"},
        ],
        version=3,
        extra=True,
    )
    path = user_library_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    with pytest.raises(PhraseFileError) as caught:
        read_library_file(path)
    problems = caught.value.problems
    assert len(problems) == 7, problems
    for part in (
        "version 3",
        "unknown key 'extra'",
        "phrase 2 needs group, text as text",
        "phrase 3 ('intro.hi'): the id is used",
        "text is empty",
        "phrase 4 ('comfort.x'): the group 'nope'",
        "{name}",
    ):
        assert any(part in p for p in problems), part


def test_save_then_load_round_trips_with_schema_and_version() -> None:
    library = builtin_library()
    library.add("choices", "Do you want to stay here?")
    library.edit("intro.hello", "Hello, {person}.")
    path = save_library(library)
    assert path == user_library_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["schema"], data["version"]) == ("hark.phrases", 1)
    loaded = load_library()
    assert (loaded.source, loaded.warning) == ("user", None)
    assert loaded.library == library
    assert sorted(os.listdir(path.parent)) == ["phrases.json"]  # no temporary file left behind


def test_unicode_phrases_and_a_byte_order_mark_survive() -> None:
    library = builtin_library()
    library.add("intro", "Shwmae. Sut mae?")
    library.add("intro", "שלום, אני כאן.")
    path = save_library(library)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_library_file(path) == library


def test_a_failed_write_leaves_the_previous_file(monkeypatch: pytest.MonkeyPatch) -> None:
    library = builtin_library()
    path = save_library(library)
    before = path.read_bytes()
    library.add("intro", "Hi there.")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json_files.os, "fsync", full_disk)
    with pytest.raises(PhraseError, match=r"Cannot save the phrase library .*No space left on device"):
        save_library(library)
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == ["phrases.json"]


def test_a_folder_in_place_of_the_file(private_files: Path) -> None:
    user_library_path().mkdir(parents=True)
    assert "it is a folder, not a file" in (load_library().warning or "")


def test_reset_moves_the_users_file_aside() -> None:
    assert reset_library() is None
    library = builtin_library()
    library.remove("intro.hello")
    path = save_library(library)
    saved = path.read_bytes()
    now = datetime(2025, 3, 4, 10, 30, 0, tzinfo=UTC)
    backup = reset_library(now=now)
    assert backup is not None and backup.name == "phrases.backup-20250304T103000Z.json"
    assert backup.read_bytes() == saved and not path.exists()
    assert load_library().source == "built-in"
    save_library(library)
    second = reset_library(now=now)
    assert second is not None and second.name == "phrases.backup-20250304T103000Z-2.json"


def test_where_the_library_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HARK_PHRASES", str(tmp_path / "mine.json"))
    assert user_library_path() == tmp_path / "mine.json"
    monkeypatch.delenv("HARK_PHRASES")
    import platformdirs

    assert user_library_path() == Path(platformdirs.user_data_dir("hark")) / "phrases.json"
