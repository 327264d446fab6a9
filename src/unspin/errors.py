"""User-facing errors: the CLI prints their message and exits non-zero, never a traceback."""


class UnspinError(Exception):
    """A problem with the user's input or resources (exit code 1)."""


class UsageError(UnspinError):
    """The command line itself is wrong (exit code 2)."""
