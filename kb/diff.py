"""What changed between two versions: duties added, removed and changed, and the constraints,
groups, memberships and models added or removed — each with both sources.

:func:`diff_documents` compares two sets of documents (one version each, or a district at two
points in time, :func:`diff_points`); rules are matched by meaning, not identical text. Rules of
matching and the output formats: docs/query-side.md ("kb/diff.py"); words in ``diff.toml``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.citations import Citation, DocumentTexts
from kb.obligations import frequency_text
from kb.store.base import Store
from kb.versions import similarity, tokens


@lru_cache(maxsize=1)
def words() -> dict:
    """The zh/en words of ``diff.toml``."""
    return tomllib.loads(Path(__file__).with_name("diff.toml").read_text(encoding="utf-8"))


def word(section: str, key: str, lang: str = "zh") -> str:
    return words()[section].get(key, {}).get(lang, key)


@dataclass
class RuleChange:
    """One duty across the two versions: ``kind`` added, removed, changed or unchanged;
    ``changes`` what differs (frequency, quantity, actor, modality, category); ``old``/``new`` the
    rule as the extract view has it, ``old_source``/``new_source`` where each version states it."""

    kind: str
    old: dict | None = None
    new: dict | None = None
    old_source: Citation | None = None
    new_source: Citation | None = None
    changes: list[str] = field(default_factory=list)
    direction: str | None = None        # raised / lowered, for a frequency or quantity change
    similarity: float = 0.0

    @property
    def reworded(self) -> bool:
        return bool(self.old and self.new and self.old["sentence"] != self.new["sentence"])

    @property
    def rule(self) -> dict:
        return self.new or self.old or {}

    def describe(self, lang: str = "zh") -> str:
        """频次 每学期≥2次 → 每月≥1次 (提高); 主体 lead_school → group_council …"""
        parts = []
        for c in self.changes:
            before, after = _facet(self.old, c, lang), _facet(self.new, c, lang)
            text = f"{word('changes', c, lang)} {before or '-'} → {after or '-'}"
            if c in ("frequency", "quantity") and self.direction:
                text += f" ({word('direction', self.direction, lang)})"
            parts.append(text)
        if self.kind == "unchanged" and self.reworded:
            parts.append(word("changes", "reworded", lang))
        return "; ".join(parts)

    def line(self, lang: str = "zh") -> str:
        """One readable line: kind, what changed, the rule, and the clause(s)."""
        r = self.rule
        head = f"{word('kinds', self.kind, lang)} {r.get('modality')} {r.get('actor')} {r.get('category')}"
        what = self.describe(lang)
        clauses = " ⇒ ".join(dict.fromkeys(s.sentence for s in (self.old_source, self.new_source) if s))
        return f"{head}{' | ' + what if what else ''} | {clauses}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "changes": self.changes, "direction": self.direction,
                "reworded": self.reworded, "similarity": round(self.similarity, 3),
                "old": self.old, "new": self.new,
                "old_source": self.old_source.to_dict() if self.old_source else None,
                "new_source": self.new_source.to_dict() if self.new_source else None,
                "description": self.describe("zh"), "description_en": self.describe("en")}


@dataclass(frozen=True)
class ItemChange:
    """A constraint, group, membership or model added or removed; ``source`` cites it."""

    section: str            # constraint | group | member | lead | model
    kind: str               # added | removed
    label: str
    source: Citation | None = None

    def line(self, lang: str = "zh") -> str:
        where = f" | {self.source.sentence}" if self.source and self.source.sentence else ""
        return f"{word('kinds', self.kind, lang)} {word('sections', self.section, lang)} {self.label}{where}"

    def to_dict(self) -> dict:
        return {"section": self.section, "kind": self.kind, "label": self.label,
                "source": self.source.to_dict() if self.source else None}


@dataclass
class Diff:
    """The changes from the ``old`` documents to the ``new`` ones."""

    old: list[Citation]                  # the documents compared (a citation without a span)
    new: list[Citation]
    rules: list[RuleChange]
    items: list[ItemChange]
    labels: tuple[str, str] = ("", "")   # what to call the two sides (titles, or district @ date)

    def changed(self) -> list[RuleChange]:
        """The rule changes that are real changes (not unchanged)."""
        return [c for c in self.rules if c.kind != "unchanged"]

    def summary(self) -> dict[str, int]:
        out = {k: 0 for k in ("added", "removed", "changed", "unchanged")}
        for c in self.rules:
            out[c.kind] += 1
        out["items_added"] = sum(i.kind == "added" for i in self.items)
        out["items_removed"] = sum(i.kind == "removed" for i in self.items)
        return out

    def lines(self, lang: str = "zh", *, unchanged: bool = False) -> list[str]:
        """The changes as readable lines, rules first (unchanged ones only when asked)."""
        return [c.line(lang) for c in self.rules if unchanged or c.kind != "unchanged"] + \
            [i.line(lang) for i in self.items]

    def to_dict(self) -> dict:
        return {"old": [c.to_dict() for c in self.old], "new": [c.to_dict() for c in self.new],
                "labels": list(self.labels), "summary": self.summary(),
                "rules": [c.to_dict() for c in self.rules], "items": [i.to_dict() for i in self.items]}

    # -- tables --------------------------------------------------------------------

    HEADER = ("变化 change", "内容 what", "情态 modality", "主体 actor", "类别 category",
              "旧频次 old frequency", "新频次 new frequency", "旧条款 old clause", "新条款 new clause",
              "旧来源 old source", "新来源 new source")

    def table(self, *, unchanged: bool = True, lang: str = "zh") -> list[list[str]]:
        """One row per rule change (then per item), in :attr:`HEADER`'s columns."""
        rows = []
        for c in self.rules:
            if c.kind == "unchanged" and not unchanged:
                continue
            r = c.rule
            rows.append([word("kinds", c.kind, lang), c.describe(lang), r.get("modality") or "",
                         r.get("actor") or "", r.get("category") or "",
                         frequency_text((c.old or {}).get("frequency")), frequency_text((c.new or {}).get("frequency")),
                         c.old_source.sentence if c.old_source else "", c.new_source.sentence if c.new_source else "",
                         c.old_source.short() if c.old_source else "", c.new_source.short() if c.new_source else ""])
        for i in self.items:
            src = i.source
            old, new = (src, None) if i.kind == "removed" else (None, src)
            rows.append([word("kinds", i.kind, lang), f"{word('sections', i.section, lang)} {i.label}", "", "", "",
                         "", "", old.sentence if old else "", new.sentence if new else "",
                         old.short() if old else "", new.short() if new else ""])
        return rows

    def to_csv(self) -> bytes:
        from kb.exports import csv_bytes

        return csv_bytes(self.HEADER, self.table())

    def to_xlsx(self) -> bytes:
        """A workbook: 变化 (every change with both sources), 未变 (the duties both state)."""
        from kb.exports import sheets_workbook

        return sheets_workbook([
            ("变化 Changes", self.HEADER, self.table(unchanged=False)),
            ("未变 Unchanged", self.HEADER, [row for c, row in zip(self.rules, self.table()) if c.kind == "unchanged"]),
            ("文件 Documents", ("版本 side", "文件 document", "IRI"),
             [[side, c.title or "", c.doc] for side, cs in (("旧 old", self.old), ("新 new", self.new)) for c in cs]),
        ])


