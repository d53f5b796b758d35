"""The scope filter the graph, obligations and matrix pages share: district, group, model and one
concept (actor or modality) in a row of four, each an "(any)"-able choice kept in the session.
Once a district is chosen the group, model and actor choices are that district's only
(:func:`kb.district_choices.district_choices`, read from its documents, cached per stamp)."""
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


@st.cache_data(show_spinner=False, max_entries=64)
def _district_choices(stamp: str, districts: tuple[str, ...], _store) -> dict[str, list[str]]:
    from kb.district_choices import district_choices

    found = district_choices(_store, districts)
    return {"group": found.groups, "model": found.models, "actor": found.actors}


def follow_district(app, prefix: str, choices: Mapping[str, Sequence[str]],
                    concept: tuple[str, str]) -> dict[str, Sequence[str]]:
    """``choices`` with the group, model and (when the concept is an actor) actor options cut to
    those of the chosen district(s); a chosen value the district lacks goes back to "(any)". On a
    large store with no district chosen, the groups offered are only the one already chosen (a
    link's): every group of the store is too long a list (170,000 at 30,000 documents)."""
    chosen = st.session_state.get(f"{prefix}_district")
    districts = tuple(sorted(chosen)) if isinstance(chosen, (list, tuple)) else ((chosen,) if chosen else ())
    if not districts:
        out, key = dict(choices), f"{prefix}_group"
        if key in out and app.large():
            group = st.session_state.get(key)
            out[key] = [""] + ([group] if group and group in set(choices[key]) else [])
        return out
    found = _district_choices(app.stamp, districts, app.store)
    out = dict(choices)
    for name, scheme in (("group", "group"), ("model", "model"), (concept[0], concept[1])):
        key = f"{prefix}_{name}"
        if scheme not in found or key not in choices:
            continue
        allowed = set(found[scheme])
        out[key] = [v for v in choices[key] if not v or v in allowed]
        if st.session_state.get(key) not in out[key]:
            st.session_state[key] = ""
    return out


def scope_filter(app, prefix: str, choices: Mapping[str, Sequence[str]], concept: tuple[str, str],
                 *, many_districts: bool = False):
    """District, group, model and ``concept`` = (filter name, scheme), keyed ``<prefix>_district``,
    ``<prefix>_group``, ``<prefix>_model``, ``<prefix>_<filter name>``, with the options of
    ``choices`` under those keys. ``many_districts``: several districts at once. Returns the
    fourth column, for what belongs beside the concept."""
    choices = follow_district(app, prefix, choices, concept)
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
