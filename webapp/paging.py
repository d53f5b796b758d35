"""The page selector every paged listing of the app shares: the count ("showing 1–200 of
25,014") and, when there is more than one page, a page number input with an explicit key."""
from __future__ import annotations

import streamlit as st


def page_picker(app, key: str, total: int, size: int) -> int:
    """The page the user chose (from 1) of a listing of ``total`` items in pages of ``size``;
    the input (key ``key``) only when there are several pages; a page past the end goes back to 1."""
    pages = max(1, -(-total // size))
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = 1
    if pages > 1:
        st.number_input(app.t("page_pick"), min_value=1, max_value=pages, step=1, key=key)
    return int(st.session_state.get(key, 1)) if pages > 1 else 1


def page_caption(app, page) -> None:
    """The count of a :class:`kb.paging.Page`: showing first–last of total."""
    st.caption(app.t("page_showing", first=f"{page.first:,}", last=f"{page.last:,}", total=f"{page.total:,}"))


def paged(app, key: str, rows, *, listing: object = None, size: int | None = None):
    """Page the user chose of ``rows`` (the whole listing), as a :class:`kb.paging.Page`, with its
    count and — when there are several pages — the page input (key ``key``) drawn here. A new
    ``listing`` (the filters that made ``rows``) starts again at page 1. The one way a page of the
    app cuts a long listing (obligations, documents, a matrix cell)."""
    from kb import settings
    from kb.paging import page_of

    size = size or settings.get("page_rows")
    _new_listing(key, listing)
    page = page_of(rows, page_picker(app, key, len(rows), size), size)
    page_caption(app, page)
    return page


def fetched(app, key: str, fetch, *, listing: object = None, size: int | None = None, before=None):
    """:func:`paged` for a listing read one page at a time: ``fetch(page, size)`` returns that page's
    rows and the listing's total, so only the page chosen is read (a page past the end reads
    page 1). ``before(total)`` draws what goes above the page input (the listing's count); the
    input and the page's count are drawn only when there are rows."""
    from kb import settings
    from kb.paging import Page, bounds

    size = size or settings.get("page_rows")
    _new_listing(key, listing)
    number = max(int(st.session_state.get(key) or 1), 1)
    rows, total = fetch(number, size)
    if number > 1 and bounds(number, size)[0] >= total:
        number, (rows, total) = 1, fetch(1, size)
    st.session_state[key] = number
    page = Page(list(rows), total, bounds(number, size)[0], size)
    if before is not None:
        before(total)
    if total:
        page_picker(app, key, total, size)
        page_caption(app, page)
    return page


def _new_listing(key: str, listing: object) -> None:
    """A new ``listing`` (the filters that make it) starts again at page 1."""
    if listing is not None and st.session_state.get(f"_{key}_for") != listing:
        st.session_state[f"_{key}_for"] = listing
        st.session_state[key] = 1
