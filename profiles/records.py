"""The store's rows as records: one sealed profile version or session, and its audit entry.

`Records` is the layer under `ProfileStore` (profiles/store.py): it reads and writes single
encrypted rows inside the caller's transaction and knows nothing of whole operations, so the
store's public methods each stay one readable transaction.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from profiles import audit, database
from profiles.crypto import Sealer, record_label
from profiles.errors import IntegrityError, ProfileError
from profiles.model import is_profile_id, upgraded

Clock = Callable[[], datetime]


def new_id(prefix: str) -> str:
    """`prf_` + 16 base32 characters: 80 random bits, opaque, safe to show in plaintext."""
    return prefix + base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Records:
    """Sealed rows of one open store, written as `who` at the times `clock` gives."""

    def __init__(self, path: Path, conn: Any, sealer: Sealer, who: str, clock: Clock) -> None:
        self.path, self.conn, self.sealer, self.who, self.clock = path, conn, sealer, who, clock

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def today(self) -> date:
        """The local date, as the user reads review dates."""
        return self.clock().astimezone().date()

    def write(self) -> Any:
        return database.write_transaction(self.conn, self.path)

    def audit(self, action: str, profile_id: str | None, **detail: Any) -> None:
        audit.append(
            self.conn,
            self.sealer,
            at=self.now(),
            who=self.who,
            action=action,
            profile_id=profile_id,
            detail=detail,
        )

    def head(self, profile_id: str) -> int:
        """The current version number; a clear `ProfileError` when there is no such profile."""
        row = self.conn.execute("SELECT head FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        if row is None:
            shown = profile_id if is_profile_id(profile_id) else "with that id"
            raise ProfileError(
                f"There is no profile {shown} in this store; `hark profiles list` shows the ids."
            )
        return int(row[0])

    def heads(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT id, head FROM profiles").fetchall())

    def read(self, profile_id: str, version: int) -> dict[str, Any]:
        """One version's record: {"profile", "at", "who", "action", "changed", "from_version"}."""
        row = self.conn.execute(
            "SELECT blob FROM versions WHERE profile_id = ? AND version = ?", (profile_id, version)
        ).fetchone()
        if row is None:
            raise IntegrityError(
                f"Version {version} of {profile_id} is missing from the store: the file has "
                f"been altered. Run `hark profiles audit --verify`."
            )
        plain = self.sealer.open(
            row[0], record_label("versions", profile_id, version), f"Version {version} of {profile_id}"
        )
        record: dict[str, Any] = json.loads(plain)
        record["profile"] = upgraded(record["profile"])  # written by an older Hark: shown as now
        return record

    def put(
        self,
        profile_id: str,
        version: int,
        profile: dict[str, Any],
        action: str,
        changed: list[str],
        from_version: int | None = None,
    ) -> None:
        """Seal `profile` as `version` and make it the head."""
        record = {
            "profile": {**profile, "id": profile_id},
            "at": self.now(),
            "who": self.who,
            "action": action,
            "changed": changed,
            "from_version": from_version,
        }
        blob = self.sealer.seal(
            json.dumps(record, ensure_ascii=False).encode("utf-8"),
            record_label("versions", profile_id, version),
        )
        self.conn.execute(
            "INSERT INTO versions (profile_id, version, blob) VALUES (?, ?, ?)", (profile_id, version, blob)
        )
        self.conn.execute(
            "INSERT INTO profiles (id, head) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET head = ?",
            (profile_id, version, version),
        )

    def provenance(self, profile: dict[str, Any]) -> dict[str, Any]:
        """Fill an empty consent.recorded_by / recorded_at with this user and now."""
        consent = profile["consent"]
        if not consent["recorded_by"]:
            consent["recorded_by"] = self.who
        if consent["recorded_at"] is None:
            consent["recorded_at"] = self.now()
        return profile

    def add(self, profile: dict[str, Any], profile_id: str, action: str) -> None:
        """A new profile at version 1, audited as `action`."""
        self.put(profile_id, 1, self.provenance(profile), action, [])
        self.audit(action, profile_id)

    def seal_session(self, profile_id: str, session_id: str, plain: bytes) -> None:
        blob = self.sealer.seal(plain, record_label("sessions", f"{profile_id}/{session_id}", 1))
        self.conn.execute(
            "INSERT INTO sessions (id, profile_id, blob) VALUES (?, ?, ?)", (session_id, profile_id, blob)
        )

    def session_envelopes(self, profile_id: str) -> list[dict[str, Any]]:
        """Every session of the profile, oldest first: {"id", "at", "who", "record"}."""
        envelopes = []
        for session_id, blob in self.conn.execute(
            "SELECT id, blob FROM sessions WHERE profile_id = ? ORDER BY seq", (profile_id,)
        ).fetchall():
            plain = self.sealer.open(
                blob, record_label("sessions", f"{profile_id}/{session_id}", 1), f"Session {session_id}"
            )
            envelopes.append({"id": session_id, **json.loads(plain)})
        return envelopes
