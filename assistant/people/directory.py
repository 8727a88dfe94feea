"""The people in the profile store, for the app's People page: every store call on one worker thread.

Unlocking takes about a second (scrypt) and another Hark may hold the store's write lock, so no
store call may run on the interface thread. `PeopleDirectory` owns one worker thread; the store
is opened on it and every call runs there (an SQLite connection belongs to the thread that made
it). Each method returns a `Future`. The people are listed once per unlock (one audit entry) and
`search` filters that list in memory, so typing a name writes nothing to the audit log.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from profiles import json_io
from profiles.errors import ProfileError, StoreBusyError
from profiles.fhir import profile_to_fhir_bundle
from profiles.sessions import Draft
from profiles.store import ProfileStore, VersionInfo

# Long enough to ride out another window's ordinary write, short enough that "in use" comes quickly.
APP_BUSY_TIMEOUT_S = 2.0
IN_USE_MESSAGE = "The profile store is in use by another Hark window; close it there, or wait, and try again."
EXPORT_KINDS = ("pdf", "json", "fhir")

Writer = Callable[[dict[str, Any], Path], None]
T = TypeVar("T")


class StoreInUseError(StoreBusyError):
    """Another Hark (window or command) holds the store's write lock; nothing was read or changed."""


@dataclass(frozen=True)
class Person:
    id: str
    preferred_name: str
    review_date: str | None  # YYYY-MM-DD
    overdue: bool  # the review date is before today


