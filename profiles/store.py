"""The encrypted profile store: one SQLite file holding profiles, their history, sessions and the audit log.

    with ProfileStore.open(path, passphrase, who="A. Assessor") as store:
        profile_id = store.create_profile({"preferred_name": "Ada"})

Every public method is one transaction that also appends its audit entry, so a change and its
record of who made it are committed together. profiles/STORE.md describes the design.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from profiles import audit, database
from profiles.crypto import (
    KdfParams,
    Sealer,
    derive_wrapping_key,
    new_data_key,
    record_label,
    scrypt_n_from_env,
    unwrap_data_key,
    wrap_data_key,
)
from profiles.errors import IntegrityError, ProfileError
from profiles.model import ID_PATTERN, changed_fields, check_profile, validate_profile

STORE_ENV = "HARK_STORE"
MAX_SESSION_BYTES = 16_000_000
Clock = Callable[[], datetime]


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("hark", appauthor=False)) / "profiles.sqlite3"


def new_id(prefix: str) -> str:
    """`prf_` + 16 base32 characters: 80 random bits, opaque, safe to show in plaintext."""
    return prefix + base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProfileSummary:
    id: str
    preferred_name: str
    review_date: str | None
    version: int
    updated_at: str


@dataclass(frozen=True)
class VersionInfo:
    version: int
    at: str
    who: str
    action: str
    changed: list[str]
    from_version: int | None


@dataclass(frozen=True)
class VerifyReport:
    problems: list[str]
    entries: int
    profiles: int
    versions: int
    sessions: int
    fingerprint: str

    @property
    def ok(self) -> bool:
        return not self.problems


class ProfileStore:
    """Open with `ProfileStore.open` (or make a new store with `ProfileStore.create`)."""

    def __init__(self, path: Path, conn: Any, sealer: Sealer, who: str, clock: Clock) -> None:
        self.path, self._conn, self._sealer, self.who, self._clock = path, conn, sealer, who, clock

    @classmethod
    def create(
        cls, path: Path, passphrase: str, who: str, *, scrypt_n: int | None = None, clock: Clock = _utc_now
    ) -> ProfileStore:
        """A new store at `path` (which must not exist). scrypt_n lowers the cost for tests only."""
        who = _check_who(who)
        params = KdfParams.fresh(scrypt_n or scrypt_n_from_env() or KdfParams.fresh().n)
        data_key = new_data_key()
        wrapped = wrap_data_key(derive_wrapping_key(passphrase, params), data_key, params)
        conn = database.create_file(path)
        store = cls(path, conn, Sealer(data_key), who, clock)
        with database.write_transaction(conn, path):
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("format", database.FORMAT), ("kdf", params.to_json()), ("wrapped_key", wrapped)],
            )
            audit.start(conn, store._sealer)
            store._audit("init", None)
        return store

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str,
        who: str,
        *,
        busy_timeout_s: float = database.BUSY_TIMEOUT_S,
        clock: Clock = _utc_now,
    ) -> ProfileStore:
        who = _check_who(who)
        conn = database.open_file(path, busy_timeout_s)
        try:
            with database.sqlite_errors(path):
                meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('kdf', 'wrapped_key')"))
            if set(meta) != {"kdf", "wrapped_key"}:
                raise IntegrityError(f"The store {path} is missing its key record; restore it from a backup.")
            params = KdfParams.from_json(meta["kdf"])
            data_key = unwrap_data_key(derive_wrapping_key(passphrase, params), meta["wrapped_key"], params)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, Sealer(data_key), who, clock)

    def close(self) -> None:
        if self._conn is not None:
            database.checkpoint(self._conn)
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ProfileStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- records -------------------------------------------------------------------------------

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    def _write(self) -> Any:
        return database.write_transaction(self._conn, self.path)

    def _audit(self, action: str, profile_id: str | None, **detail: Any) -> None:
        audit.append(
            self._conn,
            self._sealer,
            at=self._now(),
            who=self.who,
            action=action,
            profile_id=profile_id,
            detail=detail,
        )

    def _head(self, profile_id: str) -> int:
        row = self._conn.execute("SELECT head FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        if row is None:
            shown = profile_id if ID_PATTERN.fullmatch(profile_id) else "that id"
            raise ProfileError(
                f"There is no profile {shown} in this store; `hark profiles list` shows the ids."
            )
        return int(row[0])

    def _read(self, profile_id: str, version: int) -> dict[str, Any]:
        row = self._conn.execute(
            "SELECT blob FROM versions WHERE profile_id = ? AND version = ?", (profile_id, version)
        ).fetchone()
        if row is None:
            raise IntegrityError(
                f"Version {version} of {profile_id} is missing from the store: the file has "
                f"been altered. Run `hark profiles audit --verify`."
            )
        plain = self._sealer.open(
            row[0], record_label("versions", profile_id, version), f"Version {version} of {profile_id}"
        )
        record: dict[str, Any] = json.loads(plain)
        return record

    def _put(
        self,
        profile_id: str,
        version: int,
        profile: dict[str, Any],
        action: str,
        changed: list[str],
        from_version: int | None = None,
    ) -> None:
        record = {
            "profile": {**profile, "id": profile_id},
            "at": self._now(),
            "who": self.who,
            "action": action,
            "changed": changed,
            "from_version": from_version,
        }
        blob = self._sealer.seal(
            json.dumps(record, ensure_ascii=False).encode("utf-8"),
            record_label("versions", profile_id, version),
        )
        self._conn.execute(
            "INSERT INTO versions (profile_id, version, blob) VALUES (?, ?, ?)", (profile_id, version, blob)
        )
        self._conn.execute(
            "INSERT INTO profiles (id, head) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET head = ?",
            (profile_id, version, version),
        )

    def _provenance(self, profile: dict[str, Any]) -> dict[str, Any]:
        consent = profile["consent"]
        if not consent["recorded_by"]:
            consent["recorded_by"] = self.who
        if consent["recorded_at"] is None:
            consent["recorded_at"] = self._now()
        return profile

    def _add(self, profile: dict[str, Any], profile_id: str, action: str) -> None:
        self._put(profile_id, 1, self._provenance(profile), action, [])
        self._audit(action, profile_id)

    # -- profiles --------------------------------------------------------------------------------

    def list_profiles(self) -> list[ProfileSummary]:
        with self._write():
            summaries = []
            for profile_id, head in self._conn.execute("SELECT id, head FROM profiles").fetchall():
                record = self._read(profile_id, head)
                profile = record["profile"]
                summaries.append(
                    ProfileSummary(
                        profile_id,
                        profile["identity"]["preferred_name"],
                        profile["consent"]["review_date"],
                        head,
                        record["at"],
                    )
                )
            self._audit("list", None, count=len(summaries))
        return sorted(summaries, key=lambda summary: (summary.preferred_name.casefold(), summary.id))

    def current(self, profile_id: str) -> dict[str, Any]:
        """The current version without an audit entry: for merging an edit that is then audited."""
        with database.sqlite_errors(self.path):
            return dict(self._read(profile_id, self._head(profile_id))["profile"])

    def view(
        self, profile_id: str, version: int | None = None, *, action: str = "view", **detail: Any
    ) -> dict[str, Any]:
        """One version of a profile (the current one by default), recorded as a view or an export."""
        with self._write():
            head = self._head(profile_id)
            chosen = head if version is None else version
            if not 1 <= chosen <= head:
                raise ProfileError(f"{profile_id} has versions 1 to {head}; there is no version {chosen}.")
            profile: dict[str, Any] = self._read(profile_id, chosen)["profile"]
            self._audit(action, profile_id, version=chosen, **detail)
        return profile

    def create_profile(self, data: object) -> str:
        profile = validate_profile(data)
        profile_id = new_id("prf_")
        with self._write():
            self._add(profile, profile_id, "create")
        return profile_id

    def update_profile(
        self, profile_id: str, data: object, *, _action: str = "edit", _from: int | None = None
    ) -> int | None:
        """A new version from a whole profile; None (and no new version) when nothing changed."""
        profile = validate_profile(data)
        if profile["id"] not in (None, profile_id):
            raise ProfileError(
                f'The file is for {profile["id"]}, not {profile_id}; remove its "id" or edit '
                f"the right profile."
            )
        with self._write():
            head = self._head(profile_id)
            old = self._read(profile_id, head)["profile"]
            new = self._provenance({**profile, "id": profile_id})
            changed = changed_fields(old, new)
            if not changed:
                return None
            self._put(profile_id, head + 1, new, _action, changed, _from)
            self._audit(
                _action,
                profile_id,
                version=head + 1,
                fields=changed,
                **({"to_version": _from} if _from else {}),
            )
        return head + 1

    def revert(self, profile_id: str, version: int) -> int | None:
        """Undo: a new version equal to an old one (history keeps everything in between)."""
        with database.sqlite_errors(self.path):
            head = self._head(profile_id)
            if not 1 <= version <= head:
                raise ProfileError(f"{profile_id} has versions 1 to {head}; there is no version {version}.")
            old = self._read(profile_id, version)["profile"]
        return self.update_profile(profile_id, old, _action="revert", _from=version)

    def history(self, profile_id: str) -> list[VersionInfo]:
        with self._write():
            head = self._head(profile_id)
            infos = []
            for version in range(1, head + 1):
                record = self._read(profile_id, version)
                infos.append(
                    VersionInfo(
                        version,
                        record["at"],
                        record["who"],
                        record["action"],
                        record["changed"],
                        record["from_version"],
                    )
                )
            self._audit("history", profile_id)
        return infos

    def delete_profile(self, profile_id: str) -> bool:
        """Erase the profile, every version and session; False if the file could not be scrubbed yet."""
        with self._write():
            self._head(profile_id)
            versions = self._conn.execute("DELETE FROM versions WHERE profile_id = ?", (profile_id,)).rowcount
            sessions = self._conn.execute("DELETE FROM sessions WHERE profile_id = ?", (profile_id,)).rowcount
            self._conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            self._audit("delete", profile_id, versions=versions, sessions=sessions)
        return database.scrub(self._conn, self.path)

    def import_profiles(self, profiles: list[dict[str, Any]]) -> list[str]:
        """All or nothing: every profile is validated and added in one transaction."""
        problems: list[str] = []
        checked = []
        for index, data in enumerate(profiles):
            profile, found = check_profile(data, f"profiles[{index}]" if len(profiles) > 1 else "")
            problems += found
            checked.append(profile)
        seen: dict[str, int] = {}
        with self._write():
            for index, profile in enumerate(checked):
                wanted = profile["id"]
                if wanted is None:
                    continue
                if wanted in seen:
                    problems.append(
                        f"profiles[{index}].id: {wanted} is also the id of profiles[{seen[wanted]}]"
                    )
                elif self._conn.execute("SELECT 1 FROM profiles WHERE id = ?", (wanted,)).fetchone():
                    problems.append(
                        f'{wanted} is already in this store: remove "id" from the file to add it '
                        f"as a new profile, or use `hark profiles edit {wanted} --from FILE`"
                    )
                seen[wanted] = index
            if problems:
                raise ProfileError(
                    f"Nothing was imported ({len(problems)} problem{'s' * (len(problems) > 1)}):", problems
                )
            ids = [profile["id"] or new_id("prf_") for profile in checked]
            for profile, profile_id in zip(checked, ids, strict=True):
                self._add(profile, profile_id, "import")
        return ids

    # -- sessions --------------------------------------------------------------------------------

    def add_session(self, profile_id: str, record: dict[str, Any]) -> str:
        try:
            plain = json.dumps(
                {"at": self._now(), "who": self.who, "record": record}, ensure_ascii=False, allow_nan=False
            ).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise ProfileError(f"The session record cannot be stored as JSON: {error}.") from None
        if len(plain) > MAX_SESSION_BYTES:
            raise ProfileError(
                f"The session record is {len(plain):,} bytes; the most a session may hold is "
                f"{MAX_SESSION_BYTES:,}."
            )
        session_id = new_id("ses_")
        with self._write():
            self._head(profile_id)
            blob = self._sealer.seal(plain, record_label("sessions", f"{profile_id}/{session_id}", 1))
            self._conn.execute(
                "INSERT INTO sessions (id, profile_id, blob) VALUES (?, ?, ?)", (session_id, profile_id, blob)
            )
            self._audit("session_add", profile_id, session=session_id)
        return session_id

    def _session_envelopes(self, profile_id: str) -> list[dict[str, Any]]:
        envelopes = []
        for session_id, blob in self._conn.execute(
            "SELECT id, blob FROM sessions WHERE profile_id = ? ORDER BY seq", (profile_id,)
        ).fetchall():
            plain = self._sealer.open(
                blob, record_label("sessions", f"{profile_id}/{session_id}", 1), f"Session {session_id}"
            )
            envelopes.append({"id": session_id, **json.loads(plain)})
        return envelopes

    def sessions(self, profile_id: str) -> list[dict[str, Any]]:
        """The records given to add_session, oldest first."""
        with self._write():
            self._head(profile_id)
            envelopes = self._session_envelopes(profile_id)
            self._audit("session_view", profile_id, count=len(envelopes))
        return [envelope["record"] for envelope in envelopes]

    # -- the whole store ----------------------------------------------------------------------------

    def subject_access(self, profile_id: str) -> dict[str, Any]:
        """Everything held about one person: every version, every session and the audit entries about them."""
        with self._write():
            head = self._head(profile_id)
            versions = [
                {"version": version, **self._read(profile_id, version)} for version in range(1, head + 1)
            ]
            sessions = self._session_envelopes(profile_id)
            self._audit("sar", profile_id)
            entries = [entry.as_dict() for entry in audit.entries(self._conn, self._sealer, profile_id)]
        return {
            "profile": versions[-1]["profile"],
            "versions": versions,
            "sessions": sessions,
            "audit": entries,
        }

    def change_passphrase(self, new_passphrase: str, *, scrypt_n: int | None = None) -> None:
        """Re-wrap the data key under a new passphrase (fresh salt); records are not touched."""
        with self._write():
            old = KdfParams.from_json(
                self._conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0]
            )
            params = KdfParams.fresh(scrypt_n or old.n)
            wrapped = wrap_data_key(
                derive_wrapping_key(new_passphrase, params), self._sealer.data_key, params
            )
            self._conn.executemany(
                "UPDATE meta SET value = ? WHERE key = ?",
                [(params.to_json(), "kdf"), (wrapped, "wrapped_key")],
            )
            self._audit("passwd", None)

    def audit_log(self, profile_id: str | None = None) -> list[audit.AuditEntry]:
        with database.sqlite_errors(self.path):
            return audit.entries(self._conn, self._sealer, profile_id)

    def verify(self) -> VerifyReport:
        """The audit chain, then every version and session: decrypts, validates, and heads agree."""
        with self._write():
            problems, count, last = audit.verify(self._conn, self._sealer)
            versions = sessions = 0
            heads = dict(self._conn.execute("SELECT id, head FROM profiles").fetchall())
            for profile_id, head in heads.items():
                stored = [
                    row[0]
                    for row in self._conn.execute(
                        "SELECT version FROM versions WHERE profile_id = ? ORDER BY version", (profile_id,)
                    )
                ]
                if stored != list(range(1, head + 1)):
                    problems.append(f"{profile_id} should have versions 1 to {head} but has {stored}")
                for version in stored:
                    try:
                        _, found = check_profile(self._read(profile_id, version)["profile"])
                        problems += [f"{profile_id} version {version}: {problem}" for problem in found]
                    except IntegrityError as error:
                        problems.append(str(error.headline))
                    versions += 1
                try:
                    sessions += len(self._session_envelopes(profile_id))
                except IntegrityError as error:
                    problems.append(error.headline)
            orphans = self._conn.execute(
                "SELECT COUNT(*) FROM versions WHERE profile_id NOT IN (SELECT id FROM profiles)"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{orphans} stored versions belong to no profile")
        return VerifyReport(problems, count, len(heads), versions, sessions, last.hex()[:16])


def _check_who(who: str) -> str:
    who = who.strip()
    if not who or len(who) > 200 or not who.isprintable():
        raise ProfileError(
            "The user name for the audit log must be 1 to 200 printable characters; set it "
            "with --as NAME or $HARK_USER."
        )
    return who
