"""Generate ``ontology/vocab.py`` (typed rdflib namespaces) and ``ontology/rule_types.ttl`` (one
``pkb:RuleType`` per modality × category) from the vocabulary's Turtle files.

    python -m ontology.generate           # rewrite ontology/vocab.py and ontology/rule_types.ttl
    python -m ontology.generate --check   # exit 1 if either is out of date

``PKB`` gets every class, property and individual that ``policykb.ttl`` defines in the pkb:
namespace; ``MODEL``, ``ACTOR``, ``CATEGORY``, ``PERIOD``, ``UNIT``, ``KIND`` and ``MODALITY`` get
every concept of their scheme in ``schemes.ttl``, named by contract code. All are
``DefinedNamespace``s with ``_fail = True``: a misspelt term is an ``AttributeError`` at import
time, not a silently wrong IRI. W3C terms that the Turtle files use are checked against
rdflib's closed namespaces (or the ``OA`` namespace written here).
"""
from __future__ import annotations

import argparse
import difflib
import keyword
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, ODRL2, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from ontology import (ONTOLOGY_TTL, PKB_NS, RULE_TYPES_TTL, SCHEMES, SCHEMES_TTL, SHAPES_TTL, labels,
                      rule_type_iri, scheme_names)

VOCAB_PY = Path(__file__).resolve().parent / "vocab.py"

OA_NS = "http://www.w3.org/ns/oa#"
# Web Annotation terms (rdflib has no OA namespace); terms used in the Turtle files are added.
OA_TERMS = sorted({
    "Annotation", "SpecificResource", "TextualBody", "Selector", "TextPositionSelector",
    "TextQuoteSelector", "FragmentSelector", "RangeSelector", "DataPositionSelector",
    "hasSource", "hasSelector", "hasTarget", "hasBody", "hasStartSelector", "hasEndSelector",
    "refinedBy", "motivatedBy", "hasPurpose", "bodyValue", "start", "end", "exact", "prefix",
    "suffix",
})

# class name in vocab.py -> scheme name in ontology.SCHEMES
SCHEME_CLASSES = {
    "MODEL": "model", "ACTOR": "actor", "CATEGORY": "category", "PERIOD": "period",
    "UNIT": "unit", "KIND": "kind", "MODALITY": "modality",
}

# rdflib closed namespaces the project uses, by the name vocab.py exports them under
W3C = {
    "RDF": RDF, "RDFS": RDFS, "OWL": OWL, "XSD": XSD, "SKOS": SKOS, "DCTERMS": DCTERMS,
    "PROV": PROV, "ORG": ORG, "ODRL": ODRL2, "FOAF": FOAF, "SH": SH,
}

_KINDS = [  # (rdf:type of a pkb term, heading in vocab.py), in output order
    (OWL.Class, "classes"),
    (OWL.ObjectProperty, "object properties"),
    (OWL.DatatypeProperty, "datatype properties"),
    (OWL.NamedIndividual, "individuals"),
]


class GenerationError(Exception):
    """The Turtle files cannot be turned into vocab.py."""


def _label(graph: Graph, term: URIRef, predicate: URIRef, lang: str) -> str:
    for value in graph.objects(term, predicate):
        if getattr(value, "language", None) == lang:
            return str(value)
    return ""


