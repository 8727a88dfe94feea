"""The one exception family of the audio package."""


class AudioError(Exception):
    """A problem the user can act on: the message says what was wrong and what is allowed."""
