"""The store's cryptography: a passphrase-wrapped data key, sealed records and the audit MAC key.

Records are AES-256-GCM under one random data key, bound to their table, id and version; the
data key is wrapped under scrypt(passphrase); the audit key is derived from the data key.
Every failure to open a record is the same `IntegrityError`, never saying which check failed.
profiles/STORE.md ("Keys") has the details.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from profiles.errors import IntegrityError, ProfileError, WrongPassphraseError

KEY_BYTES = 32
NONCE_BYTES = 12
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
# Tests (and only tests) lower the scrypt cost for new stores through this variable or the
# `scrypt_n` argument of ProfileStore.create; `hark profiles init` says so when it is set.
SCRYPT_N_ENV = "HARK_SCRYPT_N"
MIN_SCRYPT_N = 2**10
_DOMAIN = b"hark.store.v1|"


@dataclass(frozen=True)
class KdfParams:
    n: int
    r: int
    p: int
    salt: bytes

    @classmethod
    def fresh(cls, n: int = SCRYPT_N) -> KdfParams:
        if n < MIN_SCRYPT_N or n & (n - 1):
            raise ProfileError(
                f"The scrypt cost n must be a power of two of at least {MIN_SCRYPT_N}, got {n}; "
                f"leave {SCRYPT_N_ENV} unset for the default {SCRYPT_N}."
            )
        return cls(n, SCRYPT_R, SCRYPT_P, secrets.token_bytes(16))

    def to_json(self) -> str:
        salt = base64.b64encode(self.salt).decode("ascii")
        return json.dumps(
            {"kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": salt}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        try:
            data = json.loads(text)
            if data["kdf"] != "scrypt":
                raise ValueError
            params = cls(int(data["n"]), int(data["r"]), int(data["p"]), base64.b64decode(data["salt"]))
        except (ValueError, KeyError, TypeError):
            raise IntegrityError(
                "The store's key settings are damaged, so it cannot be unlocked; "
                "restore the file from a backup."
            ) from None
        if not (2 <= params.n <= 2**22 and 1 <= params.r <= 32 and 1 <= params.p <= 16):
            raise IntegrityError(
                "The store's key settings are out of range, so it cannot be unlocked; "
                "restore the file from a backup."
            )
        return params


def scrypt_n_from_env() -> int | None:
    """The scrypt cost asked for through HARK_SCRYPT_N, or None when it is not set."""
    value = os.environ.get(SCRYPT_N_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ProfileError(
            f"{SCRYPT_N_ENV} must be a power of two such as 1024, got {value!r}; "
            f"unset it for the default {SCRYPT_N}."
        )
    return int(value)


def derive_wrapping_key(passphrase: str, params: KdfParams) -> bytes:
    # NFC so that the same passphrase typed on another keyboard or system gives the same key.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=params.salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p).derive(secret)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_data_key(wrapping_key: bytes, data_key: bytes, params: KdfParams) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(wrapping_key).encrypt(
        nonce, data_key, _DOMAIN + b"data-key|" + params.to_json().encode()
    )


def unwrap_data_key(wrapping_key: bytes, wrapped: bytes, params: KdfParams) -> bytes:
    try:
        key = AESGCM(wrapping_key).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _DOMAIN + b"data-key|" + params.to_json().encode()
        )
    except (InvalidTag, ValueError):
        raise WrongPassphraseError(
            "The passphrase is wrong for this store; nothing was read or changed. Check it and try again."
        ) from None
    if len(key) != KEY_BYTES:
        raise IntegrityError("The store's data key is damaged; restore the file from a backup.")
    return key


def record_label(table: str, record_id: str, version: int) -> bytes:
    """The associated data that binds a ciphertext to its table, record and version."""
    return _DOMAIN + f"{table}|{record_id}|{version}".encode("ascii")


class Sealer:
    """Seals and opens records under the data key; derives the audit MAC key."""

    def __init__(self, data_key: bytes) -> None:
        self.data_key = data_key
        self._aead = AESGCM(data_key)
        self.audit_key = HKDF(
            algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_DOMAIN + b"audit-hmac"
        ).derive(data_key)

    def seal(self, plaintext: bytes, label: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, label)

    def open(self, blob: bytes, label: bytes, what: str) -> bytes:
        try:
            if not isinstance(blob, bytes) or len(blob) < NONCE_BYTES + 16:
                raise ValueError
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label)
        except (InvalidTag, ValueError):
            raise IntegrityError(
                f"{what} does not decrypt: the store file has been altered or damaged. "
                f"Run `hark profiles audit --verify` and restore from a backup."
            ) from None

    def mac(self, *parts: bytes) -> bytes:
        digest = hmac.new(self.audit_key, _DOMAIN + b"audit|", hashlib.sha256)
        for part in parts:
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.digest()


def same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
