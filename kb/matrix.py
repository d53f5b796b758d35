"""Obligation matrices: who owes what, and how often, as a grid — with every entry's source.

:func:`matrix` crosses two dimensions (actors × categories by default) over the rules of one
scope; :class:`Matrix` exports to CSV, XLSX and JSON. Dimensions, inheritance marks, filters and
exports: docs/query-side.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kb import obligations
from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH, Obligation
from kb.paging import PAGE_SIZE, Page, page_of
from kb.citations import DocumentTexts
from kb.scopes import concept_label, resolve_concept, scope_documents
from kb.versions import not_in_force
from kb.store.base import Store

DIMENSIONS = ("actor", "category", "district", "modality", "period")
MODALITY_MARK = {"obligation": "", "prohibition": "禁止：", "permission": "可：", "encouragement": "鼓励："}
DIRECT, INHERITED = "●", "○"
UNKNOWN_DISTRICT = "地区不详"


@dataclass(frozen=True)
class Entry:
    """One rule in one cell: ``ref`` is its number in :attr:`Matrix.sources`; ``inherited`` is
    True when the rule belongs to a broader actor than the row's (obligation columns only)."""

    ref: int
    obligation: Obligation
    inherited: bool = False

    @property
    def text(self) -> str:
        ob = self.obligation
        freq = ob.frequency_text
        what = ob.action or ob.sentence
        return f"{MODALITY_MARK.get(ob.modality, '')}{freq + ' ' if freq else ''}{what} [{self.ref}]"

    @property
    def mark(self) -> str:
        """The cell of an obligation column: ● or ○ and the frequency (每月≥1次)."""
        freq = self.obligation.frequency_text
        return (INHERITED if self.inherited else DIRECT) + (f" {freq}" if freq else "")

    def to_dict(self) -> dict:
        ob = self.obligation
        return {"ref": self.ref, "rule": ob.rule, "text": self.text, "frequency_text": ob.frequency_text,
                "frequency": ob.frequency, "modality": ob.modality, "action": ob.action,
                "actor": ob.actor, "category": ob.category, "district": ob.district,
                "inherited": self.inherited}


