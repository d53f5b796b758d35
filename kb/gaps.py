"""What a district lacks: the duties (actor, category, period) that most of its peers require and
it does not, each with the peers' sentences and how many peers have it.

:func:`gaps` decides which duties each district requires from the documents' rule tallies
(``pkb:ruleTally``, one short value per document, of the documents in force: :func:`required_duties`)
and then reads the sentences of the gaps it returns only, bound by the documents that hold them
(:func:`read_sources`), so a gap means the same as a cell of the matrix and costs the same on ten
documents or ten thousand. :func:`district_duties` lists one district's rules (the reference the
tallies are checked against). Rules: docs/query-side.md ("kb/gaps.py"); words in ``gaps.toml``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from kb import obligations, queries, rule_tallies, scopes, versions
from kb.citations import fill_quotes
from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH, Obligation
from kb.store import view_cache
from kb.store.base import IRI, Store


@lru_cache(maxsize=1)
def config() -> dict:
    return tomllib.loads(Path(__file__).with_name("gaps.toml").read_text(encoding="utf-8"))


def duty_key(ob: Obligation) -> tuple[str, str, str]:
    """(actor, category, period) of a rule; period ``none`` when it states no recurrence."""
    return ob.actor, ob.category, (ob.frequency or {}).get("period") or "none"


@dataclass
class Gap:
    """A duty the district lacks: ``peers`` the districts that require it, ``sources`` their rules."""

    actor: str
    category: str
    period: str
    peers: list[str]
    total: int                                  # how many districts were compared against
    sources: list[Obligation] = field(default_factory=list)
    # the peers whose sentences were read (None: not read yet; see read_sources)
    source_peers: list[str] | None = None

    @property
    def count(self) -> int:
        return len(self.peers)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.actor, self.category, self.period

    def label(self, lang: str = "zh") -> str:
        """成员学校 · 教师交流 · 每学年 (the concept labels of the duty)."""
        period = "" if self.period == "none" else (
            PERIOD_ZH.get(self.period, self.period) if lang == "zh" else
            scopes.concept_label("period", self.period, lang))
        return " · ".join(x for x in (scopes.concept_label("actor", self.actor, lang),
                                      scopes.concept_label("category", self.category, lang), period) if x)

    def to_dict(self) -> dict:
        return {"actor": self.actor, "category": self.category, "period": self.period,
                "label": self.label("zh"), "label_en": self.label("en"), "peers": self.peers,
                "count": self.count, "total": self.total,
                "sources": [ob.to_dict() for ob in self.sources], "source_peers": self.source_peers}


@dataclass
class Gaps:
    """The gaps of ``district`` against ``against``, most-shared first."""

    district: str
    against: list[str]
    gaps: list[Gap]
    as_of: str | None = None
    min_peers: int = 1
    sources_per_peer: int = 3
    # peer → [(document, {duty key: rules})]: where read_sources finds the sentences
    tallies: dict = field(default_factory=dict, repr=False)

    HEADER = ("主体 actor", "类别 category", "周期 period", "同行数 peers", "同行 districts",
              "同行原文 peers' sentences")

    def table(self, lang: str = "zh") -> list[list]:
        rows = []
        for g in self.gaps:
            period = "" if g.period == "none" else PERIOD_ZH.get(g.period, g.period)
            sentences = "\n".join(f"[{ob.district}] {ob.sentence}" for ob in g.sources)
            rows.append([scopes.concept_label("actor", g.actor, lang), scopes.concept_label("category", g.category, lang),
                         period, f"{g.count}/{g.total}", "、".join(g.peers), sentences])
        return rows

    def to_dict(self) -> dict:
        return {"district": self.district, "against": self.against, "as_of": self.as_of,
                "min_peers": self.min_peers, "gaps": [g.to_dict() for g in self.gaps]}

    def to_csv(self) -> bytes:
        from kb.exports import csv_bytes

        return csv_bytes(self.HEADER, self.table())

    def to_xlsx(self) -> bytes:
        """A workbook: 缺项 (one row per gap), 来源 (every peer sentence with its document)."""
        from kb.exports import sheets_workbook

        return sheets_workbook([
            (f"缺项 Gaps {self.district}", self.HEADER, self.table()),
            ("来源 Sources", ("缺项 gap", "地区 district", "文件 document", "原文 sentence", "位置 span"),
             [[g.label(), ob.district, ob.title or ob.doc, ob.sentence, f"{ob.span[0]}–{ob.span[1]}"]
              for g in self.gaps for ob in g.sources]),
        ])


def district_duties(store: Store, district: str, as_of: str | None = None) -> dict[tuple, list[Obligation]]:
    """The district's required duties by (actor, category, period), from its documents in force."""
    scope = scopes.district_scope(store, district, as_of=as_of)
    required = set(config()["modalities"])
    skip = set(config()["skip_categories"])
    out: dict[tuple, list[Obligation]] = {}
    for doc in scope.docs:
        for ob in obligations.find(store, doc=doc):
            if ob.modality in required and ob.category not in skip:
                out.setdefault(duty_key(ob), []).append(ob)
    return out


