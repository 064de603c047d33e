"""The errors the library raises; the CLI turns each into one line and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    NONCONFORMING = 1
    USAGE = 2
    BAD_INPUT = 3
    TIMEOUT = 4
    MEMORY = 5
    UNREACHABLE = 6
    REFUSED_CREDENTIALS = 7
    COUNT_MISMATCH = 8
    INTERNAL = 70
    INTERRUPTED = 130
    TERMINATED = 143


class DiplographError(Exception):
    """An error a user can act on: what went wrong, where, and a hint."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(DiplographError):
    """The command was called wrongly (unknown option value, missing parameter)."""

    exit_code = ExitCode.USAGE


class InputError(DiplographError):
    """Input that cannot be read: a parse error, an unknown name, a bad value."""


class StoreError(InputError):
    """A compiled store that cannot be trusted (damaged since it was compiled)."""


class LimitError(DiplographError):
    """A query went past a limit that keeps a shared graph responsive (rows, load)."""


class InternalError(Exception):
    """Something went wrong that no input explains (a crashed engine, a bug): its
    details are for `--debug`."""


class EndpointError(DiplographError):
    """A SPARQL endpoint that cannot be reached, or that failed a request."""

    exit_code = ExitCode.UNREACHABLE


class CredentialsError(EndpointError):
    """An endpoint that asks for credentials none were found for, or refuses them."""

    exit_code = ExitCode.REFUSED_CREDENTIALS


class CountMismatch(EndpointError):
    """An endpoint holding other triple counts than were pushed to it."""

    exit_code = ExitCode.COUNT_MISMATCH


class RdfSyntaxError(InputError):
    """An RDF file that does not parse, with its position."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str) -> None:
        where = path if line is None else f"{path}:{line}"
        if line is not None and column is not None:
            where += f":{column}"
        super().__init__(f"{where}: {detail}", hint="fix the syntax at that position")
        self.path = path
        self.line = line
        self.column = column


def syntax_problem(exc: SyntaxError, limit: int = 160) -> str:
    """A parser's message in one line: Oxigraph lists every token it expected, over
    several lines; the position and the first of them say enough."""
    text = " ".join(str(exc.msg).split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."
