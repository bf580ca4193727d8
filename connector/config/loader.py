"""Load one admin YAML file into a pydantic model, reporting every problem (style 7).

Contract for the models loaded here:

* They are pydantic v2 models with ``extra="forbid"`` (use :class:`AdminModel`), so
  an unknown key is a problem with a did-you-mean suggestion.
* Field validators raise ``ValueError`` whose message says what is *expected*,
  e.g. ``raise ValueError("a 5-field cron expression such as '*/5 * * * *'")``;
  the loader prints it after "expected".
* Use discriminated unions (``Field(discriminator=...)``) for lists of rules of
  several kinds, so that one bad rule gives one problem, not one per kind.
* **Semantic checks** (monotone grids, gaps between ranges, cross-references):
  any model, at any depth, may define ``check(self) -> Iterable[Finding]``. The
  loader calls it on every validated model of the tree, depth first, only when
  the whole file validated. ``Finding.key`` is relative to the model that
  reports it (``"bands[2].max_days"``, or ``""`` for the model itself); the
  loader prefixes the model's own path and looks up the line. Example::

      class Bands(AdminModel):
          bands: list[Band]

          def check(self) -> list[Finding]:
              return [
                  Finding(f"bands[{i}].max_days",
                          f"> bands[{i - 1}].max_days ({prev.max_days})",
                          show_value(band.max_days))
                  for i, (prev, band) in enumerate(pairwise(self.bands), start=1)
                  if band.max_days <= prev.max_days
              ]

  gives ``config/policy.yaml:31: scoring.recency.bands[2].max_days: expected
  > bands[1].max_days (30), got 0``.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from connector.config.describe import describe_field, describe_type, show_value
from connector.config.yaml_source import (
    KeyPath,
    YamlDocument,
    format_key,
    parse_key,
    parse_yaml,
    read_yaml,
)
from connector.errors import ConfigError, ConfigProblem

M = TypeVar("M", bound=BaseModel)


class AdminModel(BaseModel):
    """Base of every admin-file model: unknown keys are errors, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(NamedTuple):
    """One semantic problem a model reports about itself (see the module docstring).

    Attributes:
        key: path relative to the reporting model, e.g. ``rules[2].points``; ``""``
            for the model itself.
        expected: what would be right, in words (``"> bands[1].max_days (30)"``).
        found: what the file holds, usually ``show_value(value)``.
    """

    key: str
    expected: str
    found: str


def load_model(path: Path, model: type[M], *, label: str) -> M:
    """Read the admin file at ``path`` into ``model``.

    Args:
        path: the YAML file.
        model: the pydantic model of the whole file.
        label: the file as the admin knows it, e.g. ``config/policy.yaml``.

    Returns:
        The validated model (semantic checks passed).

    Raises:
        ConfigError: one :class:`ConfigProblem` per invalid value, each with the
            file, key path, expected, found and line.
    """
    value, problems = collect_model(path, model, label=label)
    if problems or value is None:
        raise ConfigError(problems=problems, hint=f"fix {label} and run `leadsync doctor`")
    return value


def collect_model(
    path: Path, model: type[M], *, label: str
) -> tuple[M | None, list[ConfigProblem]]:
    """Like :func:`load_model` but returns the problems instead of raising.

    Returns:
        ``(model, [])`` when the file is valid, else ``(None, problems)``.
    """
    try:
        doc = read_yaml(path, label=label)
    except ConfigError as exc:
        return None, exc.problems
    return validate_document(doc, model, label=label)


def load_model_text(text: str, model: type[M], *, label: str) -> M:
    """Validate YAML ``text`` into ``model``; see :func:`load_model`."""
    try:
        doc = parse_yaml(text, label=label)
    except ConfigError:
        raise
    value, problems = validate_document(doc, model, label=label)
    if problems or value is None:
        raise ConfigError(problems=problems, hint=f"fix {label} and run `leadsync doctor`")
    return value


