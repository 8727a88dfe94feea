"""Opening the profile store for a command: which file, the passphrase, and who is named in the audit log.

The store is --store PATH, else $HARK_STORE, else profiles.sqlite3 in the user data folder. The
passphrase is the named environment variable, else a prompt on the terminal. The person named in
the audit log is --as NAME, else $HARK_USER, else the login name. Every command that opens the
store (`hark profiles ...` and each `--profile ID`) goes through here, so the rules are the same.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from assistant.personalise.errors import ProfileUseError
from profiles.store import STORE_ENV, ProfileStore, default_store_path

PASSPHRASE_ENV = "HARK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "HARK_NEW_PASSPHRASE"
USER_ENV = "HARK_USER"
MIN_PASSPHRASE = 8


def store_path(store: str | None) -> Path:
    return Path(store or os.environ.get(STORE_ENV) or default_store_path()).expanduser()


def user_name(as_name: str | None) -> str:
    """The name for the audit log: --as NAME, else $HARK_USER, else the login name."""
    if as_name:
        return str(as_name)
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ProfileUseError(
            "Hark cannot tell who you are for the audit log; give your name with --as NAME or $HARK_USER."
        ) from None


def passphrase(env: str, prompt: str, *, new: bool) -> str:
    """$`env`, else typed at `prompt` (twice when `new`); a new one must be long enough."""
    value = os.environ.get(env)
    if value is None:
        try:
            value = getpass.getpass(prompt)
            if new and getpass.getpass("Type it again: ") != value:
                raise ProfileUseError("The two passphrases differ; nothing was changed. Try again.")
        except EOFError:
            raise ProfileUseError(f"No passphrase was given; type it at the prompt or set ${env}.") from None
    if new and len(value) < MIN_PASSPHRASE:
        raise ProfileUseError(
            f"The passphrase must be at least {MIN_PASSPHRASE} characters; a few ordinary words "
            f"make a good one."
        )
    if not value:
        raise ProfileUseError(f"The passphrase is empty; type it at the prompt or set ${env}.")
    return value


def open_store(store: str | None, as_name: str | None) -> ProfileStore:
    """The unlocked store; a missing store is reported before the passphrase is asked for."""
    path = store_path(store)
    who = user_name(as_name)
    if not path.is_file():
        ProfileStore.open(path, "", who)  # raises the clear "no store here" error before any prompt
    return ProfileStore.open(
        path, passphrase(PASSPHRASE_ENV, "Passphrase for the profile store: ", new=False), who
    )


PASSPHRASE_RULE = (
    f"The passphrase must be at least {MIN_PASSPHRASE} characters; a few ordinary words make a good one. "
    "Keep it safe: without it nobody, not even Hark, can read the profiles."
)


def passphrase_problem(first: str, second: str) -> str | None:
    """What is wrong with a new passphrase typed twice, in words; None when it will do."""
    if not first:
        return "Type a passphrase in both boxes."
    if len(first) < MIN_PASSPHRASE:
        return f"The passphrase is too short ({len(first)} characters). {PASSPHRASE_RULE}"
    if first != second:
        return "The two passphrases are different. Type the same passphrase in both boxes."
    return None
