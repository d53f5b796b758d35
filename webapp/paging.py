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
    if listing is not None and st.session_state.get(f"_{key}_for") != listing:
        st.session_state[f"_{key}_for"] = listing
        st.session_state[key] = 1
    page = page_of(rows, page_picker(app, key, len(rows), size), size)
    page_caption(app, page)
    return page
