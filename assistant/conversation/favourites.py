"""Per-person favourite quick phrases: the phrases a person responds to well, by phrase id.

`Favourites` is what the rest of Hark uses. A person with a profile keeps their favourites in
it (`ProfileFavourites`: `phrases.favourites`, encrypted, versioned and audited with the rest of
their passport), keyed by the profile id. `FavouritesFile` is one plain JSON file for lists that
belong to no profiled person, such as the assessor's own (DEFAULT_PERSON).

The file is not encrypted, so its keys must be opaque ids, never names: keys are limited to
letters, digits, '_', '.' and '-', which keeps out names written with spaces. An empty list
removes the key from the file.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.conversation.errors import PhraseError, PhraseFileError
from assistant.conversation.phrases import MAX_ID_CHARS, is_phrase_id
from assistant.json_files import JsonFileProblem, decode_json, envelope_body, read_capped, write_text_atomic

SCHEMA = "hark.favourites"
VERSION = 1
DEFAULT_PERSON = "default"
MAX_FAVOURITES = 50  # the profile schema's limit
MAX_PEOPLE = 1000
MAX_FILE_BYTES = 2 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_WHAT = "favourites file"


class Favourites(Protocol):
    def get(self, person_key: str) -> list[str]:
        """The person's favourite phrase ids, in their order; empty when they have none."""
        ...

    def set(self, person_key: str, ids: Sequence[str]) -> None:
        """Replace the person's favourites (checked first; nothing changes on error)."""
        ...


def check_person_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise PhraseError(
            f"{key!r} cannot be a person key: use the profile id (letters, digits, '_', '.' "
            "and '-', at most 100 characters), never the person's name."
        )
    return key


def check_ids(ids: Sequence[str]) -> list[str]:
    """The ids in order with repeats dropped; PhraseError when one is malformed or there are too many."""
    bad = [i for i in ids if not isinstance(i, str) or not is_phrase_id(i)]
    if bad:
        raise PhraseError(
            f"{', '.join(map(repr, bad[:5]))} {'is' if len(bad) == 1 else 'are'} not a phrase id; "
            f"ids look like intro.my-name (at most {MAX_ID_CHARS} characters)."
        )
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_FAVOURITES:
        raise PhraseError(
            f"A person can have at most {MAX_FAVOURITES} favourite phrases, not {len(unique)}; "
            "remove some first."
        )
    return unique


def favourites_path() -> Path:
    """$HARK_FAVOURITES when set, else favourites.json in the user data folder."""
    override = os.environ.get("HARK_FAVOURITES", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("hark")) / "favourites.json"


class FavouritesFile:
    """Favourites in one JSON file, written atomically. A file that fails its checks is an error
    for reads and writes alike, and is never overwritten: it may hold other people's lists."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or favourites_path()
        self._lock = threading.Lock()  # one read-modify-write at a time within this process

    def get(self, person_key: str) -> list[str]:
        check_person_key(person_key)
        with self._lock:
            return list(self._read().get(person_key, []))

    def set(self, person_key: str, ids: Sequence[str]) -> None:
        check_person_key(person_key)
        clean = check_ids(ids)
        with self._lock:
            people = self._read()
            if clean:
                people[person_key] = clean
            else:
                people.pop(person_key, None)
            if len(people) > MAX_PEOPLE:
                raise PhraseError(
                    f"The favourites file already holds {MAX_PEOPLE} people's lists, the most it can."
                )
            document = {"schema": SCHEMA, "version": VERSION, "people": people}
            try:
                write_text_atomic(self.path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            except OSError as error:
                raise PhraseError(
                    f"Cannot save favourites to {self.path}: {error.strerror or error}. "
                    "The previous favourites are unchanged."
                ) from None

    def people(self) -> list[str]:
        with self._lock:
            return sorted(self._read())

    def _read(self) -> dict[str, list[str]]:
        if not self.path.exists():
            return {}
        try:
            data, problems = decode_json(read_capped(self.path, MAX_FILE_BYTES), MAX_FILE_BYTES, _WHAT)
        except JsonFileProblem as problem:
            raise self._error([str(problem)]) from None
        people = _people_from_data(data, problems)
        if problems:
            raise self._error(problems)
        return people

    def _error(self, problems: list[str]) -> PhraseFileError:
        return PhraseFileError(
            str(self.path),
            problems,
            _WHAT,
            "Nothing was changed; fix the file, or move it aside to start again.",
        )


def _people_from_data(data: Any, problems: list[str]) -> dict[str, list[str]]:
    people = envelope_body(data, SCHEMA, VERSION, "people", problems)
    if not isinstance(data, dict):
        return {}
    if not isinstance(people, dict):
        problems.append('"people" must be an object of person key to a list of phrase ids')
        return {}
    out: dict[str, list[str]] = {}
    for key, ids in people.items():
        try:
            check_person_key(key)
            if not isinstance(ids, list):
                raise PhraseError("its favourites must be a list of phrase ids")
            out[key] = check_ids(ids)
        except PhraseError as error:
            problems.append(f"person {key!r}: {str(error).rstrip('.')}")
    return out


def add_favourite(store: Favourites, person_key: str, phrase_id: str) -> bool:
    """Add one id at the end of the person's list; False when it was already there."""
    ids = store.get(person_key)
    if phrase_id in ids:
        return False
    store.set(person_key, [*ids, phrase_id])
    return True


def remove_favourite(store: Favourites, person_key: str, phrase_id: str) -> None:
    ids = store.get(person_key)
    if phrase_id not in ids:
        raise PhraseError(
            f"{phrase_id} is not one of {person_key}'s favourites; "
            f"`{favourites_command(person_key)}` lists them."
        )
    store.set(person_key, [i for i in ids if i != phrase_id])


class ProfileFavourites:
    """Favourites kept in each person's encrypted profile (`phrases.favourites`), keyed by profile id.

    Every change is a new profile version with the usual history and audit entry, so a person's
    favourites travel with their passport exports and are erased with them.
    """

    def __init__(self, store: Any) -> None:  # a profiles.store.ProfileStore, unlocked
        self.store = store

    def get(self, person_key: str) -> list[str]:
        return list(self.store.current(check_person_key(person_key))["phrases"]["favourites"])

    def set(self, person_key: str, ids: Sequence[str]) -> None:
        profile = self.store.current(check_person_key(person_key))
        profile["phrases"] = {**profile["phrases"], "favourites": check_ids(ids)}
        self.store.update_profile(person_key, profile)


def favourites_command(person_key: str) -> str:
    """The command that shows this person's favourites."""
    if is_profile_key(person_key):
        return f"hark phrases favourites --profile {person_key}"
    if person_key == DEFAULT_PERSON:
        return "hark phrases favourites"
    return f"hark phrases favourites --list {person_key}"


def is_profile_key(person_key: str) -> bool:
    """Profile ids (prf_...) name people in the encrypted store; other keys live in the plain file."""
    return person_key.startswith("prf_")