def _identifier(name: str, where: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise GenerationError(f"{where}: {name!r} cannot be a Python attribute name")
    return name


def _pkb_terms(graph: Graph) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(heading, [(local name, en label, zh label)])] for every pkb: term."""
    seen: set[str] = set()
    groups = []
    for rdf_type, heading in _KINDS:
        rows = []
        for term in sorted(set(graph.subjects(RDF.type, rdf_type))):
            if not isinstance(term, URIRef) or not str(term).startswith(PKB_NS):
                continue
            name = _identifier(str(term)[len(PKB_NS):], str(ONTOLOGY_TTL.name))
            if name in seen:
                continue
            seen.add(name)
            rows.append((name, _label(graph, term, RDFS.label, "en"), _label(graph, term, RDFS.label, "zh")))
        groups.append((heading, rows))
    # any other pkb: term used as a subject (e.g. an individual typed only odrl:Operator)
    extra = []
    for term in sorted(set(graph.subjects())):
        if isinstance(term, URIRef) and str(term).startswith(PKB_NS):
            name = str(term)[len(PKB_NS):]
            if name and name not in seen:
                seen.add(name)
                extra.append((_identifier(name, ONTOLOGY_TTL.name), _label(graph, term, RDFS.label, "en"),
                              _label(graph, term, RDFS.label, "zh")))
    if extra:
        groups.append(("other terms", extra))
    return groups


def _check_w3c_terms(graphs: list[Graph]) -> None:
    """Every W3C term the Turtle files use must exist in the closed namespace vocab.py exports."""
    closed = {str(ns._NS): ns for ns in W3C.values()}
    problems = []
    for graph in graphs:
        for triple in graph:
            for node in triple:
                if not isinstance(node, URIRef):
                    continue
                iri = str(node)
                for base, ns in closed.items():
                    if iri.startswith(base) and len(iri) > len(base):
                        local = iri[len(base):]
                        if local not in ns.__annotations__ and local not in getattr(ns, "_extras", []):
                            problems.append(iri)
    if problems:
        raise GenerationError("terms not in rdflib's namespaces (misspelt?): " + ", ".join(sorted(set(problems))))


def _oa_terms(graphs: list[Graph]) -> list[str]:
    used = {str(n)[len(OA_NS):] for g in graphs for t in g for n in t
            if isinstance(n, URIRef) and str(n).startswith(OA_NS) and len(str(n)) > len(OA_NS)}
    return sorted(set(OA_TERMS) | used)


def _comment(*parts: str) -> str:
    text = " / ".join(p for p in parts if p)
    return f"  # {text}" if text else ""


def render() -> str:
    """The text of vocab.py for the current Turtle files."""
    ontology = Graph().parse(ONTOLOGY_TTL, format="turtle")
    schemes = Graph().parse(SCHEMES_TTL, format="turtle")
    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    _check_w3c_terms([ontology, schemes, shapes])

    out: list[str] = []
    w = out.append
    w("# Generated by `python -m ontology.generate` from ontology/policykb.ttl and ontology/schemes.ttl.")
    w("# DO NOT EDIT: change the .ttl files and run `python -m ontology.generate` again;")
    w("# `python -m ontology.generate --check` (run by tests/test_ontology.py) fails when this file is stale.")
    w('"""Typed namespaces of the policykb vocabulary (generated from the Turtle files in ``ontology/``).')
    w("")
    w("Code takes every vocabulary term from here: ``PKB.PolicyDocument``, ``ACTOR.member_school``,")
    w("``PERIOD.semester``, ``ODRL.Duty`` ... A term that the vocabulary does not define raises")
    w("``AttributeError`` (``_fail = True``).")
    w('"""')
    w("from rdflib import URIRef")
    w("from rdflib.namespace import (")
    w("    DCTERMS, FOAF, ODRL2, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace, Namespace,")
    w(")")
    w("")
    w("__all__ = [")
    w('    "PKB", "MODEL", "ACTOR", "CATEGORY", "PERIOD", "UNIT", "KIND", "MODALITY", "SCHEMES",')
    w('    "PKBID", "PKBSH", "OA", "ODRL", "ORG", "PROV", "SKOS", "DCTERMS", "FOAF", "SH", "XSD", "RDF",')
    w('    "RDFS", "OWL",')
    w("]")
    w("")
    w("ODRL = ODRL2  # ODRL 2.2, http://www.w3.org/ns/odrl/2/")
    w("")
    w('PKBID = Namespace("https://w3id.org/policykb/id/")  # instance data (minted only by ingest/rdf_writer.py)')
    w('PKBSH = Namespace("https://w3id.org/policykb/shapes#")  # SHACL shapes (ontology/shapes.ttl)')
    w("")
    w("")
    w("class OA(DefinedNamespace):")
    w('    """Web Annotation vocabulary (http://www.w3.org/ns/oa#), the terms policykb uses."""')
    w("")
    w(f'    _NS = Namespace("{OA_NS}")')
    w("    _fail = True")
    w("")
    for name in _oa_terms([ontology, schemes, shapes]):
        w(f"    {_identifier(name, 'oa')}: URIRef")
    w("")
    w("")
    w("class PKB(DefinedNamespace):")
    w('    """policykb ontology (ontology/policykb.ttl): classes, properties and individuals."""')
    w("")
    w(f'    _NS = Namespace("{PKB_NS}")')
    w("    _fail = True")
    for heading, rows in _pkb_terms(ontology):
        if not rows:
            continue
        w("")
        w(f"    # {heading}")
        for name, en, zh in rows:
            w(f"    {name}: URIRef{_comment(en, zh)}")
    for class_name, scheme in SCHEME_CLASSES.items():
        concepts = labels(scheme)
        if not concepts:
            raise GenerationError(f"{SCHEMES_TTL.name}: the {scheme} scheme has no concepts")
        w("")
        w("")
        w(f"class {class_name}(DefinedNamespace):")
        w(f'    """Concept scheme <{SCHEMES[scheme].rstrip("/")}> (ontology/schemes.ttl), by contract code."""')
        w("")
        w(f'    _NS = Namespace("{SCHEMES[scheme]}")')
        w("    _fail = True")
        w("")
        for code, item in concepts.items():
            if item["iri"] != SCHEMES[scheme] + code:
                raise GenerationError(f"{SCHEMES_TTL.name}: {item['iri']} should be {SCHEMES[scheme] + code}")
            w(f"    {_identifier(code, SCHEMES_TTL.name)}: URIRef"
              f"{_comment(item['prefLabel']['en'] or '', item['prefLabel']['zh'] or '')}")
    w("")
    w("")
    w("# scheme name (as in ontology.SCHEMES) -> the skos:ConceptScheme IRI")
    w("SCHEMES = {")
    for scheme in scheme_names():
        w(f'    "{scheme}": URIRef("{SCHEMES[scheme].rstrip("/")}"),')
    w("}")
    return "\n".join(out) + "\n"


