"""Answers in pages: a :class:`Page` of a listing (its rows, the total, where it starts) and the
two ways to cut one — from a named query's streamed result (:func:`query_page`: read up to the
page's end, never a number formatted into SPARQL) or from rows already in hand (:func:`page_of`).
Every listing of the CLI and the app pages with it; how: docs/query-side.md#kbpagingpy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from kb import queries
from kb.store.base import Store

#: rows of one page, unless the caller asks for another size
PAGE_SIZE = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``rows`` of a listing of ``total`` items, starting at item ``offset`` (0-based); ``size`` is
    the page size asked for (``None``: every item, one page). ``covered`` is how many items the
    rows stand for when a row may hold several (an answer row holds the rules of one clause)."""

    rows: list[T]
    total: int
    offset: int = 0
    size: int | None = PAGE_SIZE
    covered: int | None = None

    @property
    def number(self) -> int:
        """The page's number, from 1."""
        return 1 if not self.size else self.offset // self.size + 1

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least 1)."""
        return 1 if not self.size else max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 1-based number of the page's first row (0 when the page is empty)."""
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The 1-based number of the page's last row (0 when the page is empty)."""
        if not self.rows:
            return 0
        return self.offset + (len(self.rows) if self.covered is None else self.covered)

    @property
    def has_more(self) -> bool:
        return self.last < self.total

    def describe(self, lang: str = "en") -> str:
        """``showing 1–200 of 25,014`` / ``显示第 1–200 条，共 25,014 条``."""
        if lang == "zh":
            return f"显示第 {self.first:,}–{self.last:,} 条，共 {self.total:,} 条"
        return f"showing {self.first:,}–{self.last:,} of {self.total:,}"

    def to_dict(self) -> dict:
        return {"page": self.number, "pages": self.pages, "size": self.size, "offset": self.offset,
                "total": self.total, "first": self.first, "last": self.last}


def bounds(page: int = 1, size: int | None = PAGE_SIZE) -> tuple[int, int | None]:
    """``(offset, end)`` of page ``page`` (from 1; below 1 counts as 1); ``end`` None: no end."""
    if not size:
        return 0, None
    offset = (max(int(page), 1) - 1) * size
    return offset, offset + size


def page_of(rows: Sequence[T], page: int = 1, size: int | None = PAGE_SIZE,
            total: int | None = None) -> Page[T]:
    """Page ``page`` of ``rows`` (the whole listing, or — with ``total`` — its first rows up to
    at least the page's end); ``size=None`` gives every row."""
    offset, end = bounds(page, size)
    return Page(list(rows[offset:end]), len(rows) if total is None else total, offset, size)


def query_page(store: Store, name: str, count: str | None = None, *, page: int = 1,
               size: int | None = PAGE_SIZE, total: int | None = None, **params: object) -> Page[dict]:
    """Page ``page`` of named query ``name``'s rows: the result is read up to the page's end and
    no further (the store's row limit), so page 1 costs what its rows cost when the query streams.
    The total comes from ``total`` when the caller knows it (e.g. from the rule tallies), else
    from named query ``count`` (one row, ``?n``), else from reading the whole result."""
    offset, end = bounds(page, size)
    result = queries.run(store, name, limit=end, **params)
    rows = result.rows
    if total is None:
        if count is not None:
            found = queries.run(store, count, **params).rows
            total = int(found[0]["n"]) if found else 0
        elif not result.truncated:
            total = len(rows)
        else:
            total = len(queries.run(store, name, **params).rows)
    return Page(rows[offset:end], total, offset, size)


__all__ = ["PAGE_SIZE", "Page", "bounds", "page_of", "query_page"]
