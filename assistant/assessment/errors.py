"""The assessment package's one exception."""

from __future__ import annotations


class AssessmentError(Exception):
    """A problem with a session record the user can act on; the message says what to do."""
