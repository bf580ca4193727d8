"""The ``leadsync`` command line (typer + rich; interfaces.md "Commands").

One module per command group; each exposes ``register(app)`` and keeps its
command thin (style 13). Errors are rendered by ``output.handles_errors``;
logs go to stderr through the redacting filter.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from connector.__about__ import __version__
from connector.cli import (
    demo,
    doctor,
    explain,
    forget,
    init,
    outbox,
    report,
    run,
    sandbox,
    status,
    sync,
    whatif,
)
from connector.config.redaction import configure_logging
from connector.gc_tuning import tune_for_batches

app = typer.Typer(
    name="leadsync",
    help="leadsync: scores your CRM's leads with the lead-management playbook and writes "
    "status, score, Flag and follow-up tasks back. Start with `leadsync init DIR`, then "
    "`leadsync doctor --project-dir DIR`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leadsync {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="More detail in the logs (stderr).")
    ] = False,
) -> None:
    """Set up logging (stderr only, secrets masked) before any command runs."""
    del version
    level = "DEBUG" if verbose else os.environ.get("LEADSYNC_LOG_LEVEL", "INFO")
    configure_logging(level=level, verbose=verbose)


for _module in (
    init,
    doctor,
    sync,
    run,
    explain,
    report,
    sandbox,
    demo,
    status,
    outbox,
    whatif,
    forget,
):
    _module.register(app)


def main() -> None:
    """Console-script entry point (``leadsync``)."""
    tune_for_batches()
    app()


__all__ = ["app", "main"]
