"""The one exception of the captions package, in its own module so every part can raise it."""


class CaptionError(Exception):
    """A captions problem the user can act on (which recogniser, the caption style, where a
    transcript goes): the message says what was wrong and what to do next."""
