"""Checked batches of document writes, shared by both backends: :class:`WriteBatch` parses each
write's N-Quads, checks that every quad lies in its document graph, that graph IRIs are valid and
the vocabulary graph untouched, and turns ``remove_triples`` into quads — all before a store is
touched — and builds the one SPARQL update that applies a whole batch.
"""
from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from kb.errors import StoreError
from kb.store.base import VOCABULARY_GRAPH, DocumentWrite


class WriteBatch:
    """A checked batch of writes: parsed quads plus what must be removed first."""

    def __init__(self) -> None:
        self.graphs: list[str] = []           # target graphs, in order
        self.quads: list[ox.Quad] = []
        self.by_graph: dict[str, list[ox.Quad]] = {}
        self.drops: dict[str, None] = {}      # every graph to empty first (targets included)
        self.removals: list[ox.Quad] = []

    @property
    def empty(self) -> bool:
        return not (self.quads or self.drops or self.removals)

    @classmethod
    def parse(cls, writes: Iterable[DocumentWrite], allow_vocabulary: bool = False) -> "WriteBatch":
        batch = cls()
        for write in writes:
            if not isinstance(write, DocumentWrite):
                raise StoreError(f"expected a DocumentWrite, got {type(write).__name__}",
                                 code="PKB-STORE-WRITE", hint="build writes with kb.store.DocumentWrite")
            graph = check_graph_iri(write.graph, allow_vocabulary=allow_vocabulary)
            if graph in batch.by_graph:
                raise StoreError(f"graph {graph} appears twice in one batch", code="PKB-STORE-WRITE",
                                 hint="give each document one DocumentWrite")
            node = ox.NamedNode(graph)
            try:
                quads = list(ox.parse(write.nquads, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
            except (SyntaxError, ValueError) as exc:
                raise StoreError(f"invalid N-Quads for {graph}: {exc}", code="PKB-STORE-NQUADS",
                                 hint="nothing of this batch was written; fix the RDF writer") from exc
            except MemoryError as exc:    # a literal over 16 MiB: the parser refuses it
                raise StoreError(f"the document {graph} holds a value too large for the store",
                                 code="PKB-STORE-NQUADS",
                                 hint="split the document into smaller files") from exc
            stray = next((q for q in quads if q.graph_name != node), None)
            if stray is not None:
                raise StoreError(f"a quad of {graph} names another graph: {stray}",
                                 code="PKB-STORE-NQUADS",
                                 hint="every quad of a document must be in its graph")
            batch.graphs.append(graph)
            batch.by_graph[graph] = quads
            batch.quads.extend(quads)
            batch.drops[graph] = None
            for other in write.drop_graphs:
                batch.drops[check_graph_iri(other)] = None
            batch.removals.extend(_removal_quad(t) for t in write.remove_triples)
        return batch

    @classmethod
    def merged(cls, parts: Iterable["WriteBatch"]) -> "WriteBatch":
        """One batch doing all of ``parts`` (checked batches, e.g. from :func:`parse_per_document`)."""
        whole = cls()
        for part in parts:
            whole.graphs += part.graphs
            whole.by_graph.update(part.by_graph)
            whole.quads += part.quads
            whole.drops.update(part.drops)
            whole.removals += part.removals
        return whole

    def needs_removal(self, store: ox.Store) -> bool:
        """True if anything must go before the new quads can be inserted."""
        return (any(next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(g))), None)
                    is not None for g in self.drops)
                or any(q in store for q in self.removals))

    def update_text(self) -> str:
        """One SPARQL update doing all of the batch; every term comes from a parsed, valid term."""
        operations = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in self.drops]
        if self.removals:
            body = "\n".join(f"GRAPH {q.graph_name} {{ {q.triple} }}" for q in self.removals)
            operations.append(f"DELETE DATA {{\n{body}\n}}")
        blocks = [f"GRAPH {ox.NamedNode(g)} {{\n"
                  + ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES).decode() + "}"
                  for g, quads in self.by_graph.items() if quads]
        if blocks:
            operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        return " ;\n".join(operations)


def parse_per_document(writes: Iterable[DocumentWrite], allow_vocabulary: bool = False) -> list[WriteBatch]:
    """One checked batch per write (:meth:`WriteBatch.parse`), all checked before any is sent: a
    graph written twice, invalid N-Quads or terms refuse the whole batch."""
    parts, seen = [], set()
    for write in writes:
        part = WriteBatch.parse([write], allow_vocabulary=allow_vocabulary)
        for graph in part.graphs:
            if graph in seen:
                raise StoreError(f"graph {graph} appears twice in one batch", code="PKB-STORE-WRITE",
                                 hint="give each document one DocumentWrite")
            seen.add(graph)
        parts.append(part)
    return parts


def check_graph_iri(iri: str, *, allow_vocabulary: bool = False) -> str:
    """``iri`` if it is a valid absolute IRI (and not the vocabulary graph), else StoreError."""
    try:
        ox.NamedNode(iri)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{iri!r} is not a valid graph IRI: {exc}", code="PKB-STORE-WRITE",
                         hint="graph names come from ingest.rdf_writer") from exc
    if iri == VOCABULARY_GRAPH and not allow_vocabulary:
        raise StoreError("documents cannot write the vocabulary graph", code="PKB-STORE-WRITE",
                         hint="the store loads it itself: Store.ensure_vocabulary()")
    return iri


def _removal_quad(terms: tuple[str, str, str, str]) -> ox.Quad:
    """Parse one ``(s, p, o, g)`` of N-Triples terms into exactly one quad without blank nodes."""
    hint = ("give (subject, predicate, object, graph) in N-Triples syntax, "
            "e.g. ('<iri>', '<iri>', '\"text\"@zh', '<graph>')")
    if not (isinstance(terms, (tuple, list)) and len(terms) == 4 and all(isinstance(t, str) for t in terms)):
        raise StoreError(f"remove_triples entry {terms!r} is not four strings", code="PKB-STORE-TRIPLE",
                         hint=hint)
    try:
        quads = list(ox.parse(" ".join(terms) + " .\n", format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"remove_triples entry {terms!r} is not valid: {exc}", code="PKB-STORE-TRIPLE",
                         hint=hint) from exc
    if len(quads) != 1 or not isinstance(quads[0].graph_name, ox.NamedNode):
        raise StoreError(f"remove_triples entry {terms!r} is not one quad in a named graph",
                         code="PKB-STORE-TRIPLE", hint=hint)
    quad = quads[0]
    check_graph_iri(quad.graph_name.value)  # not the vocabulary graph
    if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object)):
        raise StoreError(f"remove_triples entry {terms!r} has a blank node", code="PKB-STORE-TRIPLE",
                         hint="blank nodes cannot be named across transactions; drop the graph instead")
    return quad


__all__ = ["WriteBatch", "check_graph_iri", "parse_per_document"]