def validate_document(
    doc: YamlDocument, model: type[M], *, label: str
) -> tuple[M | None, list[ConfigProblem]]:
    """Validate a parsed document into ``model`` and run the semantic checks."""
    problems = [
        ConfigProblem(
            file=label,
            key=format_key(path),
            expected="each key once in its mapping",
            found="the key again",
            line=line,
        )
        for path, line in doc.duplicates
    ]
    if not isinstance(doc.data, Mapping):
        found = "an empty file" if doc.data is None else show_value(doc.data)
        problems.append(
            ConfigProblem(
                file=label,
                key="",
                expected=describe_type(model),
                found=found,
                line=doc.line_of(()),
            )
        )
        return None, problems
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, model, doc, label))
        return None, problems
    problems.extend(run_checks(value, doc, label))
    return (value if not problems else None), problems


def run_checks(value: BaseModel, doc: YamlDocument | None, label: str) -> list[ConfigProblem]:
    """Call ``check()`` on every model in the tree of ``value`` (depth first)."""
    problems: list[ConfigProblem] = []
    for path, node in _models_in(value, ()):
        checker = getattr(type(node), "check", None)
        if not callable(checker):
            continue
        for finding in checker(node):
            full = (*path, *parse_key(finding.key))
            problems.append(
                ConfigProblem(
                    file=label,
                    key=format_key(full),
                    expected=finding.expected,
                    found=finding.found,
                    line=doc.line_of(full) if doc else None,
                )
            )
    return problems


