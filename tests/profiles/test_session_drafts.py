"""Session drafts: saved in place as a session goes, surviving a killed process, finished into
the person's record or discarded, erased with the person, and a full disk reported."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from profiles.errors import DiskFullError, IntegrityError, ProfileError
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N, store_files

ROOT = Path(__file__).resolve().parents[2]


def _actions(store: ProfileStore) -> list[str]:
    return [entry.action for entry in store.audit_log()]


def test_a_draft_is_updated_in_place_with_one_audit_entry(store: ProfileStore) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    drafts = store.session_records
    draft_id = drafts.save_draft({"events": [1]}, profile_id=ada)
    for n in range(2, 12):
        assert drafts.save_draft({"events": list(range(1, n + 1))}, draft_id, ada) == draft_id
    [draft] = drafts.drafts()
    assert draft.id == draft_id and draft.profile_id == ada and draft.record == {"events": list(range(1, 12))}
    assert draft.started_at <= draft.saved_at and draft.who == "Tess Tester"
    rows = sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    assert rows == 1
    assert (
        _actions(store).count("draft_start") == 1 and len(_actions(store)) == 3
    )  # init, create, draft_start
    assert store.sessions(ada) == []  # a draft is not a finished record


def test_a_quick_session_draft_is_finished_into_a_chosen_persons_record(store: ProfileStore) -> None:
    drafts = store.session_records
    draft_id = drafts.save_draft({"notes": "quick"})
    assert drafts.drafts()[0].profile_id is None
    with pytest.raises(ProfileError, match="belongs to nobody: choose the person"):
        drafts.finish_draft(draft_id)
    bob = store.create_profile({"preferred_name": "Bob"})
    session_id = drafts.finish_draft(draft_id, bob)
    assert session_id.startswith("ses_")
    assert store.sessions(bob) == [{"notes": "quick"}] and drafts.drafts() == []
    added = [e for e in store.audit_log(bob) if e.action == "session_add"]
    assert added[0].detail == {"session": session_id, "draft": draft_id}
    with pytest.raises(ProfileError, match="no session draft"):
        drafts.finish_draft(draft_id, bob)


def test_a_persons_draft_stays_theirs_and_is_bound_to_them(store: ProfileStore) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    bob = store.create_profile({"preferred_name": "Bob"})
    drafts = store.session_records
    draft_id = drafts.save_draft({"x": 1}, profile_id=ada)
    with pytest.raises(ProfileError, match="cannot be moved to"):
        drafts.save_draft({"x": 2}, draft_id, bob)
    with pytest.raises(ProfileError, match="belongs to"):
        drafts.finish_draft(draft_id, bob)
    assert drafts.drafts()[0].record == {"x": 1}  # the refused save changed nothing
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE drafts SET profile_id = ?", (bob,))
    with pytest.raises(IntegrityError):
        drafts.drafts()
    assert not store.verify().ok


def test_a_draft_survives_a_killed_process_with_its_last_save(store_path: Path) -> None:
    ProfileStore.create(store_path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N).close()
    script = f"""
import sys, time
from pathlib import Path
from profiles.store import ProfileStore
store = ProfileStore.open(Path({str(store_path)!r}), {PASSPHRASE!r}, "Tess Tester")
draft_id = None
n = 0
while True:
    n += 1
    draft_id = store.session_records.save_draft({{"saves": n, "notes": "x" * 2000}}, draft_id)
    print(n, flush=True)
    time.sleep(0.01)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    assert child.stdout is not None
    seen = 0
    deadline = time.monotonic() + 60
    while seen < 30 and time.monotonic() < deadline:
        seen = int(child.stdout.readline())
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with ProfileStore.open(store_path, PASSPHRASE, "Other") as reopened:
        [draft] = reopened.session_records.drafts()
        # Every save the child reported was committed; at most the one under way when it died is lost.
        assert draft.record["saves"] >= seen
        assert reopened.verify().ok


def test_a_full_disk_is_reported_and_the_last_save_kept(store: ProfileStore) -> None:
    drafts = store.session_records
    draft_id = drafts.save_draft({"saves": 1})
    conn = sqlite3.connect(store.path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    # SQLite's own disk-full path: the file may not grow past the pages it has.
    store._open.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFullError, match=r"is full.*Free some disk space"):
        drafts.save_draft({"saves": 2, "notes": "y" * 200_000}, draft_id)
    store._open.conn.execute("PRAGMA max_page_count = 1073741823")
    assert drafts.drafts()[0].record == {"saves": 1}
    assert drafts.save_draft({"saves": 3}, draft_id) == draft_id  # space again: saving goes on


def test_drafts_are_erased_with_the_person_and_in_their_subject_access_copy(
    store: ProfileStore,
) -> None:
    ada = store.create_profile({"preferred_name": "Ada"})
    drafts = store.session_records
    drafts.save_draft({"notes": "draftquill words"}, profile_id=ada)
    quick = drafts.save_draft({"notes": "nobody's"})
    copy = store.subject_access(ada)
    assert [(s["draft"], s["record"]) for s in copy["sessions"]] == [(True, {"notes": "draftquill words"})]
    assert store.verify().sessions == 2
    store.delete_profile(ada)
    assert [d.id for d in drafts.drafts()] == [quick]
    assert [e.detail for e in store.audit_log(ada) if e.action == "delete"] == [
        {"versions": 1, "sessions": 0, "drafts": 1}
    ]
    drafts.discard_draft(quick)
    assert drafts.drafts() == []
    store.close()
    assert not any(b"draftquill" in data or b"nobody's" in data for data in store_files(store.path).values())


def test_a_draft_that_is_not_json_is_refused_in_one_sentence(store: ProfileStore) -> None:
    with pytest.raises(ProfileError, match="cannot be stored as JSON"):
        store.session_records.save_draft({"level": float("nan")})
    assert store.session_records.drafts() == []
    store.session_records.save_draft({"level": 1.0})  # the store stays usable
