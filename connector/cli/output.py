"""Where command output goes: JSON and results on stdout, messages on stderr (interfaces.md).

Every text leaving the process passes through the redactor
(:mod:`connector.config.redaction`), so a secret cannot reach a terminal or a
pipe even on an error path.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from connector.config.redaction import redactor
from connector.errors import ConfigError, LeadsyncError

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)


def stdout_console() -> Console:
    """Rich console on stdout for human-readable results (built per call: tests swap streams)."""
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    """Rich console on stderr for messages, hints and progress."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def emit_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as one JSON object on stdout, secrets masked."""
    text = json.dumps(payload, default=_default, ensure_ascii=False, sort_keys=False)
    sys.stdout.write(redactor()(text) + "\n")
    sys.stdout.flush()


def say(message: str, *, style: str | None = None) -> None:
    """A human-readable result line on stdout (not used with ``--json``)."""
    stdout_console().print(redactor()(message), style=style, markup=False)


def note(message: str) -> None:
    """A progress or information line on stderr."""
    stderr_console().print(redactor()(message), markup=False, style="dim")


@contextlib.contextmanager
def live_status(*, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A live one-line status on stderr for long work (only on a terminal, never with --json).

    Yields:
        a function that replaces the status text.
    """
    console = stderr_console()
    if not enabled or not console.is_terminal:
        yield lambda _message: None
        return
    with console.status("starting...") as status:
        yield lambda message: status.update(redactor()(message))


def report_error(error: LeadsyncError) -> None:
    """Print an error's message (every problem, one per line) and its hint on stderr."""
    console = stderr_console()
    clean = redactor()
    headline = "configuration problem" if isinstance(error, ConfigError) else "error"
    if isinstance(error, ConfigError) and error.problems:
        count = len(error.problems)
        console.print(f"{headline}: {count} problem{'s' if count != 1 else ''}", style="bold red")
        for line in error.message.splitlines():
            console.print("  " + clean(line), markup=False)
    else:
        console.print(f"{headline}: ", style="bold red", end="")
        console.print(clean(error.message), markup=False)
    if error.hint:
        console.print("hint: ", style="yellow", end="")
        console.print(clean(error.hint), markup=False)


def error_json(error: LeadsyncError) -> dict[str, Any]:
    """The JSON object printed on stdout for a failed command run with ``--json``."""
    problems = [
        {
            "file": p.file,
            "line": p.line,
            "key": p.key,
            "expected": p.expected,
            "found": p.found,
            "suggestion": p.suggestion,
            "message": str(p),
        }
        for p in getattr(error, "problems", [])
    ]
    return {
        "status": "error",
        "error": {
            "type": type(error).__name__,
            "message": error.message,
            "hint": error.hint,
            "exit_code": error.exit_code,
            "problems": problems,
        },
    }


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command: a :class:`LeadsyncError` becomes message + hint + its exit code.

    Anything else is a bug: it is logged (redacted) with its traceback and exits 5.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except LeadsyncError as exc:
            report_error(exc)
            if kwargs.get("as_json"):
                emit_json(error_json(exc))
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception:
            logger.exception("leadsync stopped on an unexpected error (a bug; please report it)")
            raise typer.Exit(5) from None

    return wrapper


__all__ = [
    "emit_json",
    "error_json",
    "handles_errors",
    "note",
    "report_error",
    "say",
    "stderr_console",
    "stdout_console",
]
