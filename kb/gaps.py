"""What a district lacks: the duties (actor, category, period) that most of its peers require and
it does not, each with the peers' sentences and how many peers have it.

:func:`gaps` reads every district's rules through :func:`kb.obligations.find` on the documents in
force (:func:`kb.scopes.district_scope`), so a gap means the same as a cell of the matrix. Rules:
docs/query-side.md ("kb/gaps.py"); words in ``gaps.toml``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb import obligations, scopes
from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH, Obligation
from kb.store.base import Store


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

    @property
    def count(self) -> int:
        return len(self.peers)

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
                "sources": [ob.to_dict() for ob in self.sources]}


@dataclass
class Gaps:
    """The gaps of ``district`` against ``against``, most-shared first."""

    district: str
    against: list[str]
    gaps: list[Gap]
    as_of: str | None = None
    min_peers: int = 1

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


def gaps(store: Store, district: str, against: list[str] | None = None, *, as_of: str | None = None,
         min_peers: int | None = None, sources_per_peer: int | None = None) -> Gaps:
    """The duties at least ``min_peers`` of ``against`` (default: every other district; at least
    half of them, rounded up, by default) require and ``district`` does not."""
    target = scopes.resolve_district(store, district)
    peers = [scopes.resolve_district(store, d) for d in against] if against else \
        [d for d in scopes.districts(store) if d != target]
    peers = [p for p in dict.fromkeys(peers) if p != target]
    if not peers:
        raise InterpretationError("gaps needs at least one other district to compare with",
                                  code="PKB-GAPS-PEERS", hint="name peers with --against D1 D2 …")
    if min_peers is None:
        min_peers = max(1, (len(peers) + 1) // 2)
    per_peer = sources_per_peer or config()["sources_per_peer"]
    own = district_duties(store, target, as_of)
    having: dict[tuple, dict[str, list[Obligation]]] = {}
    for peer in peers:
        for key, obs in district_duties(store, peer, as_of).items():
            having.setdefault(key, {})[peer] = obs
    found = []
    for key, by_peer in having.items():
        if key in own or len(by_peer) < min_peers:
            continue
        sources = [ob for peer in peers if peer in by_peer for ob in by_peer[peer][:per_peer]]
        found.append(Gap(*key, peers=[p for p in peers if p in by_peer], total=len(peers), sources=sources))
    found.sort(key=lambda g: (-g.count, g.actor, g.category, g.period))
    return Gaps(target, peers, found, as_of, min_peers)


__all__ = ["Gap", "Gaps", "district_duties", "duty_key", "gaps"]
