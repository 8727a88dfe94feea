"""Reading and writing profile JSON files, safely.

A file is checked in the order that keeps hostile input cheap (size, UTF-8, nesting depth, then
parsing that records duplicate keys, NaN and absurd numbers), then validated whole, reporting
every problem; nothing is imported unless everything is right. It is one profile
(profiles/SCHEMA.md) or a collection `{"schema": "hark.profiles", "version": 1, "profiles": [...]}`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from profiles.errors import ProfileError
from profiles.model import check_profile
from profiles.wording import counted

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 16
MAX_PROFILES = 500
MAX_NUMBER_DIGITS = 30
COLLECTION_SCHEMA = "hark.profiles"
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def _depth(data: bytes) -> int:
    deepest = depth = 0
    for byte in _STRINGS.sub(b'""', data).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError:
        raise ProfileError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise ProfileError(f"{path} is a folder; give the path of a .json file.") from None
    except OSError as error:
        raise ProfileError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(data) > max_bytes:
        raise ProfileError(
            f"{path} is larger than {max_bytes:,} bytes, the most a profile file may be; "
            f"nothing was read from it. A profile is a few kilobytes: check it is the right file, "
            f"or split a large collection into several files."
        )
    return data


def load_json(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The parsed JSON value of a file, or ProfileError naming every problem with the file itself."""
    data = _read_bytes(path, max_bytes)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProfileError(
            f"{path} is not UTF-8 text: byte 0x{data[error.start]:02x} at position {error.start} "
            f"cannot be read. Save the file as UTF-8 and try again."
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise ProfileError(
            f"{path} nests objects or lists more than {MAX_DEPTH} deep; a profile needs at most "
            f"6. It is not a Hark profile file."
        )
    problems: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                shown = key if len(key) <= 40 else key[:37] + "..."
                problems.append(f"the key {shown!r} appears twice in one object; keep one")
            result[key] = value
        return result

    def constant(name: str) -> float:
        problems.append(f"{name} is not a number JSON allows; use a number or null")
        return 0.0

    def integer(digits: str) -> int:
        if len(digits) > MAX_NUMBER_DIGITS:
            problems.append(f"a number with {len(digits)} digits is far outside any field's range")
            return 0
        return int(digits)

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer)
    except json.JSONDecodeError as error:
        raise ProfileError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}. "
            f"Fix it in a text editor or export it again."
        ) from None
    except RecursionError:  # unreachable after the depth check; kept so no traceback ever escapes
        raise ProfileError(f"{path} nests too deeply to read.") from None
    if problems:
        raise ProfileError(f"{path} cannot be used ({counted(len(problems), 'problem')}):", problems)
    return value


def profiles_in(document: Any, source: str) -> list[dict[str, Any]]:
    """The normalised profiles of a one-profile or collection document; ProfileError lists every problem."""
    problems: list[str] = []
    if isinstance(document, dict) and document.get("schema") == COLLECTION_SCHEMA:
        for key in document:
            if key not in ("schema", "version", "profiles"):
                problems.append(
                    f"{key}: is not a known field of a profile collection (schema, version, profiles)"
                )
        if document.get("version") != 1 or isinstance(document.get("version"), bool):
            problems.append(
                f"version: {document.get('version')!r} is not a collection version this Hark can "
                f"read (it reads version 1)"
            )
        items = document.get("profiles")
        if not isinstance(items, list) or not items:
            problems.append("profiles: must be a list of one or more profiles")
            items = []
        elif len(items) > MAX_PROFILES:
            problems.append(f"profiles: holds {len(items)} profiles; import at most {MAX_PROFILES} at a time")
            items = []
        paths = [f"profiles[{index}]" for index in range(len(items))]
    else:
        items, paths = [document], [""]
    normalised: list[dict[str, Any]] = []
    first_with_id: dict[str, str] = {}
    for item, path in zip(items, paths, strict=True):
        profile, found = check_profile(item, path)
        problems += found
        normalised.append(profile)
        wanted = profile["id"]
        if wanted and wanted in first_with_id:
            problems.append(
                f"{path}.id: {wanted} is also the id of {first_with_id[wanted]}; each person once"
            )
        elif wanted:
            first_with_id[wanted] = path
    if problems:
        raise ProfileError(
            f"Nothing was imported from {source} ({counted(len(problems), 'problem')}):",
            problems,
        )
    return normalised


def read_import(path: Path) -> list[dict[str, Any]]:
    return profiles_in(load_json(path), str(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a failure never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise ProfileError(f"Cannot write {path}: {error.strerror or error}.") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ProfileError(f"Cannot write {path}: {error.strerror or error}.") from None


def dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_profile(profile: dict[str, Any], path: Path) -> None:
    write_atomic(path, dumps(profile))
