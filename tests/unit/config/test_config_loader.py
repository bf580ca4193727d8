"""The loader: one problem per invalid value, with file, line, key, expected, found."""

from typing import Annotated, Literal

import pytest
from pydantic import Field

from connector.config.loader import AdminModel, Finding, load_model, load_model_text
from connector.errors import ConfigError

LABEL = "config/policy.yaml"


class _Hot(AdminModel):
    downgrade_after_days: int = Field(ge=1)
    touches: int = 0


class _Lifecycle(AdminModel):
    hot: _Hot
    start: Literal["Hot", "Warm", "Cold"] = "Warm"


class _Event(AdminModel):
    kind: Literal["event"]
    points: float


class _Field(AdminModel):
    kind: Literal["field"]
    field: str


class _Band(AdminModel):
    max_days: int


class _Recency(AdminModel):
    bands: list[_Band]

    def check(self):
        return [
            Finding(f"bands[{i}].max_days", f"> bands[{i - 1}].max_days", repr(b.max_days))
            for i, b in enumerate(self.bands)
            if i and b.max_days <= self.bands[i - 1].max_days
        ]


class _Score(AdminModel):
    rules: list[Annotated[_Event | _Field, Field(discriminator="kind")]] = []
    recency: _Recency | None = None


class _Root(AdminModel):
    lifecycle: _Lifecycle
    score: _Score = _Score()
    labels: dict[str, str] = {}


def _problems(text):
    with pytest.raises(ConfigError) as caught:
        load_model_text(text, _Root, label=LABEL)
    return caught.value.problems


def test_loader_bad_integer_names_file_line_key_expected_found():
    text = "lifecycle:\n  hot:\n    downgrade_after_days: abc\n"
    (problem,) = _problems(text)
    assert str(problem) == (
        "config/policy.yaml:3: lifecycle.hot.downgrade_after_days: "
        "expected an integer >= 1, got 'abc'"
    )


def test_loader_value_below_minimum_reports_bound():
    (problem,) = _problems("lifecycle:\n  hot: {downgrade_after_days: 0}\n")
    assert problem.key == "lifecycle.hot.downgrade_after_days"
    assert problem.expected == "an integer >= 1"
    assert problem.found == "0"
    assert problem.line == 2


def test_loader_every_invalid_value_gives_one_problem():
    text = (
        "lifecycle:\n"
        "  hot: {downgrade_after_days: x, touches: y}\n"
        "  start: Lukewarm\n"
        "score:\n"
        "  rules:\n"
        "    - {kind: event, points: many}\n"
        "    - {kind: field}\n"
        "    - {kind: other}\n"
    )
    keys = [p.key for p in _problems(text)]
    assert keys == [
        "lifecycle.hot.downgrade_after_days",
        "lifecycle.hot.touches",
        "lifecycle.start",
        "score.rules[0].points",
        "score.rules[1].field",
        "score.rules[2].kind",
    ]


def test_loader_literal_lists_allowed_values():
    problems = _problems("lifecycle:\n  hot: {downgrade_after_days: 3}\n  start: Lukewarm\n")
    assert problems[0].expected == "one of: Hot, Warm, Cold"
    assert problems[0].found == "'Lukewarm'"


def test_loader_unknown_key_suggests_the_close_name():
    (problem,) = _problems("lifecycle:\n  hot:\n    downgrade_after_day: 3\n")
    assert problem.key == "lifecycle.hot.downgrade_after_day"
    assert problem.suggestion == "downgrade_after_days"
    assert problem.line == 3
    assert "did you mean 'downgrade_after_days'?" in str(problem)


def test_loader_missing_key_says_nothing_found():
    (problem,) = _problems("lifecycle:\n  hot: {}\n")
    assert problem.key == "lifecycle.hot.downgrade_after_days"
    assert "missing" in problem.found


def test_loader_syntax_error_names_the_line():
    text = "lifecycle:\n  hot:\n    downgrade_after_days: [1, 2\n  start: Hot\n"
    (problem,) = _problems(text)
    assert problem.file == LABEL
    assert problem.line == 4
    assert problem.expected == "valid YAML"


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_loader_empty_file_is_a_clear_problem(text):
    (problem,) = _problems(text)
    assert problem.found == "an empty file"


def test_loader_list_at_top_level_is_a_clear_problem():
    (problem,) = _problems("- a\n- b\n")
    assert problem.expected.startswith("a mapping")
    assert problem.found == "a list of 2 items"


def test_loader_duplicate_key_is_reported():
    text = (
        "lifecycle:\n  hot: {downgrade_after_days: 3}\n"
        "lifecycle:\n  hot: {downgrade_after_days: 4}\n"
    )
    (problem,) = _problems(text)
    assert problem.key == "lifecycle"
    assert problem.line == 3


def test_loader_yes_and_no_stay_text():
    # The "Norway problem": picklist values No / Yes must not become booleans.
    value = load_model_text(
        "lifecycle: {hot: {downgrade_after_days: 3}}\nlabels: {No: 'N', yes: on}\n",
        _Root,
        label=LABEL,
    )
    assert value.labels == {"No": "N", "yes": "on"}


def test_loader_semantic_check_key_is_prefixed_and_lined():
    text = (
        "lifecycle: {hot: {downgrade_after_days: 3}}\n"
        "score:\n"
        "  recency:\n"
        "    bands:\n"
        "      - max_days: 7\n"
        "      - max_days: 30\n"
        "      - max_days: 10\n"
    )
    (problem,) = _problems(text)
    assert problem.key == "score.recency.bands[2].max_days"
    assert problem.expected == "> bands[1].max_days"
    assert problem.found == "10"
    assert problem.line == 7


def test_loader_long_value_is_truncated():
    (problem,) = _problems(f"lifecycle:\n  hot: {{downgrade_after_days: {'x' * 500}}}\n")
    assert len(problem.found) <= 60
    assert problem.found.endswith("...")


def test_load_model_missing_file_is_a_problem(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_model(tmp_path / "nope.yaml", _Root, label="config/nope.yaml")
    assert caught.value.problems[0].file == "config/nope.yaml"
    assert caught.value.exit_code == 2