# --------------------------------------------------------------------------- facets


def _facet(rule: dict | None, change: str, lang: str = "zh") -> str:
    """What a rule says on one facet: its frequency, quantity, or the label of its concept."""
    from kb.scopes import concept_label

    if not rule:
        return ""
    if change == "frequency":
        return frequency_text(rule.get("frequency"))
    if change == "quantity":
        q = rule.get("quantity")
        amount = f"{q['value']}{q.get('unit') or ''}" if q else ""
        return " ".join(x for x in (frequency_text(rule.get("frequency")), amount) if x)
    return concept_label(change, rule.get(change), lang)


def _per_year(freq: dict | None) -> float | None:
    if not freq:
        return None
    factor = words()["per_year"].get(freq["period"], 1)
    count = freq.get("min_count") or freq.get("max_count") or 1
    return factor * count


def _compare(old: dict, new: dict) -> tuple[list[str], str | None]:
    """What differs between two matched rules, and whether a frequency went up or down."""
    changes = [c for c in ("actor", "modality", "category") if old.get(c) != new.get(c)]
    fo, fn = old.get("frequency"), new.get("frequency")
    direction = None
    if (fo or {}).get("period") != (fn or {}).get("period"):
        changes.insert(0, "frequency")
    elif fo != fn or old.get("quantity") != new.get("quantity"):
        changes.insert(0, "quantity")
    if changes and changes[0] in ("frequency", "quantity"):
        before, after = _per_year(fo), _per_year(fn)
        if before is None and (old.get("quantity") or new.get("quantity")):
            before = (old.get("quantity") or {}).get("value")
            after = (new.get("quantity") or {}).get("value")
        if before is not None and after is not None and before != after:
            direction = "raised" if after > before else "lowered"
    return changes, direction


