"""Human words for what a model field expects and what a file holds (style 7).

Pydantic says "Input should be a valid integer"; an admin should read
"expected an integer >= 1, got 'abc'". These functions look at the field's
annotation and constraints and say what it accepts in plain words.
"""

from __future__ import annotations

import enum
import types
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

#: Longest shown value; admin files can hold long texts (memos, descriptions).
MAX_SHOWN = 60


def show_value(value: object) -> str:
    """The value as found in the file: ``repr``'d and cut to :data:`MAX_SHOWN` characters."""
    if isinstance(value, SecretStr):
        return "'**********'"
    if isinstance(value, dict):
        text = "a mapping {" + ", ".join(str(k) for k in list(value)[:6]) + "}"
    elif isinstance(value, list):
        text = f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    else:
        text = repr(value)
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 3] + "..."
    return text


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _constraints(metadata: list[Any], base: Any = None) -> list[str]:
    # A text counts characters, a list items: "a text with at least 1 item" misleads.
    unit = "character" if base is str else "item"
    words: list[str] = []
    for item in metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(item, attr, None)
            if bound is not None:
                words.append(f"{symbol} {bound}")
        min_len = getattr(item, "min_length", None)
        max_len = getattr(item, "max_length", None)
        if min_len:
            words.append(f"with at least {min_len} {unit}{'s' if min_len != 1 else ''}")
        if max_len is not None:
            words.append(f"with at most {max_len} {unit}s")
        pattern = getattr(item, "pattern", None)
        if pattern:
            words.append(f"matching {pattern}")
    return words


def describe_type(annotation: Any) -> str:
    """Say what values ``annotation`` accepts, e.g. ``an integer``, ``one of: Hot, Warm``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        words = _constraints(list(extra), base)
        text = describe_type(base)
        return f"{text} {' '.join(words)}" if words else text
    if origin is Literal:
        return "one of: " + ", ".join(str(v) for v in get_args(annotation))
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        text = " or ".join(describe_type(m) for m in members)
        if len(members) < len(get_args(annotation)):
            text += " (or empty)"
        return text
    if origin in (list, tuple, set, frozenset):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return f"a list of {_plural(describe_type(args[0]))}" if args else "a list"
    if origin is dict:
        args = get_args(annotation)
        return f"a mapping of {_plural(describe_type(args[1]))}" if args else "a mapping"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return "one of: " + ", ".join(str(m.value) for m in annotation)
        if issubclass(annotation, BaseModel):
            return "a mapping with the keys " + ", ".join(annotation.model_fields)
        simple = _SIMPLE.get(annotation)
        if simple:
            return simple
        return _article(annotation.__name__)
    return str(annotation)


def _plural(text: str) -> str:
    for prefix in ("an ", "a "):
        if text.startswith(prefix):
            noun = text[len(prefix) :]
            head, _, tail = noun.partition(" ")
            return f"{head}s {tail}".strip() if not head.endswith("s") else noun
    return text


_SIMPLE: dict[type, str] = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a text",
    SecretStr: "a secret text",
    Path: "a file path",
    datetime: "a date and time (ISO-8601, e.g. 2025-04-01T09:00:00Z)",
    date: "a date (YYYY-MM-DD)",
    time: "a time of day (HH:MM)",
    timedelta: "a duration",
}


def describe_field(field: FieldInfo) -> str:
    """Say what ``field`` accepts, its constraints included (``an integer >= 1``)."""
    text = describe_type(field.annotation)
    words = _constraints(list(field.metadata), field.annotation)
    return f"{text} {' '.join(words)}" if words else text


__all__ = ["MAX_SHOWN", "describe_field", "describe_type", "show_value"]
