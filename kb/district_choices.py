"""What a district offers to choose from: its school groups, schools, group models and the actors
whose duties its rules state — read from that district's documents only (their name indexes,
``district_name_index``, and rule tallies, ``rule_tallies``), never from the whole store, so the
app's choice lists follow the chosen district. The store's whole lists of groups and models
(``store_groups``, ``store_models``) come from the store's question vocabulary, built from the same
name indexes once per store view. How: docs/query-side.md#kbdistrict_choicespy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from kb import queries, scopes
from kb.obligations import code, concept
from kb.store.base import Store


@dataclass(frozen=True)
class DistrictChoices:
    """The names of one district (or several, united): ``groups`` (IRIs), ``schools`` (names),
    ``models`` and ``actors`` (codes, in vocabulary order). An actor is offered when a rule of the
    district binds it — its own, a narrower actor's, or (inherited) a broader actor's."""

    districts: tuple[str, ...]
    groups: list[str] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)


def district_choices(store: Store, districts: str | list[str] | tuple[str, ...]) -> DistrictChoices:
    """The choices of ``districts`` (one name or several); see :class:`DistrictChoices`."""
    from ontology import labels

    names = (districts,) if isinstance(districts, str) else tuple(districts)
    groups: dict[str, None] = {}
    schools: dict[str, None] = {}
    models: set[str] = set()
    present: set[str] = set()
    for district in names:
        rows = queries.run(store, "district_name_index", district=district).rows
        if any(r.get("index") is None for r in rows):   # documents written before the name index
            _from_facts(store, district, groups, schools, models)
        for r in rows:
            if r.get("index") is None:
                continue
            index = json.loads(str(r["index"]))
            models.update(index.get("models") or ())
            for g in index.get("groups") or ():
                groups.setdefault(g["iri"])
                models.update(g.get("models") or ())
                for name in (*(g.get("lead") or ()), *(g.get("members") or ())):
                    schools.setdefault(name)
        for r in queries.run(store, "rule_tallies", district=district).rows:
            present.update(entry[0] for entry in json.loads(str(r["tally"])))
    actors = [a for a in labels("actor") if present & _bound_by(store, a)]
    return DistrictChoices(names, list(groups), sorted(schools), [m for m in labels("model") if m in models],
                           actors)


def store_models(store: Store) -> list[str]:
    """The group models some document or group of the store adopts, in vocabulary order — from
    the store's question vocabulary (:func:`kb.ask.vocabulary_for`: the documents' name indexes,
    read once per store view), not a query per model."""
    from kb.ask import vocabulary_for
    from ontology import labels

    terms = vocabulary_for(store).terms
    used = set().union(*terms.document_models.values(), *(g.models for g in terms.groups.values()))
    return [m for m in labels("model") if m in used]


def store_groups(store: Store) -> list[dict]:
    """Every school group of the store as ``{group, doc, district, name, leadNames}`` (the
    ``cmp_groups`` fields a choice list shows; ``leadNames`` joined by "、"), in district, document
    and group order — from the store's question vocabulary, like :func:`store_models`."""
    from kb.ask import vocabulary_for

    groups = vocabulary_for(store).terms.groups.values()
    rows = [{"group": g.iri, "doc": g.doc, "district": g.district or None, "name": g.name or None,
             "leadNames": "、".join(g.lead_schools) or None} for g in groups]
    return sorted(rows, key=lambda r: (r["district"] or "", r["doc"], _order(r["group"]), r["group"]))


def _order(group: str) -> int:
    """A group's number in its document (its IRI ends ``/group/<n>``, as ``cmp_groups``'s ?order)."""
    tail = group.rpartition("/group/")[2]
    return int(tail) if tail.isdigit() else 0


def _from_facts(store: Store, district: str, groups: dict, schools: dict, models: set) -> None:
    """Groups, lead schools and models of a district read from its facts (``cmp_groups``), for
    stores written before documents carried a name index."""
    for r in scopes.groups(store, district=district):
        groups.setdefault(str(r["group"]))
        models.update(code(m) for m in str(r.get("models") or "").split() if m)
        for name in str(r.get("leadNames") or "").split("、"):
            if name:
                schools.setdefault(name)


def _bound_by(store: Store, actor: str) -> set[str]:
    """The actors whose rules bind ``actor``: itself, narrower and (inherited) broader ones."""
    return {code(r["actor"]) for r in queries.run(store, "actor_scope", target=concept("actor", actor)).rows}


__all__ = ["DistrictChoices", "district_choices", "store_groups", "store_models"]
