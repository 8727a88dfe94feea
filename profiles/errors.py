"""The one exception family of the profiles package.

Every failure a user can act on is a `ProfileError` whose message says what was wrong and what to
do. Messages never contain a person's details: they name fields, ids and files, not values typed
about the person (a value is quoted only when it is a setting, such as a number out of range).
"""

from __future__ import annotations

from collections.abc import Sequence


class ProfileError(Exception):
    """A problem the user can act on. `problems` lists every reason when there are several."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.headline = message
        self.problems = list(problems)
        text = message
        if self.problems:
            text += "\n" + "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(text)


class WrongPassphraseError(ProfileError):
    """The passphrase does not unlock this store; nothing was read or changed."""


class StoreBusyError(ProfileError):
    """Another process holds the store's write lock for longer than the busy timeout."""


class IntegrityError(ProfileError):
    """A record or audit entry does not decrypt or verify: the file was altered or damaged."""


class DiskFullError(ProfileError):
    """The disk holding the store is full: the change was not written, and nothing was lost."""
