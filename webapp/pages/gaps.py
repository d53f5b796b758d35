"""What a district lacks (``kb.gaps``): the duties most of the compared districts require and it
does not, each with how many peers require it and their sentences; XLSX and CSV downloads. Uses
the versions in force on the sidebar's "as of" date.

The duties come from the rule tallies (fast on any store); the sentences are read for the first
``SHOWN`` gaps only (the downloads: every gap), of the first ``SOURCE_PEERS`` of each gap's
districts. With more than ``LISTED`` other districts the peers start empty, meaning every other
district (said on the page), instead of a list of every district.

Widget keys: ``gap_district``, ``gap_peers`` (districts), ``gap_min`` (0 = half of the peers);
``gap_table``, ``gap_<n>`` (a gap's sentences); ``gap_csv``, ``gap_xlsx``. URL: ``district``,
``peer`` (repeated), ``min``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from webapp.support import Param, md_escape

app = st.session_state.pop("_app")   # set by app.py, which runs every page
t = app.t

SPEC = [Param("gap_district", "district"), Param("gap_peers", "peer", "list"), Param("gap_min", "min", "int")]
SHOWN = 10          # gaps whose sentences are listed below the table
SOURCE_PEERS = 5    # districts of each gap whose sentences are read (page and downloads)
LISTED = 30         # up to this many other districts, the peers start as all of them, listed


@st.cache_resource(show_spinner=False, max_entries=16)
def find_gaps(stamp: str, district: str, peers: tuple[str, ...], least: int, as_of: str | None):
    """The gaps (``peers`` empty: against every other district), their sentences not read yet."""
    from kb.gaps import gaps

    return gaps(app.store, district, list(peers) or None, min_peers=least or None, as_of=as_of, sources=0)


def sentences(result, chosen=None):
    """Read the sentences of ``chosen`` gaps (None: all) of ``result`` — once, then kept with it."""
    from kb.gaps import read_sources

    read_sources(app.store, result, chosen, SOURCE_PEERS)
    return result


st.title(t("gap_title"))
st.caption(t("gap_intro"))
districts = app.districts()
if len(districts) < 2:
    st.info(t("gap_need_peers"))
    st.stop()
app.restore("gaps", SPEC, initial={"gap_district": districts[0], "gap_min": 0})
if st.session_state.get("gap_district") not in districts:
    st.session_state["gap_district"] = districts[0]

district = st.selectbox(t("gap_district"), districts, key="gap_district")
others = [d for d in districts if d != district]
listed = len(others) <= LISTED
if listed and ("gap_peers" not in st.session_state or not st.session_state["gap_peers"]
               or district in st.session_state["gap_peers"]):
    st.session_state["gap_peers"] = others
chosen = [d for d in st.session_state.get("gap_peers") or [] if d in others]
st.session_state["gap_peers"] = chosen or (others if listed else [])
peers = st.multiselect(t("gap_peers"), others, key="gap_peers")
if not peers:
    st.caption(t("gap_every_peer", n=len(others)))
least = st.number_input(t("gap_min"), min_value=0, max_value=max(len(peers or others), 1), step=1,
                        key="gap_min")
app.publish("gaps", SPEC)

result = find_gaps(app.stamp, district, tuple(peers if len(peers) < len(others) else ()), int(least or 0),
                   app.as_of)
st.subheader(t("gap_found", district=result.district, n=len(result.gaps), total=len(result.against),
               min=result.min_peers))
if not result.gaps:
    st.success(t("gap_none"))
    st.stop()

st.dataframe(pd.DataFrame([{t("col_actor"): app.label("actor", g.actor),
                            t("col_category"): app.label("category", g.category),
                            t("col_frequency"): app.period_label(g.period),
                            t("col_peer_count"): f"{g.count}/{g.total}",
                            t("col_peer_names"): "、".join(g.peers)} for g in result.gaps]),
             hide_index=True, width="stretch", key="gap_table")
app.downloads("gap", [
    ("xlsx", lambda: sentences(result).to_xlsx(), f"policykb-gaps-{result.district}.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv", lambda: sentences(result).to_csv(), f"policykb-gaps-{result.district}.csv", "text/csv")])

st.subheader(t("gap_sources"))
sentences(result, result.gaps[:SHOWN])
if len(result.gaps) > SHOWN or any(g.count > SOURCE_PEERS for g in result.gaps):
    st.caption(t("gap_some_sources", shown=min(SHOWN, len(result.gaps)), peers=SOURCE_PEERS,
                 total=len(result.gaps)))
for n, g in enumerate(result.gaps[:SHOWN]):
    with st.expander(f"{g.label(app.lang)} · {g.count}/{g.total}", expanded=n == 0, key=f"gap_{n}"):
        for ob in g.sources:
            st.markdown(md_escape(f"【{ob.district}】《{app.doc_title(ob.doc)}》 [{ob.span[0]}–{ob.span[1]}] "
                                  f"{ob.sentence}"))
        if g.count > len(g.source_peers or ()):
            st.caption(t("gap_more_peers", n=g.count - len(g.source_peers or ())))
