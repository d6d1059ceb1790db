"""The one exception the core raises for people to read; a module of its own so the CLI loads nothing else."""

from __future__ import annotations


class LazyauditError(Exception):
    """A problem with the user's input or environment that stops a command (exit code 2).

    Raised by the core with a message meant for people; only `cli` prints it and exits.
    """
