"""Compare districts, school groups or group models side by side, every cell traced to its sentence.

:func:`compare` resolves names to scopes and returns a :class:`Comparison`: dimensions × scopes,
each cell summarised as :class:`Line` objects (one per signature, with its count, documents,
groups and strongest frequency; a district's read from counts, not rows) and, opened on demand,
its cited :class:`Item` rows; :meth:`Comparison.diff` matches items across scopes by signature.
The dimensions, signatures and summaries: docs/query-side.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, NamedTuple

from kb import obligations, queries, scopes
from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH, Obligation
from kb.citations import Citation, DocumentTexts
from kb.scopes import Scope, concept_label, group_label, resolve_all, scope_groups
from kb.store.base import IRI, Store
from ingest.frequency import strongest

MODALITY_MARK = {"obligation": "", "prohibition": "禁止：", "permission": "可：", "encouragement": "鼓励："}


@dataclass(frozen=True)
class Dimension:
    key: str
    zh: str
    en: str
    diffable: bool = True


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("models", "办学模式", "group models"),
    Dimension("bodies", "治理机构", "governance bodies"),
    Dimension("posts", "职务与人选", "posts and who holds them"),
    Dimension("meeting", "会议制度", "meeting cadence"),
    Dimension("teacher_exchange", "教师交流", "teacher exchange"),
    Dimension("joint_research", "联合教研", "joint research"),
    Dimension("evaluation", "评价考核", "evaluation cycle"),
    Dimension("supervision", "督导检查", "supervision"),
    Dimension("constraints", "制度约束", "institutional constraints"),
    Dimension("prohibitions", "禁止事项", "prohibitions"),
    Dimension("schools", "集团与学校数", "groups and schools", diffable=False),
)
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)
_RULE_DIMENSIONS = ("meeting", "teacher_exchange", "joint_research", "evaluation", "supervision")


@dataclass(frozen=True)
class Item:
    """One thing a scope says on a dimension: ``text`` to show, ``signature`` to match it across
    scopes (``signature_label`` says it in words), and where it comes from."""

    text: str
    signature: str
    signature_label: str
    citation: Citation | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def display(self, *, sentence_chars: int | None = None) -> str:
        """The item and its source on two lines (the sentence cut to ``sentence_chars``)."""
        if self.citation is None:
            return f"• {self.text}"
        sentence = self.citation.sentence
        if sentence_chars and len(sentence) > sentence_chars:
            sentence = sentence[:sentence_chars] + "…"
        quote = f"「{sentence}」" if sentence else ""
        return f"• {self.text}\n  ↳ {self.citation.short()} {quote}".rstrip()

    def to_dict(self) -> dict:
        return {"text": self.text, "signature": self.signature, "signature_label": self.signature_label,
                "citation": self.citation.to_dict() if self.citation else None, **self.extra}


@dataclass(frozen=True)
class Line:
    """A cell's summary line: the rows of one ``signature`` — how many (``count``), in how many
    documents, of how many groups (models), and the strongest ``frequency`` among them (rules)."""

    signature: str
    label: str
    count: int
    documents: int
    groups: int | None = None
    frequency: dict | None = None

    def text(self, lang: str = "zh") -> str:
        """联盟型 (alliance) · 3个集团 · 2份文件; 会议制度 · 集团负责人 · 每月 · 12条 · 最高每月≥2次"""
        zh = lang == "zh"
        parts = [self.label]
        if self.groups is not None:
            parts.append(f"{self.groups}个集团" if zh else f"{self.groups} groups")
        parts.append(f"{self.count}条" if zh else f"{self.count} rows")
        parts.append(f"{self.documents}份文件" if zh else f"{self.documents} documents")
        if self.frequency:
            strongest = obligations.frequency_text(self.frequency)
            parts.append(f"最高{strongest}" if zh else f"at most {strongest}")
        return " · ".join(parts)

    def to_dict(self) -> dict:
        return {"signature": self.signature, "label": self.label, "count": self.count,
                "documents": self.documents, "groups": self.groups, "frequency": self.frequency,
                "frequency_text": obligations.frequency_text(self.frequency)}


def summarize(key: str, items: list[Item]) -> list[Line]:
    """A cell's rows as summary lines, one per signature in first-seen order (the ``schools``
    cell: its total line)."""
    if key == "schools":
        total = next((i for i in items if i.signature == "total"), None)
        return [] if total is None else [Line("total", total.signature_label, total.extra["schools"], 0,
                                              total.extra["groups"])]
    by: dict[str, list[Item]] = {}
    for item in items:
        by.setdefault(item.signature, []).append(item)
    lines = []
    for sig, group in by.items():
        docs = {i.citation.doc for i in group if i.citation}
        groups = len({g for i in group for g in i.extra.get("groups", ())}) if key == "models" else None
        lines.append(Line(sig, group[0].signature_label, len(group), len(docs), groups,
                          strongest(i.extra.get("frequency") for i in group)))
    return lines


class Diff(NamedTuple):
    """What two scopes share and what only one of them has, keyed by signature.

    ``in_both[sig] = (items of A, items of B)``; ``only_a[sig]`` / ``only_b[sig]`` the items.
    """

    in_both: dict[str, tuple[list[Item], list[Item]]]
    only_a: dict[str, list[Item]]
    only_b: dict[str, list[Item]]

    def to_dict(self) -> dict:
        def label(items: list[Item]) -> str:
            return items[0].signature_label if items else ""
        return {
            "in_both": [{"signature": s, "label": label(a), "a": [i.to_dict() for i in a],
                         "b": [i.to_dict() for i in b]} for s, (a, b) in self.in_both.items()],
            "only_a": [{"signature": s, "label": label(v), "items": [i.to_dict() for i in v]}
                       for s, v in self.only_a.items()],
            "only_b": [{"signature": s, "label": label(v), "items": [i.to_dict() for i in v]}
                       for s, v in self.only_b.items()],
        }


def diff_items(a: list[Item], b: list[Item]) -> Diff:
    """Split two cells by signature into ``(in_both, only_a, only_b)`` (first-seen order)."""
    by_a: dict[str, list[Item]] = {}
    by_b: dict[str, list[Item]] = {}
    for item in a:
        by_a.setdefault(item.signature, []).append(item)
    for item in b:
        by_b.setdefault(item.signature, []).append(item)
    return Diff({s: (v, by_b[s]) for s, v in by_a.items() if s in by_b},
                {s: v for s, v in by_a.items() if s not in by_b},
                {s: v for s, v in by_b.items() if s not in by_a})


@dataclass
class Comparison:
    """The aligned table: ``summary[key][i]`` the summary lines of ``scopes[i]`` on a dimension or
    rule category; the rows behind them are read on demand: ``cells[dimension][i]`` the item list
    of ``scopes[i]``, ``categories[code][i]`` every rule of that category in ``scopes[i]``,
    :meth:`details` one line's rows."""

    names: list[str]
    scopes: list[Scope]
    summary: dict[str, list[list[Line]]]
    _load: Callable[[int], dict[str, list[Item]]] = field(repr=False, compare=False)
    _profiles: dict[int, dict[str, list[Item]]] = field(default_factory=dict, repr=False, compare=False)
    _groups: Callable[[Scope], tuple[str, ...]] = field(default=lambda scope: scope.groups, repr=False,
                                                        compare=False)

    def profile(self, scope: int | str) -> dict[str, list[Item]]:
        """Every item of one scope by dimension and rule category (read once, when first asked for)."""
        i = self.index(scope)
        if i not in self._profiles:
            self._profiles[i] = self._load(i)
        return self._profiles[i]

    @cached_property
    def cells(self) -> dict[str, list[list[Item]]]:
        return {d.key: [self.profile(i)[d.key] for i in range(len(self.scopes))] for d in DIMENSIONS}

    @cached_property
    def categories(self) -> dict[str, list[list[Item]]]:
        return {c: [[it for it in self.profile(i)["_rules"] if it.extra["category"] == c]
                    for i in range(len(self.scopes))] for c in _category_codes()}

    def lines(self, key: str, scope: int | str) -> list[Line]:
        """The summary lines of one scope on a dimension or rule category."""
        if key not in self.summary:
            self._row(key)   # the error naming the dimensions
        return self.summary[key][self.index(scope)]

    def details(self, key: str, scope: int | str, signature: str | None = None) -> list[Item]:
        """The rows of one scope behind a dimension (or category), or behind one of its lines."""
        profile = self.profile(scope)
        items = profile[key] if key in profile else [i for i in profile["_rules"] if i.extra["category"] == key]
        return [i for i in items if signature is None or i.signature == signature]

    def summary_diff(self, key: str, a: int | str = 0, b: int | str = 1) -> Diff:
        """:meth:`diff` on the summary lines: what both scopes have, and what only one has."""
        return diff_items(self.lines(key, a), self.lines(key, b))

    # -- access ---------------------------------------------------------------------

    def index(self, scope: int | str) -> int:
        """The column of a scope given by position, the name asked for, its label or key."""
        if isinstance(scope, int):
            return scope
        for i, (name, s) in enumerate(zip(self.names, self.scopes)):
            if scope in (name, s.label, s.key):
                return i
        raise InterpretationError(f"{scope!r} is not one of the compared scopes", code="PKB-COMPARE-SCOPE",
                                  hint="compared: " + ", ".join(s.label for s in self.scopes))

    def cell(self, dimension: str, scope: int | str) -> list[Item]:
        """The items of one scope on one dimension (or rule category)."""
        return self._row(dimension)[self.index(scope)]

    def _row(self, key: str) -> list[list[Item]]:
        if key in self.cells:
            return self.cells[key]
        if key in self.categories:
            return self.categories[key]
        raise InterpretationError(f"{key!r} is neither a comparison dimension nor a rule category",
                                  code="PKB-COMPARE-DIMENSION",
                                  hint="dimensions: " + ", ".join(DIMENSION_KEYS)
                                  + "; categories: " + ", ".join(self.categories))

    def diff(self, key: str, a: int | str = 0, b: int | str = 1) -> Diff:
        """``(in_both, only_a, only_b)`` of scopes ``a`` and ``b`` on a dimension or rule category."""
        row = self._row(key)
        return diff_items(row[self.index(a)], row[self.index(b)])

    # -- views ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """``{"scopes", "dimensions": [{"key", "zh", "en", "cells": [[item…] per scope]}],
        "diffs": [{"a", "b", "dimensions": {key: diff}, "categories": {code: diff}}]}`` —
        one diff per scope after the first, against the first."""
        out = {
            "scopes": [dict(s.to_dict(self._groups(s)), name=n) for n, s in zip(self.names, self.scopes)],
            "dimensions": [{"key": d.key, "zh": d.zh, "en": d.en,
                            "summary": [[line.to_dict() for line in cell] for cell in self.summary[d.key]],
                            "cells": [[i.to_dict() for i in cell] for cell in self.cells[d.key]]}
                           for d in DIMENSIONS],
            "diffs": [],
        }
        for j in range(1, len(self.scopes)):
            out["diffs"].append({
                "a": self.scopes[0].label, "b": self.scopes[j].label,
                "dimensions": {d.key: self.diff(d.key, 0, j).to_dict() for d in DIMENSIONS if d.diffable},
                "categories": {c: self.diff(c, 0, j).to_dict() for c in self.categories},
            })
        return out

    def summary_table(self, lang: str = "zh") -> tuple[list[str], list[list[str]]]:
        """Header and rows of the summary: a row per dimension, a line per signature in each cell."""
        header = ["维度 dimension", *[s.label for s in self.scopes]]
        return header, [[f"{d.zh}\n{d.en}", *["\n".join("• " + line.text(lang) for line in cell) or "—"
                                              for cell in self.summary[d.key]]] for d in DIMENSIONS]

    def table(self, *, sentence_chars: int | None = None) -> tuple[list[str], list[list[str]]]:
        """Header and rows of the aligned table as text: a row per dimension, a column per scope."""
        header = ["维度 dimension", *[s.label for s in self.scopes]]
        rows = []
        for d in DIMENSIONS:
            rows.append([f"{d.zh}\n{d.en}", *["\n".join(i.display(sentence_chars=sentence_chars) for i in cell)
                                              or "—" for cell in self.cells[d.key]]])
        return header, rows

    def long_rows(self) -> tuple[list[str], list[list[object]]]:
        """One row per item: dimension, scope, item, signature, the scopes sharing it, source."""
        header = ["dimension", "维度", "scope", "item", "signature", "signature_label", "also_in",
                  "document", "title", "district", "start", "end", "sentence"]
        rows: list[list[object]] = []
        for d in DIMENSIONS:
            cells = self.cells[d.key]
            for i, cell in enumerate(cells):
                for item in cell:
                    also = [self.scopes[j].label for j, other in enumerate(cells) if j != i and d.diffable
                            and any(o.signature == item.signature for o in other)]
                    c = item.citation
                    rows.append([d.key, d.zh, self.scopes[i].label, item.text, item.signature,
                                 item.signature_label, "; ".join(also), c.doc if c else None,
                                 c.title if c else None, c.district if c else None,
                                 c.span[0] if c and c.span else None, c.span[1] if c and c.span else None,
                                 c.sentence if c else None])
        return header, rows

    def to_csv(self) -> bytes:
        """The long form (:meth:`long_rows`) as CSV, UTF-8 with a BOM."""
        from kb.exports import csv_bytes

        return csv_bytes(*self.long_rows())

    def to_xlsx(self) -> bytes:
        """A workbook: the aligned table (对比), the differences against the first scope (差异) and
        every item with its source (来源)."""
        from openpyxl import Workbook

        from kb.exports import sheet_title, workbook_bytes, write_sheet

        wb = Workbook()
        used: set[str] = set()
        ws = wb.active
        ws.title = sheet_title("对比 Comparison", used)
        write_sheet(ws, *self.table(), max_width=70)
        ws2 = wb.create_sheet(sheet_title("差异 Differences", used))
        rows = []
        for j in range(1, len(self.scopes)):
            a, b = self.scopes[0].label, self.scopes[j].label
            keys = [(d.key, d.zh) for d in DIMENSIONS if d.diffable] + \
                   [(c, concept_label("category", c)) for c in self.categories if c not in self.cells]
            for key, zh in keys:
                both, only_a, only_b = self.diff(key, 0, j)
                for status, part in (("共同 both", {s: v[0] + v[1] for s, v in both.items()}),
                                     (f"仅 {a}", only_a), (f"仅 {b}", only_b)):
                    for sig, items in part.items():
                        rows.append([f"{a} / {b}", zh, status, items[0].signature_label,
                                     "\n".join(i.display() for i in items)])
        write_sheet(ws2, ["对比 pair", "维度/类别", "状态 status", "要点 signature", "条目与来源 items"], rows,
                    max_width=80)
        ws3 = wb.create_sheet(sheet_title("来源 Sources", used))
        write_sheet(ws3, *self.long_rows(), max_width=80)
        return workbook_bytes(wb)


# =========================================================================== building


def compare(store: Store, scopes: list[str], as_of: str | None = None) -> Comparison:
    """Resolve ``scopes`` (district, group or model names; see :mod:`kb.scopes`) and compare them
    (their documents in force ``as_of``; None: the newest versions)."""
    if not scopes:
        raise InterpretationError("nothing to compare", code="PKB-COMPARE-ARGS",
                                  hint="name two or more districts, groups or models: compare 张掖市 田家庵区")
    resolved = resolve_all(store, list(scopes), as_of)
    texts = DocumentTexts(store)
    keys = list(dict.fromkeys([*DIMENSION_KEYS, *_category_codes()]))    # a category may be a dimension too
    summary: dict[str, list[list[Line]]] = {k: [] for k in keys}
    profiles: dict[int, dict[str, list[Item]]] = {}
    for i, scope in enumerate(resolved):
        if scope.kind == "district":     # counted from tallies and a few rows per document
            lines = district_summary(store, scope.key, scope.docs)
        else:                            # a group, a model, a document: a few documents
            profiles[i] = _profile(store, scope, texts)
            lines = {k: summarize(k, profiles[i].get(k) or [it for it in profiles[i]["_rules"]
                                                             if it.extra["category"] == k]) for k in keys}
        for k in keys:
            summary[k].append(lines.get(k, []))
    return Comparison([str(s) for s in scopes], resolved, summary,
                      lambda i: _profile(store, resolved[i], texts), profiles,
                      lambda scope: scope_groups(store, scope))


def district_summary(store: Store, district: str, documents=None) -> dict[str, list[Line]]:
    """The summary lines of a district, from counts: the documents' rule tallies and comparison
    tallies (``pkb:comparisonTally``: strongest frequencies, posts, bodies, constraints, models,
    groups, schools) — the same lines :func:`summarize` gives for the district's rows.
    ``documents``: the district's documents to count (those in force; default every document of
    the district). One query bound by those documents, two short values per document."""
    from kb.scopes import concept_label as label

    if documents is None:
        documents = [str(r["doc"]) for r in queries.run(store, "cmp_documents", district=district).rows]
    iris = tuple(IRI(d) for d in sorted(set(map(str, documents))))
    if not iris:
        return {}
    rules: dict[str, list] = {}
    strongest_of: dict[str, list[dict]] = {}
    counted: dict[str, dict[str, list]] = {}      # part → value code → [items, documents]
    schools: set[str] = set()
    for row in queries.run(store, "comparison_tallies", doc=iris).rows:
        doc = str(row["doc"])
        for actor, category, modality, period, n in json.loads(str(row["tally"])):
            sig = f"{category}|{actor}|{'-' if period == 'none' else period}|{modality}"
            entry = rules.setdefault(sig, [0, set(), (category, actor, period, modality)])
            entry[0] += n
            entry[1].add(doc)
        comparison = json.loads(str(row["comparison"]))
        for actor, category, modality, period, low, high, unit in comparison["frequencies"]:
            strongest_of.setdefault(f"{category}|{actor}|{period}|{modality}", []).append(
                {"period": period, "min_count": low, "max_count": high, "unit": unit})
        for part, value, n in comparison["parts"]:
            entry = counted.setdefault(part, {}).setdefault(value or None, [0, set()])
            entry[0] += n
            entry[1].add(doc)
        schools.update(comparison["schools"])
    out: dict[str, list[Line]] = {}
    for sig, (n, docs, (category, actor, period, modality)) in sorted(rules.items()):
        parts = [label("category", category), label("actor", actor),
                 PERIOD_ZH.get(period, "无固定周期") if period != "none" else "无固定周期"]
        if modality != "obligation":
            parts.append(label("modality", modality))
        line = Line(sig, " · ".join(parts), n, len(docs), None, strongest(strongest_of.get(sig, ())))
        out.setdefault(category, []).append(line)
        if modality == "prohibition":
            out.setdefault("prohibitions", []).append(line)
    models = {m: [set(docs), n] for m, (n, docs) in counted.get("model", {}).items()}
    for m, (_, docs) in counted.get("documentModel", {}).items():
        models.setdefault(m, [set(), 0])[0].update(docs)
    out["models"] = [Line(f"model|{m}", label("model", m), len(d), len(d), g) for m, (d, g) in sorted(models.items())]
    for key, part, prefix in (("constraints", "constraint", "constraint"), ("bodies", "body", "body"),
                              ("posts", "post", "post")):
        out[key] = [Line(f"{prefix}|{c}", label("kind" if key == "constraints" else "actor", c), n, len(docs))
                    for c, (n, docs) in sorted(counted.get(part, {}).items())]
    groups = sum(n for n, _ in counted.get("group", {}).values())
    out["schools"] = [Line("total", "合计", len(schools), 0, groups)]
    return out


def _category_codes() -> list[str]:
    from ontology import labels

    return list(labels("category"))


class _Rows:
    """A scope's rows of named queries by document: a district's as :func:`kb.scopes.district_rows`
    reads them (its documents not in force left out), another scope's document by document."""

    def __init__(self, store: Store, scope: Scope, texts: DocumentTexts) -> None:
        self.store, self.scope, self.texts = store, scope, texts

    def __call__(self, name: str) -> dict[str, list[dict]]:
        by_doc: dict[str, list[dict]] = {d: [] for d in self.scope.docs}
        if self.scope.kind == "district":
            for r in scopes.district_rows(self.store, name, self.scope.key, self.scope.docs):
                if str(r["doc"]) in by_doc:
                    by_doc[str(r["doc"])].append(r)
        else:
            for d in self.scope.docs:
                by_doc[d] = queries.run(self.store, name, doc=IRI(d)).rows
        return by_doc

    def groups(self) -> dict[str, list[dict]]:
        """The scope's school groups (the rows of ``cmp_groups``) by document, in one query bound
        by the scope's documents (the documents in force: a query bound by the district would also
        read superseded ones)."""
        by_doc: dict[str, list[dict]] = {d: [] for d in self.scope.docs}
        if self.scope.docs:
            for r in scopes.groups(self.store, doc=tuple(IRI(d) for d in self.scope.docs)):
                by_doc.setdefault(str(r["doc"]), []).append(r)
        return by_doc

    def rules(self) -> list[Obligation]:
        if self.scope.kind == "district":
            order = {d: i for i, d in enumerate(self.scope.docs)}
            found = [ob for ob in obligations.find(self.store, district=self.scope.key, texts=self.texts)
                     if ob.doc in order]
            return sorted(found, key=lambda ob: (order[ob.doc], ob.order))
        return [ob for d in self.scope.docs for ob in obligations.find(self.store, doc=d, texts=self.texts)]


