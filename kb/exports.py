"""Files for people and other tools: RDF of a scope, an actor's duties as iCalendar, and the
tabular helpers (CSV that Excel opens, formatted XLSX sheets) that comparisons and matrices use.

:func:`export_rdf`, :func:`export_ics`, :func:`csv_bytes`, :func:`write_sheet`,
:func:`workbook_bytes`. Formats, events and sheet layout: docs/query-side.md.
"""
from __future__ import annotations

import csv
import hashlib
import io
import warnings
from datetime import date, datetime, timezone
from typing import Iterable, Iterator, Sequence

from kb import queries
from kb.errors import StoreError
from kb.store.base import PREFIXES, VOCABULARY_GRAPH, Store, check_export_format

RDF_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
MEDIA_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples", "nquads": "application/n-quads",
               "trig": "application/trig", "jsonld": "application/ld+json", "ics": "text/calendar",
               "csv": "text/csv", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CSV_ENCODING = "utf-8-sig"


# =========================================================================== RDF


def export_rdf(store: Store, fmt: str, district: str | None = None, *, group: str | None = None,
               model: str | None = None, include_vocabulary: bool = False) -> bytes:
    """Serialize the documents of a scope (every document when no filter is given) as ``fmt``.

    ``fmt``: ``turtle``, ``ntriples``, ``nquads``, ``trig`` or ``jsonld`` (``ttl``, ``nt``,
    ``nq``, ``json`` accepted). ``district``/``group``/``model`` are resolved as in
    :func:`kb.scopes.scope_documents` (``张掖`` finds 张掖市); several filters intersect.
    ``include_vocabulary`` adds the vocabulary graph (ontology + SKOS schemes).
    """
    from kb.scopes import scope_documents

    fmt = check_export_format(fmt)
    if district is None and group is None and model is None:
        return store.export(fmt, None, include_vocabulary=include_vocabulary)
    graphs, _ = scope_documents(store, district=district, group=group, model=model)
    if include_vocabulary:
        graphs = [*graphs, VOCABULARY_GRAPH]
    if not graphs:
        raise StoreError("no document is in that scope", code="PKB-EXPORT-EMPTY",
                         hint="check the filters with `policykb query cmp_documents`")
    if len(graphs) == 1:
        return store.export(fmt, graphs[0])
    return convert_nquads(b"".join(store.export("nquads", g) for g in graphs), fmt)


def export_rdf_chunks(store: Store, fmt: str, district: str | None = None, *, group: str | None = None,
                      model: str | None = None, include_vocabulary: bool = False) -> Iterator[bytes]:
    """:func:`export_rdf` in pieces to write as they come: N-Quads of a scope one document graph
    at a time (never the whole scope in memory); other formats, which merge or re-serialize the
    graphs, in one piece. Every triple of the scope, never a page."""
    from kb.scopes import scope_documents

    if check_export_format(fmt) != "nquads" or (district is None and group is None and model is None):
        return iter([export_rdf(store, fmt, district, group=group, model=model,
                                include_vocabulary=include_vocabulary)])
    graphs, _ = scope_documents(store, district=district, group=group, model=model)
    if not graphs:   # said before anything is written
        raise StoreError("no document is in that scope", code="PKB-EXPORT-EMPTY",
                         hint="check the filters with `policykb query cmp_documents`")
    return (store.export("nquads", graph) for graph in [*graphs, *([VOCABULARY_GRAPH] if include_vocabulary else [])])


def convert_nquads(nquads: bytes, fmt: str) -> bytes:
    """Re-serialize N-Quads as ``fmt``, the way :meth:`Store.export` does: Turtle and N-Triples
    merge the graphs (each triple once); JSON-LD goes through rdflib, compacted with PREFIXES."""
    import pyoxigraph as ox

    fmt = check_export_format(fmt)
    if fmt == "nquads":
        return nquads
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    if fmt in ("turtle", "ntriples"):
        triples = list(dict.fromkeys(q.triple for q in quads))
        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES if fmt == "turtle" else None)
    import rdflib

    with warnings.catch_warnings():  # rdflib 7's JSON-LD plugin calls its own deprecated APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = rdflib.Dataset()
        dataset.parse(data=nquads, format="nquads")
        return dataset.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True,
                                 encoding="utf-8")


