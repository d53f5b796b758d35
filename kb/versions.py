"""Versions of a policy: which document replaces which, and which are in force on a date.

Links are found at query time from what the documents say (status, dates, repealed titles, the
same district and subject) and set by hand in the versions graph (:func:`link`, :func:`unlink`),
which re-ingesting a document never touches; a hand link overrides detection. The rules are in
docs/query-side.md ("kb/versions.py"), the words in ``versions.toml``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cmp_to_key, lru_cache
from pathlib import Path

from kb import queries
from kb.errors import InterpretationError
from kb.store import view_cache
from kb.store.base import IRI, DocumentWrite, Store

VERSIONS_GRAPH = "https://w3id.org/policykb/graph/versions"
_DCTERMS_REPLACES = "http://purl.org/dc/terms/replaces"
_PROV_REVISION = "http://www.w3.org/ns/prov#wasRevisionOf"
_PKB_NOT = "https://w3id.org/policykb/ontology#doesNotReplace"


_TOML = Path(__file__).with_name("versions.toml")


@lru_cache(maxsize=1)
def _config() -> dict:
    data = tomllib.loads(_TOML.read_text(encoding="utf-8"))
    data["strip_rx"] = [re.compile(p) for p in data["subject"]["strip"]]
    return data


@dataclass(frozen=True)
class Version:
    """One document as a version: its dates, declared status and the titles it repeals."""

    doc: str
    title: str | None
    district: str | None
    issuer: str | None = None
    issued: str | None = None
    in_force: str | None = None
    until: str | None = None
    status: str | None = None
    repeals: tuple[str, ...] = ()

    @property
    def date(self) -> str | None:
        """The date the version counts from: in force from, else issued."""
        return self.in_force or self.issued

    @property
    def subject(self) -> str:
        return subject_of(self.title or "")

    def to_dict(self) -> dict:
        return {"doc": self.doc, "title": self.title, "district": self.district, "issuer": self.issuer,
                "issued": self.issued, "in_force": self.in_force, "until": self.until,
                "status": self.status or "final", "repeals": list(self.repeals)}


@dataclass(frozen=True)
class Link:
    """``newer`` replaces ``older``; ``how`` is ``hand``, ``repeal`` (the newer text repeals the
    older's title) or ``detected`` (same district and subject, ordered by status and dates)."""

    older: str
    newer: str
    how: str

    def to_dict(self) -> dict:
        return {"older": self.older, "newer": self.newer, "how": self.how}


@dataclass
class Chain:
    """The versions of one policy, oldest first, and the links between them."""

    versions: list[Version]
    links: list[Link] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"versions": [v.to_dict() for v in self.versions], "links": [k.to_dict() for k in self.links]}


# --------------------------------------------------------------------------- subjects


def subject_of(title: str) -> str:
    """A title without its status, years and punctuation: what two versions share."""
    text = title
    for rx in _config()["strip_rx"]:
        text = rx.sub("", text)
    return text


@lru_cache(maxsize=16384)
def tokens(text: str) -> frozenset[str]:
    """The content words of ``text`` (jieba, without stop words and punctuation)."""
    from ingest.segmenter import setup
    import jieba

    setup()
    stop = set(_config()["tokens"]["stop"])
    return frozenset(t for t in jieba.lcut(text or "")
                     if t.strip() and t not in stop and any(c.isalnum() for c in t))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the content words of two texts (1.0 for equal texts)."""
    if a == b:
        return 1.0
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


# --------------------------------------------------------------------------- reading


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def documents(store: Store, district: str | None = None, doc: str | None = None) -> list[Version]:
    """The documents of a district (or one document, or every document) as versions."""
    rows = queries.run(store, "version_documents", district=district, doc=IRI(doc) if doc else None).rows
    return [Version(r["doc"], _text(r.get("title")), _text(r.get("district")), _text(r.get("issuer")),
                    _text(r.get("issued")), _text(r.get("inForce")), _text(r.get("until")),
                    _text(r.get("status")),
                    tuple(t for t in (r.get("repeals") or "").split("\n") if t)) for r in rows]


def hand_links(store: Store) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(older, newer) pairs set by hand: the links, and the pairs unlinked against detection."""
    linked, unlinked = set(), set()
    for r in queries.run(store, "version_links").rows:
        (linked if r["kind"] == "replaces" else unlinked).add((r["older"], r["newer"]))
    return linked, unlinked


