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
