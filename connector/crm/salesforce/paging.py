"""Lazy paging over a SOQL answer by ``nextRecordsUrl`` (style 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connector.errors import SyncAbortedError


def iterate_query_pages(
    first: Callable[[], dict[str, Any]],
    more: Callable[[str], dict[str, Any]],
) -> Iterator[list[dict[str, Any]]]:
    """Yield each page's records, following ``nextRecordsUrl`` until ``done``.

    Args:
        first: runs the query and returns the first answer.
        more: fetches the page behind a ``nextRecordsUrl``.

    Raises:
        SyncAbortedError: the org handed back a locator it already gave (a loop).
    """
    answer = first()
    seen: set[str] = set()
    while True:
        yield list(answer.get("records", []))
        next_url = answer.get("nextRecordsUrl")
        if answer.get("done", True) or not next_url:
            return
        if next_url in seen:
            msg = f"Salesforce returned the query locator {next_url} twice; stopping this pull"
            raise SyncAbortedError(msg)
        seen.add(next_url)
        answer = more(next_url)


__all__ = ["iterate_query_pages"]
