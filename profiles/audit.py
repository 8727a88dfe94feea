"""The append-only audit log: encrypted entries in an HMAC chain with an authenticated head.

Each entry's MAC covers its number, its ciphertext and the previous MAC, and the count and last
MAC are kept under their own MAC, so changing, removing, reordering or cutting off entries is
caught. Entries are appended inside the caller's transaction, committed with the change they
record. profiles/STORE.md has the design and its known limit (an old copy put back whole).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from profiles.crypto import Sealer, record_label, same
from profiles.errors import IntegrityError
from profiles.wording import counted

ACTIONS = (
    "init",
    "list",
    "view",
    "create",
    "edit",
    "revert",
    "export",
    "import",
    "delete",
    "history",
    "passwd",
    "sar",
    "session_add",
    "session_view",
    "draft_start",
    "draft_discard",
)
_GENESIS = b"\x00" * 32
_HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    who: str
    action: str
    profile_id: str | None
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "who": self.who,
            "action": self.action,
            "profile_id": self.profile_id,
            "detail": self.detail,
        }


def _seq_bytes(seq: int) -> bytes:
    return seq.to_bytes(8, "big")


def _entry_mac(sealer: Sealer, seq: int, blob: bytes, previous: bytes) -> bytes:
    return sealer.mac(b"entry", _seq_bytes(seq), blob, previous)


def _head_mac(sealer: Sealer, count: int, last: bytes) -> bytes:
    return sealer.mac(b"head", _seq_bytes(count), last)


def write_head(conn: sqlite3.Connection, sealer: Sealer, count: int, last: bytes) -> None:
    value = _seq_bytes(count) + last + _head_mac(sealer, count, last)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_HEAD_KEY, value))


def read_head(conn: sqlite3.Connection, sealer: Sealer) -> tuple[int, bytes]:
    """The authenticated (count, last MAC) of the log."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_HEAD_KEY,)).fetchone()
    value = row[0] if row else b""
    if not isinstance(value, bytes) or len(value) != 72:
        raise IntegrityError(
            "The audit log's head record is missing or damaged: the store file has been "
            "altered. Restore it from a backup."
        )
    count, last, mac = int.from_bytes(value[:8], "big"), value[8:40], value[40:]
    if not same(mac, _head_mac(sealer, count, last)):
        raise IntegrityError(
            "The audit log's head record has been altered: the store file has been "
            "tampered with. Restore it from a backup."
        )
    return count, last


def start(conn: sqlite3.Connection, sealer: Sealer) -> None:
    write_head(conn, sealer, 0, _GENESIS)


def append(
    conn: sqlite3.Connection,
    sealer: Sealer,
    *,
    at: str,
    who: str,
    action: str,
    profile_id: str | None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Add one entry inside the caller's transaction; returns its sequence number."""
    assert action in ACTIONS, action
    count, last = read_head(conn, sealer)
    seq = count + 1
    body = {"at": at, "who": who, "action": action, "profile_id": profile_id, "detail": detail or {}}
    blob = sealer.seal(
        json.dumps(body, ensure_ascii=False).encode("utf-8"), record_label("audit", str(seq), 1)
    )
    mac = _entry_mac(sealer, seq, blob, last)
    conn.execute("INSERT INTO audit (seq, blob, mac) VALUES (?, ?, ?)", (seq, blob, mac))
    write_head(conn, sealer, seq, mac)
    return seq


def _open_entry(sealer: Sealer, seq: int, blob: bytes) -> AuditEntry:
    body = json.loads(sealer.open(blob, record_label("audit", str(seq), 1), f"Audit entry {seq}"))
    return AuditEntry(seq, body["at"], body["who"], body["action"], body["profile_id"], body["detail"])


def entries(conn: sqlite3.Connection, sealer: Sealer, profile_id: str | None = None) -> list[AuditEntry]:
    """Every entry (or every entry about one profile), oldest first; each is decrypted and checked."""
    found = []
    for seq, blob, _mac in conn.execute("SELECT seq, blob, mac FROM audit ORDER BY seq"):
        entry = _open_entry(sealer, seq, blob)
        if profile_id is None or entry.profile_id == profile_id:
            found.append(entry)
    return found


def verify(conn: sqlite3.Connection, sealer: Sealer) -> tuple[list[str], int, bytes]:
    """Problems found walking the chain (the first bad entry first), the entry count and the last MAC."""
    previous, expected = _GENESIS, 1
    for seq, blob, mac in conn.execute("SELECT seq, blob, mac FROM audit ORDER BY seq"):
        if seq != expected:
            return (
                [f"audit entry {expected} is missing (the log jumps from entry {expected - 1} to {seq})"],
                expected - 1,
                previous,
            )
        if not isinstance(mac, bytes) or not same(mac, _entry_mac(sealer, seq, blob, previous)):
            return (
                [f"audit entry {seq} has been altered, or an entry before it was replaced or moved"],
                seq - 1,
                previous,
            )
        try:
            _open_entry(sealer, seq, blob)
        except (IntegrityError, ValueError, KeyError, TypeError):
            return [f"audit entry {seq} does not decrypt"], seq - 1, previous
        previous, expected = mac, seq + 1
    count = expected - 1
    try:
        head_count, head_last = read_head(conn, sealer)
    except IntegrityError as error:
        return [str(error)], count, previous
    if head_count > count:
        return (
            [
                f"audit entry {count + 1} is missing: the log ends at entry {count} but the store recorded "
                f"{counted(head_count, 'entry', 'entries')}, so the last entries were removed"
            ],
            count,
            previous,
        )
    if head_count < count or not same(head_last, previous):
        return (
            [
                f"audit entry {head_count + 1 if head_count < count else count} does not match the store's "
                f"record of the last entry: entries were added or replaced outside Hark"
            ],
            count,
            previous,
        )
    return [], count, previous
