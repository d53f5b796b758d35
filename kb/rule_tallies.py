"""Every document's rule tally (``pkb:ruleTally``: its rules counted by actor, category, modality
and period), read once per store view and kept packed, for the pages of an answer, the
all-district counts and the gaps. Where the store cannot tell when it changed (a server), the
tallies of the scope asked about are read instead.
"""
from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb import queries
from kb.store import view_cache
from kb.store.base import IRI, Store

FIELDS = ("actor", "category", "modality", "period")


@dataclass(frozen=True)
class RuleTallies:
    """Tally entries numbered once: ``keys[k]`` is an entry's (actor, category, modality, period),
    and ``documents`` holds each document's district and its entries as two packed arrays of
    unsigned ints (key numbers, rules): 8 bytes an entry, about 4 MB at 10,000 documents."""

    keys: tuple[tuple, ...]
    documents: dict[str, tuple[str, bytes, bytes]]

    def district(self, doc: str) -> str | None:
        found = self.documents.get(doc)
        return None if found is None else found[0]

    def entries(self, doc: str) -> Iterator[tuple[int, int]]:
        """(key number, rules) of ``doc``'s tally; nothing for a document without one."""
        found = self.documents.get(doc)
        if found is None:
            return iter(())
        return zip(memoryview(found[1]).cast("I"), memoryview(found[2]).cast("I"))

    def of_districts(self, districts: Iterable[str] | None = None) -> list[str]:
        """The documents of ``districts`` (None: every document with a district), by district and IRI."""
        wanted = None if districts is None else set(districts)
        return sorted((d for d, (place, _, _) in self.documents.items()
                       if place and (wanted is None or place in wanted)),
                      key=lambda d: (self.documents[d][0], d))


def of(store: Store, *, docs: Iterable[str] | None = None, districts: Iterable[str] | None = None) -> RuleTallies:
    """Tallies holding at least those of ``docs`` or ``districts`` (neither: every document): the
    whole store's, kept per view, where the store has a state token; else read for that scope."""
    if store.state_token() is not None:
        return every(store)
    if docs is not None:
        rows = queries.run(store, "rule_tallies", doc=tuple(IRI(d) for d in sorted(set(docs)))).rows if docs else []
    else:
        rows = queries.run(store, "rule_tallies", district=tuple(districts) if districts is not None else None).rows
    return _packed(rows)


def every(store: Store) -> RuleTallies:
    """Every document's tally, kept per store view (in memory, and beside an embedded store for the
    next process: :func:`kb.store.view_cache.remembered`)."""
    code = view_cache.fingerprint(Path(__file__), queries.QUERY_DIR / "rule_tallies.rq")
    return view_cache.remembered(store, "rule-tallies", code, lambda: _packed(queries.run(store, "rule_tallies").rows),
                                 to_builtins=lambda t: (t.keys, t.documents),
                                 from_builtins=lambda v: RuleTallies(*v))


def _packed(rows) -> RuleTallies:
    numbers: dict[tuple, int] = {}
    documents: dict[str, tuple[str, bytes, bytes]] = {}
    for row in rows:
        keys, rules = array("I"), array("I")
        for *key, n in json.loads(str(row["tally"])):
            keys.append(numbers.setdefault(tuple(key), len(numbers)))
            rules.append(n)
        documents[str(row["doc"])] = (str(row["district"] or ""), keys.tobytes(), rules.tobytes())
    return RuleTallies(tuple(numbers), documents)


__all__ = ["FIELDS", "RuleTallies", "every", "of"]