# --------------------------------------------------------------------------- matching


def _text_similarity(a: dict, b: dict) -> float:
    clause = similarity(a["sentence"], b["sentence"])
    if a.get("action") and b.get("action"):
        return (clause + similarity(a["action"], b["action"])) / 2
    return clause


def match_rules(old: list[dict], new: list[dict], threshold: float | None = None) -> list[tuple]:
    """Pairs ``(i, j, similarity)`` of the old and new rules that state the same duty.

    Identical clauses of the same actor pair first; then, best first, pairs whose clause and action
    words are at least ``threshold`` alike (``diff.toml`` ``match``), the same actor, category and
    modality and a nearby position breaking ties. Each rule pairs at most once."""
    threshold = words()["match"] if threshold is None else threshold
    pairs = []
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            if a["sentence"] == b["sentence"] and a["actor"] == b["actor"] and a.get("action") == b.get("action"):
                score = 3.0
            else:
                s = _text_similarity(a, b)
                if s < threshold:
                    continue
                score = s
            bonus = 0.05 * (a["actor"] == b["actor"]) + 0.05 * (a["category"] == b["category"]) \
                + 0.02 * (a["modality"] == b["modality"])
            where = abs(i / max(len(old), 1) - j / max(len(new), 1))
            pairs.append((score + bonus - 0.01 * where, i, j, min(score, 1.0)))
    pairs.sort(key=lambda p: -p[0])
    used_old, used_new, out = set(), set(), []
    for _, i, j, s in pairs:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out.append((i, j, s))
    return sorted(out)


def diff_rules(old: list[dict], new: list[dict], texts: DocumentTexts) -> list[RuleChange]:
    """Rule changes between two lists of extract-view rules (each with its ``doc``)."""
    def cite(r):
        return texts.citation(r["doc"], *r["span"])

    out: list[RuleChange] = []
    matched = match_rules(old, new)
    paired_new = {j for _, j, _ in matched}
    by_old = {i: (j, s) for i, j, s in matched}
    for i, r in enumerate(old):
        if i in by_old:
            j, s = by_old[i]
            changes, direction = _compare(r, new[j])
            out.append(RuleChange("changed" if changes else "unchanged", r, new[j], cite(r), cite(new[j]),
                                  changes, direction, s))
        else:
            out.append(RuleChange("removed", r, None, cite(r), None))
    for j, r in enumerate(new):
        if j not in paired_new:
            out.append(RuleChange("added", None, r, None, cite(r)))
    order = {"changed": 0, "removed": 1, "added": 2, "unchanged": 3}
    return sorted(out, key=lambda c: (order[c.kind], (c.new or c.old)["doc"], (c.new or c.old)["span"][0]))