#: up to this many districts, their duties are derived for them alone (and not kept); beyond,
#: every district's duties are derived once per store view and date (:func:`_all_tallies`)
BOUND_DISTRICTS = 40

# district → [(document, {duty key: its rules})], documents in force, in the order a scope lists them
Tallies = dict[str, list[tuple[str, dict[tuple, int]]]]


def _duty_keys(keys: tuple[tuple, ...]) -> list[tuple | None]:
    """The duty key of each tally entry key (:class:`kb.rule_tallies.RuleTallies`), or None for an
    entry whose modality requires nothing or whose category is skipped (``gaps.toml``)."""
    cfg = config()
    return [(actor, category, period or "none")
            if modality in cfg["modalities"] and category not in cfg["skip_categories"] else None
            for actor, category, modality, period in keys]


def _read_tallies(store: Store, districts: tuple[str, ...] | None, as_of: str | None) -> Tallies:
    excluded = versions.not_in_force(store, as_of)
    tallies = rule_tallies.of(store, districts=districts)
    duty_of = _duty_keys(tallies.keys)
    out: Tallies = {}
    for doc in tallies.of_districts(districts):
        if doc in excluded:
            continue
        duties: dict[tuple, int] = {}
        for k, n in tallies.entries(doc):
            key = duty_of[k]
            if n and key is not None:
                duties[key] = duties.get(key, 0) + n
        out.setdefault(tallies.district(doc), []).append((doc, duties))
    return out


def _keys(tallies: Tallies) -> dict[str, frozenset]:
    return {district: frozenset(key for _, duties in docs for key in duties) for district, docs in tallies.items()}


def _all_tallies(store: Store, as_of: str | None) -> tuple[Tallies, dict[str, frozenset]]:
    """Every district's tallies and duties, kept in memory per store view and date where the store
    can tell when it changed (a page's next interaction then reads nothing)."""
    def compute() -> tuple[Tallies, dict[str, frozenset]]:
        tallies = _read_tallies(store, None, as_of)
        return tallies, _keys(tallies)

    return view_cache.remembered(store, f"gap-duties-{versions.check_date(as_of) or 'newest'}", "", compute,
                                 on_disk=False)


def _tallies(store: Store, districts: list[str] | None, as_of: str | None) -> tuple[Tallies, dict[str, frozenset]]:
    if districts is not None and len(set(districts)) <= BOUND_DISTRICTS:
        tallies = _read_tallies(store, tuple(sorted(set(districts))), as_of)
        return tallies, _keys(tallies)
    return _all_tallies(store, as_of)


def required_duties(store: Store, districts: list[str] | None = None, as_of: str | None = None) -> dict[str, frozenset]:
    """The duty keys each district (of ``districts``, None: all) requires, from the rule tallies of
    its documents in force ``as_of`` — the keys of :func:`district_duties` without listing a rule."""
    keys = _tallies(store, districts, as_of)[1]
    return keys if districts is None else {d: keys.get(d, frozenset()) for d in districts}


def _holding(tallies: list[tuple[str, dict[tuple, int]]], key: tuple) -> Iterator[tuple[str, int]]:
    """(document, rules of ``key``) for the documents of ``tallies`` that state the duty, in order."""
    for doc, duties in tallies:
        if duties.get(key):
            yield doc, duties[key]


