"""Graph validation: SHACL conformance (pySHACL, ontology/shapes.ttl) and store integrity.

Each document graph is validated on its own, with the vocabulary graph mixed in (so shapes can
check that an actor is a concept of the actor scheme), which keeps the cost linear in the corpus.
Integrity checks, in SPARQL: every named graph holds exactly its document, every fact (rule,
constraint, group, post, body) has evidence whose source is that document (a rule's is the clause
its IRI extends); each document's
``pkb:ruleTally`` counts exactly its rules, its ``pkb:ruleTexts`` has one entry per rule and its
``pkb:ruleTexts`` and ``pkb:outline`` offsets lie within the text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

from kb.errors import PolicyKBError
from kb.store.base import Store

INTEGRITY = """
PREFIX pkb: <https://w3id.org/policykb/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
SELECT ?g ?focus ?problem WHERE {
  GRAPH ?g {
    {
      FILTER (?g != <https://w3id.org/policykb/graph/vocabulary>)
      FILTER (?g != <https://w3id.org/policykb/graph/versions>)     # hand links of kb/versions.py
      FILTER NOT EXISTS { ?g a pkb:PolicyDocument }
      BIND (?g AS ?focus) BIND ("the named graph does not hold its document" AS ?problem)
    } UNION {
      { ?focus a pkb:SchoolGroup } UNION { ?focus a org:Post }
      UNION { ?focus a pkb:GovernanceBody } UNION { ?focus a pkb:InstitutionalConstraint }
      FILTER NOT EXISTS { ?focus pkb:evidence ?clause }
      BIND ("the fact has no evidence in its document" AS ?problem)
    } UNION {
      ?focus pkb:ruleType ?type .         # a rule's clause is its IRI's: …/span/<start>-<end>/rule/<n>
      FILTER (!STRSTARTS(STR(?focus), CONCAT(STR(?g), "/span/")))
      BIND ("the rule's IRI does not extend a clause of its document" AS ?problem)
    }
  }
}
"""


@dataclass
class Issue:
    graph: str
    focus: str
    message: str
    source: str = "shacl"   # shacl | integrity


@dataclass
class Report:
    graphs: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.issues

    def to_dict(self) -> dict:
        return {"conforms": self.conforms, "graphs": self.graphs, "issues": [asdict(i) for i in self.issues]}


@lru_cache(maxsize=1)
def _shapes_and_vocabulary():
    from rdflib import Graph

    from ontology import SHAPES_TTL, VOCAB_FILES

    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    vocab = Graph()
    for path in VOCAB_FILES:
        vocab.parse(path, format="turtle")
    return shapes, vocab


def validate_graph(nquads: bytes) -> list[tuple[str, str]]:
    """(focus node, message) of every SHACL violation in one document graph's N-Quads."""
    from pyshacl import validate
    from rdflib import Dataset, Graph
    from rdflib.namespace import SH

    shapes, vocab = _shapes_and_vocabulary()
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    data = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        data.add((s, p, o))
    conforms, results, _ = validate(data, shacl_graph=shapes, ont_graph=vocab, inference="none",
                                    advanced=True, allow_warnings=True)
    out = _tally_issues(data) + _offset_issues(data)
    if conforms:
        return out
    for result in results.objects(None, SH.result):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        out.append((str(focus), f"{message or 'violation'}" + (f" ({path})" if path else "")))
    return out


def _tally_issues(data) -> list[tuple[str, str]]:
    """(document, message) when a document's pkb:ruleTally disagrees with the rules of its graph,
    or a rule's type is not one of the vocabulary."""
    import json
    from collections import Counter

    from kb.obligations import code
    from ontology import UnknownConceptError, rule_type_of
    from ontology.vocab import PKB, RDF

    out = []
    for doc in data.subjects(RDF.type, PKB.PolicyDocument):
        counted: Counter = Counter()
        unknown: set[str] = set()
        for rule, rule_type in data.subject_objects(PKB.ruleType):
            stated = data.value(rule, PKB.period)
            period = code(str(stated)) if stated is not None else "none"
            try:
                modality, category = rule_type_of(rule_type)
            except UnknownConceptError:
                unknown.add(str(rule_type))
                continue
            counted[code(str(data.value(rule, PKB.actor))), category, modality, period] += 1
        stored = data.value(doc, PKB.ruleTally)
        try:
            tally = Counter({tuple(row[:4]): row[4] for row in json.loads(str(stored))}) if stored else None
        except (ValueError, TypeError, IndexError):
            tally = None
        out += [(str(doc), f"{t} is not a rule type of the vocabulary (ontology/rule_types.ttl)")
                for t in sorted(unknown)]
        if tally != counted:
            out.append((str(doc), "pkb:ruleTally does not count the document's rules "
                                  "(re-ingest the document to rebuild it)"))
    return out


def _offset_issues(data) -> list[tuple[str, str]]:
    """(document, message) when a document's pkb:ruleTexts does not fit its rules or its text, or
    its pkb:outline is not a list of ``[start, end, level, parent]`` headings within its text,
    each parent an earlier entry."""
    import json

    from ingest import rule_texts
    from ontology.vocab import PKB, RDF

    out = []
    rules = len(set(data.subjects(PKB.ruleType, None)))
    for doc in data.subjects(RDF.type, PKB.PolicyDocument):
        length = len(str(data.value(doc, PKB.text) or ""))
        hint = " (re-ingest the document to rebuild it)"
        wordings = data.value(doc, PKB.ruleTexts)      # a missing value: SHACL reports it
        if wordings is not None:
            out += [(str(doc), f"pkb:ruleTexts: {p}{hint}")
                    for p in rule_texts.problems(str(wordings), length, rules)[:3]]
        outline = data.value(doc, PKB.outline)
        if outline is None:
            continue
        try:
            bad = next((f"entry {i}" for i, (start, end, level, parent) in enumerate(json.loads(str(outline)))
                        if not (0 <= start <= end <= length and level >= 1
                                and (parent is None or 0 <= parent < i))), None)
        except (ValueError, TypeError):
            bad = "the value"
        if bad is not None:
            out.append((str(doc), f"pkb:outline: {bad} is not [start, end, level, parent] within the text{hint}"))
    return out


def validate_store(store: Store, graphs: list[str] | None = None) -> Report:
    """Validate every document graph (or ``graphs``) and the store's integrity."""
    report = Report()
    try:
        targets = graphs if graphs is not None else store.graphs()
        for graph in targets:
            report.graphs += 1
            for focus, message in validate_graph(store.export("nquads", graph)):
                report.issues.append(Issue(graph, focus, message))
        for row in store.query(INTEGRITY).rows:
            report.issues.append(Issue(str(row.get("g", "")), str(row["focus"]), row["problem"], "integrity"))
    except PolicyKBError:
        raise
    except Exception as exc:
        raise PolicyKBError(f"validation could not run: {type(exc).__name__}: {exc}",
                            hint="check the store with `policykb query documents`",
                            code="PKB-VALIDATE-FAILED") from exc
    return report