def _models_in(value: Any, path: KeyPath) -> Iterable[tuple[KeyPath, BaseModel]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _models_in(getattr(value, name), (*path, name))
        yield path, value
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _models_in(item, (*path, index))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _models_in(item, (*path, str(key)))


# -- turning pydantic errors into admin words -----------------------------------------


def _strip(annotation: Any) -> Any:
    """Drop ``Annotated`` and ``None`` from ``annotation`` to see the container type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


class _Located(NamedTuple):
    data_path: KeyPath
    field: FieldInfo | None
    annotation: Any
    parent_model: type[BaseModel] | None
    value: Any
    has_value: bool


def _locate(model: type[BaseModel], loc: tuple[str | int, ...], data: Any) -> _Located:
    """Follow pydantic's ``loc`` through the model and the data at the same time.

    Union members add tags to ``loc`` that are not keys of the file; walking the
    data tells them apart, so the admin sees ``rules[2].points``.
    """
    annotation: Any = model
    field: FieldInfo | None = None
    parent: type[BaseModel] | None = None
    path: list[str | int] = []
    current, has_value = data, True
    for step in loc:
        bare = _strip(annotation)
        is_data_step = (isinstance(current, Mapping) and step in current) or (
            isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)
        )
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            parent = bare
            field = bare.model_fields.get(str(step))
            annotation = field.annotation if field else None
        elif get_origin(bare) in (Union, types.UnionType):
            chosen = _union_member(bare, step, current)
            if not is_data_step and (chosen is not None or isinstance(step, str)):
                # A step right under a union that is not in the file is pydantic's tag of
                # the member it tried (``list[union[str,int]]``, ``literal['once']``): it
                # is never a key, so ``scope.stage[0]`` stays ``scope.stage[0]``.
                annotation = chosen if chosen is not None else annotation
                continue
            annotation, field = None, None
        elif get_origin(bare) in (list, tuple, set, frozenset) and isinstance(step, int):
            args = [a for a in get_args(bare) if a is not Ellipsis]
            annotation, field = (args[0] if args else None), None
        elif get_origin(bare) is dict:
            args = get_args(bare)
            annotation, field = (args[1] if args else None), None
        else:
            annotation, field = None, None
        if is_data_step:
            path.append(step)
            current = current[step]
        elif isinstance(current, (Mapping, list)):
            # A key the file lacks (a missing required key): still part of the path.
            path.append(step)
            has_value = False
            current = None
        else:
            continue
    return _Located(tuple(path), field, annotation, parent, current, has_value)


def _union_member(union: Any, step: str | int, current: Any) -> Any:
    for member in get_args(union):
        bare = _strip(member)
        name = getattr(bare, "__name__", str(bare))
        if step in (name, str(name).lower()):
            return member
        # pydantic tags generic members by origin and arguments: ``list[...]``, ``literal[...]``.
        origin = get_origin(bare)
        tag = "literal" if origin is Literal else getattr(origin, "__name__", None)
        if tag and isinstance(step, str) and step.lower().startswith(f"{tag.lower()}["):
            return member
    # Discriminated unions tag by the discriminator's value.
    for member in get_args(union):
        bare = _strip(member)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            for info in bare.model_fields.values():
                literal = get_args(info.annotation)
                if step in literal and isinstance(current, Mapping):
                    return member
    return None


def _expected(error: Mapping[str, Any], where: _Located) -> str:
    kind = error["type"]
    if kind in ("value_error", "assertion_error"):
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        # Validators phrase the expectation; tolerate those that start with "expected".
        text = text.removeprefix("expected ")
        return text.split(", got ")[0] if text.startswith(("a ", "an ")) else text
    if where.field is not None:
        return describe_field(where.field)
    if where.annotation is not None:
        return describe_type(where.annotation)
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def _problems_from(
    exc: ValidationError, model: type[BaseModel], doc: YamlDocument, label: str
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    seen: set[KeyPath] = set()
    for error in exc.errors(include_url=False):
        where = _locate(model, tuple(error["loc"]), doc.data)
        if where.data_path in seen:
            # One problem per value: a union member that also failed adds nothing.
            continue
        seen.add(where.data_path)
        key = format_key(where.data_path)
        line = doc.line_of(where.data_path)
        if error["type"] == "extra_forbidden":
            allowed = list(where.parent_model.model_fields) if where.parent_model else []
            name = str(where.data_path[-1]) if where.data_path else ""
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            problems.append(
                ConfigProblem(
                    file=label,
                    key=key,
                    expected="one of the known keys: " + ", ".join(allowed),
                    found=f"the unknown key {name!r}",
                    suggestion=close[0] if close else None,
                    line=line,
                )
            )
            continue
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            problems.append(_tag_problem(error, where, doc, label))
            continue
        found = show_value(where.value) if where.has_value else _MISSING
        problems.append(
            ConfigProblem(
                file=label,
                key=key,
                expected=_expected(error, where),
                found=found,
                line=line,
            )
        )
    # A misspelt key also leaves its right name missing: the typo alone is the problem.
    typo_targets = {
        format_key((*parse_key(p.key)[:-1], p.suggestion)) for p in problems if p.suggestion
    }
    return [p for p in problems if not (p.key in typo_targets and p.found == _MISSING)]


_MISSING = "nothing (the key is missing)"


def _tag_problem(
    error: Mapping[str, Any], where: _Located, doc: YamlDocument, label: str
) -> ConfigProblem:
    """A rule whose kind key is missing or unknown: point at that key."""
    ctx = error.get("ctx", {})
    tag_key = str(ctx.get("discriminator", "kind")).strip("'\"")
    path = (*where.data_path, tag_key)
    tags = str(ctx.get("expected_tags", "")).replace("'", "")
    value = where.value.get(tag_key) if isinstance(where.value, Mapping) else None
    return ConfigProblem(
        file=label,
        key=format_key(path),
        expected=f"one of: {tags}" if tags else "a known kind",
        found=show_value(value) if value is not None else _MISSING,
        line=doc.line_of(path),
    )


__all__ = [
    "AdminModel",
    "Finding",
    "collect_model",
    "load_model",
    "load_model_text",
    "run_checks",
    "validate_document",
]
