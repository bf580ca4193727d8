"""A mapping may emit only behaviour kinds the policy defines (L-2): others would not count."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import check_project, init_project

runner = CliRunner()


def test_default_mappings_emit_only_kinds_the_default_policy_defines(tmp_path: Path) -> None:
    init_project(tmp_path / "p")
    check = check_project(tmp_path / "p")
    assert [str(p) for p in check.problems] == []


def test_unknown_kind_names_file_key_expected_found_and_exits_2(tmp_path: Path) -> None:
    root = tmp_path / "p"
    init_project(root)
    mapping = root / "mappings" / "salesforce.yaml"
    text = mapping.read_text()
    assert "Clicked: {kind: email_click, category: 1}" in text
    mapping.write_text(text.replace("kind: email_click", "kind: email_klick"))
    problems = [p for p in check_project(root).problems if p.file == "mappings/salesforce.yaml"]
    # one problem per place the misspelt kind is mapped, each naming its key
    assert len(problems) == text.count("kind: email_click")
    assert any(p.key.endswith("kinds.Clicked.kind") for p in problems)
    for problem in problems:
        assert problem.key.startswith("activities[")
        assert "events.kinds" in problem.expected
        assert "email_click" in problem.expected
        assert problem.found == "'email_klick'"
    result = runner.invoke(app, ["doctor", "-p", str(root)])
    assert result.exit_code == 2
    assert "email_klick" in result.output
