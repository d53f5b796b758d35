"""The one place that mints the IRIs of a document's facts: an annotated Doc → the N-Quads of its
document's named graph (the document's own IRI: :mod:`ingest.identity`).

The shape is docs/rdf-model.md; every term comes from ``ontology.vocab``. Quads are written as
N-Quads text (escaped by hand, which is much faster than building rdflib or pyoxigraph terms),
so the store can load a whole document in one call.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime, timezone
from functools import lru_cache
from types import SimpleNamespace

from spacy.tokens import Doc

from ingest.components.spans import text_of
from ingest.extensions import facts_of
from ingest import rule_texts
from ingest.frequency import strength
from ingest.identity import DocumentGraph, content_hash, document_iri, string_literal

from ontology import rule_type_iri
from ontology.vocab import (ACTOR, CATEGORY, DCTERMS, KIND, MODALITY, MODEL, ODRL, ORG, PERIOD, PKB,
                            PKBID, PROV, RDF, RDFS, UNIT, XSD)

AGENT = "https://w3id.org/policykb/agent/policykb"
COMPARATOR = {"eq": ODRL.eq, "min": ODRL.gteq, "max": ODRL.lteq, "approx": PKB.approx}


#: The terms written for every rule, looked up once (a typed namespace checks each lookup, and a
#: document states a hundred rules).
_RULE = SimpleNamespace(**{name: str(PKB[name]) for name in (
    "ruleType", "actor", "quantityValue", "quantityUnit",
    "quantityOperator", "period", "countUnit", "minCount", "maxCount")})


@lru_cache(maxsize=None)
def _term(namespace, name: str) -> str:
    """``namespace[name]`` as text, looked up once per process."""
    return str(namespace[name])


@lru_cache(maxsize=None)
def _rule_type(modality: str, category: str) -> str:
    """The rule type of a modality and a category, checked against the schemes once per pair."""
    _term(MODALITY, modality), _term(CATEGORY, category)      # an unknown code fails here
    return rule_type_iri(modality, category)


def school_iri(district: str | None, name: str) -> str:
    key = hashlib.sha1(f"{district or ''}/{name}".encode("utf-8")).hexdigest()[:12]
    return f"{PKBID}school/{key}"


class _Quads:
    def __init__(self, graph: str):
        self.g = f"<{graph}>"
        self.lines: list[str] = []

    def iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> {self.g} .\n")

    def lit(self, s: str, p: str, value, datatype: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            text, datatype = ("true" if value else "false"), XSD.boolean
        elif isinstance(value, int):
            text, datatype = str(value), datatype or XSD.integer
        elif isinstance(value, float):
            text, datatype = repr(value), datatype or XSD.decimal
        else:
            text = str(value)
        body = string_literal(text)
        if datatype and datatype != XSD.string:
            body += f"^^<{datatype}>"
        self.lines.append(f"<{s}> <{p}> {body} {self.g} .\n")


class _Writer:
    def __init__(self, doc: Doc, source_paths: list[str], ingested_at: str | None, version: str):
        self.doc = doc
        self.text = text_of(doc)
        self.digest = content_hash(self.text)
        self.d = document_iri(self.digest)
        self.q = _Quads(self.d)
        self.source_paths = source_paths
        self.ingested_at = ingested_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.version = version
        self.strongest: dict[tuple, dict] = {}   # tally key → the strongest frequency of its rules

    # -- provenance -------------------------------------------------------------------------
    def span(self, start: int, end: int) -> str:
        """The evidence node of ``[start, end)`` of the normalized text: one per clause, shared by
        every fact the clause states. Its IRI holds its offsets (``…/span/12-40``) and nothing is
        stated on it: its quote is ``pkb:text`` at those offsets (kb/citations.py cuts it out), and
        offsets in the source file follow from the document's pkb:offsetMap. A rule's IRI extends
        the span of its clause (``…/span/12-40/rule/3``), so a rule states no pkb:evidence."""
        return f"{self.d}/span/{start}-{end}"

    # -- the document -------------------------------------------------------------------------
    def document(self) -> None:
        q, d, doc = self.q, self.d, self.doc
        meta = doc._.metadata or {}
        q.iri(d, RDF.type, PKB.PolicyDocument)
        q.lit(d, DCTERMS.title, meta.get("title"))
        q.lit(d, PKB.issuer, meta.get("issuer"))
        q.lit(d, PKB.docNumber, meta.get("doc_number"))
        q.lit(d, DCTERMS.issued, meta.get("date"), XSD.date)
        q.lit(d, PKB.versionStatus, meta.get("status"))          # version facts (docs/rdf-model.md)
        q.lit(d, PKB.inForceFrom, meta.get("in_force"), XSD.date)
        q.lit(d, PKB.inForceUntil, meta.get("valid_until"), XSD.date)
        for repealed in meta.get("repeals") or ():
            q.lit(d, PKB.repealsTitle, repealed)
        q.lit(d, PKB.district, doc._.district or "")   # always present: "" when unknown
        q.lit(d, PKB.province, doc._.province)
        normalized = doc._.normalized
        q.lit(d, PKB.script, normalized.script if normalized is not None else "simplified")
        q.lit(d, PKB.contentHash, self.digest)
        for path in self.source_paths:
            q.lit(d, PKB.sourcePath, path)
        source = doc._.source
        if source is not None:
            q.lit(d, PKB["format"], source.format)
            q.lit(d, PKB.encoding, source.encoding)
        q.lit(d, PKB.text, self.text)
        offsets = normalized.offsets if normalized is not None else None
        if offsets is not None and not offsets.is_identity:
            # where normalization moved text: [normalized length, source length, aligned] per segment
            segments = [[dn, on, int(aligned)] for dn, on, aligned in offsets.segments()]
            q.lit(d, PKB.offsetMap, json.dumps(segments, separators=(",", ":")), RDF.JSON)
        for concept in doc._.document_models or []:
            q.iri(d, PKB.documentModel, MODEL[concept])
        activity = f"{d}/ingest"
        q.iri(d, PROV.wasGeneratedBy, activity)
        q.iri(activity, RDF.type, PROV.Activity)
        q.iri(activity, PROV.wasAssociatedWith, AGENT)
        q.lit(activity, PKB.pipelineVersion, self.version)
        q.lit(activity, PROV.endedAtTime, self.ingested_at, XSD.dateTime)

    def sections(self) -> None:
        """The document's outline (``pkb:outline``, one JSON value): ``[start, end, level, parent]``
        of each section's heading in document order, its text at those offsets (markup stars
        trimmed), ``parent`` the entry of the enclosing section or null."""
        entries = []
        for section in self.doc._.structure.sections:
            start, end = section.start, section.end
            while start < end and self.text[start] in "* ":
                start += 1
            while end > start and self.text[end - 1] in "* ":
                end -= 1
            entries.append([start, end, section.level, section.parent])
        self.q.lit(self.d, PKB.outline, json.dumps(entries, separators=(",", ":")), RDF.JSON)

    def groups(self) -> None:
        q, d = self.q, self.d
        district = self.doc._.district
        for i, span in enumerate(self.doc.spans.get("groups", [])):
            g = f"{d}/group/{i + 1}"
            q.iri(g, RDF.type, PKB.SchoolGroup)
            q.lit(g, RDFS.label, span._.name)
            for concept in span._.models or []:
                q.iri(g, PKB.model, MODEL[concept])
            q.iri(g, PKB.evidence, self.span(*span._.evidence))
            roles = [(n, ACTOR.lead_school) for n in span._.lead or []] + \
                    [(n, ACTOR.member_school) for n in span._.members or []]
            for k, (name, role) in enumerate(roles, 1):
                m = f"{g}/member/{k}"
                school = school_iri(district, name)
                q.iri(g, ORG.hasMembership, m)
                q.iri(m, ORG.member, school)
                q.iri(m, ORG.role, role)
                q.lit(school, RDFS.label, name)

    def _group_for(self, start: int) -> str | None:
        groups = self.doc.spans.get("groups", [])
        return f"{self.d}/group/1" if len(groups) == 1 else None

    def roles(self) -> None:
        q, d = self.q, self.d
        for i, span in enumerate(self.doc.spans.get("posts", [])):
            p = f"{d}/post/{i + 1}"
            q.iri(p, RDF.type, ORG.Post)
            q.lit(p, RDFS.label, span._.name)
            q.iri(p, ORG.role, ACTOR[span._.role])
            q.lit(p, PKB.heldByText, span._.held_by)
            group = self._group_for(span.start_char)
            if group:
                q.iri(p, ORG.postIn, group)
            q.iri(p, PKB.evidence, self.span(*span._.evidence))
        for i, span in enumerate(self.doc.spans.get("bodies", [])):
            b = f"{d}/body/{i + 1}"
            q.iri(b, RDF.type, PKB.GovernanceBody)
            q.lit(b, RDFS.label, span._.name)
            q.iri(b, PKB.actor, ACTOR[span._.actor])
            group = self._group_for(span.start_char)
            if group:
                q.iri(b, ORG.unitOf, group)
            q.iri(b, PKB.evidence, self.span(*span._.evidence))

    def rules(self) -> None:
        q, d = self.q, self.d
        tally: Counter = Counter()
        wordings: list[tuple] = []
        for i, span in enumerate(self.doc.spans.get("rules", [])):
            f = facts_of(span)
            # the rule's IRI is its clause's and its rank: …/span/<start>-<end>/rule/<n>
            r = f"{self.span(*f['evidence'])}/rule/{i + 1}"
            modality = f["modality"]
            period = (f.get("frequency") or {}).get("period") or "none"
            key = (f["actor"], f["category"], modality, period)
            tally[key] += 1
            freq = f.get("frequency")
            if freq and (key not in self.strongest or strength(freq) > strength(self.strongest[key])):
                self.strongest[key] = freq
            # modality and category as their shared pkb:RuleType node (ontology/rule_types.ttl)
            q.iri(r, _RULE.ruleType, _rule_type(modality, f["category"]))
            q.iri(r, _RULE.actor, _term(ACTOR, f["actor"]))
            wordings.append((f.get("actor_text"), f.get("action"), *f["evidence"]))
            if freq:
                self._frequency(r, freq)
            quantity = f.get("quantity")
            if quantity:
                q.lit(r, _RULE.quantityValue, float(quantity["value"]), XSD.decimal)
                q.iri(r, _RULE.quantityUnit, _term(UNIT, quantity["unit"]))
                q.iri(r, _RULE.quantityOperator, COMPARATOR[quantity["comparator"]])
        # the document's rules counted by actor, category, modality and period (contract codes):
        # all-district summaries add these up instead of visiting every rule
        rows = [[*key, n] for key, n in sorted(tally.items())]
        q.lit(d, PKB.ruleTally, json.dumps(rows, ensure_ascii=False, separators=(",", ":")), RDF.JSON)
        # the rules' actor and action wordings, as offsets in the text (ingest.rule_texts)
        q.lit(d, PKB.ruleTexts, rule_texts.encode(self.text, wordings), RDF.JSON)

    def names(self) -> None:
        """The document's name index (``pkb:nameIndex``): every name a question may be matched against
        — title, district, province, models, groups with their lead and member schools, posts and
        bodies — as one JSON literal in the document's own graph, so it is written in the same
        transaction as the facts it names and a server returns all of them in one request."""
        doc, d = self.doc, self.d
        groups = []
        for i, span in enumerate(doc.spans.get("groups", [])):
            groups.append({"iri": f"{d}/group/{i + 1}", "name": span._.name, "models": sorted(span._.models or []),
                           "lead": list(span._.lead or []), "members": list(span._.members or [])})
        index = {"title": (doc._.metadata or {}).get("title"), "district": doc._.district or "",
                 "province": doc._.province, "models": sorted(doc._.document_models or []), "groups": groups,
                 "posts": [[s._.name, s._.role] for s in doc.spans.get("posts", [])],
                 "bodies": [[s._.name, s._.actor] for s in doc.spans.get("bodies", [])]}
        self.q.lit(d, PKB.nameIndex, json.dumps(index, ensure_ascii=False, separators=(",", ":")), RDF.JSON)

    def comparison_tally(self) -> None:
        """What a district comparison counts in this document (``pkb:comparisonTally``, one JSON
        literal): the strongest frequency of each rule tally entry that recurs, the posts, bodies
        and constraints by kind, the document's models, the groups and their models, and the
        schools leading or joining a group — so comparing districts of any size adds up one value
        per document instead of visiting their rules and groups (written with the facts it counts,
        so always in step with them)."""
        doc, district = self.doc, self.doc._.district
        frequencies = [[*key, f.get("min_count"), f.get("max_count"), f.get("unit") or "time"]
                       for key, f in sorted(self.strongest.items())]
        parts: Counter = Counter()
        for span in doc.spans.get("posts", []):
            parts["post", span._.role] += 1
        for span in doc.spans.get("bodies", []):
            parts["body", span._.actor] += 1
        for span in doc.spans.get("constraints", []):
            parts["constraint", span._.kind] += 1
        for concept in set(doc._.document_models or ()):
            parts["documentModel", concept] += 1
        schools: set[str] = set()
        for span in doc.spans.get("groups", []):
            parts["group", ""] += 1
            for concept in set(span._.models or ()):
                parts["model", concept] += 1
            schools.update(school_iri(district, n) for n in [*(span._.lead or ()), *(span._.members or ())])
        value = {"frequencies": frequencies, "parts": [[*key, n] for key, n in sorted(parts.items())],
                 "schools": sorted(schools)}
        self.q.lit(self.d, PKB.comparisonTally, json.dumps(value, ensure_ascii=False, separators=(",", ":")),
                   RDF.JSON)

    def _frequency(self, r: str, freq: dict) -> None:
        """A frequency as the rule's own terms: its period, its counted unit unless it is 次, and
        its bounds (an exact count is both)."""
        q = self.q
        q.iri(r, _RULE.period, _term(PERIOD, freq["period"]))
        if (freq.get("unit") or "time") != "time":
            q.iri(r, _RULE.countUnit, _term(UNIT, freq["unit"]))
        q.lit(r, _RULE.minCount, None if freq.get("min_count") is None else int(freq["min_count"]))
        q.lit(r, _RULE.maxCount, None if freq.get("max_count") is None else int(freq["max_count"]))

    def constraints(self) -> None:
        q, d = self.q, self.d
        for i, span in enumerate(self.doc.spans.get("constraints", [])):
            c = f"{d}/constraint/{i + 1}"
            q.iri(c, RDF.type, PKB.InstitutionalConstraint)
            q.iri(c, PKB.constraintKind, KIND[span._.kind])
            q.iri(c, PKB.evidence, self.span(*span._.evidence))


def document_graph(doc: Doc, source_paths: list[str], *, version: str,
                   ingested_at: str | None = None) -> DocumentGraph:
    """Every quad of one document's named graph, from an annotated Doc."""
    w = _Writer(doc, source_paths, ingested_at, version)
    w.document()
    w.sections()
    w.groups()
    w.roles()
    w.rules()
    w.comparison_tally()
    w.names()
    w.constraints()
    data = "".join(w.q.lines).encode("utf-8")
    counts = {key: len(doc.spans.get(key, [])) for key in ("rules", "groups", "constraints", "posts", "bodies")}
    return DocumentGraph(w.d, w.digest, data, len(w.q.lines), counts)