def render_rule_types() -> str:
    """The text of rule_types.ttl: every modality × category pair as a pkb:RuleType."""
    out = ["# Generated by `python -m ontology.generate` from the modality and category schemes of",
           "# ontology/schemes.ttl. DO NOT EDIT. A rule states its modality and category as one of these",
           "# shared nodes (pkb:ruleType); docs/rdf-model.md, Obligations.",
           f"@prefix pkb: <{PKB_NS}> .", f"@prefix modality: <{SCHEMES['modality']}> .",
           f"@prefix category: <{SCHEMES['category']}> .", ""]
    for modality in labels("modality"):
        for category in labels("category"):
            out.append(f"<{rule_type_iri(modality, category)}> a pkb:RuleType ; "
                       f"pkb:modality modality:{modality} ; pkb:category category:{category} .")
    return "\n".join(out) + "\n"


def _write_or_check(path: Path, text: str, check: bool) -> int:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if check:
        if current == text:
            print(f"{path} is up to date")
            return 0
        diff = difflib.unified_diff(current.splitlines(), text.splitlines(), f"{path.name} (committed)",
                                    f"{path.name} (generated)", lineterm="", n=1)
        print(f"{path} is out of date: run `python -m ontology.generate`", file=sys.stderr)
        for line in list(diff)[:40]:
            print(line, file=sys.stderr)
        return 1
    if current != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    else:
        print(f"{path} is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ontology.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if ontology/vocab.py or rule_types.ttl differs from what would be generated")
    parser.add_argument("--output", type=Path, default=VOCAB_PY, help="where to write (default: ontology/vocab.py)")
    args = parser.parse_args(argv)
    try:
        text = render()
    except GenerationError as exc:
        print(f"ontology.generate: {exc}", file=sys.stderr)
        return 2
    status = _write_or_check(args.output, text, args.check)
    return max(status, _write_or_check(RULE_TYPES_TTL, render_rule_types(), args.check))


if __name__ == "__main__":
    sys.exit(main())
