"""The one exception of model management, in its own module so every part can raise it."""


class ModelError(Exception):
    """A model problem the user can act on: the message says what, why, and what to do next."""