def _profile(store: Store, scope: Scope, texts: DocumentTexts) -> dict[str, list[Item]]:
    """Every dimension's items for one scope."""
    read = _Rows(store, scope, texts)
    rules = [rule_item(ob) for ob in read.rules()]
    out: dict[str, list[Item]] = {"_rules": rules}
    for key in _RULE_DIMENSIONS:
        out[key] = [i for i in rules if i.extra["category"] == key]
    out["prohibitions"] = [i for i in rules if i.extra["modality"] == "prohibition"]
    groups = read.groups()   # read once
    out["models"] = _models(store, scope, texts, groups, read)
    out["bodies"], out["posts"] = _bodies_and_posts(store, scope, texts, read)
    constraints = read("cmp_constraints")
    out["constraints"] = [constraint_item(r, texts) for d in scope.docs for r in constraints[d]]
    out["schools"] = _schools(store, scope, texts, groups, read)
    return out


def rule_item(ob: Obligation) -> Item:
    """A rule as an item: ``集团负责人：每月≥1次 召集…``, signature ``category|actor|period|modality``."""
    period = ob.frequency["period"] if ob.frequency else None
    freq = ob.frequency_text
    text = f"{concept_label('actor', ob.actor)}：{MODALITY_MARK.get(ob.modality, '')}" \
           f"{freq + ' ' if freq else ''}{ob.action or ob.sentence}"
    label_parts = [concept_label("category", ob.category), concept_label("actor", ob.actor),
                   PERIOD_ZH.get(period, "无固定周期") if period else "无固定周期"]
    if ob.modality != "obligation":
        label_parts.append(concept_label("modality", ob.modality))
    citation = Citation(ob.doc, ob.title, ob.district, ob.sentence, tuple(ob.span))
    return Item(text, f"{ob.category}|{ob.actor}|{period or '-'}|{ob.modality}", " · ".join(label_parts),
                citation, {"rule": ob.rule, "category": ob.category, "actor": ob.actor,
                           "modality": ob.modality, "frequency": ob.frequency, "frequency_text": freq})


