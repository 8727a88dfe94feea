"""The conversation package's exceptions, in one module so every part can raise them.

All derive from `ConversationError`, so the command line reports any of them as one line.
"""

from __future__ import annotations

_MAX_REPORTED = 20


class ConversationError(Exception):
    """A conversation problem the user can act on (the timeline, a phrase, the desk, where a
    transcript goes): the message says what was wrong and what to do next."""


class PhraseError(ConversationError):
    """A phrase or phrase-library problem the user can act on; the message says what to do."""


class PhraseFileError(PhraseError):
    """A phrase library (or favourites file) that cannot be used; `problems` lists every reason."""

    def __init__(
        self, where: str, problems: list[str], what: str = "phrase library", advice: str = ""
    ) -> None:
        self.where, self.problems = where, list(problems)
        shown = "; ".join(problems[:_MAX_REPORTED])
        more = f"; and {len(problems) - _MAX_REPORTED} more" if len(problems) > _MAX_REPORTED else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"The {what} {where} cannot be used ({count}): {shown}{more}.{' ' if advice else ''}{advice}"
        )


class DeskError(ConversationError):
    """Something the desk cannot do; the message says what and how to put it right. Nothing was recorded."""
