"""Unlocking a store file: making a new one, opening one with its passphrase, changing the passphrase.

Only the wrapped data key and its scrypt settings live in `meta`; everything else in the file is
sealed under the data key, so these three are the only places the passphrase is used.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from profiles import database
from profiles.crypto import (
    KdfParams,
    Sealer,
    derive_wrapping_key,
    new_data_key,
    scrypt_n_from_env,
    unwrap_data_key,
    wrap_data_key,
)
from profiles.errors import IntegrityError


def new_key(passphrase: str, scrypt_n: int | None) -> tuple[Sealer, list[tuple[str, str | bytes]]]:
    """A fresh data key, and the `meta` rows (format, scrypt settings, wrapped key) that unlock it."""
    params = KdfParams.fresh(scrypt_n or scrypt_n_from_env() or KdfParams.fresh().n)
    data_key = new_data_key()
    wrapped = wrap_data_key(derive_wrapping_key(passphrase, params), data_key, params)
    return Sealer(data_key), [
        ("format", database.FORMAT),
        ("kdf", params.to_json()),
        ("wrapped_key", wrapped),
    ]


def open_file(path: Path, passphrase: str, busy_timeout_s: float) -> tuple[sqlite3.Connection, Sealer]:
    """The open file and its unwrapped data key; `WrongPassphraseError` when it does not unlock."""
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
    return conn, Sealer(data_key)


def rewrap(conn: sqlite3.Connection, sealer: Sealer, new_passphrase: str, scrypt_n: int | None) -> None:
    """Wrap the data key under a new passphrase with a fresh salt, inside the caller's transaction."""
    old = KdfParams.from_json(conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0])
    params = KdfParams.fresh(scrypt_n or old.n)
    wrapped = wrap_data_key(derive_wrapping_key(new_passphrase, params), sealer.data_key, params)
    conn.executemany(
        "UPDATE meta SET value = ? WHERE key = ?", [(params.to_json(), "kdf"), (wrapped, "wrapped_key")]
    )