def constraint_item(row: dict, texts: DocumentTexts) -> Item:
    kind = obligations.code(row["kind"])
    label = concept_label("kind", kind)
    text = label + (f"（{row['kindText']}）" if row.get("kindText") and row["kindText"] != label else "")
    return Item(text, f"constraint|{kind}", label, texts.citation(row["doc"], row["start"], row["end"]),
                {"constraint": row["constraint"], "kind": kind})


def _in_scope_group(scope: Scope, group: str | None) -> bool:
    """Whether a fact tied to ``group`` (None: to no group) belongs to a group/model scope."""
    return not scope.restricts_groups or group is None or group in scope.groups


def _models(store: Store, scope: Scope, texts: DocumentTexts, groups: dict[str, list[dict]],
            read: _Rows) -> list[Item]:
    """One item per model and document, citing the first sentence naming it (the document's own
    model) or the group's; ``extra["groups"]`` the document's groups of that model."""
    from ontology import labels

    table = labels("model")
    items: list[Item] = []
    seen: dict[tuple[str, str], Item] = {}

    def add(code: str, doc: str, cite: Callable[[], Citation], source: str, group: str | None = None) -> None:
        if (code, doc) in seen:
            if group and group not in seen[code, doc].extra["groups"]:
                seen[code, doc].extra["groups"].append(group)
            return
        label = f"{concept_label('model', code)} ({code})"
        seen[code, doc] = Item(label, f"model|{code}", concept_label("model", code), cite(),
                               {"model": code, "via": source, "groups": [group] if group else []})
        items.append(seen[code, doc])

    adopted = read("cmp_document_models") if scope.kind != "group" else {}
    for d in scope.docs:
        group_rows = [g for g in groups[d] if not scope.restricts_groups or g["group"] in scope.groups]
        if scope.kind != "group":
            for r in adopted.get(d, []):
                code = str(r["code"])
                if scope.model and code != scope.model:
                    continue
                concept = table.get(code, {})
                needles = [concept.get("prefLabel", {}).get("zh"), *concept.get("altLabel", {}).get("zh", [])]
                add(code, d, lambda d=d, needles=needles: texts.find_sentence(d, needles), "document")
        for g in group_rows:
            for m in (g.get("models") or "").split():
                code = obligations.code(m)
                if scope.model and code != scope.model:
                    continue
                add(code, d, lambda d=d, g=g: texts.citation(d, g["start"], g["end"]), "group", g["group"])
    return items