def folded(text: str) -> str:
    """Text for matching names: case and accents ignored ("Zoë" matches "zoe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class PeopleDirectory:
    """The store at `path`, used as `who` (the name in the audit log), through one worker thread.

    `pdf_writer` prints the passport (ui/passport_pdf.py's write_passport_pdf; assistant may not
    import Qt, so the window side hands it in). `scrypt_n` lowers the cost of a new store, for tests."""

    def __init__(
        self,
        path: Path,
        who: str,
        *,
        pdf_writer: Writer | None = None,
        busy_timeout_s: float = APP_BUSY_TIMEOUT_S,
        scrypt_n: int | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.path, self.who, self.pdf_writer = Path(path), who, pdf_writer
        self._busy_timeout_s, self._scrypt_n, self._today = busy_timeout_s, scrypt_n, today
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hark-people")
        self._store: ProfileStore | None = None
        self._people: list[Person] | None = None  # None until listed after an unlock

    @property
    def store(self) -> ProfileStore | None:
        """The open store, or None while locked. Use it from another thread only through
        `reopened()` (as the session's DraftKeeper does)."""
        return self._store

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def is_unlocked(self) -> bool:
        return self._store is not None and self._people is not None

    # -- unlocking ---------------------------------------------------------------------------------

    def unlock(self, passphrase: str) -> Future[list[Person]]:
        """Open the store and list the people (one audit entry); `WrongPassphraseError` when it does
        not unlock, `StoreInUseError` when another Hark holds it."""
        return self._submit(lambda: self._unlock(passphrase))

    def create(self, passphrase: str) -> Future[list[Person]]:
        """A new, empty store at `path`, left unlocked."""

        def work() -> list[Person]:
            self._close_store()
            self._store = ProfileStore.create(self.path, passphrase, self.who, scrypt_n=self._scrypt_n)
            self._people = []
            return []

        return self._submit(work)

    def lock(self) -> Future[None]:
        """Close the store: names and profiles stay hidden until it is unlocked again."""
        self._people = None  # at once, so a search from now on finds nobody
        return self._submit(self._close_store)

    def close(self) -> None:
        """Lock and stop the worker thread (waits for the call in progress)."""
        self.lock()
        self._worker.shutdown(wait=True)

    # -- people ------------------------------------------------------------------------------------

    def people(self) -> Future[list[Person]]:
        return self._submit(lambda: list(self._listed()))

    def search(self, text: str) -> list[Person]:
        """The listed people whose preferred name holds every word of `text`, in memory: no store
        call and no audit entry. Everyone for empty text; nobody while locked."""
        words = folded(text).split()
        return [
            person
            for person in self._people or []
            if all(word in folded(person.preferred_name) for word in words)
        ]

    def open_person(self, profile_id: str) -> Future[dict[str, Any]]:
        """The person's current profile, recorded in the audit log as a view."""
        return self._submit(lambda: self._open().view(profile_id))

    def save_new(self, data: object) -> Future[str]:
        """Add a person from a profile (validated by the store); their new id."""

        def work() -> str:
            profile_id = self._open().create_profile(data)
            self._refresh(profile_id)
            return profile_id

        return self._submit(work)

    def update(self, profile_id: str, data: object) -> Future[int | None]:
        """A new version from a whole profile; None when nothing changed."""

        def work() -> int | None:
            version = self._open().update_profile(profile_id, data)
            self._refresh(profile_id)
            return version

        return self._submit(work)

    def history(self, profile_id: str) -> Future[list[VersionInfo]]:
        return self._submit(lambda: self._open().history(profile_id))

    def revert(self, profile_id: str, version: int) -> Future[int | None]:
        """Undo to `version`: a new version equal to it; None when it equals the current one."""

        def work() -> int | None:
            new_version = self._open().revert(profile_id, version)
            self._refresh(profile_id)
            return new_version

        return self._submit(work)

    def delete(self, profile_id: str) -> Future[bool]:
        """Erase the person (profiles/store.py delete_profile); False when another Hark had the file
        open, so encrypted old pages may stay in its -wal until the next open."""

        def work() -> bool:
            scrubbed = self._open().delete_profile(profile_id)
            self._people = [person for person in self._listed() if person.id != profile_id]
            return scrubbed

        return self._submit(work)

    def export(self, profile_id: str, kind: str, path: Path) -> Future[Path]:
        """Write the person's profile as `kind` (pdf, json or fhir) to `path`, as `hark profiles
        export` does: audited as an export, written whole or not at all."""
        if kind not in EXPORT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(EXPORT_KINDS)}, not {kind!r}")

        def work() -> Path:
            writer = self._writer(kind)
            profile = self._open().view(profile_id, action="export", format=kind)
            try:
                writer(profile, Path(path))
            except OSError as error:
                raise ProfileError(f"Cannot write {path}: {error.strerror or error}.") from None
            return Path(path)

        return self._submit(work)

    def drafts(self) -> Future[list[Draft]]:
        """Unfinished session records left in the store (profiles/sessions.py); no audit entry."""
        return self._submit(lambda: self._open().session_records.drafts())

    def finish_draft(self, draft_id: str) -> Future[str]:
        """Keep a person's unfinished session record as it is, as one of their sessions."""
        return self._submit(lambda: self._open().session_records.finish_draft(draft_id))

    def name_of(self, profile_id: str | None) -> str | None:
        """The listed preferred name of `profile_id` (in memory), or None."""
        return next((p.preferred_name for p in self._people or [] if p.id == profile_id), None)

    # -- on the worker thread ----------------------------------------------------------------------

    def _submit(self, work: Callable[[], T]) -> Future[T]:
        return self._worker.submit(_in_words, work)

    def _unlock(self, passphrase: str) -> list[Person]:
        self._close_store()
        store = ProfileStore.open(self.path, passphrase, self.who, busy_timeout_s=self._busy_timeout_s)
        try:
            summaries = store.list_profiles()
        except BaseException:
            store.close()
            raise
        today = self._today().isoformat()
        self._store = store
        self._people = [
            Person(s.id, s.preferred_name, s.review_date, bool(s.review_date and s.review_date < today))
            for s in summaries
        ]
        return list(self._people)

    def _open(self) -> ProfileStore:
        if self._store is None:
            raise ProfileError("The profile store is locked; unlock it with its passphrase first.")
        return self._store

    def _listed(self) -> list[Person]:
        if self._people is None:
            raise ProfileError("The profile store is locked; unlock it with its passphrase first.")
        return self._people

    def _refresh(self, profile_id: str) -> None:
        """Bring one person's entry up to date from the store, without listing everyone again."""
        profile = self._open().current(profile_id)
        review = profile["consent"]["review_date"]
        person = Person(
            profile_id,
            profile["identity"]["preferred_name"],
            review,
            bool(review and review < self._today().isoformat()),
        )
        others = [p for p in self._listed() if p.id != profile_id]
        self._people = sorted([*others, person], key=lambda p: (p.preferred_name.casefold(), p.id))

    def _close_store(self) -> None:
        self._people = None
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def _writer(self, kind: str) -> Writer:
        if kind == "json":
            return json_io.write_profile
        if kind == "fhir":
            return lambda profile, path: json_io.write_atomic(
                path, json_io.dumps(profile_to_fhir_bundle(profile))
            )
        if self.pdf_writer is None:
            raise ProfileError("The passport PDF needs Hark's window side; export it from the app.")
        return self.pdf_writer


def _in_words(work: Callable[[], T]) -> T:
    """Run `work`, turning the store being busy into the one sentence the app shows."""
    try:
        return work()
    except StoreBusyError:
        raise StoreInUseError(IN_USE_MESSAGE) from None
    except sqlite3.OperationalError as error:
        if "locked" in str(error).lower() or "busy" in str(error).lower():
            raise StoreInUseError(IN_USE_MESSAGE) from None
        raise
