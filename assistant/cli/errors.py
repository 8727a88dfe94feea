"""The command line's own error: a usage problem the user can fix by typing something else."""


class CommandError(Exception):
    """A wrong flag value, a report that cannot be written, a command that needs the desktop part:
    the message says what was wrong and what to do, and `hark VERB:` prints it as one line."""
