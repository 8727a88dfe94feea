"""Erasure: deleting a person leaves no profile, version, session or ciphertext of theirs in any file."""

from __future__ import annotations

import sqlite3
from typing import Any

from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, store_files


def _ciphertexts(store: ProfileStore, profile_id: str) -> list[bytes]:
    raw = sqlite3.connect(store.path)
    blobs = [row[0] for row in raw.execute("SELECT blob FROM versions WHERE profile_id = ?", (profile_id,))]
    blobs += [row[0] for row in raw.execute("SELECT blob FROM sessions WHERE profile_id = ?", (profile_id,))]
    raw.close()
    return blobs


def _traces(store: ProfileStore, blobs: list[bytes]) -> list[str]:
    """Any 16-byte piece of any of the blobs found in the store's files (random bytes: no chance matches)."""
    found = []
    for name, content in store_files(store.path).items():
        for blob in blobs:
            if any(blob[start : start + 16] in content for start in range(0, len(blob) - 16, 8)):
                found.append(name)
    return found


def _person(store: ProfileStore, profile: dict[str, Any]) -> str:
    profile_id = store.create_profile(profile)
    for size in (90, 100, 110):
        store.update_profile(profile_id, {**profile, "captions": {**profile["captions"], "font_pt": size}})
    store.add_session(profile_id, {"transcript": "We talked about moving home. " * 200})
    store.add_session(profile_id, {"transcript": "A second visit."})
    return profile_id


def test_erasure_removes_every_trace(store: ProfileStore, full_profile: dict[str, Any]) -> None:
    ada = _person(store, full_profile)
    bob = store.create_profile({"preferred_name": "Bob"})
    store.add_session(bob, {"transcript": "Bob's visit"})
    blobs = _ciphertexts(store, ada)
    assert len(blobs) == 6 and _traces(store, blobs)
    assert store.delete_profile(ada) is True
    assert _traces(store, blobs) == []
    for name, content in store_files(store.path).items():
        assert b"Zephyrine" not in content and ada.encode() not in content, name
    assert [summary.id for summary in store.list_profiles()] == [bob]
    assert store.sessions(bob) == [{"transcript": "Bob's visit"}]
    report = store.verify()
    assert report.ok and report.versions == 1 and report.sessions == 1
    delete = [entry for entry in store.audit_log(ada) if entry.action == "delete"]
    assert len(delete) == 1 and delete[0].detail == {"versions": 4, "sessions": 2, "drafts": 0}
    store.close()
    assert _traces(store, blobs) == []


def test_erasure_while_another_process_reads_still_leaves_no_trace_after_close(
    store: ProfileStore, full_profile: dict[str, Any]
) -> None:
    ada = _person(store, full_profile)
    blobs = _ciphertexts(store, ada)
    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM versions").fetchone()  # holds a snapshot: blocks a full checkpoint
    assert store.delete_profile(ada) is False
    reader.execute("COMMIT")
    reader.close()
    store.close()
    assert _traces(store, blobs) == []
    with ProfileStore.open(store.path, PASSPHRASE, "Tess") as reopened:
        assert reopened.list_profiles() == [] and reopened.verify().ok