# --------------------------------------------------------------------------- detection


def _rank(v: Version) -> int:
    return _config()["rank"].get(v.status or "final", 3)


def order(a: Version, b: Version) -> int:
    """-1 when ``a`` is the older version, 1 when ``b`` is, 0 when nothing tells: dates in force
    first, then status (a draft before its final text), then dates of issue."""
    if a.date and b.date and a.date != b.date:
        return -1 if a.date < b.date else 1
    if _rank(a) != _rank(b):
        return -1 if _rank(a) < _rank(b) else 1
    if a.issued and b.issued and a.issued != b.issued:
        return -1 if a.issued < b.issued else 1
    return 0


def same_policy(a: Version, b: Version) -> bool:
    """Two documents are versions of one policy: same district, issuers that do not differ, and
    subjects (titles without status and years) alike."""
    if not a.district or a.district != b.district or not a.title or not b.title:
        return False
    if a.issuer and b.issuer and a.issuer != b.issuer:
        return False
    return bigram_similarity(a.subject, b.subject) >= _config()["subject"]["similar"]


def bigram_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two short texts (titles; no segmenter needed)."""
    if a == b:
        return 1.0
    ba, bb = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    if not ba or not bb:
        return 0.0
    return 2 * len(ba & bb) / (len(ba) + len(bb))


def _repeals(newer: Version, older: Version) -> bool:
    return bool(older.title) and any(
        subject_of(t) == older.subject or t == older.title for t in newer.repeals)


def detect(versions: list[Version]) -> list[Link]:
    """The links the documents' own words give: a repealed title that names another document,
    and, within each policy (same district and subject), each version replacing the one before."""
    found: dict[tuple[str, str], Link] = {}
    for a in versions:
        for b in versions:
            if a.doc != b.doc and _repeals(b, a):
                found[(a.doc, b.doc)] = Link(a.doc, b.doc, "repeal")
    clusters: list[list[Version]] = []
    for v in versions:
        home = next((c for c in clusters if any(same_policy(v, w) for w in c)), None)
        if home is None:
            clusters.append([v])
        else:
            home.append(v)
    for cluster in clusters:
        ordered = sorted(cluster, key=cmp_to_key(lambda a, b: order(a, b) or (a.doc > b.doc) - (a.doc < b.doc)))
        for older, newer in zip(ordered, ordered[1:]):
            if order(older, newer) < 0 and (older.doc, newer.doc) not in found:
                found[(older.doc, newer.doc)] = Link(older.doc, newer.doc, "detected")
    return list(found.values())


def links(store: Store, versions: list[Version] | None = None, *, district: str | None = None,
          hand: tuple[set, set] | None = None) -> list[Link]:
    """Every link among ``versions`` (default: the district's documents): detected ones, less those
    unlinked by hand, plus hand links (a hand link overrides detection either way). ``hand``: the
    hand links if already read (:func:`hand_links`)."""
    if versions is None:
        versions = documents(store, district)
    known = {v.doc for v in versions}
    linked, unlinked = hand if hand is not None else hand_links(store)
    out = {(k.older, k.newer): k for k in detect(versions) if (k.older, k.newer) not in unlinked
           and (k.newer, k.older) not in linked}
    for older, newer in linked:
        if older in known or newer in known:
            out.pop((newer, older), None)
            out[(older, newer)] = Link(older, newer, "hand")
    return sorted(out.values(), key=lambda k: (k.older, k.newer))


def chains(store: Store, district: str | None = None) -> list[Chain]:
    """The policies with more than one version (of a district, or of the store), oldest first."""
    versions = documents(store, district)
    by_doc = {v.doc: v for v in versions}
    found = links(store, versions)
    for k in found:          # a hand link to a document of another district
        for d in (k.older, k.newer):
            if d not in by_doc:
                by_doc.update({v.doc: v for v in documents(store, doc=d)})
    groups: dict[str, set[str]] = {}
    for k in found:
        merged = groups.get(k.older, {k.older}) | groups.get(k.newer, {k.newer})
        for d in merged:
            groups[d] = merged
    out, seen = [], set()
    for k in found:
        members = groups[k.older]
        if id(members) in seen:
            continue
        seen.add(id(members))
        inner = [x for x in found if x.older in members]
        out.append(Chain(_linear(members, inner, by_doc), inner))
    return sorted(out, key=lambda c: ((c.versions[0].district or ""), c.versions[0].title or ""))


def _linear(members: set[str], inner: list[Link], by_doc: dict[str, Version]) -> list[Version]:
    """The members of a chain oldest first: by their links (topological), ties by date."""
    before = {d: {k.older for k in inner if k.newer == d} for d in members}
    out: list[str] = []
    while before:
        ready = sorted((d for d, b in before.items() if not b - set(out)),
                       key=lambda d: (by_doc[d].date or "", d)) or sorted(before)
        out.append(ready[0])
        before.pop(ready[0])
    return [by_doc[d] for d in out if d in by_doc]


# --------------------------------------------------------------------------- point in time


def check_date(text: str | date | None) -> str | None:
    """An "as of" date as ISO text (``2024-09-01``; also 2024/9/1, 2024年9月1日, 2024-09, 2024);
    a bad date raises ``PKB-VERSIONS-DATE``."""
    if text is None or text == "":
        return None
    if isinstance(text, date):
        return text.isoformat()
    m = re.fullmatch(r"\s*(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?\s*", str(text))
    try:
        if not m:
            raise ValueError(text)
        # a month or year alone means its last day: what was in force by then
        y, mo, d = int(m[1]), int(m[2] or 12), m[3]
        if d is None:
            nxt = date(y + (mo == 12), mo % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1).isoformat()
        return date(y, mo, int(d)).isoformat()
    except ValueError:
        raise InterpretationError(f"{text!r} is not a date", code="PKB-VERSIONS-DATE",
                                  hint="give a date as 2024-09-01 (or 2024-09, 2024)") from None


def in_force(store: Store, docs: list[str] | tuple[str, ...], districts: tuple[str, ...] | list[str] = (),
             as_of: str | None = None) -> list[str]:
    """The documents of ``docs`` in force ``as_of`` (ISO date; None: the newest versions), in order.

    A document counts from its date (in force from, else issued; undated ones always count) and
    until a newer version counts or its own end date passes. Versions are looked for among the
    documents of ``districts`` and the hand links. The newest versions (``as_of`` None) are those
    the whole store's :func:`not_in_force` leaves, kept per store view."""
    as_of = check_date(as_of)
    if as_of is None:
        older = not_in_force(store)
        return [d for d in docs if d not in older]
    versions: list[Version] = []
    for district in dict.fromkeys(districts):
        versions += documents(store, district)
    known = {v.doc: v for v in versions}
    for d in docs:
        if d not in known:
            found = documents(store, doc=d)
            versions += found
            known.update({v.doc: v for v in found})
    hand = hand_links(store)
    if not versions or (len(versions) < 2 and not hand[0] and as_of is None):
        return list(docs)
    return select(docs, versions, links(store, versions, hand=hand), as_of)


def select(docs, versions: list[Version], found: list[Link], as_of: str | None = None) -> list[str]:
    """The documents of ``docs`` in force ``as_of``, given the ``versions`` and their links."""
    known = {v.doc: v for v in versions}

    def counts(v: Version | None) -> bool:
        return v is not None and (as_of is None or v.date is None or v.date <= as_of)

    replaced = {k.older for k in found if counts(known.get(k.newer))}
    expired = {v.doc for v in versions if as_of and v.until and v.until < as_of}
    return [d for d in docs if counts(known.get(d)) and d not in replaced and d not in expired]


def not_in_force(store: Store, as_of: str | None = None) -> frozenset[str]:
    """The documents of the store not in force ``as_of`` (None: the older versions of every policy),
    kept per store view (:func:`kb.store.view_cache.remembered`)."""
    as_of = check_date(as_of)

    def compute() -> frozenset[str]:
        every, kept = _split(store, as_of)
        return frozenset(every - kept)

    return view_cache.remembered(store, f"not-in-force-{as_of or 'newest'}",
                                 view_cache.fingerprint(Path(__file__), _TOML), compute,
                                 to_builtins=lambda docs: sorted(map(str, docs)),
                                 from_builtins=lambda docs: frozenset(IRI(doc) for doc in docs))


def all_in_force(store: Store, as_of: str | None = None) -> set[str]:
    """Every document of the store in force ``as_of``: two queries whatever the corpus size."""
    return _split(store, as_of)[1]


def _split(store: Store, as_of: str | None) -> tuple[set[str], set[str]]:
    """(every document, those in force ``as_of``)."""
    as_of = check_date(as_of)
    every = documents(store)
    docs = {v.doc for v in every}
    hand = hand_links(store)
    by_district: dict[str, list[Version]] = {}
    for v in every:
        by_district.setdefault(v.district or "", []).append(v)
    if as_of is None and not hand[0] and all(len(vs) == 1 for vs in by_district.values()):
        return docs, docs
    found = [k for vs in by_district.values() if len(vs) > 1 or hand[0]
             for k in links(store, vs, hand=hand)]
    return docs, set(select([v.doc for v in every], every, found, as_of))


# --------------------------------------------------------------------------- hand links


def resolve_document(store: Store, text: str) -> Version:
    """The document ``text`` names: its IRI or the IRI's end (``doc/5878f26734d7b617``), its title,
    or a part of the title or a source file's name that only one document has. Else ``PKB-VERSIONS-DOCUMENT``, with the candidates."""
    text = str(text).strip()
    every = documents(store)
    for v in every:
        if text == v.doc or text == v.title:
            return v
    hits = [v for v in every if len(text) >= 8 and v.doc.endswith(text)] \
        or [v for v in every if text and text in (v.title or "")]
    if not hits:
        paths = {r["doc"]: r.get("sources") or "" for v in every
                 for r in queries.run(store, "document_metadata", doc=IRI(v.doc)).rows}
        hits = [v for v in every if text and text in paths.get(v.doc, "")]
    if len(hits) == 1:
        return hits[0]
    hint = ("several documents match: " + "; ".join(f"{v.title} <{v.doc}>" for v in hits[:8])
            if hits else "give a document IRI or its title (policykb versions lists them)")
    raise InterpretationError(f"no single document called {text!r}", code="PKB-VERSIONS-DOCUMENT", hint=hint)


def _write(store: Store, linked: set[tuple[str, str]], unlinked: set[tuple[str, str]]) -> None:
    g = f"<{VERSIONS_GRAPH}>"
    lines = []
    for older, newer in sorted(linked):
        lines.append(f"<{newer}> <{_DCTERMS_REPLACES}> <{older}> {g} .\n")
        lines.append(f"<{newer}> <{_PROV_REVISION}> <{older}> {g} .\n")
    for older, newer in sorted(unlinked):
        lines.append(f"<{newer}> <{_PKB_NOT}> <{older}> {g} .\n")
    store.write_documents([DocumentWrite(VERSIONS_GRAPH, "".join(lines).encode("utf-8"))])


def link(store: Store, older: str, newer: str) -> Link:
    """Record by hand that ``newer`` replaces ``older`` (IRIs), dropping any hand link the other
    way and any unlink of the pair."""
    if older == newer:
        raise InterpretationError("a document cannot replace itself", code="PKB-VERSIONS-DOCUMENT",
                                  hint="name two different documents: policykb versions link OLD NEW")
    linked, unlinked = hand_links(store)
    linked -= {(newer, older)}
    unlinked -= {(older, newer), (newer, older)}
    linked.add((older, newer))
    _write(store, linked, unlinked)
    return Link(older, newer, "hand")


def unlink(store: Store, older: str, newer: str) -> None:
    """Record by hand that ``newer`` does not replace ``older`` (a detected link disappears)."""
    linked, unlinked = hand_links(store)
    linked -= {(older, newer)}
    unlinked.add((older, newer))
    _write(store, linked, unlinked)


__all__ = ["Chain", "Link", "VERSIONS_GRAPH", "Version", "chains", "check_date", "detect", "documents",
           "all_in_force", "hand_links", "in_force", "link", "links", "order", "resolve_document", "same_policy",
           "select", "similarity", "subject_of", "tokens", "unlink"]
