"""Assessment session records in the store: finished ones, kept with the person, and drafts.

A draft is the record of a session still going on. The app saves it every few seconds, in place,
so a crash, a closed lid or a full disk loses at most the last few seconds; the next start lists
the drafts left behind and offers to resume or finish them. A draft may belong to nobody yet (a
quick session). Saving a draft is one transaction without an audit entry, since an entry every few
seconds would bury the log; starting, finishing and discarding one are audited.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from profiles.crypto import record_label
from profiles.errors import ProfileError
from profiles.records import Records, new_id

MAX_SESSION_BYTES = 16_000_000
_DRAFTS = "CREATE TABLE IF NOT EXISTS drafts (id TEXT PRIMARY KEY, profile_id TEXT, blob BLOB NOT NULL)"


@dataclass(frozen=True)
class Draft:
    id: str
    profile_id: str | None
    started_at: str
    saved_at: str
    who: str
    record: dict[str, Any]


class SessionRecords:
    """The sessions of one open store. Every method is one transaction."""

    def __init__(self, records: Records) -> None:
        self._records = records

    def add(self, profile_id: str, record: dict[str, Any]) -> str:
        """A finished session kept with the person; its id."""
        records = self._records
        plain = _encoded({"at": records.now(), "who": records.who, "record": record})
        session_id = new_id("ses_")
        with records.write():
            records.head(profile_id)
            records.seal_session(profile_id, session_id, plain)
            records.audit("session_add", profile_id, session=session_id)
        return session_id

    def of(self, profile_id: str) -> list[dict[str, Any]]:
        """The finished records of one person, oldest first."""
        records = self._records
        with records.write():
            records.head(profile_id)
            envelopes = records.session_envelopes(profile_id)
            records.audit("session_view", profile_id, count=len(envelopes))
        return [envelope["record"] for envelope in envelopes]

    # -- drafts ------------------------------------------------------------------------------------

    def save_draft(
        self, record: dict[str, Any], draft_id: str | None = None, profile_id: str | None = None
    ) -> str:
        """Write the draft `draft_id` (a new one when None) over its last save; its id.

        `profile_id` may change from None to a person (a quick session attached to someone), never
        from one person to another."""
        records = self._records
        with records.write():
            records.conn.execute(_DRAFTS)
            if profile_id is not None:
                records.head(profile_id)
            started_at = records.now()
            if draft_id is not None:
                old = self._read(draft_id)
                if old.profile_id is not None and old.profile_id != profile_id:
                    raise ProfileError(
                        f"The draft {draft_id} belongs to {old.profile_id}; it cannot be moved to "
                        f"{profile_id or 'nobody'}. Finish it, then start a new session."
                    )
                started_at = old.started_at
                records.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            else:
                draft_id = new_id("drf_")
                records.audit("draft_start", profile_id, draft=draft_id)
            envelope = {"started_at": started_at, "at": records.now(), "who": records.who, "record": record}
            blob = records.sealer.seal(_encoded(envelope), _label(draft_id, profile_id))
            records.conn.execute(
                "INSERT INTO drafts (id, profile_id, blob) VALUES (?, ?, ?)", (draft_id, profile_id, blob)
            )
        return draft_id

    def drafts(self) -> list[Draft]:
        """Every draft left in the store, oldest first (no audit entry: the app asks at every start)."""
        with self._records.write():
            return read_drafts(self._records)

    def finish_draft(self, draft_id: str, profile_id: str | None = None) -> str:
        """Keep the draft as a finished session of its person (or of `profile_id`, for a quick
        session's draft); the draft is removed in the same transaction. The session's id."""
        records = self._records
        with records.write():
            records.conn.execute(_DRAFTS)
            draft = self._read(draft_id)
            owner = draft.profile_id or profile_id
            if owner is None:
                raise ProfileError(
                    f"The draft {draft_id} belongs to nobody: choose the person it is about, or export "
                    f"it and discard it."
                )
            if draft.profile_id is not None and profile_id not in (None, draft.profile_id):
                raise ProfileError(f"The draft {draft_id} belongs to {draft.profile_id}, not {profile_id}.")
            records.head(owner)
            session_id = new_id("ses_")
            plain = _encoded({"at": records.now(), "who": records.who, "record": draft.record})
            records.seal_session(owner, session_id, plain)
            records.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            records.audit("session_add", owner, session=session_id, draft=draft_id)
        return session_id

    def discard_draft(self, draft_id: str) -> None:
        records = self._records
        with records.write():
            records.conn.execute(_DRAFTS)
            draft = self._read(draft_id)
            records.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            records.audit("draft_discard", draft.profile_id, draft=draft_id)

    def _read(self, draft_id: str) -> Draft:
        row = self._records.conn.execute(
            "SELECT profile_id, blob FROM drafts WHERE id = ?", (draft_id,)
        ).fetchone()
        if row is None:
            raise ProfileError(
                f"There is no session draft {draft_id} in this store; it may have been finished."
            )
        plain = self._records.sealer.open(row[1], _label(draft_id, row[0]), f"Session draft {draft_id}")
        envelope = json.loads(plain)
        return Draft(
            draft_id, row[0], envelope["started_at"], envelope["at"], envelope["who"], envelope["record"]
        )


def read_drafts(records: Records) -> list[Draft]:
    """Inside the caller's transaction: every draft, oldest first."""
    if not _has_drafts(records.conn):
        return []
    ids = [row[0] for row in records.conn.execute("SELECT id FROM drafts").fetchall()]
    found = [SessionRecords(records)._read(draft_id) for draft_id in ids]
    return sorted(found, key=lambda draft: (draft.started_at, draft.id))


def draft_envelopes_of(records: Records, profile_id: str) -> list[dict[str, Any]]:
    """Inside the caller's transaction: a person's drafts as {"id", "draft": True, "started_at",
    "at", "who", "record"}, for a subject-access copy and for verify."""
    return [
        {
            "id": d.id,
            "draft": True,
            "started_at": d.started_at,
            "at": d.saved_at,
            "who": d.who,
            "record": d.record,
        }
        for d in read_drafts(records)
        if d.profile_id == profile_id
    ]


def delete_drafts_of(conn: sqlite3.Connection, profile_id: str) -> int:
    """Inside the caller's transaction: erase a person's drafts with the person."""
    if not _has_drafts(conn):
        return 0
    return int(conn.execute("DELETE FROM drafts WHERE profile_id = ?", (profile_id,)).rowcount)


def _has_drafts(conn: sqlite3.Connection) -> bool:
    # Stores made before drafts existed gain the table at their first draft.
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'drafts'").fetchone()
        is not None
    )


def _label(draft_id: str, profile_id: str | None) -> bytes:
    # Bound to its person too, so editing the file's plaintext profile_id cannot move a draft.
    return record_label("drafts", f"{profile_id or '-'}/{draft_id}", 1)


def _encoded(envelope: dict[str, Any]) -> bytes:
    try:
        plain = json.dumps(envelope, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise ProfileError(f"The session record cannot be stored as JSON: {error}.") from None
    if len(plain) > MAX_SESSION_BYTES:
        raise ProfileError(
            f"The session record is {len(plain):,} bytes; the most a session may hold is {MAX_SESSION_BYTES:,}."
        )
    return plain