def gaps(store: Store, district: str, against: list[str] | None = None, *, as_of: str | None = None,
         min_peers: int | None = None, sources_per_peer: int | None = None, sources: int | None = None,
         source_peers: int | None = None) -> Gaps:
    """The duties at least ``min_peers`` of ``against`` (default: every other district; at least
    half of them, rounded up, by default) require and ``district`` does not.

    The sentences (at most ``sources_per_peer`` of each peer) are read for the first ``sources``
    gaps (None: every gap; 0: none yet, :func:`read_sources` reads them on demand), of at most
    ``source_peers`` of each gap's peers (None: every peer)."""
    target = scopes.resolve_district(store, district)
    peers = [scopes.resolve_district(store, d) for d in against] if against else \
        [d for d in scopes.districts(store) if d != target]
    peers = [p for p in dict.fromkeys(peers) if p != target]
    if not peers:
        raise InterpretationError("gaps needs at least one other district to compare with",
                                  code="PKB-GAPS-PEERS", hint="name peers with --against D1 D2 …")
    if min_peers is None:
        min_peers = max(1, (len(peers) + 1) // 2)
    tallies, keys = _tallies(store, None if not against else [target, *peers], as_of)
    own = keys.get(target, frozenset())
    having: dict[tuple, list[str]] = {}
    for peer in peers:
        for key in keys.get(peer, ()):
            having.setdefault(key, []).append(peer)
    found = [Gap(*key, peers=by_peer, total=len(peers)) for key, by_peer in having.items()
             if key not in own and len(by_peer) >= min_peers]
    found.sort(key=lambda g: (-g.count, g.actor, g.category, g.period))
    result = Gaps(target, peers, found, as_of, min_peers,
                  sources_per_peer=sources_per_peer or config()["sources_per_peer"],
                  tallies={p: tallies[p] for p in peers if p in tallies})
    read_sources(store, result, found if sources is None else found[:sources], source_peers)
    return result


def read_sources(store: Store, result: Gaps, chosen: list[Gap] | None = None,
                 source_peers: int | None = None) -> None:
    """Read the peers' sentences of the ``chosen`` gaps of ``result`` (None: every gap) into their
    ``sources``: at most ``result.sources_per_peer`` rules of each of the first ``source_peers`` of
    its peers (None: all), in the order the peer's documents list them (as :func:`district_duties`).
    Only the documents that hold them are read (the tallies say which): one query per gap with
    its actor and category bound, then the frequencies and titles of those documents."""
    chosen = result.gaps if chosen is None else chosen
    per_peer = result.sources_per_peer
    todo: list[tuple[Gap, dict[str, list[str]]]] = []
    for gap in chosen:
        wanted = gap.count if source_peers is None else min(source_peers, gap.count)
        if gap.source_peers is not None and len(gap.source_peers) >= wanted:
            continue                                        # already read, as far as asked
        docs_of: dict[str, list[str]] = {}
        for peer in gap.peers[:wanted]:
            need, docs = per_peer, []
            for doc, n in _holding(result.tallies.get(peer, []), gap.key):
                if need <= 0:
                    break
                docs.append(doc)
                need -= n
            docs_of[peer] = docs
        todo.append((gap, docs_of))
    rules = _rules(store, [(gap.key, {d for ds in docs_of.values() for d in ds}) for gap, docs_of in todo])
    for gap, docs_of in todo:
        gap.sources = []
        for docs in docs_of.values():
            held = [ob for d in docs for ob in rules.get((gap.key, d), [])]
            gap.sources += held[:per_peer]
        gap.source_peers = list(docs_of)


def _rules(store: Store, asks: list[tuple[tuple, set[str]]]) -> dict[tuple, list[Obligation]]:
    """(duty key, document) → the document's required rules of that duty, in rule order, built as
    :func:`kb.obligations.find` builds them; ``asks``: each duty key with the documents to read."""
    from kb.obligations import code, concept, rule_frequencies

    asks = [(key, docs) for key, docs in asks if docs]
    if not asks:
        return {}
    rows = [(key, r) for key, docs in asks for r in queries.run(
        store, "obligations", doc=tuple(IRI(d) for d in sorted(docs)),
        actor=concept("actor", key[0]), category=concept("category", key[1])).rows]
    every = tuple(IRI(d) for d in sorted({d for _, docs in asks for d in docs}))
    frequencies = rule_frequencies(queries.run(store, "obligation_constraints", doc=every).rows)
    documents = {r["doc"]: r for r in queries.run(store, "documents_in_district", doc=every).rows}
    required = set(config()["modalities"])
    rows.sort(key=lambda kr: (kr[1].get("district") or "", kr[1]["doc"], kr[1]["order"]))
    out: dict[tuple, list[Obligation]] = {}
    seen = set()
    for key, r in rows:
        frequency = frequencies.get(r["rule"])
        if (key, r["rule"]) in seen or code(r["modality"]) not in required \
                or ((frequency or {}).get("period") or "none") != key[2]:
            continue
        seen.add((key, r["rule"]))
        document = documents.get(r["doc"], {})
        out.setdefault((key, str(r["doc"])), []).append(Obligation(
            doc=r["doc"], title=document.get("title"), district=r.get("district") or None,
            province=document.get("province"), rule=r["rule"], order=r["order"], actor=code(r["actor"]),
            actor_text=None, action=None, modality=code(r["modality"]),
            category=code(r["category"]), frequency=frequency,
            sentence="", span=(r["start"], r["end"])))
    fill_quotes(store, [ob for rules in out.values() for ob in rules])
    return out


__all__ = ["Gap", "Gaps", "district_duties", "duty_key", "required_duties", "gaps", "read_sources"]
