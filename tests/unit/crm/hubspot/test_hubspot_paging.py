"""The search pager: full query on every page, re-windowing past the 10,000 cap, ties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from connector.crm.hubspot.paging import SearchStats, list_pages, search_pages
from connector.errors import SyncAbortedError

FIELD = "lastmodifieddate"


class FakeSearch:
    """HubSpot search as crm-apis.md 2.3 describes it: offset paging, a hard result cap."""

    def __init__(self, rows: list[tuple[int, int]], *, cap: int) -> None:
        self.rows = rows  # (id, stamp ms)
        self.cap = cap
        self.calls: list[tuple[list[dict[str, Any]], str, int]] = []

    def __call__(
        self, filters: Sequence[dict[str, Any]], sort: str, after: int
    ) -> Mapping[str, Any]:
        self.calls.append((list(filters), sort, after))
        if after >= self.cap:
            raise AssertionError("paged past the cap: HubSpot answers 400")
        matches = [r for r in self.rows if all(self._match(f, r) for f in filters)]
        # Ties on the stamp keep id order, as the emulator and HubSpot's docs suggest.
        matches.sort(key=lambda r: (r[1], r[0]) if sort == FIELD else (r[0], 0))
        page = matches[after : min(after + 3, self.cap)]
        answer: dict[str, Any] = {
            "total": len(matches),
            "results": [
                {"id": str(i), "properties": {FIELD: str(ms), "hs_object_id": str(i)}}
                for i, ms in page
            ],
        }
        if after + 3 < len(matches):
            answer["paging"] = {"next": {"after": str(after + 3), "link": "?after=x"}}
        return answer

    @staticmethod
    def _match(flt: dict[str, Any], row: tuple[int, int]) -> bool:
        value = row[1] if flt["propertyName"] == FIELD else row[0]
        bound = int(flt["value"])
        return {
            "GTE": value >= bound,
            "GT": value > bound,
            "EQ": value == bound,
        }[flt["operator"]]


def _walk(search: FakeSearch, **kwargs: Any) -> list[str]:
    ids: list[str] = []
    for page in search_pages(search, cursor_field=FIELD, page_size=3, cap=search.cap, **kwargs):
        ids.extend(str(r["id"]) for r in page)
    return ids


def test_search_pages_more_rows_than_cap_all_returned_once() -> None:
    rows = [(1000 + i, 10 + i // 2) for i in range(40)]  # pairs share a stamp
    search = FakeSearch(rows, cap=9)
    stats = SearchStats()
    ids = _walk(search, since_ms=None, stats=stats)
    assert sorted(ids) == sorted(str(i) for i, _ in rows)
    assert len(ids) == len(set(ids))
    assert stats.windows > 1


def test_search_pages_rewindow_uses_gte_last_stamp_and_restarts_offset() -> None:
    rows = [(1000 + i, 10 + i) for i in range(12)]
    search = FakeSearch(rows, cap=6)
    _walk(search, since_ms=None)
    restarts = [c for c in search.calls if c[2] == 0]
    assert len(restarts) >= 2
    second = restarts[1][0]
    assert second == [{"propertyName": FIELD, "operator": "GTE", "value": "15"}]


def test_search_pages_every_page_resends_the_same_query() -> None:
    rows = [(1000 + i, 10 + i) for i in range(8)]
    search = FakeSearch(rows, cap=10_000)
    _walk(search, since_ms=12)
    first_filters = search.calls[0][0]
    assert all(c[0] == first_filters for c in search.calls)
    assert [c[2] for c in search.calls] == [0, 3]


def test_search_pages_since_boundary_ids_dropped() -> None:
    rows = [(1, 5), (2, 5), (3, 5), (4, 6)]
    search = FakeSearch(rows, cap=10_000)
    ids = _walk(search, since_ms=5, given_at_since=frozenset({"1", "2"}))
    assert ids == ["3", "4"]


def test_search_pages_whole_window_on_one_stamp_walks_by_id() -> None:
    rows = [(100 + i, 7) for i in range(20)] + [(500, 8), (501, 9)]
    search = FakeSearch(rows, cap=6)
    stats = SearchStats()
    ids = _walk(search, since_ms=None, stats=stats)
    assert sorted(ids, key=int) == [str(i) for i, _ in sorted(rows)]
    assert len(ids) == len(set(ids))
    assert stats.tie_walks == 1


def test_search_pages_empty_answer_yields_nothing() -> None:
    assert _walk(FakeSearch([], cap=10), since_ms=None) == []


def test_list_pages_follows_after_until_no_paging() -> None:
    answers = {
        None: {"results": [{"id": "1"}], "paging": {"next": {"after": "a"}}},
        "a": {"results": [{"id": "2"}], "paging": {"next": {"after": "b"}}},
        "b": {"results": [{"id": "3"}]},
    }
    pages = list(list_pages(lambda after: answers[after]))
    assert [[r["id"] for r in p] for p in pages] == [["1"], ["2"], ["3"]]


def test_list_pages_repeated_cursor_raises() -> None:
    answer = {"results": [], "paging": {"next": {"after": "same"}}}
    with pytest.raises(SyncAbortedError):
        list(list_pages(lambda after: answer))
