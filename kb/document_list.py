"""Every document of a store as one list (title, district, province, sources, rule count), read
once per store view and saved beside an embedded store so that a fresh process, such as the app
starting on 10,000 documents, reads it instead of counting every rule again; a district's
documents from it once a process holds it; and the groups and constraints of a page of that list,
from the documents' comparison tallies.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from kb import queries
from kb.store import view_cache
from kb.store.base import IRI, Store

#: what :func:`part_counts` counts: a name → the kind of part in ``pkb:comparisonTally``
PARTS = {"groups": "group", "constraints": "constraint"}


def documents(store: Store) -> list[dict]:
    """The rows of the named query ``documents`` with plain values (str, int, None), kept per
    store view in memory and, on an embedded store, in its cache folder."""
    return view_cache.remembered(store, "documents", _code(), lambda: [
        {k: _plain(v) for k, v in r.items()} for r in queries.run(store, "documents").rows])


def in_districts(store: Store, districts: str | Sequence[str]) -> list[dict]:
    """The rows of ``documents_in_district`` (doc, district, province, title) for ``districts``:
    picked from the document list when this process already holds it for the store's view (the
    app prepares it at start: the largest district's 1,900 documents at 60,000 are then no query
    of 70 ms), else from the query bound by the districts, so that a one-off question does not
    load the whole list (its rows kept for the store's view: the pages of one answer read them
    once)."""
    wanted = (districts,) if isinstance(districts, str) else tuple(districts)
    listed = view_cache.held(store, "documents", _code())
    if listed is None:
        return view_cache.remembered(store, "documents-in:" + "|".join(sorted(set(wanted))), _code(),
                                     lambda: queries.run(store, "documents_in_district", district=wanted).rows,
                                     on_disk=False)
    by_district = view_cache.remembered(store, "documents-by-district", _code(),
                                        lambda: _by_district(listed), on_disk=False)
    return [row for district in dict.fromkeys(wanted) for row in by_district.get(district, ())]


def _by_district(listed: list[dict]) -> dict[str, list[dict]]:
    """The document list's rows as ``documents_in_district`` rows, by district (once per view: a
    typical district's question then reads its few rows, not the whole list)."""
    out: dict[str, list[dict]] = {}
    for r in listed:
        district = r.get("district") or ""
        out.setdefault(district, []).append({"doc": IRI(r["graph"]), "district": district,
                                             "province": r.get("province"), "title": r.get("title")})
    return out


def _code() -> str:
    return view_cache.fingerprint(Path(__file__), queries.QUERY_DIR / "documents.rq")


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def part_counts(store: Store, docs: Sequence[str]) -> dict[str, dict[str, int]]:
    """The school groups and institutional constraints of each of ``docs`` (a page of the list),
    counted from their ``pkb:comparisonTally`` in one query bound by the documents; a typed pattern
    bound by 200 documents made Oxigraph visit every constraint of the store (5 s at 30,000)."""
    out = {d: dict.fromkeys(PARTS, 0) for d in docs}
    if not out:
        return out
    kinds = {kind: name for name, kind in PARTS.items()}
    for row in queries.run(store, "comparison_tallies", doc=tuple(IRI(d) for d in out)).rows:
        counts = out[str(row["doc"])]
        for kind, _, n in json.loads(str(row["comparison"])).get("parts") or ():
            if kind in kinds:
                counts[kinds[kind]] += n
    return out