@dataclass
class Matrix:
    """``rows`` × ``cols`` (``(key, label)`` pairs), and the entries of each cell by
    ``(district, row key, col key)``. ``sources[ref - 1]`` is the rule an entry's ``ref`` cites."""

    row_dimension: str
    col_dimension: str
    rows: list[tuple[str, str]]
    cols: list[tuple[str, str]]
    entries: dict[tuple[str, str, str], list[Entry]]
    sources: list[Obligation]
    filters: dict = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)   # doc → title, or its file name when untitled

    # -- access ---------------------------------------------------------------------

    @property
    def districts(self) -> list[str]:
        """The districts that have at least one entry, sorted."""
        return sorted({d for d, _, _ in self.entries})

    def cell(self, row: str, col: str, district: str | None = None) -> list[Entry]:
        """The entries of a cell, of one district or (``None``) of all of them."""
        return [e for (d, r, c), es in self.entries.items()
                if r == row and c == col and (district is None or d == district) for e in es]

    def behind(self, row: str, col: str | None = None, district: str | None = None) -> list[Entry]:
        """The entries behind a cell (``col`` None: every cell of the row), of one district or all,
        in source order (their ``ref``)."""
        return sorted((e for (d, r, c), es in self.entries.items()
                       if r == row and (col is None or c == col) and (district is None or d == district)
                       for e in es), key=lambda e: e.ref)

    def listed(self, row: str, col: str | None = None) -> list[Entry]:
        """:meth:`behind` in the answers' order: district, document title, document, rule order (as
        the app lists a row's rules, and ``kb.ask.rule_pages`` reads them a page at a time)."""
        return sorted(self.behind(row, col), key=lambda e: (e.obligation.district or "", self.title(e.obligation),
                                                            e.obligation.doc, e.obligation.order))

    def cell_page(self, row: str, col: str | None = None, district: str | None = None, *, page: int = 1,
                  size: int | None = PAGE_SIZE) -> Page[Entry]:
        """Page ``page`` of :meth:`behind` (``size`` None: every entry), with the total."""
        return page_of(self.behind(row, col, district), page, size)

    def cell_text(self, row: str, col: str, district: str | None = None) -> str:
        """A cell as shown: entries joined by newlines (obligation columns: the ● / ○ mark)."""
        entries = self.cell(row, col, district)
        if self.col_dimension == "obligation":
            return entries[0].mark if entries else ""
        return "\n".join(e.text for e in entries)

    def refs(self, row: str, district: str | None = None) -> list[int]:
        """The source numbers cited in a row (of one district or all)."""
        return sorted({e.ref for (d, r, _), es in self.entries.items()
                       if r == row and (district is None or d == district) for e in es})

    def source_text(self, ref: int) -> str:
        """``[3] 张掖市《张掖中学集团化办学工作方案》1193–1264：集团联席会议由…``"""
        ob = self.sources[ref - 1]
        return (f"[{ref}] {ob.district or UNKNOWN_DISTRICT}《{self.title(ob)}》"
                f"{ob.span[0]}–{ob.span[1]}：{ob.sentence}")

    def title(self, ob: Obligation) -> str:
        """The title of a rule's document (its file name when the document has no title)."""
        return ob.title or self.titles.get(ob.doc) or "未命名文件"

    # -- views ----------------------------------------------------------------------

    def grid(self, district: str | None = None) -> tuple[list[str], list[list[str]]]:
        """Header and rows of the grid (rows with no entry left out), with a source column."""
        header = [DIMENSION_ZH.get(self.row_dimension, self.row_dimension),
                  *[label for _, label in self.cols], "来源 sources"]
        out = []
        for key, label in self.rows:
            cells = [self.cell_text(key, col, district) for col, _ in self.cols]
            if not any(cells):
                continue
            out.append([label, *cells, "\n".join(self.source_text(r) for r in self.refs(key, district))])
        return header, out

    def to_dict(self) -> dict:
        """``{"row_dimension", "col_dimension", "filters", "rows": [{"key", "label"}],
        "cols": [...], "districts": [...], "cells": [{"district", "row", "col", "text",
        "entries": [entry…]}], "sources": [{"ref", "rule", "doc", "title", "district",
        "sentence", "span", "document_label" (the title, or the file name), …}]}``."""
        return {
            "row_dimension": self.row_dimension, "col_dimension": self.col_dimension,
            "filters": self.filters,
            "rows": [{"key": k, "label": v} for k, v in self.rows],
            "cols": [{"key": k, "label": v} for k, v in self.cols],
            "districts": self.districts,
            "cells": [{"district": d, "row": r, "col": c,
                       "text": "\n".join(e.mark if self.col_dimension == "obligation" else e.text for e in es),
                       "entries": [e.to_dict() for e in es]}
                      for (d, r, c), es in self.entries.items()],
            "sources": [dict(ob.to_dict(), ref=i, document_label=self.title(ob))
                        for i, ob in enumerate(self.sources, start=1)],
        }

    def to_csv(self) -> bytes:
        """UTF-8 with a BOM: a district column, the row label, one column per ``cols``, the sources."""
        from kb.exports import csv_bytes

        header: list[str] = []
        rows: list[list[str]] = []
        for d in self.districts:
            header, grid = self.grid(d)
            rows.extend([d, *row] for row in grid)
        if not header:
            header = self.grid()[0]
        return csv_bytes(["地区 district", *header], rows)

    def to_xlsx(self) -> bytes:
        """A workbook: 汇总 (counts per cell over every district, and per district), one sheet per
        district (the grid with its source column) and 来源 (every rule with its sentence)."""
        from openpyxl import Workbook

        from kb.exports import sheet_title, workbook_bytes, write_sheet

        wb = Workbook()
        used: set[str] = set()
        summary = wb.active
        summary.title = sheet_title("汇总 Summary", used)
        counting = self.col_dimension != "obligation"
        header = [DIMENSION_ZH.get(self.row_dimension, self.row_dimension), *[l for _, l in self.cols], "合计 total"]
        rows = []
        for key, label in self.rows:
            counts = [len(self.cell(key, col)) for col, _ in self.cols]
            if sum(counts):
                rows.append([label, *counts, len(self.refs(key))])
        nxt = write_sheet(summary, header, rows, min_width=6 if counting else 4)
        district_rows = [[d, len({e.ref for (dd, _, _), es in self.entries.items() if dd == d for e in es})]
                         for d in self.districts]
        write_sheet(summary, ["地区 district", "规则数 rules"], district_rows, start_row=nxt + 1)
        for d in self.districts:
            ws = wb.create_sheet(sheet_title(d, used))
            write_sheet(ws, *self.grid(d), max_width=45 if self.col_dimension != "obligation" else 14)
            ws.column_dimensions[_last_column(ws)].width = 80
        src = wb.create_sheet(sheet_title("来源 Sources", used))
        write_sheet(src, ["编号 ref", "地区 district", "文件 document", "主体 actor", "类别 category",
                          "情态 modality", "频次 frequency", "事项 action", "原文 sentence", "起止 span", "规则 rule"],
                    [[i, ob.district or UNKNOWN_DISTRICT, self.title(ob), concept_label("actor", ob.actor),
                      concept_label("category", ob.category), concept_label("modality", ob.modality),
                      ob.frequency_text, ob.action, ob.sentence, f"{ob.span[0]}–{ob.span[1]}", ob.rule]
                     for i, ob in enumerate(self.sources, start=1)], max_width=70)
        return workbook_bytes(wb)


DIMENSION_ZH = {"actor": "主体 actor", "category": "类别 category", "district": "地区 district",
                 "modality": "情态 modality", "period": "周期 period", "obligation": "规则 rule"}


