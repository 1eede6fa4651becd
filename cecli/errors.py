"""Typed errors of the core; cli.py turns each into one line and an exit status."""

from __future__ import annotations

import enum
import math


class ExitStatus(enum.IntEnum):
    """Process exit codes, as documented in the README."""

    OK = 0
    FAILURE = 1  # bad data, failed gradient check, divergence
    USAGE = 2  # bad option or config file
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


class CecliError(Exception):
    """Base of every error cecli reports to a user without a traceback."""

    exit_status = ExitStatus.FAILURE


class DataError(CecliError):
    """A dataset that cannot be read as the user meant it."""

    def __init__(self, message: str, path: str | None = None,
                 line: int | None = None, column: str | None = None):
        self.message, self.path, self.line, self.column = message, path, line, column
        super().__init__(self._format())

    def _format(self) -> str:
        where = [self.path] if self.path else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.message


class ConfigError(CecliError):
    """A config file or option value that cannot be used."""

    exit_status = ExitStatus.USAGE


class CheckFailed(CecliError):
    """A gradient check that did not pass."""


class Diverged(CecliError):
    """Training whose loss became non-finite or ended above where it started."""


def finite(x) -> float | None:
    """x as a float for JSON, with nan and inf as None (JSON has no such numbers)."""
    x = float(x)
    return x if math.isfinite(x) else None


def finite_list(xs) -> list:
    return [finite(x) for x in xs]


class Interrupted(CecliError):
    """Ctrl-C: the work stopped cleanly where it was."""

    exit_status = ExitStatus.INTERRUPTED
