"""The audit log: every action is recorded, and altering, removing or reordering entries is detected."""

from __future__ import annotations

import sqlite3

import pytest

from profiles.errors import IntegrityError
from profiles.store import ProfileStore


def _busy_store(store: ProfileStore) -> str:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    store.view(profile_id)
    store.update_profile(profile_id, {"preferred_name": "Ada L"})
    store.view(profile_id, action="export", format="json")
    store.list_profiles()
    return profile_id


def _sql(store: ProfileStore, sql: str, *params: object) -> None:
    with sqlite3.connect(store.path) as raw:
        raw.execute(sql, params)


def _rows(store: ProfileStore) -> list[tuple[int, bytes, bytes]]:
    return sqlite3.connect(store.path).execute("SELECT seq, blob, mac FROM audit ORDER BY seq").fetchall()


def test_every_action_is_recorded_with_who_and_what(store: ProfileStore) -> None:
    profile_id = _busy_store(store)
    entries = store.audit_log()
    assert [(entry.action, entry.profile_id) for entry in entries] == [
        ("init", None),
        ("create", profile_id),
        ("view", profile_id),
        ("edit", profile_id),
        ("export", profile_id),
        ("list", None),
    ]
    assert entries[3].detail == {"version": 2, "fields": ["identity.preferred_name"]}
    assert entries[4].detail == {"version": 2, "format": "json"}
    assert {entry.who for entry in entries} == {"Tess Tester"}
    assert [entry.seq for entry in store.audit_log(profile_id)] == [2, 3, 4, 5]
    report = store.verify()
    assert report.ok and report.entries == 6 and report.profiles == 1 and report.versions == 2


def test_an_altered_entry_is_named(store: ProfileStore) -> None:
    _busy_store(store)
    seq, blob, _ = _rows(store)[2]
    _sql(store, "UPDATE audit SET blob = ? WHERE seq = ?", blob[:-1] + bytes([blob[-1] ^ 1]), seq)
    assert store.verify().problems == [
        "audit entry 3 has been altered, or an entry before it was replaced or moved"
    ]


def test_an_altered_mac_is_named(store: ProfileStore) -> None:
    _busy_store(store)
    _sql(store, "UPDATE audit SET mac = ? WHERE seq = 4", b"\x00" * 32)
    assert store.verify().problems[0].startswith("audit entry 4 has been altered")


def test_a_removed_entry_is_named(store: ProfileStore) -> None:
    _busy_store(store)
    _sql(store, "DELETE FROM audit WHERE seq = 2")
    assert store.verify().problems == ["audit entry 2 is missing (the log jumps from entry 1 to 3)"]


def test_removing_the_last_entries_is_detected(store: ProfileStore) -> None:
    _busy_store(store)
    _sql(store, "DELETE FROM audit WHERE seq >= 5")
    assert store.verify().problems == [
        "audit entry 5 is missing: the log ends at entry 4 but the store recorded 6 entries, so the last "
        "entries were removed"
    ]


def test_reordered_entries_are_detected(store: ProfileStore) -> None:
    _busy_store(store)
    rows = _rows(store)
    _sql(store, "UPDATE audit SET blob = ?, mac = ? WHERE seq = 3", rows[3][1], rows[3][2])
    _sql(store, "UPDATE audit SET blob = ?, mac = ? WHERE seq = 4", rows[2][1], rows[2][2])
    assert store.verify().problems[0].startswith("audit entry 3 has been altered")


def test_renumbered_entries_after_a_removal_are_detected(store: ProfileStore) -> None:
    _busy_store(store)
    _sql(store, "DELETE FROM audit WHERE seq = 3")
    _sql(store, "UPDATE audit SET seq = seq - 1 WHERE seq > 3")
    assert store.verify().problems[0].startswith("audit entry 3 has been altered")


def test_a_tampered_head_is_detected_and_stops_further_use(store: ProfileStore) -> None:
    _busy_store(store)
    head = (
        sqlite3.connect(store.path).execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()[0]
    )
    _sql(store, "UPDATE meta SET value = ? WHERE key = 'audit_head'", (5).to_bytes(8, "big") + head[8:])
    assert "head record has been altered" in store.verify().problems[0]
    with pytest.raises(IntegrityError, match="head record has been altered"):
        store.list_profiles()


def test_an_appended_forgery_is_detected(store: ProfileStore) -> None:
    _busy_store(store)
    seq, blob, mac = _rows(store)[-1]
    _sql(store, "INSERT INTO audit (seq, blob, mac) VALUES (?, ?, ?)", seq + 1, blob, mac)
    assert store.verify().problems[0].startswith(f"audit entry {seq + 1} has been altered")