def _match_sentences(old: list[tuple[str, dict]], new: list[tuple[str, dict]]):
    """Old and new (key, item) pairs without a counterpart: same key and alike sentences pair."""
    left, right = list(old), list(new)
    for key, item in list(left):
        best = max((p for p in right if p[0] == key), default=None,
                   key=lambda p: similarity(p[1].get("sentence", ""), item.get("sentence", "")))
        if best is not None:
            left.remove((key, item))
            right.remove(best)
    return left, right


def diff_items(old_views: list[dict], new_views: list[dict], texts: DocumentTexts) -> list[ItemChange]:
    """Constraints, groups, memberships and models added or removed."""
    out: list[ItemChange] = []

    def constraints(views):
        return [(c["kind"], {**c, "doc": v["_doc"]}) for v in views for c in v["constraints"]]

    gone, came = _match_sentences(constraints(old_views), constraints(new_views))
    out += [ItemChange("constraint", "removed", k, texts.citation(c["doc"], *c["span"])) for k, c in gone]
    out += [ItemChange("constraint", "added", k, texts.citation(c["doc"], *c["span"])) for k, c in came]

    def groups(views):
        return {(g.get("name") or "、".join(g["lead_schools"]) or "?"): (g, v["_doc"]) for v in views for g in v["groups"]}

    og, ng = groups(old_views), groups(new_views)
    for kind, here, there in (("removed", og, ng), ("added", ng, og)):
        for name, (g, doc) in here.items():
            if name not in there:
                out.append(ItemChange("group", kind, name,
                                      texts.find_sentence(doc, [g.get("name") or "", *g["lead_schools"]])))
                continue
            other = there[name][0]
            for section, key in (("lead", "lead_schools"), ("member", "member_schools")):
                for school in g[key]:
                    if school not in other[key]:
                        out.append(ItemChange(section, kind, f"{name}: {school}", texts.find_sentence(doc, [school])))

    def models(views):
        return {m: v["_doc"] for v in views for m in v["document_models"]}

    om, nm = models(old_views), models(new_views)
    out += [ItemChange("model", "removed", m, texts.citation(d)) for m, d in om.items() if m not in nm]
    out += [ItemChange("model", "added", m, texts.citation(d)) for m, d in nm.items() if m not in om]
    return out


def _views(store: Store, docs: list[str]) -> list[dict]:
    from kb.extract_view import document_view

    out = []
    for d in docs:
        view = document_view(store, d, source="")
        view["_doc"] = d
        for r in view["obligations"]:
            r["doc"] = d
        out.append(view)
    return out


def diff_documents(store: Store, old_docs: list[str], new_docs: list[str],
                   labels: tuple[str, str] | None = None) -> Diff:
    """The changes from the documents ``old_docs`` to ``new_docs`` (graph IRIs)."""
    texts = DocumentTexts(store)
    old_views, new_views = _views(store, list(old_docs)), _views(store, list(new_docs))
    rules = diff_rules([r for v in old_views for r in v["obligations"]],
                       [r for v in new_views for r in v["obligations"]], texts)
    items = diff_items(old_views, new_views, texts)
    old = [texts.citation(d) for d in old_docs]
    new = [texts.citation(d) for d in new_docs]
    if labels is None:
        labels = ("、".join(c.title or c.doc for c in old), "、".join(c.title or c.doc for c in new))
    return Diff(old, new, rules, items, labels)


def diff_points(store: Store, district: str, old_as_of: str, new_as_of: str | None = None) -> Diff:
    """A district's documents in force at two dates (``new_as_of`` None: the newest), compared."""
    from kb import scopes, versions

    docs = [r["doc"] for r in scopes.documents(store, district)]
    old = versions.in_force(store, docs, [district], old_as_of)
    new = versions.in_force(store, docs, [district], new_as_of)
    return diff_documents(store, old, new, (f"{district} @ {versions.check_date(old_as_of)}",
                                            f"{district} @ {versions.check_date(new_as_of) or 'newest'}"))


__all__ = ["Diff", "ItemChange", "RuleChange", "diff_documents", "diff_items", "diff_points", "diff_rules",
           "match_rules", "tokens", "word", "words"]
