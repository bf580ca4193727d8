"""SOQL built only through ``format_soql`` (style 2): CRM data can never change a query."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from simple_salesforce.format import format_soql

from connector.crm.base import Excluded
from connector.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")


def _name(value: str) -> str:
    # Field and object names come from the mapping file, never from CRM data, but they are
    # pasted into the query as names, so they are held to the identifier grammar.
    if not _NAME.match(value):
        msg = f"'{value}' is not a Salesforce field or object name"
        raise ConfigError(msg, hint="check mappings/salesforce.yaml")
    return value


def incremental_query(
    object_type: str,
    fields: Sequence[str],
    cursor_field: str,
    since: datetime | None,
    scope: Mapping[str, Any],
) -> str:
    """``SELECT .. WHERE cursor >= since AND scope ORDER BY cursor, Id`` (crm-apis.md 1.2).

    Scope values may be a scalar (``=``), a list (``IN``) or None (``= null``), or
    :class:`Excluded` of one of those (``!=``, ``NOT IN``, ``!= null``).
    """
    names = list(dict.fromkeys(["Id", cursor_field, "IsDeleted", *fields]))
    conditions: list[str] = []
    if since is not None:
        conditions.append(format_soql(f"{_name(cursor_field)} >= {{}}", since))
    for field, value in scope.items():
        negated = isinstance(value, Excluded)
        if negated:
            value = value.value
        many = isinstance(value, list | tuple | set | frozenset)
        operator = ("NOT IN" if negated else "IN") if many else ("!=" if negated else "=")
        literal = list(value) if many else value
        conditions.append(format_soql(f"{_name(field)} {operator} {{}}", literal))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # Names pass the identifier grammar above and values went through format_soql.
    return (
        f"SELECT {', '.join(_name(n) for n in names)} FROM {_name(object_type)}"  # noqa: S608
        f"{where} ORDER BY {_name(cursor_field)}, Id"
    )


__all__ = ["incremental_query"]
