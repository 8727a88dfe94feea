"""The People page's store access: one worker thread, people listed once per unlock, in plain words."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.people.directory import (
    IN_USE_MESSAGE,
    PeopleDirectory,
    StoreInUseError,
    folded,
)
from assistant.personalise.store import passphrase_problem
from profiles.errors import ProfileError, WrongPassphraseError
from profiles.fhir import validate_bundle
from profiles.store import ProfileStore
from tests.people.store_lock import write_lock_held_elsewhere
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N

WAIT_S = 30


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "profiles.sqlite3"
    with ProfileStore.create(path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N) as store:
        store.create_profile({"preferred_name": "Zoë"})
        store.create_profile({"preferred_name": "Ada Lovelace"})
        store.import_profiles(
            [{"identity": {"preferred_name": "Bob"}, "consent": {"review_date": "2020-01-01"}}]
        )
    return path


@pytest.fixture
def directory(store_path: Path) -> Iterator[PeopleDirectory]:
    made = PeopleDirectory(store_path, "Tess Tester", busy_timeout_s=0.5)
    yield made
    made.close()


def _audit_actions(path: Path) -> list[str]:
    with ProfileStore.open(path, PASSPHRASE, "Checker") as store:
        return [entry.action for entry in store.audit_log()]


def test_unlock_lists_people_once_and_search_writes_no_audit_entry(
    directory: PeopleDirectory, store_path: Path
) -> None:
    people = directory.unlock(PASSPHRASE).result(WAIT_S)
    assert [p.preferred_name for p in people] == ["Ada Lovelace", "Bob", "Zoë"]
    before = _audit_actions(store_path)
    assert before[-1] == "list"
    for typed in ("z", "zo", "zoe", "ZOE", "lov", "ada lov", "nobody", ""):
        directory.search(typed)
    assert [p.preferred_name for p in directory.search("zoe")] == ["Zoë"]
    assert [p.preferred_name for p in directory.search("LOVE ada")] == ["Ada Lovelace"]
    assert directory.search("nobody") == [] and len(directory.search("")) == 3
    assert directory.people().result(WAIT_S) == people
    assert _audit_actions(store_path) == before


def test_overdue_is_a_review_date_before_today(directory: PeopleDirectory) -> None:
    people = {p.preferred_name: p for p in directory.unlock(PASSPHRASE).result(WAIT_S)}
    assert people["Bob"].overdue and people["Bob"].review_date == "2020-01-01"
    assert not people["Zoë"].overdue and people["Zoë"].review_date is None


def test_a_wrong_passphrase_is_refused_then_the_right_one_works(directory: PeopleDirectory) -> None:
    with pytest.raises(WrongPassphraseError):
        directory.unlock("not the passphrase").result(WAIT_S)
    assert directory.store is None and directory.search("") == []
    assert len(directory.unlock(PASSPHRASE).result(WAIT_S)) == 3


def test_every_store_call_runs_on_the_one_worker_thread(directory: PeopleDirectory) -> None:
    directory.unlock(PASSPHRASE).result(WAIT_S)
    threads = {directory._worker.submit(threading.get_ident).result(WAIT_S) for _ in range(3)}
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_another_process_holding_the_store_is_said_in_plain_words(
    directory: PeopleDirectory, store_path: Path
) -> None:
    with write_lock_held_elsewhere(store_path):
        with pytest.raises(StoreInUseError) as caught:
            directory.unlock(PASSPHRASE).result(WAIT_S)
        assert str(caught.value) == IN_USE_MESSAGE
        assert isinstance(caught.value, ProfileError) and directory.store is None
    assert len(directory.unlock(PASSPHRASE).result(WAIT_S)) == 3


def test_edit_history_revert_and_delete(directory: PeopleDirectory, store_path: Path) -> None:
    directory.unlock(PASSPHRASE).result(WAIT_S)
    new_id = directory.save_new({"preferred_name": "Cyd"}).result(WAIT_S)
    assert [p.preferred_name for p in directory.search("cyd")] == ["Cyd"]
    profile = directory.open_person(new_id).result(WAIT_S)
    profile["identity"]["preferred_name"] = "Cydney"
    assert directory.update(new_id, profile).result(WAIT_S) == 2
    assert [p.preferred_name for p in directory.search("cyd")] == ["Cydney"]
    versions = directory.history(new_id).result(WAIT_S)
    assert [(v.version, v.action, v.who) for v in versions] == [
        (1, "create", "Tess Tester"),
        (2, "edit", "Tess Tester"),
    ]
    assert directory.revert(new_id, 1).result(WAIT_S) == 3
    assert directory.open_person(new_id).result(WAIT_S)["identity"]["preferred_name"] == "Cyd"
    assert [p.preferred_name for p in directory.search("cyd")] == ["Cyd"]
    assert directory.delete(new_id).result(WAIT_S) is True
    assert directory.search("cyd") == []
    with pytest.raises(ProfileError, match="There is no profile"):
        directory.open_person(new_id).result(WAIT_S)
    assert "delete" in _audit_actions(store_path)


def test_exports_write_json_and_fhir_and_are_audited(
    directory: PeopleDirectory, store_path: Path, tmp_path: Path
) -> None:
    [ada] = [p for p in directory.unlock(PASSPHRASE).result(WAIT_S) if p.preferred_name == "Ada Lovelace"]
    json_path = directory.export(ada.id, "json", tmp_path / "ada.json").result(WAIT_S)
    assert json.loads(json_path.read_text("utf-8"))["identity"]["preferred_name"] == "Ada Lovelace"
    fhir_path = directory.export(ada.id, "fhir", tmp_path / "ada.fhir.json").result(WAIT_S)
    assert validate_bundle(json.loads(fhir_path.read_text("utf-8"))) == []
    with pytest.raises(ProfileError, match="window side"):
        directory.export(ada.id, "pdf", tmp_path / "ada.pdf").result(WAIT_S)  # no PDF writer given
    assert not (tmp_path / "ada.pdf").exists()
    with pytest.raises(ProfileError, match="Cannot write"):
        directory.export(ada.id, "json", tmp_path / "ada.json" / "inside").result(WAIT_S)
    with ProfileStore.open(store_path, PASSPHRASE, "Checker") as store:
        exports = [e.detail["format"] for e in store.audit_log(ada.id) if e.action == "export"]
    assert exports[:2] == ["json", "fhir"]


def test_lock_hides_everyone_until_unlocked_again(directory: PeopleDirectory) -> None:
    directory.unlock(PASSPHRASE).result(WAIT_S)
    directory.lock().result(WAIT_S)
    assert directory.store is None and directory.search("") == []
    with pytest.raises(ProfileError, match="locked"):
        directory.people().result(WAIT_S)


def test_a_new_store_and_its_passphrase_rule(tmp_path: Path) -> None:
    assert passphrase_problem("short", "short") is not None
    assert "different" in (passphrase_problem("long enough words", "long enough word") or "")
    assert passphrase_problem("long enough words", "long enough words") is None
    directory = PeopleDirectory(tmp_path / "new" / "p.sqlite3", "Tess Tester", scrypt_n=TEST_SCRYPT_N)
    try:
        assert not directory.exists
        assert directory.create("long enough words").result(WAIT_S) == []
        assert directory.exists and directory.store is not None and directory.drafts().result(WAIT_S) == []
    finally:
        directory.close()
    assert folded("Zoë ÅSA") == "zoe asa"
