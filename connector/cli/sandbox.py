"""``leadsync sandbox serve``: a local emulator of a CRM, seeded with synthetic leads.

To plug in the emulators, replace the body of :func:`serve_sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import JsonOption, ProjectDirOption, parse_crm
from connector.cli.output import emit_json, handles_errors, note, say
from connector.errors import UsageError

#: The logins the Salesforce emulator's env file can set up (decision 16).
LOGINS = ("client-credentials", "password", "jwt")


@dataclass(frozen=True)
class SandboxRequest:
    """What ``sandbox serve`` was asked to run."""

    crm: str
    port: int
    leads: int
    seed: int
    faults: str | None
    env_file: Path | None
    login: str = "client-credentials"


def serve_sandbox(context: CommandContext, request: SandboxRequest) -> int:
    """Serve the emulator on 127.0.0.1 until Ctrl-C. Returns the exit code."""
    extra: dict[str, Any] = {}
    if request.crm == "salesforce":
        from connector.sandbox.salesforce import serve_forever

        extra["login"] = request.login
    else:
        from connector.sandbox.hubspot import serve_forever  # type: ignore[assignment]

    def ready(sandbox: Any) -> None:
        info = {"crm": request.crm, "base_url": sandbox.base_url, "leads": request.leads}
        if request.env_file:
            info["env_file"] = str(request.env_file)
        if context.as_json:
            emit_json({"command": "sandbox serve", **info})
        else:
            say(f"{request.crm} sandbox on {sandbox.base_url} with {request.leads} leads")
            if request.env_file:
                say(f"settings written to {request.env_file} (point a project at it)")
            note("Ctrl-C stops it")

    serve_forever(
        request.port,
        request.leads,
        request.seed,
        request.faults,
        request.env_file,
        on_ready=ready,
        **extra,
    )
    return 0


@handles_errors
def serve_command(
    crm: Annotated[str, typer.Option("--crm", help="salesforce or hubspot.")],
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 0,
    leads: Annotated[int, typer.Option("--leads", help="Synthetic leads to seed.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the synthetic data.")] = 1,
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults", help="Fault injection, e.g. rate=0.2,kinds=429+500+timeout,seed=7."
        ),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option("--env-file", help="Write the settings that point a project at the sandbox."),
    ] = None,
    login: Annotated[
        str,
        typer.Option(
            "--login",
            help="Salesforce login the env file sets up: client-credentials, password or jwt.",
        ),
    ] = "client-credentials",
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a local emulator of a CRM (loopback only), seeded with synthetic leads and activities."""
    context = begin("sandbox serve", project_dir, as_json=as_json)
    name = parse_crm(crm)
    if name is None or not 0 <= port <= 65535 or leads < 0:
        msg = "sandbox serve: expected --crm salesforce|hubspot, --port 0..65535, --leads >= 0"
        raise UsageError(msg)
    if login not in LOGINS or (login != LOGINS[0] and name != "salesforce"):
        msg = f"sandbox serve: --login takes {', '.join(LOGINS)} (Salesforce only), got {login!r}"
        raise UsageError(msg)
    request = SandboxRequest(name, port, leads, seed, faults, env_file, login)
    code = serve_sandbox(context, request)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add the ``sandbox`` group to ``app``."""
    group = typer.Typer(
        help="Local CRM emulators for demos, tests and benchmarks.", no_args_is_help=True
    )
    group.command("serve")(serve_command)
    app.add_typer(group, name="sandbox")


__all__ = ["SandboxRequest", "register", "serve_command", "serve_sandbox"]
