"""The checksum record kept inside each installed model folder.

At install time Hark writes `hark-manifest.json` with the SHA-256, size and modification
time of every file, and the SHA-256 of the archive it came from. Two checks use it:

- quick_check (every time the captions engine opens a model): compares each file's size
  and modification time with the record and re-hashes only files whose time changed.
  It costs a few dozen `stat` calls, so opening a 2 GB model is not delayed by hashing it,
  yet a missing, truncated, replaced or touched file is caught.
- full_check (`hark models verify`): re-hashes every file, catching silent corruption that
  keeps the size and the time (disk faults, deliberate tampering that restores mtimes).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.speech_models.errors import ModelError

MANIFEST_NAME = "hark-manifest.json"
FORMAT = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _model_files(root: Path) -> list[Path]:
    found = [path for path in root.rglob("*") if path.is_file() or path.is_symlink()]
    return sorted(path for path in found if path.relative_to(root).as_posix() != MANIFEST_NAME)


def write_manifest(
    root: Path, *, name: str, language: str | None, source: str, archive_sha256: str | None
) -> None:
    files: dict[str, dict[str, Any]] = {}
    for path in _model_files(root):
        info = path.stat()
        files[path.relative_to(root).as_posix()] = {
            "size": info.st_size,
            "mtime_ns": info.st_mtime_ns,
            "sha256": sha256_of(path),
        }
    record = {
        "format": FORMAT,
        "name": name,
        "language": language,
        "source": source,
        "archive_sha256": archive_sha256,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    # Write then rename, so a crash never leaves a half-written record that fails every check.
    temporary = root / (MANIFEST_NAME + ".tmp")
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, root / MANIFEST_NAME)


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The record in `root`, or None when there is none; ModelError when it is unreadable."""
    path = root / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
            raise ValueError("no file list")
    except (OSError, ValueError) as error:
        raise ModelError(
            f"The checksum record {path} is unreadable ({error}). Reinstall the model: "
            f"`hark models remove {root.name}` then `hark models install {root.name}`."
        ) from None
    return record


def manifest_size(record: dict[str, Any]) -> int:
    return sum(int(entry.get("size", 0)) for entry in record["files"].values())


def quick_check(root: Path, record: dict[str, Any]) -> list[str]:
    """Problems found by size and time, re-hashing only files whose time changed."""
    problems = []
    for relative, entry in record["files"].items():
        path = root / relative
        try:
            info = path.stat()
        except OSError:
            problems.append(f"{relative} is missing")
            continue
        if info.st_size != entry["size"]:
            problems.append(f"{relative} has {info.st_size} bytes, expected {entry['size']}")
        elif info.st_mtime_ns != entry.get("mtime_ns") and sha256_of(path) != entry["sha256"]:
            problems.append(f"{relative} has changed (its SHA-256 differs from the one recorded at install)")
    return problems


def full_check(root: Path, record: dict[str, Any]) -> tuple[list[str], int]:
    """Problems found by re-hashing every file, and how many files were checked."""
    problems = []
    recorded = record["files"]
    for relative, entry in recorded.items():
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative} is missing")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{relative} has changed (its SHA-256 differs from the one recorded at install)")
    for path in _model_files(root):
        relative = path.relative_to(root).as_posix()
        if relative not in recorded:
            problems.append(f"{relative} was not part of the installed model")
    return problems, len(recorded)
