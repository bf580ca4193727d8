"""The released artefacts work on their own (issue 10 item 4).

`python -m build` makes an sdist and, from it, a wheel; the wheel goes into a fresh
venv (dependencies from the package index) and the installed `leadsync` runs init,
doctor and the demo from a folder outside the checkout, with no PYTHONPATH: only what
the wheel ships is used. The figures (seconds per step) are printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from connector.__about__ import __version__

ROOT = Path(__file__).resolve().parents[2]


def _clean_env() -> dict[str, str]:
    # The suite runs with PYTHONPATH pointing at the checkout; the venv must not see it.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LEADSYNC_", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE"))
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], *, cwd: Path, timings: dict[str, float], label: str):
    started = time.monotonic()
    result = subprocess.run(
        args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=900, check=False
    )
    timings[label] = time.monotonic() - started
    assert result.returncode == 0, f"{label}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.slow
def test_built_wheel_installs_in_a_fresh_venv_and_runs_init_doctor_demo(tmp_path):
    pytest.importorskip("build", reason="the test extras install `build`")
    timings: dict[str, float] = {}
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        cwd=tmp_path,
        timings=timings,
        label="build",
    )
    (wheel,) = dist.glob(f"leadsync-{__version__}-py3-none-any.whl")
    (sdist,) = dist.glob(f"leadsync-{__version__}.tar.gz")
    assert sdist.stat().st_size > 0

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        cwd=tmp_path,
        timings=timings,
        label="pip install",
    )
    leadsync = str(bin_dir / "leadsync")
    work = tmp_path / "work"
    work.mkdir()

    version = _run([leadsync, "--version"], cwd=work, timings=timings, label="--version")
    assert version.stdout.strip() == f"leadsync {__version__}"
    # The installed package, not the checkout, answers.
    where = _run(
        [str(bin_dir / "python"), "-c", "import connector; print(connector.__file__)"],
        cwd=work,
        timings=timings,
        label="import",
    )
    assert str(env_dir) in where.stdout

    _run([leadsync, "init", "acme"], cwd=work, timings=timings, label="init")
    for name in ("config/policy.yaml", "config/connections.yaml", "mappings/salesforce.yaml"):
        assert (work / "acme" / name).is_file(), name
    _run(
        [leadsync, "doctor", "--fix", "--project-dir", "acme"],
        cwd=work,
        timings=timings,
        label="doctor",
    )
    assert (work / "acme" / "leadsync-salesforce" / "manifest" / "package.xml").is_file()
    demo = _run(
        [leadsync, "demo", "--crm", "salesforce", "--leads", "30"],
        cwd=work,
        timings=timings,
        label="demo",
    )
    assert "salesforce" in (demo.stdout + demo.stderr).lower()
    print("packaging seconds:", {k: round(v, 1) for k, v in timings.items()})
