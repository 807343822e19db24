"""Errors a user can cause: each is reported in one line with exit status 2."""


class UsageError(ValueError):
    """Bad command-line input, case file or result store."""
