"""Small JSON files that people may edit by hand: capped reading, strict decoding, atomic writing.

Readers see the old file or the new one, never half of either; a file that is too large, not
UTF-8 or not JSON is refused with a sentence that says which, and the caller decides what that
means (the phrase library falls back to the built-in one; favourites refuse to write).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class JsonFileProblem(Exception):
    """One sentence (no full stop) saying why the file cannot be read as JSON."""


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Up to max_bytes + 1 bytes of `path`, so an oversized file is caught without reading it all."""
    try:
        with path.open("rb") as file:
            return file.read(max_bytes + 1)
    except IsADirectoryError:
        raise JsonFileProblem("it is a folder, not a file") from None
    except OSError as error:
        raise JsonFileProblem(f"it cannot be read: {error.strerror or error}") from None


def decode_json(raw: bytes, max_bytes: int, what: str) -> tuple[Any, list[str]]:
    """The JSON value in `raw` and a problem for each key repeated within one object (a hand edit
    gone wrong: json.loads would silently keep the last)."""
    if len(raw) > max_bytes:
        raise JsonFileProblem(
            f"the file is larger than {max_bytes // 1024} KB, far more than a {what} needs; "
            "check that this is the right file"
        )
    try:
        text = raw.decode("utf-8-sig")  # Notepad's byte-order mark is harmless
    except UnicodeDecodeError as error:
        raise JsonFileProblem(
            f"the file is not UTF-8 text (byte {raw[error.start]:#04x} at position "
            f"{error.start}); save it as UTF-8"
        ) from None
    duplicates: list[str] = []

    def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        duplicates.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise JsonFileProblem(
            f"the file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    return data, [f"the key {key!r} appears twice in one object" for key in duplicates]


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file in the same folder and a rename.

    The data is flushed to disk before the rename and the folder after it, so a power cut
    leaves either the previous file or the complete new one. The file is readable by its owner
    only. Raises OSError on failure, after removing the temporary file; the previous file is
    then untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder this way.
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(descriptor)
    os.close(descriptor)


def envelope_body(data: Any, schema: str, version: int, body: str, problems: list[str]) -> Any:
    """The `body` of a versioned file (one object of "schema", "version" and `body`), or None
    if it is not such an object; what is wrong with the envelope is added to `problems`."""
    if not isinstance(data, dict):
        problems.append(f"the file must hold one JSON object with schema, version and {body}")
        return None
    if data.get("schema") != schema:
        problems.append(f'"schema" must be {schema!r}, found {data.get("schema")!r}')
    if data.get("version") != version:
        problems.append(f"it is version {data.get('version')!r} and this Hark reads version {version} only")
    problems += [
        f"unknown key {key!r} at the top level" for key in data if key not in ("schema", "version", body)
    ]
    return data.get(body)