# =========================================================================== iCalendar


def school_year_start(today: date | None = None) -> date:
    """The next 1 September on or after ``today`` (default: today): the DTSTART of every event."""
    today = today or date.today()
    this_year = date(today.year, 9, 1)
    return this_year if today <= this_year else date(today.year + 1, 9, 1)


def ical_periods(store: Store) -> dict[str, tuple[str, int]]:
    """Period code → (RRULE FREQ, INTERVAL), from the vocabulary graph (``export_periods`` query)."""
    return {r["code"]: (str(r["frequency"]), int(r["interval"]))
            for r in queries.run(store, "export_periods").rows}


def rule_uid(rule: str) -> str:
    """The iCalendar UID of a rule: a hash of its IRI, so the same duty keeps the same UID."""
    return hashlib.sha256(rule.encode("utf-8")).hexdigest()[:32] + "@policykb"


def export_ics(store: Store, actor: str, district: str | None = None, *, group: str | None = None,
               model: str | None = None, modality: str | None = None, inherit: bool = True,
               start: date | None = None, today: date | None = None) -> bytes:
    """An iCalendar file of the recurring duties of ``actor`` (a code or label: ``成员学校``).

    Rules come from :func:`kb.obligations.find` (the actor, its narrower actors and — unless
    ``inherit`` is False — its broader actors, marked inherited), within the scope of
    ``district``/``group``/``model``, optionally one ``modality``. ``start`` overrides the
    reference DTSTART (default :func:`school_year_start` of ``today``). See the module docstring.
    """
    from icalendar import Calendar, Event

    from kb.citations import DocumentTexts
    from kb.scopes import concept_label, resolve_concept

    actor_code = resolve_concept("actor", actor)
    modality_code = resolve_concept("modality", modality) if modality else None
    periods = ical_periods(store)
    dtstart = start or school_year_start(today)
    texts = DocumentTexts(store)      # each document's text read once: the quotes and the titles
    rules, scope = _scoped_obligations(store, district, group, model, actor=actor_code,
                                       modality=modality_code, inherit=inherit, texts=texts)

    cal = Calendar()
    cal.add("prodid", "-//policykb//policykb duties//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    where = " ∩ ".join(scope) if scope else "全部文件"
    cal.add("x-wr-calname", f"{concept_label('actor', actor_code)}的周期性职责 — {where}")
    cal.add("x-wr-caldesc", f"policykb: recurring duties of {actor_code}; DTSTART is the reference "
                            f"date {dtstart.isoformat()} (next 1 September), not a date the documents give")
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for ob in rules:
        if not ob.frequency or ob.frequency["period"] not in periods:
            continue
        freq, interval = periods[ob.frequency["period"]]
        event = Event()
        event.add("uid", rule_uid(ob.rule))
        event.add("dtstamp", stamp)
        event.add("dtstart", dtstart)
        rrule = {"freq": freq}
        if interval != 1:
            rrule["interval"] = interval
        event.add("rrule", rrule)
        action = ob.action or ob.sentence
        event.add("summary", f"{action}（{ob.frequency_text}）")
        event.add("description", _ics_description(ob, actor_code, texts.meta(ob.doc)["title"]))
        event.add("categories", [concept_label("category", ob.category), concept_label("modality", ob.modality)])
        event.add("url", ob.rule)
        cal.add_component(event)
    return cal.to_ical()


def _ics_description(ob, actor_code: str, title: str | None) -> str:
    from kb.scopes import concept_label

    who = concept_label("actor", ob.actor) + (f"（{ob.actor_text}）" if ob.actor_text else "")
    lines = [f"《{ob.title or title or '未命名文件'}》（{ob.district or '地区不详'}）",
             f"原文：{ob.sentence}",
             f"位置：规范化文本第 {ob.span[0]}–{ob.span[1]} 字",
             f"频次：{ob.frequency_text}",
             f"责任主体：{who}"]
    if ob.inherited:
        lines.append(f"（{concept_label('actor', ob.actor)}的职责，适用于{concept_label('actor', actor_code)}）")
    lines.append(f"规则：{ob.rule}")
    return "\n".join(lines)


def _scoped_obligations(store: Store, district: str | None, group: str | None, model: str | None,
                        **filters) -> tuple[list, list[str]]:
    """:func:`kb.obligations.find` over the documents of a scope (one call when there is no scope),
    and the labels of the scopes given (``["张掖市"]``)."""
    from kb import obligations
    from kb.scopes import resolve, resolve_district, scope_documents

    if district is None and group is None and model is None:
        return obligations.find(store, **filters), []
    docs, _ = scope_documents(store, district=district, group=group, model=model)
    labels = ([resolve_district(store, district)] if district else []) \
        + ([resolve(store, f"group:{group}").label] if group else []) \
        + ([resolve(store, f"model:{model}").label] if model else [])
    return [ob for d in docs for ob in obligations.find(store, doc=d, **filters)], labels


# =========================================================================== tables


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV as UTF-8 with a BOM (Excel then reads it as UTF-8), ``\\r\\n`` line ends, all fields quoted
    when needed; ``None`` becomes an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(CSV_ENCODING)


def display_width(text: object) -> int:
    """Columns a text needs in a spreadsheet: CJK and full-width characters count as two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique worksheet title (≤ 31 characters, none of ``[]:*?/\\``)."""
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in (name or "未知")).strip("'") or "未知"
    title, n = clean[:31], 2
    while title in used:
        suffix = f" ({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def write_sheet(ws, header: Sequence[str], rows: Iterable[Sequence[object]], *, freeze_first_column: bool = True,
                max_width: int = 60, min_width: int = 8, start_row: int = 1) -> int:
    """Write a header and rows into worksheet ``ws``, formatted for reading; returns the next free row.

    The header is bold on a light fill; when ``start_row`` is 1 the panes are frozen below the
    header (and right of the first column when ``freeze_first_column``). Every cell wraps its
    text and is top-aligned; column widths follow the longest line of each column, between
    ``min_width`` and ``max_width``.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [display_width(h) for h in header]
    for col, value in enumerate(header, start=1):
        cell = ws.cell(row=start_row, column=col, value=value)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    r = start_row + 1
    for row in rows:
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.alignment = wrap
            if value is not None:
                longest = max((display_width(line) for line in str(value).splitlines()), default=0)
                if col <= len(widths):
                    widths[col - 1] = max(widths[col - 1], longest)
                else:
                    widths.append(longest)
        r += 1
    for col, width in enumerate(widths, start=1):
        letter = get_column_letter(col)
        current = ws.column_dimensions[letter].width if letter in ws.column_dimensions else None
        wanted = max(min_width, min(max_width, width + 2))
        ws.column_dimensions[letter].width = max(wanted, current or 0) if start_row > 1 else wanted
    if start_row == 1:
        ws.freeze_panes = "B2" if freeze_first_column else "A2"
    return r


def workbook_bytes(wb) -> bytes:
    """An openpyxl workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheets_workbook(sheets) -> bytes:
    """An XLSX file of ``(title, header, rows)`` sheets, in order (titles made valid and unique)."""
    from openpyxl import Workbook

    wb = Workbook()
    used: set[str] = set()
    for n, (title, header, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = sheet_title(title, used)
        write_sheet(ws, header, rows)
    return workbook_bytes(wb)


__all__ = [
    "CSV_ENCODING", "MEDIA_TYPES", "RDF_FORMATS", "convert_nquads", "csv_bytes", "display_width",
    "export_ics", "export_rdf", "export_rdf_chunks", "ical_periods", "rule_uid", "school_year_start", "sheet_title",
    "sheets_workbook", "workbook_bytes", "write_sheet",
]