def _last_column(ws) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(ws.max_column)


# =========================================================================== building


def matrix(store: Store, rows: str = "actor", cols: str = "category", district: str | None = None,
           group: str | None = None, model: str | None = None, modality: str | None = None,
           as_of: str | None = None) -> Matrix:
    """Build the matrix of the rules in scope (see the module docstring).

    ``rows`` ∈ :data:`DIMENSIONS`; ``cols`` ∈ :data:`DIMENSIONS` or ``"obligation"``;
    ``modality`` a code or label (``obligation``, ``禁止``). Unknown names raise
    :class:`kb.errors.InterpretationError` (``PKB-MATRIX-DIMENSION``, ``PKB-SCOPE-*``).
    """
    if rows not in DIMENSIONS or cols not in (*DIMENSIONS, "obligation") or rows == cols:
        raise InterpretationError(f"cannot cross {rows!r} with {cols!r}", code="PKB-MATRIX-DIMENSION",
                                  hint=f"rows: one of {', '.join(DIMENSIONS)}; cols: another one, or obligation")
    if cols == "obligation" and rows != "actor":
        raise InterpretationError("obligation columns need actor rows", code="PKB-MATRIX-DIMENSION",
                                  hint="use --rows actor --cols obligation")
    modality_code = resolve_concept("modality", modality) if modality else None
    filters = {"district": district, "group": group, "model": model, "modality": modality_code}
    scoped = any((district, group, model))
    docs, _ = scope_documents(store, district=district, group=group, model=model,
                              as_of=as_of) if scoped else (None, None)
    # the versions in force as_of (None: the newest; kb.versions)
    excluded = frozenset() if scoped else not_in_force(store, as_of)

    texts = DocumentTexts(store)      # each document's text read once: the quotes and the titles

    def find(**kw) -> list[Obligation]:
        if docs is None:
            return [ob for ob in obligations.find(store, modality=modality_code, texts=texts, **kw)
                    if ob.doc not in excluded]
        # the scope's documents bound together, a few dozen per query (one query per document cost
        # a fifth more for nine documents), in the scope's document order
        step, rank = obligations.PER_DOCUMENT, {d: i for i, d in enumerate(docs)}
        found = [ob for start in range(0, len(docs), step)
                 for ob in obligations.find(store, doc=tuple(docs[start:start + step]), modality=modality_code,
                                            texts=texts, **kw)]
        return sorted(found, key=lambda ob: (rank[ob.doc], ob.inherited, ob.order))

    rules = find()
    sources = sorted(rules, key=lambda ob: (ob.district or "", ob.doc, ob.order))
    ref = {ob.rule: i for i, ob in enumerate(sources, start=1)}
    entries: dict[tuple[str, str, str], list[Entry]] = {}
    if cols == "obligation":
        for actor in _codes("actor"):
            for ob in find(actor=actor):
                key = (ob.district or UNKNOWN_DISTRICT, actor, ob.rule)
                entries.setdefault(key, []).append(Entry(ref[ob.rule], ob, ob.inherited))
        col_list = [(ob.rule, _rule_label(ref[ob.rule], ob)) for ob in sources]
    else:
        for ob in sources:
            key = (ob.district or UNKNOWN_DISTRICT, _value(ob, rows), _value(ob, cols))
            entries.setdefault(key, []).append(Entry(ref[ob.rule], ob))
        col_list = axis(cols, {c for _, _, c in entries})
    row_list = axis(rows, {r for _, r, _ in entries})
    titles = {ob.doc: texts.meta(ob.doc)["title"] or "" for ob in sources}
    return Matrix(rows, cols, row_list, col_list, entries, sources, filters, titles)


def _value(ob: Obligation, dimension: str) -> str:
    if dimension == "district":
        return ob.district or UNKNOWN_DISTRICT
    if dimension == "period":
        return ob.frequency["period"] if ob.frequency else "none"
    return getattr(ob, dimension)


def _codes(scheme: str) -> list[str]:
    from ontology import labels

    return list(labels(scheme))


def axis(dimension: str, present: set[str]) -> list[tuple[str, str]]:
    """The keys of an axis that occur, in vocabulary order, with their labels."""
    if dimension == "district":
        return [(d, d) for d in sorted(present)]
    if dimension == "period":
        order = [*_codes("period"), "none"]
        return [(p, PERIOD_ZH.get(p, "无周期") if p != "none" else "无周期") for p in order if p in present]
    return [(c, concept_label(dimension, c)) for c in _codes(dimension) if c in present]


def _rule_label(ref: int, ob: Obligation) -> str:
    what = ob.action or ob.sentence
    return f"[{ref}] {concept_label('category', ob.category)}：{what[:24]}{'…' if len(what) > 24 else ''}"


__all__ = ["DIMENSIONS", "DIMENSION_ZH", "Entry", "Matrix", "axis", "matrix"]
