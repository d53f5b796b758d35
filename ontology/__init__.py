"""The policykb vocabulary: where its files are, and a fast label table per concept scheme.

- ``ONTOLOGY_TTL`` (OWL/RDFS classes and properties), ``SCHEMES_TTL`` (SKOS concept schemes),
  ``SHAPES_TTL`` (SHACL shapes) and ``RULE_TYPES_TTL`` (every modality × category pair a rule
  points to); ``ontology/vocab.py`` and ``RULE_TYPES_TTL`` are generated from the others
  (``python -m ontology.generate``).
- ``VOCAB_GRAPH``: the named graph the store keeps ``VOCAB_FILES`` in.
- ``rule_type_iri(modality, category)`` and ``rule_type_of(iri)``: a rule type and its codes.
- ``labels(scheme)``: every concept of a scheme by its contract code (``skos:notation``), with
  its IRI, labels and broader concepts. Parsed with pyoxigraph once per process.
- ``concept_iri(scheme, notation)`` and ``notation_of(iri)`` convert between contract codes and IRIs.

Scheme names are the ones of docs/rdf-model.md: ``model``, ``actor``, ``category``, ``period``,
``unit``, ``kind`` (constraint kinds; ``constraint_kind`` is accepted too) and ``modality``.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from kb.errors import PolicyKBError

__all__ = [
    "ONTOLOGY_DIR", "ONTOLOGY_TTL", "SCHEMES_TTL", "SHAPES_TTL", "VOCAB_FILES", "VOCAB_GRAPH",
    "PKB_NS", "PKBID_NS", "SHAPES_NS", "SCHEMES", "UnknownConceptError",
    "scheme_names", "scheme_namespace", "scheme_iri", "labels", "concept_iri", "notation_of",
    "vocabulary_digest", "files_digest", "RULE_TYPES_TTL", "RULE_TYPE_NS", "rule_type_iri", "rule_type_of",
]

ONTOLOGY_DIR: Path = Path(__file__).resolve().parent
ONTOLOGY_TTL: Path = ONTOLOGY_DIR / "policykb.ttl"
SCHEMES_TTL: Path = ONTOLOGY_DIR / "schemes.ttl"
SHAPES_TTL: Path = ONTOLOGY_DIR / "shapes.ttl"
RULE_TYPES_TTL: Path = ONTOLOGY_DIR / "rule_types.ttl"
#: the files whose triples make up the vocabulary graph, in load order
VOCAB_FILES: tuple[Path, ...] = (ONTOLOGY_TTL, SCHEMES_TTL, RULE_TYPES_TTL)

VOCAB_GRAPH = "https://w3id.org/policykb/graph/vocabulary"
PKB_NS = "https://w3id.org/policykb/ontology#"
PKBID_NS = "https://w3id.org/policykb/id/"
SHAPES_NS = "https://w3id.org/policykb/shapes#"

_VOCAB_BASE = "https://w3id.org/policykb/vocab/"

#: scheme name -> namespace of its concepts (the scheme's IRI is this without the trailing slash)
SCHEMES: dict[str, str] = {
    "model": _VOCAB_BASE + "model/",
    "actor": _VOCAB_BASE + "actor/",
    "category": _VOCAB_BASE + "category/",
    "period": _VOCAB_BASE + "period/",
    "unit": _VOCAB_BASE + "unit/",
    "kind": _VOCAB_BASE + "constraint-kind/",
    "modality": _VOCAB_BASE + "modality/",
}
_ALIASES = {"constraint_kind": "kind", "constraint-kind": "kind"}
#: namespace of the rule types (``RULE_TYPES_TTL``): ``<modality>.<category>`` codes
RULE_TYPE_NS = _VOCAB_BASE + "rule-type/"

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class UnknownConceptError(PolicyKBError, ValueError):
    """A scheme name, contract code or concept IRI that the vocabulary does not have."""

    code = "PKB-VOCAB-UNKNOWN"


def scheme_names() -> tuple[str, ...]:
    """The scheme names, in the order of docs/rdf-model.md."""
    return tuple(SCHEMES)


def _scheme_name(scheme: str) -> str:
    name = _ALIASES.get(scheme, scheme)
    if name not in SCHEMES:
        raise UnknownConceptError(f"unknown concept scheme {scheme!r}",
                                  hint="one of: " + ", ".join(SCHEMES), code="PKB-VOCAB-SCHEME")
    return name


def scheme_namespace(scheme: str) -> str:
    """The namespace of a scheme's concepts, e.g. ``https://w3id.org/policykb/vocab/actor/``."""
    return SCHEMES[_scheme_name(scheme)]


def scheme_iri(scheme: str) -> str:
    """The IRI of a scheme's ``skos:ConceptScheme``: its namespace without the trailing slash."""
    return scheme_namespace(scheme).rstrip("/")


