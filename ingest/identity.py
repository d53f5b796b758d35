"""A document as the ingest's writer process knows it, without the pipeline: the name of its graph
(the hash of its normalized text, as an IRI), the pipeline version a stored graph must carry to be
kept, its source path as an N-Quads literal, and the graph a worker hands back
(:class:`DocumentGraph`). The writer imports this module, not the pipeline and spaCy.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ontology.vocab import PKBID

PIPELINE_VERSION = "9"   # raised whenever extraction or the graph's shape changes: stores re-ingest on the next run

_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')


@dataclass(frozen=True)
class DocumentGraph:
    """One document's extracted graph, as a worker hands it to the writer."""
    iri: str                 # the document's IRI = its named graph
    content_hash: str
    nquads: bytes
    triples: int
    counts: dict             # facts per kind: rules, groups, constraints, posts, bodies


def content_hash(text: str) -> str:
    """SHA-256 (hex) of a normalized text: the key of its document graph."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_iri(digest: str) -> str:
    """The IRI of the document (and of its named graph) for a content hash."""
    return f"{PKBID}doc/{digest[:16]}"


def string_literal(text: str) -> str:
    """``text`` as an N-Quads string literal, quoted and escaped (most texts need no escape)."""
    if _NEEDS_ESCAPE.search(text):
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + text + '"'
