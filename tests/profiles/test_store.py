"""The encrypted store: round trips, history, passphrases, tamper detection, sessions, no plaintext on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from profiles.errors import IntegrityError, ProfileError, WrongPassphraseError
from profiles.model import validate_profile
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N, store_files, strings_in


def test_every_field_round_trips(store: ProfileStore, full_profile: dict[str, Any]) -> None:
    profile_id = store.create_profile(full_profile)
    assert store.view(profile_id) == {**validate_profile(full_profile), "id": profile_id}
    store.close()
    with ProfileStore.open(store.path, PASSPHRASE, "Other User") as reopened:
        assert reopened.view(profile_id) == {**full_profile, "id": profile_id}


def test_provenance_is_filled_in_when_missing(store: ProfileStore) -> None:
    profile = store.view(store.create_profile({"preferred_name": "Ada"}))
    assert profile["consent"]["recorded_by"] == "Tess Tester"
    assert profile["consent"]["recorded_at"].endswith("+00:00")


def test_history_keeps_every_version_and_revert_undoes(
    store: ProfileStore, full_profile: dict[str, Any]
) -> None:
    profile_id = store.create_profile(full_profile)
    first = store.view(profile_id)
    changed = {**first, "captions": {**first["captions"], "font_pt": 100}, "needs": []}
    assert store.update_profile(profile_id, changed) == 2
    assert store.update_profile(profile_id, changed) is None  # nothing changed: no new version
    assert store.revert(profile_id, 1) == 3
    assert store.view(profile_id) == first
    assert store.view(profile_id, 2)["captions"]["font_pt"] == 100
    history = store.history(profile_id)
    assert [(info.version, info.action, info.changed, info.from_version) for info in history] == [
        (1, "create", [], None),
        (2, "edit", ["needs", "captions.font_pt"], None),
        (3, "revert", ["needs", "captions.font_pt"], 1),
    ]
    assert all(info.who == "Tess Tester" for info in history)
    with pytest.raises(ProfileError, match="has versions 1 to 3; there is no version 9"):
        store.revert(profile_id, 9)


def test_invalid_changes_are_refused_whole(store: ProfileStore) -> None:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    bad = {**store.view(profile_id), "captions": {"font_pt": 999}, "speech": {"route": "moon"}}
    with pytest.raises(ProfileError) as caught:
        store.update_profile(profile_id, bad)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "captions.font_pt",
        "speech.route",
    ]
    assert len(store.history(profile_id)) == 1
    with pytest.raises(ProfileError, match="There is no profile prf_AAAAAAAAAAAAAAAA"):
        store.view("prf_AAAAAAAAAAAAAAAA")


def test_wrong_passphrase_is_clear_and_changes_nothing(store: ProfileStore) -> None:
    store.create_profile({"preferred_name": "Ada"})
    store.close()
    before = store.path.read_bytes()
    with pytest.raises(WrongPassphraseError, match="The passphrase is wrong for this store; nothing was"):
        ProfileStore.open(store.path, "not the passphrase", "Mallory")
    assert store.path.read_bytes() == before
    with ProfileStore.open(store.path, PASSPHRASE, "Tess") as reopened:
        assert [entry.action for entry in reopened.audit_log()] == ["init", "create"]


def test_passphrase_change_rewraps_the_key_only(store: ProfileStore) -> None:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    blobs = sqlite3.connect(store.path).execute("SELECT blob FROM versions").fetchall()
    store.change_passphrase("a brand new passphrase")
    store.close()
    assert sqlite3.connect(store.path).execute("SELECT blob FROM versions").fetchall() == blobs
    with pytest.raises(WrongPassphraseError):
        ProfileStore.open(store.path, PASSPHRASE, "Tess")
    with ProfileStore.open(store.path, "a brand new passphrase", "Tess") as reopened:
        assert reopened.view(profile_id)["identity"]["preferred_name"] == "Ada"
        assert reopened.audit_log()[-2].action == "passwd"


def test_lowered_key_settings_in_the_file_do_not_unlock(store: ProfileStore) -> None:
    store.close()
    with sqlite3.connect(store.path) as raw:
        kdf = raw.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0]
        raw.execute("UPDATE meta SET value = ? WHERE key = 'kdf'", (kdf.replace('"n": 1024', '"n": 512'),))
    with pytest.raises(WrongPassphraseError):
        ProfileStore.open(store.path, PASSPHRASE, "Tess")


def _tamper(path: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(sql, params)


def test_a_changed_ciphertext_is_detected(store: ProfileStore) -> None:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    blob = bytearray(sqlite3.connect(store.path).execute("SELECT blob FROM versions").fetchone()[0])
    blob[40] ^= 1
    _tamper(store.path, "UPDATE versions SET blob = ?", bytes(blob))
    with pytest.raises(
        IntegrityError, match=f"Version 1 of {profile_id} does not decrypt: the store file has been"
    ):
        store.view(profile_id)
    assert any("does not decrypt" in problem for problem in store.verify().problems)


def test_ciphertexts_are_bound_to_their_place(store: ProfileStore) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    bob = store.create_profile({"preferred_name": "Bob"})
    store.update_profile(ada, {"preferred_name": "Ada Two"})
    raw = sqlite3.connect(store.path)
    version_1, version_2 = (
        row[0]
        for row in raw.execute("SELECT blob FROM versions WHERE profile_id = ? ORDER BY version", (ada,))
    )
    _tamper(store.path, "UPDATE versions SET blob = ? WHERE profile_id = ? AND version = 2", version_1, ada)
    with pytest.raises(IntegrityError):  # an older version moved into the newest slot
        store.view(ada)
    _tamper(store.path, "UPDATE versions SET blob = ? WHERE profile_id = ?", version_2, bob)
    with pytest.raises(IntegrityError):  # one person's record moved to another person
        store.view(bob)


def test_sessions_are_kept_per_person_and_bound_to_them(store: ProfileStore) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    bob = store.create_profile({"preferred_name": "Bob"})
    records = [{"transcript": "first", "minutes": 30}, {"transcript": "second", "words": ["a", "b"]}]
    for record in records:
        store.add_session(ada, record)
    assert store.sessions(ada) == records and store.sessions(bob) == []
    _tamper(store.path, "UPDATE sessions SET profile_id = ? WHERE seq = 1", bob)
    with pytest.raises(IntegrityError):
        store.sessions(bob)
    with pytest.raises(ProfileError, match="cannot be stored as JSON"):
        store.add_session(ada, {"bad": float("nan")})
    with pytest.raises(ProfileError, match="There is no profile"):
        store.add_session("prf_AAAAAAAAAAAAAAAA", {})


def test_no_plaintext_in_the_file_wal_or_temp_files(
    store: ProfileStore, full_profile: dict[str, Any]
) -> None:
    profile_id = store.create_profile(full_profile)
    store.update_profile(
        profile_id, {**full_profile, "captions": {**full_profile["captions"], "font_pt": 99}}
    )
    store.add_session(profile_id, {"transcript": "Session words sessionquill"})
    store.list_profiles()
    # Every key and value of the profile, except the two words the SQL schema itself uses.
    secrets = [
        text for text in strings_in(full_profile) if len(text) >= 4 and text not in ("version", "schema")
    ]
    secrets += ["sessionquill", "Tess Tester"]
    secrets += ["945911000000109", "716537007", "yellow-on-black", "font_pt", "preferred_name", "transcript"]
    for _ in range(2):  # while open (the -wal holds the pages) and after close
        files = store_files(store.path)
        assert any(name.endswith("-wal") for name in files) or not store.is_open
        for name, content in files.items():
            for secret in secrets:
                for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                    assert encoded not in content, f"{secret!r} in {name}"
        store.close()
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["profiles.sqlite3"]


def test_store_files_are_private_and_ids_opaque(store: ProfileStore) -> None:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    assert store.path.stat().st_mode & 0o077 == 0
    assert profile_id.startswith("prf_") and len(profile_id) == 20 and "ADA" not in profile_id


def test_create_and_open_refuse_the_wrong_files(tmp_path: Path, store: ProfileStore) -> None:
    with pytest.raises(ProfileError, match="already exists"):
        ProfileStore.create(store.path, PASSPHRASE, "Tess", scrypt_n=TEST_SCRYPT_N)
    with pytest.raises(ProfileError, match="There is no profile store at"):
        ProfileStore.open(tmp_path / "missing.sqlite3", PASSPHRASE, "Tess")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ProfileError, match="is not a Hark profile store"):
        ProfileStore.open(other, PASSPHRASE, "Tess")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ProfileError, match="is not a Hark profile store, or it is damaged"):
        ProfileStore.open(junk, PASSPHRASE, "Tess")
    with pytest.raises(ProfileError, match="scrypt cost n must be a power of two"):
        ProfileStore.create(tmp_path / "weak.sqlite3", PASSPHRASE, "Tess", scrypt_n=16)
    with pytest.raises(ProfileError, match="user name for the audit log"):
        ProfileStore.open(store.path, PASSPHRASE, "  ")


def test_scrypt_knob_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARK_SCRYPT_N", "2048")
    ProfileStore.create(tmp_path / "s.sqlite3", PASSPHRASE, "Tess").close()
    kdf = (
        sqlite3.connect(tmp_path / "s.sqlite3")
        .execute("SELECT value FROM meta WHERE key = 'kdf'")
        .fetchone()[0]
    )
    assert '"n": 2048' in kdf and '"r": 8' in kdf
    monkeypatch.setenv("HARK_SCRYPT_N", "lots")
    with pytest.raises(ProfileError, match="HARK_SCRYPT_N must be a power of two"):
        ProfileStore.create(tmp_path / "t.sqlite3", PASSPHRASE, "Tess")


def test_a_version_written_by_an_older_hark_is_shown_upgraded(store: ProfileStore) -> None:
    profile_id = store.create_profile({"preferred_name": "Ada"})
    old = {**store.view(profile_id), "version": 1}
    del old["hearing"]["listening"]["tone_preset"], old["hearing"]["listening"]["noise_reduction_method"]
    records = store._open  # as a version 1 Hark wrote it: no new fields
    with records.write():
        records.put(profile_id, 2, old, "edit", [])
    shown = store.view(profile_id)
    assert shown["version"] == 2 and shown["hearing"]["listening"]["noise_reduction_method"] == "learned"
    assert store.verify().ok
