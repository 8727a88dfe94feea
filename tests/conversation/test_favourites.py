"""Per-person favourites in a plain JSON file until the profile store holds them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.conversation.errors import PhraseError, PhraseFileError
from assistant.conversation.favourites import (
    DEFAULT_PERSON,
    MAX_FAVOURITES,
    Favourites,
    FavouritesFile,
    add_favourite,
    favourites_path,
    remove_favourite,
)


def test_favourites_are_kept_per_person_in_order() -> None:
    store: Favourites = FavouritesFile()
    assert store.get("prf_AAAA") == []
    store.set("prf_AAAA", ["comfort.drink", "intro.hello", "comfort.drink"])
    store.set(DEFAULT_PERSON, ["endings.goodbye"])
    assert store.get("prf_AAAA") == ["comfort.drink", "intro.hello"]
    again = FavouritesFile()
    assert again.get("prf_AAAA") == ["comfort.drink", "intro.hello"]
    assert again.people() == ["default", "prf_AAAA"]
    data = json.loads(favourites_path().read_text(encoding="utf-8"))
    assert (data["schema"], data["version"]) == ("hark.favourites", 1)


def test_an_empty_list_removes_the_person_from_the_file() -> None:
    store = FavouritesFile()
    store.set("prf_AAAA", ["intro.hello"])
    store.set("prf_BBBB", ["intro.hello"])
    store.set("prf_AAAA", [])
    assert store.people() == ["prf_BBBB"]
    assert "prf_AAAA" not in favourites_path().read_text(encoding="utf-8")


def test_add_and_remove_one() -> None:
    store = FavouritesFile()
    assert add_favourite(store, "prf_AAAA", "intro.hello") is True
    assert add_favourite(store, "prf_AAAA", "intro.hello") is False
    assert add_favourite(store, "prf_AAAA", "comfort.drink") is True
    remove_favourite(store, "prf_AAAA", "intro.hello")
    assert store.get("prf_AAAA") == ["comfort.drink"]
    with pytest.raises(PhraseError, match=r"intro\.hello is not one of prf_AAAA's favourites"):
        remove_favourite(store, "prf_AAAA", "intro.hello")


@pytest.mark.parametrize(
    ("key", "ids", "reason"),
    [
        ("Ada Lovelace", ["intro.hello"], "never the person's name"),
        ("", ["intro.hello"], "cannot be a person key"),
        ("prf_AAAA", ["Intro Hello"], "'Intro Hello' is not a phrase id"),
        (
            "prf_AAAA",
            [f"intro.p{i}" for i in range(MAX_FAVOURITES + 1)],
            f"at most {MAX_FAVOURITES} favourite",
        ),
    ],
)
def test_bad_keys_and_ids_are_refused(key: str, ids: list[str], reason: str) -> None:
    store = FavouritesFile()
    store.set("prf_KEEP", ["intro.hello"])
    before = favourites_path().read_bytes()
    with pytest.raises(PhraseError, match=reason):
        store.set(key, ids)
    assert favourites_path().read_bytes() == before


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{", "not valid JSON"),
        (b'{"schema": "hark.favourites", "version": 9, "people": {}}', "version 9"),
        (
            b'{"schema": "hark.favourites", "version": 1, "people": {"Ada L": ["intro.hello"]}}',
            "person 'Ada L'",
        ),
        (
            b'{"schema": "hark.favourites", "version": 1, "people": {"prf_A": "intro.hello"}}',
            "must be a list",
        ),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_a_bad_file_is_an_error_and_is_never_overwritten(
    raw: bytes, reason: str, private_files: Path
) -> None:
    path = favourites_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    store = FavouritesFile()
    with pytest.raises(PhraseFileError, match=reason):
        store.get("prf_A")
    with pytest.raises(PhraseFileError, match="Nothing was changed"):
        store.set("prf_A", ["intro.hello"])
    assert path.read_bytes() == raw
