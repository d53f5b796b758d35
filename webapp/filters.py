"""The scope filter the graph, obligations and matrix pages share: district, group, model and one
concept (actor or modality) in a row of four, each an "(any)"-able choice kept in the session."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st


def choice_box(app, label_key: str, key: str, options: Sequence[str], scheme: str | None = None) -> None:
    """A selectbox whose empty option reads "(any)"; values are shown as group labels
    (``scheme="group"``), concept labels of ``scheme``, or as they are."""
    any_label = app.t("any")
    if scheme == "group":
        def shown(value: str) -> str:
            return app.group_label(value) if value else any_label
    elif scheme:
        def shown(value: str) -> str:
            return app.label(scheme, value) if value else any_label
    else:
        def shown(value: str) -> str:
            return value or any_label
    st.selectbox(app.t(label_key), options, format_func=shown, key=key, persist_state="session")


def scope_filter(app, prefix: str, choices: Mapping[str, Sequence[str]], concept: tuple[str, str],
                 *, many_districts: bool = False):
    """District, group, model and ``concept`` = (filter name, scheme), keyed ``<prefix>_district``,
    ``<prefix>_group``, ``<prefix>_model``, ``<prefix>_<filter name>``, with the options of
    ``choices`` under those keys. ``many_districts``: several districts at once. Returns the
    fourth column, for what belongs beside the concept."""
    columns = st.columns(4)
    with columns[0]:
        if many_districts:
            st.multiselect(app.t("f_district"), choices[f"{prefix}_district"], placeholder=app.t("any"),
                           key=f"{prefix}_district", persist_state="session")
        else:
            choice_box(app, "f_district", f"{prefix}_district", choices[f"{prefix}_district"])
    with columns[1]:
        choice_box(app, "f_group", f"{prefix}_group", choices[f"{prefix}_group"], "group")
    with columns[2]:
        choice_box(app, "f_model", f"{prefix}_model", choices[f"{prefix}_model"], "model")
    name, scheme = concept
    with columns[3]:
        choice_box(app, f"f_{name}", f"{prefix}_{name}", choices[f"{prefix}_{name}"], scheme)
    return columns[3]
