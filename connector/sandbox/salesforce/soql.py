"""The SOQL subset the emulator answers (crm-apis.md 1.2).

``SELECT f, ... | COUNT() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
[LIMIT n] [OFFSET n]``. Conditions compare a field with a literal (``= != <> < <= > >=``,
``[NOT] IN (...)``, ``LIKE``), grouped with parentheses and joined by ``AND`` / ``OR`` (mixing
both without parentheses is refused, as Salesforce does), negated with ``NOT``. Literals:
quoted strings (``\\'`` escapes), numbers, ``true``/``false``/``null``, unquoted datetimes
(``2024-05-01T00:00:00Z`` / ``+09:00``) and dates. Keywords and field names are
case-insensitive; string comparisons too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.salesforce.schema import ID_TYPES, NUMBER_TYPES, FieldDef, ObjectDef
from connector.sandbox.salesforce.schema import object_named as _object_named
from connector.sandbox.salesforce.values import normalize_id, parse_date, parse_datetime

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    |(?P<op>!=|<>|<=|>=|=|<|>)
    |(?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_KEYWORDS = frozenset(
    {
        "select",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "like",
        "order",
        "by",
        "asc",
        "desc",
        "nulls",
        "first",
        "last",
        "limit",
        "offset",
        "true",
        "false",
        "null",
    }
)


class SoqlError(Exception):
    """A query Salesforce would refuse with 400.

    Attributes:
        code: ``MALFORMED_QUERY``, ``INVALID_FIELD`` or ``INVALID_TYPE``.
    """

    def __init__(self, code: str, message: str) -> None:
        """Keep the error code beside the message."""
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    value: Any = None


@dataclass
class Query:
    """A parsed, checked query.

    Attributes:
        sobject: the object queried.
        fields: selected fields (canonical names); empty for ``COUNT()``.
        is_count: ``SELECT COUNT()``.
        where: the compiled condition (None: every row).
        order: (field, descending, nulls_last) keys.
        limit: LIMIT, or None.
        offset: OFFSET.
    """

    sobject: ObjectDef
    fields: list[str] = field(default_factory=list)
    is_count: bool = False
    where: Predicate | None = None
    order: list[tuple[str, bool, bool]] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0

    def run(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Filter, sort, offset and limit ``rows`` (the matching records, not projected)."""
        matched = [r for r in rows if self.where is None or self.where(r)]
        for name, descending, nulls_last in reversed(self.order):
            present = [r for r in matched if r.get(name) is not None]
            absent = [r for r in matched if r.get(name) is None]
            present.sort(key=lambda r, n=name: _sort_key(r[n]), reverse=descending)
            matched = present + absent if nulls_last else absent + present
        matched = matched[self.offset :]
        if self.limit is not None:
            matched = matched[: self.limit]
        return matched


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def tokenize(text: str) -> list[_Token]:
    """Split SOQL text into tokens.

    Raises:
        SoqlError: ``MALFORMED_QUERY`` at the first character no token matches.
    """
    tokens: list[_Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            rest = text[position:].strip()
            msg = f"unexpected token: '{rest.split()[0] if rest else rest}'"
            raise SoqlError("MALFORMED_QUERY", msg)
        kind = match.lastgroup or ""
        raw = match.group(kind)
        value: Any = raw
        if kind == "string":
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw[1:-1])
        elif kind == "name" and raw.lower() in _KEYWORDS:
            kind = "keyword"
            value = raw.lower()
        tokens.append(_Token(kind, raw, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.sobject: ObjectDef | None = None

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self.pos += 1
        return token

    def is_keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "keyword" and token.value == word

    def expect_keyword(self, word: str) -> None:
        token = self.take()
        if token.kind != "keyword" or token.value != word:
            msg = f"unexpected token: '{token.text}' (expected {word.upper()})"
            raise SoqlError("MALFORMED_QUERY", msg)

    def expect_punct(self, char: str) -> None:
        token = self.take()
        if token.text != char:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")

    def parse(self) -> Query:
        self.expect_keyword("select")
        selected, is_count = self._select_list()
        self.expect_keyword("from")
        name = self.take()
        if name.kind != "name":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{name.text}'")
        sobject = _object_named(name.text)
        if sobject is None:
            msg = (
                f"sObject type '{name.text}' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name."
            )
            raise SoqlError("INVALID_TYPE", msg)
        self.sobject = sobject
        query = Query(sobject, [self._field(n).name for n in selected], is_count)
        if self.is_keyword("where"):
            self.take()
            query.where = self._expression()
        if self.is_keyword("order"):
            self.take()
            self.expect_keyword("by")
            query.order = self._order_list()
        if self.is_keyword("limit"):
            self.take()
            query.limit = self._integer()
        if self.is_keyword("offset"):
            self.take()
            query.offset = self._integer()
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{self.take().text}'")
        return query

    def _select_list(self) -> tuple[list[str], bool]:
        first = self.peek()
        if first is not None and first.text.lower() == "count" and self.peek(1) is not None:
            self.take()
            self.expect_punct("(")
            self.expect_punct(")")
            return [], True
        names: list[str] = []
        while True:
            token = self.take()
            if token.kind != "name":
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
            names.append(token.text)
            if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.take()
                continue
            return names, False

    def _field(self, name: str) -> FieldDef:
        assert self.sobject is not None
        spec = self.sobject.field_named(name)
        if spec is None:
            msg = (
                f"No such column '{name}' on entity '{self.sobject.name}'. If you are attempting "
                "to use a custom field, be sure to append the '__c' after the custom field name."
            )
            raise SoqlError("INVALID_FIELD", msg)
        return spec

    def _integer(self) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        return int(token.text)

    def _order_list(self) -> list[tuple[str, bool, bool]]:
        keys: list[tuple[str, bool, bool]] = []
        while True:
            token = self.take()
            if token.kind != "name":
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
            name = self._field(token.text).name
            descending = False
            if self.is_keyword("asc") or self.is_keyword("desc"):
                descending = self.take().value == "desc"
            nulls_last = descending
            if self.is_keyword("nulls"):
                self.take()
                word = self.take()
                if word.value not in {"first", "last"}:
                    raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{word.text}'")
                nulls_last = word.value == "last"
            keys.append((name, descending, nulls_last))
            nxt = self.peek()
            if nxt is not None and nxt.text == ",":
                self.take()
                continue
            return keys

    def _expression(self) -> Predicate:
        parts = [self._unary()]
        joiner: str | None = None
        while self.is_keyword("and") or self.is_keyword("or"):
            word = self.take().value
            if joiner is not None and word != joiner:
                # Salesforce refuses a AND b OR c without parentheses.
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{word.upper()}'")
            joiner = word
            parts.append(self._unary())
        if len(parts) == 1:
            return parts[0]
        if joiner == "and":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)

    def _unary(self) -> Predicate:
        if self.is_keyword("not"):
            self.take()
            inner = self._unary()
            return lambda r: not inner(r)
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            self.take()
            inner = self._expression()
            self.expect_punct(")")
            return inner
        return self._condition()

    def _condition(self) -> Predicate:
        token = self.take()
        if token.kind != "name":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        spec = self._field(token.text)
        negate = False
        if self.is_keyword("not") and self.is_keyword("in", 1):
            self.take()
            negate = True
        if self.is_keyword("in"):
            self.take()
            values = self._value_list(spec)
            name = spec.name
            members = {_comparable(spec, v) for v in values}
            return lambda r: (_comparable(spec, r.get(name)) in members) != negate
        if self.is_keyword("like"):
            self.take()
            literal = self.take()
            if literal.kind != "string":
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{literal.text}'")
            return _like(spec.name, str(literal.value))
        operator = self.take()
        if operator.kind != "op":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{operator.text}'")
        value = self._value(spec)
        return _compare(spec, operator.text, value)

    def _value_list(self, spec: FieldDef) -> list[Any]:
        self.expect_punct("(")
        values = [self._value(spec)]
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.take()
            values.append(self._value(spec))
        self.expect_punct(")")
        return values

    def _value(self, spec: FieldDef) -> Any:
        token = self.take()
        if token.kind == "keyword" and token.value == "null":
            return None
        wanted = spec.type
        if wanted == "boolean":
            if token.kind == "keyword" and token.value in {"true", "false"}:
                return token.value == "true"
        elif wanted == "datetime":
            if token.kind == "datetime":
                return parse_datetime(token.text)
        elif wanted == "date":
            if token.kind == "date":
                return parse_date(token.text)
        elif wanted in NUMBER_TYPES:
            if token.kind == "number":
                return float(token.text)
        elif token.kind == "string":
            return token.value
        if token.kind in {"punct", "op"}:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        quoted = "should not be enclosed in quotes" if token.kind == "string" else "is not valid"
        msg = (
            f"value of filter criterion for field '{spec.name}' must be of type {wanted} "
            f"and {quoted}"
        )
        raise SoqlError("INVALID_FIELD", msg)


def _comparable(spec: FieldDef, value: Any) -> Any:
    if value is None:
        return None
    if spec.type in ID_TYPES and isinstance(value, str):
        return normalize_id(value) or value
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _compare(spec: FieldDef, operator: str, literal: Any) -> Predicate:
    name = spec.name
    target = _comparable(spec, literal)
    if operator in {"=", "!=", "<>"}:
        negate = operator != "="
        return lambda r: (_comparable(spec, r.get(name)) == target) != negate
    if target is None:
        return lambda r: False

    def check(record: dict[str, Any]) -> bool:
        value = _comparable(spec, record.get(name))
        if value is None:
            return False
        if operator == "<":
            return bool(value < target)
        if operator == "<=":
            return bool(value <= target)
        if operator == ">":
            return bool(value > target)
        return bool(value >= target)

    return check


def _like(name: str, pattern: str) -> Predicate:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    compiled = re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL)
    return lambda r: isinstance(r.get(name), str) and bool(compiled.match(r[name]))


def parse_query(text: str) -> Query:
    """Parse and check a SOQL query against the emulated schema.

    Raises:
        SoqlError: ``MALFORMED_QUERY`` (syntax), ``INVALID_TYPE`` (unknown object) or
            ``INVALID_FIELD`` (unknown field, literal of the wrong type).
    """
    return _Parser(text).parse()


__all__ = ["Query", "SoqlError", "parse_query", "tokenize"]
