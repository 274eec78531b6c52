"""Errors a user can cause. The CLI prints their message on one line and exits with code 2.

Every message names what was wrong and how to fix it.
"""


class DarkscanError(Exception):
    """A problem with the user's input or environment (not a bug in darkscan)."""


class UnknownNameError(DarkscanError, KeyError):
    """An unknown search, process, model or parameter name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ParameterError(DarkscanError, ValueError):
    """A parameter outside its allowed range."""


class NotAvailableError(DarkscanError):
    """A feature that is not implemented yet, or needs an optional dependency."""


class InputFileError(DarkscanError):
    """An input file that is missing, unreadable or lacks the columns a stage needs."""


def unknown(kind: str, name: str, available: "list[str] | tuple[str, ...]") -> UnknownNameError:
    """Build the standard message: ``unknown search 'x'; available: a, b, c``."""
    return UnknownNameError(f"unknown {kind} '{name}'; available: {', '.join(sorted(available))}")


class OutputPathError(DarkscanError):
    """An output file or folder that cannot be written (a folder where a file is meant, a
    read-only place, the input itself)."""
