"""The guides' examples are true: YAML examples validate, command lines exist (issue 10).

A doc example that no longer validates (a key renamed, a command dropped) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from doc_examples import (
    CommandLine,
    Edit,
    apply_edit,
    blocks,
    check_command,
    command_lines,
    prose,
    yaml_examples,
)

from connector.cli.app import app
from connector.config.project import check_project, init_project

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [
    ROOT / "docs" / name
    for name in ("salesforce-setup.md", "hubspot-setup.md", "admin-guide.md", "operator-guide.md")
]
ALL_DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
CLI = typer.main.get_command(app)


def _groups() -> dict[str, list[Edit]]:
    groups: dict[str, list[Edit]] = {}
    for path in GUIDES:
        for block in yaml_examples(path):
            edit = Edit.of(block)
            groups.setdefault(f"{path.name}:{edit.group}", []).append(edit)
    return groups


GROUPS = _groups()


def test_every_guide_exists_and_has_examples():
    for path in GUIDES:
        assert path.is_file(), path
    assert len(GROUPS) >= 8


def test_every_yaml_block_of_the_guides_is_a_checked_example():
    unchecked = [
        b.where
        for p in GUIDES
        for b in blocks(p)
        if b.language == "yaml" and "example" not in b.attrs
    ]
    assert unchecked == []


def _validate(root: Path) -> list[str]:
    result = check_project(root)
    return [str(p) for p in result.problems]


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_yaml_example_validates_in_a_fresh_project(group, tmp_path):
    root = tmp_path / "acme"
    init_project(root)
    for edit in GROUPS[group]:
        apply_edit(root, edit)
    assert _validate(root) == [], group
    result = check_project(root)
    labels = {f.label for f in result.files}
    for edit in GROUPS[group]:
        assert edit.file in labels, f"{edit.file} is not one of the project's admin files"
    assert result.project is not None


DOC_COMMANDS = [(line.where, line) for path in ALL_DOCS for line in command_lines(path)]


@pytest.mark.parametrize(("where", "line"), DOC_COMMANDS, ids=[w for w, _ in DOC_COMMANDS])
def test_command_line_exists(where, line):
    assert check_command(CLI, line) is None, f"{where}: {line}: {check_command(CLI, line)}"


# -- the checkers themselves catch what they must --------------------------------------------


@pytest.mark.parametrize(
    ("words", "notation", "why"),
    [
        (["frobnicate"], False, "no command 'frobnicate'"),
        (["sync", "--nope"], False, "no option --nope"),
        (["demo", "--crm", "oracle"], False, "not 'oracle'"),
        (["outbox", "purge"], False, "no command 'purge'"),
        (["doctor", "[--fix]", "[--repair]"], True, "no option --repair"),
        (["demo", "[--crm", "salesforce|oracle]"], True, "not 'oracle'"),
        (["explain", "A", "B"], False, "argument"),
    ],
)
def test_command_checker_rejects_wrong_lines(words, notation, why):
    problem = check_command(CLI, CommandLine("test", words, notation))
    assert problem is not None
    assert why in problem


@pytest.mark.parametrize(
    ("words", "notation"),
    [
        (["--version"], False),
        (["doctor", "--fix", "--project-dir", "acme", "--json"], False),
        (["demo", "[--crm", "salesforce|hubspot|both]", "[--leads", "N]"], True),
        (["outbox", "retry", "17", "18"], False),
        (["explain", "LEAD_ID"], True),
    ],
)
def test_command_checker_accepts_right_lines(words, notation):
    assert check_command(CLI, CommandLine("test", words, notation)) is None


def test_a_broken_yaml_example_fails_validation(tmp_path):
    doc = tmp_path / "bad.md"
    doc.write_text(
        "```yaml example file=config/policy.yaml at=lifecycle.windows.Hot\ndays: abc\n```\n",
        encoding="utf-8",
    )
    (block,) = yaml_examples(doc)
    root = tmp_path / "acme"
    init_project(root)
    apply_edit(root, Edit.of(block))
    problems = _validate(root)
    assert any("lifecycle.windows.Hot.days" in p for p in problems), problems


def test_an_example_pointing_nowhere_fails(tmp_path):
    doc = tmp_path / "bad.md"
    doc.write_text(
        "```yaml example file=config/policy.yaml at=lifecycle.windowz\nHot: {days: 3}\n```\n",
        encoding="utf-8",
    )
    (block,) = yaml_examples(doc)
    root = tmp_path / "acme"
    init_project(root)
    with pytest.raises(AssertionError, match=r"has no lifecycle\.windowz"):
        apply_edit(root, Edit.of(block))


# -- the admin guide names every key the loaders accept ---------------------------------------


def _model_keys(model: type, seen: set[type] | None = None) -> set[str]:
    """Every field name (alias where set) of a pydantic model and the models inside it."""
    import typing

    from pydantic import BaseModel

    seen = set() if seen is None else seen
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                keys |= _model_keys(annotation, seen)
            stack.extend(typing.get_args(annotation))
    return keys


def _backticked_words(text: str) -> set[str]:
    import re

    words: set[str] = set()
    # Inline code may wrap inside a paragraph, never across one.
    for paragraph in re.split(r"\n\s*\n", text):
        for span in re.findall(r"`([^`]+)`", paragraph):
            words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return words


@pytest.mark.parametrize(
    "model_path",
    [
        "connector.config.policy:Policy",
        "connector.config.connections:Connections",
        "connector.config.mapping:CrmMapping",
        "connector.config.jobs:Job",
    ],
)
def test_admin_guide_names_every_key(model_path):
    import importlib

    module, _, name = model_path.partition(":")
    model = getattr(importlib.import_module(module), name)
    documented = _backticked_words(prose(ROOT / "docs" / "admin-guide.md"))
    missing = sorted(_model_keys(model) - documented)
    assert missing == [], f"docs/admin-guide.md does not name {missing} ({name})"


def test_operator_guide_lists_exactly_the_settings_leadsync_reads():
    import re

    from connector.config.settings import ENV_PREFIX, Settings

    expected = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    text = prose(ROOT / "docs" / "operator-guide.md")
    listed = set(re.findall(r"`(LEADSYNC_[A-Z_]+)`", text))
    assert expected - listed == set(), "not documented"
    assert listed - expected == set(), "documented but not read by leadsync"


@pytest.mark.parametrize("path", ALL_DOCS, ids=[p.name for p in ALL_DOCS])
def test_every_environment_variable_named_exists(path):
    import re

    from connector.checkpoints import KILL_VARIABLE, TRACE_VARIABLE
    from connector.config.settings import ENV_PREFIX, Settings

    # The settings, plus the crash-test hooks docs/reliability.md explains.
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    known |= {KILL_VARIABLE, TRACE_VARIABLE}
    named = set(re.findall(r"\bLEADSYNC_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert named - known == set()
