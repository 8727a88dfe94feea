"""The SQLite file under the store: tables, settings, write transactions, busy and damage errors.

Only ciphertext, random ids, version numbers and key settings ever reach SQLite, so nothing
personal can land in the file, its -wal or -shm, or a temporary file. Each change runs in one
`BEGIN IMMEDIATE` transaction: the write lock is taken before anything is read, so two processes
queue behind each other (up to the busy timeout) instead of deadlocking half way, and a crash
leaves either the whole change or none of it (WAL with synchronous=FULL).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from profiles.errors import DiskFullError, IntegrityError, ProfileError, StoreBusyError

FORMAT = "1"
APPLICATION_ID = 0x4861726B  # "Hark": lets `file` and Hark recognise the store
BUSY_TIMEOUT_S = 10.0
SCRUB_TIMEOUT_MS = 500
_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE profiles (id TEXT PRIMARY KEY, head INTEGER NOT NULL);
CREATE TABLE versions (profile_id TEXT NOT NULL, version INTEGER NOT NULL, blob BLOB NOT NULL,
                       PRIMARY KEY (profile_id, version));
CREATE TABLE sessions (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, profile_id TEXT NOT NULL,
                       blob BLOB NOT NULL);
CREATE INDEX sessions_by_profile ON sessions (profile_id);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, blob BLOB NOT NULL, mac BLOB NOT NULL);
"""


def _busy(path: Path) -> StoreBusyError:
    return StoreBusyError(
        f"The store is busy: another Hark process is using {path}. Wait for it to finish and try again."
    )


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """Turns SQLite's failures into one clear sentence each."""
    try:
        yield
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            raise _busy(path) from None
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            raise ProfileError(
                f"Cannot write to the store {path}: {error}. Check the file's permissions and "
                f"that the disk is not full or read-only."
            ) from None
        if "full" in text:
            raise DiskFullError(
                f"The disk holding the store {path} is full: {error}. Free some disk space and try "
                f"again; nothing was changed."
            ) from None
        if "disk" in text or "i/o" in text:
            raise ProfileError(
                f"The store {path} could not be written: {error}. Free some disk space and try "
                f"again; nothing was changed."
            ) from None
        raise
    except sqlite3.DatabaseError as error:
        raise IntegrityError(
            f"{path} is not a Hark profile store, or it is damaged ({error}). Restore it from "
            f"a backup, or choose another file with --store."
        ) from None


def connect(path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    with sqlite_errors(path):
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA synchronous = FULL")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ProfileError(
                    f"The store {path} cannot use write-ahead logging (SQLite chose {mode}); "
                    f"keep the store on a local disk rather than a network share."
                )
        except BaseException:
            conn.close()
            raise
    return conn


def create_file(path: Path) -> sqlite3.Connection:
    """A new, empty store file readable by its owner only; refuses to touch an existing file."""
    if path.exists():
        raise ProfileError(
            f"{path} already exists; choose another path with --store, or use the store that is there."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise ProfileError(f"{path} already exists; choose another path with --store.") from None
    except OSError as error:
        raise ProfileError(f"Cannot create the store {path}: {error.strerror or error}.") from None
    conn = connect(path)
    with sqlite_errors(path):
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.executescript(_TABLES)
    return conn


def open_file(path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    if not path.is_file():
        raise ProfileError(
            f"There is no profile store at {path}. Create one with `hark profiles init`, or "
            f"choose another with --store or $HARK_STORE."
        )
    conn = connect(path, busy_timeout_s)
    with sqlite_errors(path):
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        row = (
            conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if app_id == APPLICATION_ID
            else None
        )
    if row is None:
        conn.close()
        raise ProfileError(
            f"{path} is not a Hark profile store. Choose the store with --store or $HARK_STORE."
        )
    if row[0] != FORMAT:
        conn.close()
        raise ProfileError(
            f"The store {path} was written by a newer Hark (store format {row[0]!r}; this Hark "
            f"reads format {FORMAT}). Update Hark to use it."
        )
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    with sqlite_errors(path):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def scrub(conn: sqlite3.Connection, path: Path) -> bool:
    """After a deletion: copy the WAL into the file, rebuild the file, empty the WAL.

    secure_delete has already zeroed the deleted cells; VACUUM rewrites every page so no slack
    space keeps an old copy, and checkpoint(TRUNCATE) empties the -wal that held the old pages.
    False when another process held the store open, so old pages may remain in the -wal until
    the next command opens it (every open checkpoints).
    """
    with _short_busy_timeout(conn):
        try:
            with sqlite_errors(path):
                first = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                conn.execute("VACUUM")
                second = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except StoreBusyError:
            return False
    return first[0] == 0 and second[0] == 0


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold the WAL into the file and empty it (run on close); skipped quietly when busy."""
    with _short_busy_timeout(conn), suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def _short_busy_timeout(conn: sqlite3.Connection) -> Iterator[None]:
    # A checkpoint waits for every reader; housekeeping must not hold a command up for the full timeout.
    before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {SCRUB_TIMEOUT_MS}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(before)}")