@functools.lru_cache(maxsize=1)
def _all_concepts() -> dict[str, dict[str, dict[str, Any]]]:
    """Parse SCHEMES_TTL once: scheme name -> notation -> entry (document order is kept)."""
    import pyoxigraph as ox

    iri_to_scheme = {ns.rstrip("/"): name for name, ns in SCHEMES.items()}
    concepts: dict[str, dict[str, Any]] = {}   # concept IRI -> raw entry

    def entry(iri: str) -> dict[str, Any]:
        return concepts.setdefault(iri, {
            "iri": iri, "scheme": None, "notation": None,
            "prefLabel": {}, "altLabel": {"zh": [], "en": []},
            "broader": [], "definition": None, "types": [], "extra": {},
        })

    for quad in ox.parse(path=str(SCHEMES_TTL), format=ox.RdfFormat.TURTLE):
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        s = subject.value
        if predicate == _RDF_TYPE:
            entry(s)["types"].append(obj.value)
        elif predicate == _SKOS + "inScheme":
            entry(s)["scheme"] = iri_to_scheme.get(obj.value)
        elif predicate == _SKOS + "notation":
            entry(s)["notation"] = obj.value
        elif predicate == _SKOS + "prefLabel":
            entry(s)["prefLabel"][obj.language or ""] = obj.value
        elif predicate == _SKOS + "altLabel":
            entry(s)["altLabel"].setdefault(obj.language or "", []).append(obj.value)
        elif predicate == _SKOS + "broader":
            entry(s)["broader"].append(obj.value)
        elif predicate == _SKOS + "definition" and getattr(obj, "language", None) in ("en", None):
            entry(s)["definition"] = obj.value
        elif predicate == PKB_NS + "icalFrequency":
            entry(s)["extra"]["icalFrequency"] = obj.value
        elif predicate == PKB_NS + "icalInterval":
            entry(s)["extra"]["icalInterval"] = int(obj.value)
        elif predicate == PKB_NS + "ruleClass":
            entry(s)["extra"]["ruleClass"] = obj.value

    notation_by_iri = {iri: c["notation"] for iri, c in concepts.items()}
    table: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SCHEMES}
    for iri, c in concepts.items():
        if _SKOS + "Concept" not in c["types"] or c["scheme"] is None or c["notation"] is None:
            continue
        item: dict[str, Any] = {
            "iri": iri,
            "scheme": c["scheme"],
            "notation": c["notation"],
            "prefLabel": {"zh": c["prefLabel"].get("zh"), "en": c["prefLabel"].get("en")},
            "altLabel": {"zh": c["altLabel"].get("zh", []), "en": c["altLabel"].get("en", [])},
            "broader": [notation_by_iri[b] for b in c["broader"] if b in notation_by_iri],
            "definition": c["definition"],
        }
        item.update(c["extra"])
        table[c["scheme"]][c["notation"]] = item

    # every broader concept up the chain, nearest first (the contract's inheritance order)
    for name, scheme in table.items():
        for item in scheme.values():
            ancestors: list[str] = []
            todo = list(item["broader"])
            while todo:
                code = todo.pop(0)
                if code not in ancestors:
                    ancestors.append(code)
                    todo.extend(scheme[code]["broader"])
            item["ancestors"] = ancestors
    return table


@functools.lru_cache(maxsize=None)
def labels(scheme: str) -> dict[str, dict]:
    """Every concept of ``scheme`` by contract code, in the order of ``schemes.ttl``.

    Each value is ``{"iri", "scheme", "notation", "prefLabel": {"zh", "en"},
    "altLabel": {"zh": [...], "en": [...]}, "broader": [codes], "ancestors": [codes, nearest
    first], "definition"}``, plus ``icalFrequency``/``icalInterval`` (periods that an iCalendar
    RRULE can express) and ``ruleClass`` (modalities). The result is cached and shared:
    treat it as read-only.
    """
    return _all_concepts()[_scheme_name(scheme)]


def concept_iri(scheme: str, notation: str) -> str:
    """The IRI of the concept with contract code ``notation`` in ``scheme``.

    Raises ``UnknownConceptError`` (a ``ValueError``) when the scheme has no such code.
    """
    table = labels(scheme)
    try:
        return table[notation]["iri"]
    except (KeyError, TypeError):
        raise UnknownConceptError(f"{notation!r} is not a code of the {_scheme_name(scheme)} scheme",
                                  hint="one of: " + ", ".join(table)) from None


def _iri_value(iri: Any) -> str:
    """The text of an IRI given as a ``str``, rdflib ``URIRef`` or pyoxigraph ``NamedNode``."""
    return iri.value if hasattr(iri, "value") and not isinstance(iri, str) else str(iri)


def notation_of(iri: Any) -> tuple[str, str]:
    """``(scheme, notation)`` of a concept IRI (a ``str``, rdflib ``URIRef`` or pyoxigraph
    ``NamedNode``); raises ``UnknownConceptError`` when it is not a concept of a scheme."""
    value = _iri_value(iri)
    for name, namespace in SCHEMES.items():
        if value.startswith(namespace):
            code = value[len(namespace):]
            if code in labels(name):
                return name, code
            break
    raise UnknownConceptError(f"{value!r} is not a concept of a policykb concept scheme",
                              hint="concept IRIs are " + _VOCAB_BASE + "<scheme>/<code>")


def rule_type_iri(modality: str, category: str) -> str:
    """The IRI of the rule type of a modality and a category (contract codes): the shared node a
    rule points to with ``pkb:ruleType`` instead of stating both (``ontology/rule_types.ttl``)."""
    return f"{RULE_TYPE_NS}{modality}.{category}"


def rule_type_of(iri: Any) -> tuple[str, str]:
    """``(modality, category)`` codes of a rule type IRI; ``UnknownConceptError`` if it is none."""
    value = _iri_value(iri)
    modality, _, category = value[len(RULE_TYPE_NS):].partition(".")
    if not value.startswith(RULE_TYPE_NS) or modality not in labels("modality") or category not in labels("category"):
        raise UnknownConceptError(f"{value!r} is not a policykb rule type",
                                  hint=f"rule types are {RULE_TYPE_NS}<modality>.<category>")
    return modality, category


def files_digest(paths) -> str:
    """SHA-256 over the names and bytes of ``paths``, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0")
        digest.update(Path(path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def vocabulary_digest() -> str:
    """SHA-256 over the files of the vocabulary graph: changes whenever they do (the store
    replaces ``VOCAB_GRAPH`` when it differs from the digest it loaded)."""
    return files_digest(VOCAB_FILES)
