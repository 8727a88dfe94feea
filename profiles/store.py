"""The encrypted profile store: one SQLite file holding profiles, their history, sessions and the audit log.

    with ProfileStore.open(path, passphrase, who="A. Assessor") as store:
        profile_id = store.create_profile({"preferred_name": "Ada"})

Every public method is one transaction that also appends its audit entry, so a change and its
record of who made it are committed together. Single sealed rows are profiles/records.py;
`verify` is profiles/verify.py; profiles/STORE.md describes the design.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from profiles import audit, database, unlock
from profiles.crypto import Sealer
from profiles.errors import ProfileError
from profiles.model import changed_fields, check_profile, check_review_date, validate_profile
from profiles.records import Clock, Records, new_id, utc_now
from profiles.sessions import SessionRecords, delete_drafts_of, draft_envelopes_of
from profiles.verify import VerifyReport, verify_records
from profiles.wording import counted

STORE_ENV = "HARK_STORE"


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("hark", appauthor=False)) / "profiles.sqlite3"


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


class ProfileStore:
    """Open with `ProfileStore.open` (or make a new store with `ProfileStore.create`)."""

    def __init__(self, path: Path, conn: Any, sealer: Sealer, who: str, clock: Clock) -> None:
        self.path, self.who = path, who
        self._records: Records | None = Records(path, conn, sealer, who, clock)

    @classmethod
    def create(
        cls, path: Path, passphrase: str, who: str, *, scrypt_n: int | None = None, clock: Clock = utc_now
    ) -> ProfileStore:
        """A new store at `path` (which must not exist). scrypt_n lowers the cost for tests only."""
        who = _check_who(who)
        sealer, key_rows = unlock.new_key(passphrase, scrypt_n)
        store = cls(path, database.create_file(path), sealer, who, clock)
        records = store._open
        with records.write():
            records.conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", key_rows)
            audit.start(records.conn, records.sealer)
            records.audit("init", None)
        return store

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str,
        who: str,
        *,
        busy_timeout_s: float = database.BUSY_TIMEOUT_S,
        clock: Clock = utc_now,
    ) -> ProfileStore:
        who = _check_who(who)
        return cls(path, *unlock.open_file(path, passphrase, busy_timeout_s), who, clock)

    @property
    def is_open(self) -> bool:
        return self._records is not None

    @property
    def _open(self) -> Records:
        if self._records is None:
            raise ProfileError("The profile store is closed; open it again to use it.")
        return self._records

    def reopened(self) -> ProfileStore:
        """The same unlocked store on a new connection, for another thread (an SQLite connection
        belongs to the thread that made it); close it when done. No passphrase, no audit entry."""
        records = self._open
        return ProfileStore(self.path, database.open_file(self.path), records.sealer, self.who, records.clock)

    def close(self) -> None:
        if self._records is not None:
            database.checkpoint(self._records.conn)
            self._records.conn.close()
            self._records = None

    def __enter__(self) -> ProfileStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- profiles --------------------------------------------------------------------------------

    def list_profiles(self) -> list[ProfileSummary]:
        records = self._open
        with records.write():
            summaries = []
            for profile_id, head in records.heads().items():
                record = records.read(profile_id, head)
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
            records.audit("list", None, count=len(summaries))
        return sorted(summaries, key=lambda summary: (summary.preferred_name.casefold(), summary.id))

    def current(self, profile_id: str) -> dict[str, Any]:
        """The current version without an audit entry: for merging an edit that is then audited."""
        records = self._open
        with database.sqlite_errors(self.path):
            return dict(records.read(profile_id, records.head(profile_id))["profile"])

    def view(
        self, profile_id: str, version: int | None = None, *, action: str = "view", **detail: Any
    ) -> dict[str, Any]:
        """One version of a profile (the current one by default), recorded as a view or an export."""
        records = self._open
        with records.write():
            head = records.head(profile_id)
            chosen = head if version is None else version
            if not 1 <= chosen <= head:
                raise ProfileError(f"{profile_id} has versions 1 to {head}; there is no version {chosen}.")
            profile: dict[str, Any] = records.read(profile_id, chosen)["profile"]
            records.audit(action, profile_id, version=chosen, **detail)
        return profile

    def create_profile(self, data: object) -> str:
        profile = validate_profile(data)
        profile_id = new_id("prf_")
        records = self._open
        check_review_date(None, profile, records.today())
        with records.write():
            records.add(profile, profile_id, "create")
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
        records = self._open
        with records.write():
            head = records.head(profile_id)
            old = records.read(profile_id, head)["profile"]
            if _action == "edit":
                check_review_date(old, profile, records.today())
            new = records.provenance({**profile, "id": profile_id})
            changed = changed_fields(old, new)
            if not changed:
                return None
            records.put(profile_id, head + 1, new, _action, changed, _from)
            records.audit(
                _action,
                profile_id,
                version=head + 1,
                fields=changed,
                **({"to_version": _from} if _from else {}),
            )
        return head + 1

    def revert(self, profile_id: str, version: int) -> int | None:
        """Undo: a new version equal to an old one (history keeps everything in between)."""
        records = self._open
        with database.sqlite_errors(self.path):
            head = records.head(profile_id)
            if not 1 <= version <= head:
                raise ProfileError(f"{profile_id} has versions 1 to {head}; there is no version {version}.")
            old = records.read(profile_id, version)["profile"]
        return self.update_profile(profile_id, old, _action="revert", _from=version)

    def history(self, profile_id: str) -> list[VersionInfo]:
        records = self._open
        with records.write():
            head = records.head(profile_id)
            infos = []
            for version in range(1, head + 1):
                record = records.read(profile_id, version)
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
            records.audit("history", profile_id)
        return infos

    def delete_profile(self, profile_id: str) -> bool:
        """Erase the profile, every version, session and draft; False if the file could not be scrubbed yet."""
        records = self._open
        with records.write():
            records.head(profile_id)
            versions = records.conn.execute(
                "DELETE FROM versions WHERE profile_id = ?", (profile_id,)
            ).rowcount
            sessions = records.conn.execute(
                "DELETE FROM sessions WHERE profile_id = ?", (profile_id,)
            ).rowcount
            drafts = delete_drafts_of(records.conn, profile_id)
            records.conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            records.audit("delete", profile_id, versions=versions, sessions=sessions, drafts=drafts)
        return database.scrub(records.conn, self.path)

    def import_profiles(self, profiles: list[dict[str, Any]]) -> list[str]:
        """All or nothing: every profile is validated and added in one transaction."""
        problems: list[str] = []
        checked = []
        for index, data in enumerate(profiles):
            profile, found = check_profile(data, f"profiles[{index}]" if len(profiles) > 1 else "")
            problems += found
            checked.append(profile)
        seen: dict[str, int] = {}
        records = self._open
        with records.write():
            for index, profile in enumerate(checked):
                wanted = profile["id"]
                if wanted is None:
                    continue
                if wanted in seen:
                    problems.append(
                        f"profiles[{index}].id: {wanted} is also the id of profiles[{seen[wanted]}]"
                    )
                elif records.conn.execute("SELECT 1 FROM profiles WHERE id = ?", (wanted,)).fetchone():
                    problems.append(
                        f'{wanted} is already in this store: remove "id" from the file to add it '
                        f"as a new profile, or use `hark profiles edit {wanted} --from FILE`"
                    )
                seen[wanted] = index
            if problems:
                raise ProfileError(f"Nothing was imported ({counted(len(problems), 'problem')}):", problems)
            ids = [profile["id"] or new_id("prf_") for profile in checked]
            for profile, profile_id in zip(checked, ids, strict=True):
                records.add(profile, profile_id, "import")
        return ids

    # -- sessions --------------------------------------------------------------------------------

    @property
    def session_records(self) -> SessionRecords:
        """Finished sessions and drafts: profiles/sessions.py."""
        return SessionRecords(self._open)

    def add_session(self, profile_id: str, record: dict[str, Any]) -> str:
        return self.session_records.add(profile_id, record)

    def sessions(self, profile_id: str) -> list[dict[str, Any]]:
        """The records given to add_session, oldest first."""
        return self.session_records.of(profile_id)

    # -- the whole store ----------------------------------------------------------------------------

    def subject_access(self, profile_id: str) -> dict[str, Any]:
        """Everything held about one person: every version, every session and the audit entries about them."""
        records = self._open
        with records.write():
            head = records.head(profile_id)
            versions = [
                {"version": version, **records.read(profile_id, version)} for version in range(1, head + 1)
            ]
            sessions = records.session_envelopes(profile_id) + draft_envelopes_of(records, profile_id)
            records.audit("sar", profile_id)
            entries = [entry.as_dict() for entry in audit.entries(records.conn, records.sealer, profile_id)]
        return {
            "profile": versions[-1]["profile"],
            "versions": versions,
            "sessions": sessions,
            "audit": entries,
        }

    def change_passphrase(self, new_passphrase: str, *, scrypt_n: int | None = None) -> None:
        """Re-wrap the data key under a new passphrase (fresh salt); records are not touched."""
        records = self._open
        with records.write():
            unlock.rewrap(records.conn, records.sealer, new_passphrase, scrypt_n)
            records.audit("passwd", None)

    def audit_log(self, profile_id: str | None = None) -> list[audit.AuditEntry]:
        records = self._open
        with database.sqlite_errors(self.path):
            return audit.entries(records.conn, records.sealer, profile_id)

    def verify(self) -> VerifyReport:
        """The audit chain, then every version and session: decrypts, validates, and heads agree."""
        records = self._open
        with records.write():
            return verify_records(records)


def _check_who(who: str) -> str:
    who = who.strip()
    if not who or len(who) > 200 or not who.isprintable():
        raise ProfileError(
            "The user name for the audit log must be 1 to 200 printable characters; set it "
            "with --as NAME or $HARK_USER."
        )
    return who