def _bodies_and_posts(store: Store, scope: Scope, texts: DocumentTexts,
                      read: _Rows) -> tuple[list[Item], list[Item]]:
    bodies, posts = [], []
    body_rows, post_rows = read("cmp_bodies"), read("cmp_posts")
    for d in scope.docs:
        for r in body_rows[d]:
            if not _in_scope_group(scope, r.get("group")):
                continue
            actor = obligations.code(r.get("actor"))
            label = r.get("label") or concept_label("actor", actor)
            bodies.append(Item(f"{label}（{concept_label('actor', actor)}）", f"body|{actor}",
                               concept_label("actor", actor), texts.citation(d, r["start"], r["end"]),
                               {"body": r["body"], "actor": actor, "label": label}))
        for r in post_rows[d]:
            if not _in_scope_group(scope, r.get("group")):
                continue
            role = obligations.code(r.get("role"))
            label = r.get("label") or concept_label("actor", role)
            text = f"{label}由{r['heldBy']}担任" if r.get("heldBy") else label
            posts.append(Item(text, f"post|{role}", f"{concept_label('actor', role)}",
                              texts.citation(d, r["start"], r["end"]),
                              {"post": r["post"], "role": role, "label": label, "held_by": r.get("heldBy")}))
    return bodies, posts


