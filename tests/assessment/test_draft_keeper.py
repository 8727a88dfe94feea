"""The session record saved as a draft while the session goes on: off the interface thread, a
full disk reported and recovered from, resumed after the app stopped, finished into the record."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.assessment.autosave import DraftKeeper
from assistant.assessment.record import SessionRecord
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProfileStore]:
    with ProfileStore.create(
        tmp_path / "store.sqlite3", PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N
    ) as made:
        yield made


def _wait(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(condition())


def test_the_record_is_saved_as_it_grows_and_finished_into_the_persons_sessions(store: ProfileStore) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    record = SessionRecord(ada, keep_words=False)
    keeper = DraftKeeper(store, record, every_s=0.05)
    keeper.start()  # the UI thread goes on using `store` meanwhile; the keeper has its own connections
    record.saw("listening", "Listening started")
    assert _wait(lambda: len(store.session_records.drafts()[0].record["steps"]) == 1)
    record.noted("note", "Moved to the quiet room")
    assert _wait(lambda: len(store.session_records.drafts()[0].record["steps"]) == 2)
    assert store.view(ada)["identity"]["preferred_name"] == "Ada"  # the store stays usable here
    record.end()
    session_id = keeper.finish()
    assert session_id.startswith("ses_") and store.session_records.drafts() == []
    [kept] = store.sessions(ada)
    assert [step["text"] for step in kept["steps"]] == ["Listening started", "Moved to the quiet room"]
    assert kept["ended"] is not None and keeper.problem is None
    assert [e.action for e in store.audit_log()].count("draft_start") == 1


def test_a_draft_left_by_a_stopped_app_is_resumed_where_it_was(store: ProfileStore) -> None:
    record = SessionRecord(None, keep_words=False)
    keeper = DraftKeeper(store, record, every_s=60)
    keeper.start()
    record.saw("listening", "Listening started")
    keeper.save_now()
    keeper.stop()  # the app closed without finishing
    [left] = store.session_records.drafts()
    resumed = SessionRecord.from_data(left.record)
    again = DraftKeeper(store, resumed, draft_id=left.id, every_s=60)
    again.start()
    resumed.noted("break", "Ten-minute break")
    assert again.save_now()
    [draft] = store.session_records.drafts()
    assert draft.id == left.id and len(draft.record["steps"]) == 2
    bob = store.create_profile({"preferred_name": "Bob"})
    again.finish(bob)  # a quick session's record attached to the person at the end
    assert len(store.sessions(bob)[0]["steps"]) == 2


def test_a_full_disk_is_said_plainly_and_saving_carries_on_when_there_is_space(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = SessionRecord(None, keep_words=False)
    heard: list[str | None] = []
    keeper = DraftKeeper(store, record, every_s=60, on_problem=heard.append)
    keeper.start()
    pages = store._open.conn.execute("PRAGMA page_count").fetchone()[0]
    real = ProfileStore.reopened

    def full(self: ProfileStore) -> ProfileStore:
        # SQLite's own disk-full path on the keeper's connection: the file may not grow.
        reopened = real(self)
        reopened._open.conn.execute(f"PRAGMA max_page_count = {pages}")
        return reopened

    monkeypatch.setattr(ProfileStore, "reopened", full)
    for n in range(200):
        record.noted("note", f"note {n} " + "x" * 2000)
    assert not keeper.save_now()
    problem = keeper.problem or ""
    assert problem.startswith("The disk is full: the session record was last saved at ")
    assert "Free some disk space; Hark keeps trying." in keeper.problem
    assert store.session_records.drafts()[0].record["steps"] == []  # the last good save is intact
    monkeypatch.setattr(ProfileStore, "reopened", real)
    assert keeper.save_now() and keeper.problem is None
    assert heard == [heard[0], None] and len(store.session_records.drafts()[0].record["steps"]) == 200
    keeper.stop()


def test_steps_added_on_another_thread_while_it_saves_are_all_kept(store: ProfileStore) -> None:
    record = SessionRecord(None, keep_words=False)
    keeper = DraftKeeper(store, record, every_s=0.01)
    keeper.start()
    added = threading.Event()

    def add_many() -> None:
        for n in range(500):
            record.saw("setting", f"Volume step {n}")
        added.set()

    worker = threading.Thread(target=add_many)
    worker.start()
    assert added.wait(10)
    worker.join()
    assert keeper.save_now()
    keeper.stop()
    assert len(store.session_records.drafts()[0].record["steps"]) == 500
