"""Lazy paging over HubSpot's list and search answers (style 3).

Both pagers resend the full query with the ``after`` cursor on every page and
never follow ``paging.next.link``, which does not carry the requested
properties (lessons.md: "a test checks a property on the last page").

Search answers at most 10,000 results per query (crm-apis.md 2.3). The search
pager sorts ascending on the modified stamp and, before ``after`` would cross
the cap, starts a new query at ``GTE`` the last stamp it saw, dropping the ids
it already gave at that stamp (lessons.md: more than 10,000 changed contacts
are all counted). Should one stamp alone hold a whole window of records, it
walks that stamp by ``hs_object_id`` instead, so the pull never loops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector.crm.hubspot._values import epoch_ms, parse_stamp
from connector.errors import SyncAbortedError

#: HubSpot refuses to page a search past its first 10,000 results.
SEARCH_RESULT_CAP = 10_000
ID_PROPERTY = "hs_object_id"

Row = Mapping[str, Any]
Filter = dict[str, Any]
#: (cursor filters, sort property, after offset) -> the search answer's JSON.
SearchFetch = Callable[[Sequence[Filter], str, int], Mapping[str, Any]]
#: after cursor (None for the first page) -> the list answer's JSON.
ListFetch = Callable[[str | None], Mapping[str, Any]]


def next_after(answer: Mapping[str, Any]) -> str | None:
    """The ``paging.next.after`` cursor of an answer, or None on the last page."""
    paging = answer.get("paging") or {}
    nxt = paging.get("next") or {}
    after = nxt.get("after")
    return str(after) if after not in (None, "") else None


def list_pages(fetch: ListFetch) -> Iterator[list[Row]]:
    """Yield each page of a list answer, following ``after`` until there is none.

    Raises:
        SyncAbortedError: HubSpot handed back a cursor it already gave (a loop).
    """
    after: str | None = None
    seen: set[str] = set()
    while True:
        answer = fetch(after)
        yield list(answer.get("results") or [])
        after = next_after(answer)
        if after is None:
            return
        if after in seen:
            msg = f"HubSpot returned the list cursor {after!r} twice; stopping this pull"
            raise SyncAbortedError(msg)
        seen.add(after)


def stamp_ms(row: Row, cursor_field: str) -> int | None:
    """The row's modified stamp in epoch milliseconds (None when it has none)."""
    props = row.get("properties") or {}
    moment = parse_stamp(props.get(cursor_field)) or parse_stamp(row.get("updatedAt"))
    return epoch_ms(moment) if moment else None


@dataclass
class _Window:
    """Where the current query starts: stamp ``lower`` (GTE or GT) minus ids already given."""

    lower: int | None
    inclusive: bool = True
    given_at_lower: set[str] = field(default_factory=set)


@dataclass
class SearchStats:
    """What a search walk cost, for tests and the run summary."""

    calls: int = 0
    windows: int = 1
    tie_walks: int = 0


def search_pages(
    fetch: SearchFetch,
    *,
    cursor_field: str,
    since_ms: int | None,
    given_at_since: frozenset[str] = frozenset(),
    page_size: int = 200,
    cap: int = SEARCH_RESULT_CAP,
    stats: SearchStats | None = None,
) -> Iterator[list[Row]]:
    """Yield pages of search rows stamped at or after ``since_ms``, ascending by stamp.

    Args:
        fetch: runs one search with the given cursor filters, sort and offset; the
            caller adds the scope filters and the properties, the same on every call.
        cursor_field: the modified-stamp property (``lastmodifieddate`` for contacts,
            ``hs_lastmodifieddate`` for engagements).
        since_ms: closed lower bound (None reads everything).
        given_at_since: ids already read at exactly ``since_ms``; dropped.
        page_size: the search ``limit`` (HubSpot allows 200).
        cap: results one query can page through (HubSpot: 10,000).
        stats: filled in as the walk goes, if given.

    Raises:
        SyncAbortedError: a query made no progress at all (HubSpot misbehaving).
    """
    stats = stats if stats is not None else SearchStats()
    window = _Window(lower=since_ms, given_at_lower=set(given_at_since))
    while True:
        filters: list[Filter] = []
        if window.lower is not None:
            operator = "GTE" if window.inclusive else "GT"
            filters.append(
                {"propertyName": cursor_field, "operator": operator, "value": str(window.lower)}
            )
        last_ms: int | None = None
        at_last: set[str] = set()
        after = 0
        while True:
            answer = fetch(filters, cursor_field, after)
            stats.calls += 1
            out: list[Row] = []
            for row in answer.get("results") or []:
                row_id = str(row.get("id"))
                ms = stamp_ms(row, cursor_field)
                if ms is not None:
                    if ms != last_ms:
                        last_ms, at_last = ms, set()
                    at_last.add(row_id)
                if ms == window.lower and row_id in window.given_at_lower:
                    continue
                out.append(row)
            if out:
                yield out
            nxt = next_after(answer)
            if nxt is None:
                return
            offset = int(nxt)
            if offset + page_size <= cap:
                after = offset
                continue
            break
        # The next page would cross the cap: start a new query at the last stamp.
        stats.windows += 1
        if last_ms is None:
            return
        if window.lower is not None and last_ms == window.lower:
            # The whole window sat on one stamp: walk that stamp by id, then go past it.
            stats.tie_walks += 1
            yield from _walk_one_stamp(
                fetch,
                cursor_field=cursor_field,
                stamp=last_ms,
                already=window.given_at_lower | at_last,
                page_size=page_size,
                cap=cap,
                stats=stats,
            )
            window = _Window(lower=last_ms, inclusive=False)
            continue
        window = _Window(lower=last_ms, inclusive=True, given_at_lower=at_last)


def _walk_one_stamp(
    fetch: SearchFetch,
    *,
    cursor_field: str,
    stamp: int,
    already: set[str],
    page_size: int,
    cap: int,
    stats: SearchStats,
) -> Iterator[list[Row]]:
    """Yield the rows stamped exactly ``stamp`` not in ``already``, keyset-paged by id."""
    last_id = 0
    while True:
        filters: list[Filter] = [
            {"propertyName": cursor_field, "operator": "EQ", "value": str(stamp)},
            {"propertyName": ID_PROPERTY, "operator": "GT", "value": str(last_id)},
        ]
        after = 0
        start_id = last_id
        while True:
            answer = fetch(filters, ID_PROPERTY, after)
            stats.calls += 1
            out: list[Row] = []
            for row in answer.get("results") or []:
                row_id = str(row.get("id"))
                last_id = max(last_id, int(row_id))
                if row_id not in already:
                    out.append(row)
            if out:
                yield out
            nxt = next_after(answer)
            if nxt is None:
                return
            offset = int(nxt)
            if offset + page_size <= cap:
                after = offset
                continue
            break
        stats.windows += 1
        if last_id == start_id:
            msg = (
                f"HubSpot search on {cursor_field} = {stamp} made no progress by "
                f"{ID_PROPERTY}; stopping this pull"
            )
            raise SyncAbortedError(msg)


__all__ = [
    "ID_PROPERTY",
    "SEARCH_RESULT_CAP",
    "ListFetch",
    "SearchFetch",
    "SearchStats",
    "list_pages",
    "next_after",
    "search_pages",
    "stamp_ms",
]