def _schools(store: Store, scope: Scope, texts: DocumentTexts, groups: dict[str, list[dict]],
             read: _Rows) -> list[Item]:
    items: list[Item] = []
    memberships = read("graph_memberships")
    schools: set[str] = set()
    n_groups = 0
    for d in scope.docs:
        for g in groups[d]:
            if scope.restricts_groups and g["group"] not in scope.groups:
                continue
            n_groups += 1
            text = f"{group_label(g)}：{g['schools']}所（牵头校{g['leads']}所、成员校{g['members']}所）"
            items.append(Item(text, f"group|{g['group']}", group_label(g), texts.citation(d, g["start"], g["end"]),
                              {"group": g["group"], "schools": g["schools"], "leads": g["leads"],
                               "members": g["members"]}))
        for m in memberships[d]:
            if not scope.restricts_groups or m["group"] in scope.groups:
                schools.add(m["school"])
    items.append(Item(f"合计：{n_groups}个集团，{len(schools)}所学校", "total", "合计", None,
                      {"groups": n_groups, "schools": len(schools)}))
    return items


__all__ = ["DIMENSIONS", "DIMENSION_KEYS", "Comparison", "Diff", "Dimension", "Item", "Line", "compare",
           "constraint_item", "diff_items", "district_summary", "rule_item", "strongest", "summarize"]
