"""Phrase library files: the built-in library, the user's own copy, loading, saving and reset.

The built-in library ships in assistant/data/phrases.json. A user who edits it gets their own
copy, the whole library, at `$HARK_PHRASES` or `phrases.json` in the user data folder; the
built-in one is used when there is no copy. The file is checked as a whole: one problem rejects
it, every problem is reported, and a file that fails is never overwritten or deleted (only
`reset` moves it aside, as a backup).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.conversation.errors import PhraseError, PhraseFileError
from assistant.conversation.phrases import SCHEMA, VERSION, Library, Phrase, library_problems
from assistant.json_files import JsonFileProblem, decode_json, envelope_body, read_capped, write_text_atomic

MAX_FILE_BYTES = 512 * 1024  # the built-in library is about 10 KB


def parse_library(raw: bytes, where: str) -> Library:
    """A library from the bytes of a phrase file; PhraseFileError with every problem otherwise."""
    try:
        data, problems = decode_json(raw, MAX_FILE_BYTES, "phrase library")
    except JsonFileProblem as problem:
        raise PhraseFileError(where, [str(problem)]) from None
    numbered = _phrases_from_data(data, problems)
    phrases = [phrase for _, phrase in numbered]
    problems += library_problems(phrases, [number for number, _ in numbered])
    if problems:
        raise PhraseFileError(where, problems)
    return Library(phrases)


def _phrases_from_data(data: Any, problems: list[str]) -> list[tuple[int, Phrase]]:
    items = envelope_body(data, SCHEMA, VERSION, "phrases", problems)
    if not isinstance(data, dict):
        return []
    if not isinstance(items, list):
        problems.append('"phrases" must be a list of phrases')
        return []
    phrases: list[tuple[int, Phrase]] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"phrase {number} is not an object with id, group and text")
            continue
        unknown = [key for key in item if key not in ("id", "group", "text")]
        missing = [key for key in ("id", "group", "text") if not isinstance(item.get(key), str)]
        if unknown:
            problems.append(f"phrase {number} has unknown keys {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"phrase {number} needs {', '.join(missing)} as text")
        if not missing:
            phrases.append((number, Phrase(item["id"], item["group"], item["text"].strip())))
    return phrases


def builtin_library() -> Library:
    raw = resources.files("assistant").joinpath("data/phrases.json").read_bytes()
    return parse_library(raw, "built into Hark")


def user_library_path() -> Path:
    """$HARK_PHRASES when set, else phrases.json in the user data folder."""
    override = os.environ.get("HARK_PHRASES", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("hark")) / "phrases.json"


def read_library_file(path: Path) -> Library:
    """The library in `path`, checked whole; PhraseFileError when it cannot be used."""
    try:
        raw = read_capped(path, MAX_FILE_BYTES)
    except JsonFileProblem as problem:
        raise PhraseFileError(str(path), [str(problem)]) from None
    return parse_library(raw, str(path))


@dataclass(frozen=True)
class LoadedLibrary:
    library: Library
    source: str  # "user" or "built-in"
    path: Path  # the user's file, whether or not it exists
    warning: str | None = None


def load_library(path: Path | None = None) -> LoadedLibrary:
    """The user's library, or the built-in one when there is none or the user's cannot be used.

    A user file that fails its checks is left exactly as it is, and `warning` says why it was
    not used and how to fix it.
    """
    path = path or user_library_path()
    if not path.exists():
        return LoadedLibrary(builtin_library(), "built-in", path)
    try:
        return LoadedLibrary(read_library_file(path), "user", path)
    except PhraseFileError as error:
        warning = (
            f"{error} Using the built-in phrases for now; your file was left as it is. Fix it, or run "
            "`hark phrases reset` to go back to the built-in phrases (your file is kept as a backup)."
        )
        return LoadedLibrary(builtin_library(), "built-in", path, warning)


def load_for_editing(path: Path | None = None) -> Library:
    """The library an edit starts from. A user file that cannot be used is an error here, so an
    edit of the built-in phrases never replaces the user's own (perhaps fixable) file."""
    path = path or user_library_path()
    if not path.exists():
        return builtin_library()
    try:
        return read_library_file(path)
    except PhraseFileError as error:
        raise PhraseError(
            f"{error} Nothing was changed. Fix the file, or run `hark phrases reset` to go back to "
            "the built-in phrases (your file is kept as a backup)."
        ) from None


def save_library(library: Library, path: Path | None = None) -> Path:
    """Write the library atomically, after checking that what is written reads back the same."""
    path = path or user_library_path()
    text = library.to_json()
    if parse_library(text.encode("utf-8"), "about to be saved") != library:
        raise PhraseError("The phrase library did not read back the same before saving; nothing was written.")
    try:
        write_text_atomic(path, text)
    except OSError as error:
        raise PhraseError(
            f"Cannot save the phrase library to {path}: {error.strerror or error}. "
            "Your previous phrases are unchanged."
        ) from None
    return path


def reset_library(path: Path | None = None, now: datetime | None = None) -> Path | None:
    """Go back to the built-in phrases by moving the user's file aside; returns the backup, or None
    when there was no user file."""
    path = path or user_library_path()
    if not path.exists():
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    backup, n = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}"), 2
    while backup.exists():
        backup, n = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}"), n + 1
    try:
        os.replace(path, backup)
    except OSError as error:
        raise PhraseError(
            f"Cannot move {path} aside to {backup}: {error.strerror or error}. Nothing was changed."
        ) from None
    return backup
