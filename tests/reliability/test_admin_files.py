"""Every key of every admin file, broken, gives file/key/expected/found and exit 2 (issue 9 item 3).

The cases are generated from the shipped defaults (``connector/defaults``), so a key added
to a file tomorrow is covered tomorrow. Each key gets a value of the wrong type: a scalar
or list gets a mapping, a mapping gets a number. To stay fast, all keys of one nesting depth
of one file are broken in the same copy (their parents stay intact) and the loader must report
each of them: it collects every problem before it reports (style 7).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from connector.cli import app
from connector.config.connections import Connections
from connector.config.jobs import Job
from connector.config.loader import collect_model
from connector.config.mapping import CrmMapping
from connector.config.policy import Policy
from connector.config.project import init_project

DEFAULTS = Path(__file__).parents[2] / "connector" / "defaults"
KeyPath = tuple[str | int, ...]


def _admin_files() -> list[tuple[str, type[BaseModel]]]:
    files: list[tuple[str, type[BaseModel]]] = [
        ("config/connections.yaml", Connections),
        ("config/policy.yaml", Policy),
    ]
    files += [(f"mappings/{p.name}", CrmMapping) for p in sorted(DEFAULTS.glob("mappings/*.yaml"))]
    files += [(f"jobs/{p.name}", Job) for p in sorted(DEFAULTS.glob("jobs/*.yaml"))]
    return files


FILES = _admin_files()


def _nodes(node: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    if path:
        yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, (*path, index))


def _key(path: KeyPath) -> str:
    """The key as the loader spells it: ``activities[1].kinds.Quote.category``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _wrong(value: Any) -> Any:
    # A mapping where a number, text, list or list-or-value belongs is wrong for every one of
    # them. Where a mapping belongs, a number is not always wrong (a scope value may be a
    # number or a {not: ...} mapping), but a mapping holding an unknown key with a nested
    # list of lists is: no model, value map or scope takes it.
    if isinstance(value, dict):
        return {"wrong": {"deeper": [[1]]}}
    return {"wrong": [1]}


def _set(document: Any, path: KeyPath, value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def _load(label: str) -> Any:
    return yaml.safe_load((DEFAULTS / label).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("label", "model"), FILES, ids=[f for f, _ in FILES])
def test_admin_file_every_key_of_wrong_type_is_named_with_expected_and_found(
    label: str, model: type[BaseModel], tmp_path: Path
) -> None:
    original = _load(label)
    by_depth: dict[int, list[KeyPath]] = {}
    for path, _value in _nodes(original):
        by_depth.setdefault(len(path), []).append(path)
    assert by_depth, label
    tried = 0
    for depth, paths in sorted(by_depth.items()):
        broken = copy.deepcopy(original)
        for path in paths:
            _set(broken, path, _wrong(_value_at(original, path)))
        target = tmp_path / f"depth{depth}.yaml"
        target.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        value, problems = collect_model(target, model, label=label)
        assert value is None
        found = {p.key: p for p in problems}
        for path in paths:
            key = _key(path)
            # The key itself, or (a value that could be one of several shapes) a key under it.
            under = [k for k in found if k.startswith((f"{key}.", f"{key}["))]
            assert key in found or under, f"{label}: {key} broken but not reported"
            problem = found[key] if key in found else found[under[0]]
            key = problem.key
            assert problem.file == label
            assert problem.expected, key
            assert problem.found, key
            # The message an admin reads names all four.
            text = str(problem)
            assert label in text
            assert key in text
            assert problem.expected in text
            assert problem.found in text
            tried += 1
    assert tried == sum(len(p) for p in by_depth.values())


def _value_at(document: Any, path: KeyPath) -> Any:
    for step in path:
        document = document[step]
    return document


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_"):
            monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(("label", "model"), FILES, ids=[f for f, _ in FILES])
@pytest.mark.parametrize("command", ["doctor", "sync"])
def test_cli_broken_admin_file_exits_2_naming_file_and_key(
    label: str, model: type[BaseModel], command: str, tmp_path: Path
) -> None:
    del model
    root = tmp_path / "p"
    init_project(root)
    document = _load(label)
    # The last leaf of the file: deepest in the text, furthest from the top-level checks.
    path = next(p for p, v in reversed(list(_nodes(document))) if not isinstance(v, dict | list))
    _set(document, path, _wrong(_value_at(document, path)))
    (root / label).write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    result = CliRunner().invoke(app, [command, "--project-dir", str(root)])

    assert result.exit_code == 2, result.output
    assert label in result.output
    assert _key(path) in result.output
