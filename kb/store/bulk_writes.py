"""Writing a batch of new document graphs through Oxigraph's bulk loader, which builds the table
files itself instead of inserting quad by quad (about a third of the CPU, and smaller files; see
"The embedded store" in docs/architecture.md), and undoing a bulk write that failed or that a crash
interrupted.

The loader is not a transaction, so the writer records the batch's graphs in ``bulk-write.json``
beside the database before loading, and deletes the record once the load is whole. A failed load is
undone at once (its graphs dropped in one transaction); a record found when a writer opens the
store means a crash interrupted a load, and its graphs are dropped before anything else happens.
Readers never see a partial load: snapshots are taken only between writes.
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from kb.errors import StoreError
from kb.store.base import DocumentWrite
from kb.store.batches import check_graph_iri

INTENT_FILE = "bulk-write.json"


def loadable(writes: Sequence[DocumentWrite], store: ox.Store) -> bool:
    """True if the bulk loader may write ``writes``: new graphs only (nothing to drop or remove, no
    quads yet), no blank node labels (the loader would merge equal labels across documents), every
    line ending in its own graph, and an empty default graph (so a stray triple can be seen)."""
    if not writes or next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return False
    seen: set[str] = set()
    for write in writes:
        if not isinstance(write, DocumentWrite) or write.drop_graphs or write.remove_triples \
                or write.graph in seen or b"_:" in write.nquads:
            return False
        seen.add(check_graph_iri(write.graph))
        # a newline only ends a line in N-Quads (literals escape theirs), so every line ends with
        # the graph exactly when there are as many "<graph> .\n" as newlines, and nothing after
        # the last one; counted without splitting the text into lines
        data, tail = write.nquads, f" <{write.graph}> .\n".encode()
        if data and (not data.endswith(b"\n") or data.count(b"\n") != data.count(tail)):
            return False
        if next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(write.graph))), None) is not None:
            return False
    return True


def bulk_write(store: ox.Store, folder: Path, writes: Sequence[DocumentWrite]) -> None:
    """Load ``writes`` (checked by :func:`loadable`) in one bulk load; on any failure drop their
    graphs again and raise :class:`StoreError` — nothing of the batch stays."""
    graphs = [w.graph for w in writes]
    try:
        _record(folder, graphs)
    except OSError as exc:
        raise StoreError(f"cannot record the batch before writing it: {exc}", path=str(folder),
                         code="PKB-STORE-IO", hint="nothing of this batch was written; check the disk") from exc
    try:
        store.bulk_load(_Concatenated([w.nquads for w in writes]), format=ox.RdfFormat.N_QUADS)
        if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            raise StoreError("a line of the batch is a triple in no document graph", code="PKB-STORE-NQUADS",
                             hint="nothing of this batch was written; every quad must name its document graph")
    except StoreError:
        _undo(store, folder, graphs, clear_default=True)
        raise
    except (SyntaxError, ValueError) as exc:
        _undo(store, folder, graphs)
        raise StoreError(f"invalid N-Quads in the batch of {graphs[0]}…: {exc}", code="PKB-STORE-NQUADS",
                         hint="nothing of this batch was written; fix the RDF writer") from exc
    except MemoryError as exc:
        _undo(store, folder, graphs)
        raise StoreError(f"a document of the batch of {graphs[0]}… holds a value too large for the store",
                         code="PKB-STORE-NQUADS", hint="split the document into smaller files") from exc
    except (OSError, RuntimeError) as exc:
        _undo(store, folder, graphs)
        raise StoreError(f"the write failed and was rolled back: {exc}", code="PKB-STORE-WRITE",
                         hint="nothing of this batch was written") from exc
    _intent(folder).unlink()


def recover(store: ox.Store, folder: Path) -> list[str]:
    """Drop the graphs of a bulk write a crash interrupted (if any); the graphs dropped."""
    try:
        graphs = json.loads(_intent(folder).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise StoreError(f"the record of an interrupted write cannot be read: {exc}", path=str(folder),
                         code="PKB-STORE-IO", hint=f"check {INTENT_FILE} in the store folder") from exc
    _undo(store, folder, graphs)
    return graphs


class _Concatenated(io.RawIOBase):
    """The writes' N-Quads read one after the other, without joining them into one copy."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.part, self.offset = parts, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.part < len(self.parts):
            data = self.parts[self.part]
            if self.offset < len(data):
                n = min(len(buffer), len(data) - self.offset)
                buffer[:n] = data[self.offset:self.offset + n]
                self.offset += n
                return n
            self.part, self.offset = self.part + 1, 0
        return 0


def _intent(folder: Path) -> Path:
    return folder / INTENT_FILE


def _record(folder: Path, graphs: list[str]) -> None:
    """Write the batch's graphs durably before the load starts."""
    temporary = folder / (INTENT_FILE + ".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(graphs, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, _intent(folder))


def _undo(store: ox.Store, folder: Path, graphs: list[str], clear_default: bool = False) -> None:
    """Drop ``graphs`` (and a stray default graph) in one transaction, then forget the record."""
    operations = [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs]
    if clear_default:
        operations.append("CLEAR SILENT DEFAULT")
    store.update(" ;\n".join(operations))
    store.flush()
    _intent(folder).unlink(missing_ok=True)


__all__ = ["INTENT_FILE", "bulk_write", "loadable", "recover"]
