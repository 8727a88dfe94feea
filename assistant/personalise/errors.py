"""The error of applying a person's profile: it cannot be opened, or a flag would break its limits."""

from __future__ import annotations


class ProfileUseError(Exception):
    """A problem the user can act on; the message says what was wrong and what to do."""
