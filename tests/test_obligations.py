"""kb.obligations.find on a real store of generated documents: an actor's rules in a district are
the district's rules of the actors in its scope (``actor_scope``), marked inherited as the scope
says, in the same order — however the store reads them."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import pytest

from kb import obligations, queries


@pytest.fixture(scope="module")
def district(big) -> str:
    """The district with the most documents (several documents, several actors)."""
    docs = defaultdict(set)
    for ob in obligations.find(big):
        docs[ob.district].add(ob.doc)
    name = max((d for d in docs if d), key=lambda d: (len(docs[d]), d))
    assert len(docs[name]) >= 3, docs
    return name


@pytest.mark.parametrize("actor", ["member_school", "group", "lead_school", "education_authority"])
def test_an_actors_rules_are_the_districts_rules_of_its_scope(big, district, actor):
    scope = {obligations.code(r["actor"]): bool(r.get("inherited"))
             for r in queries.run(big, "actor_scope", target=obligations.concept("actor", actor)).rows}
    expected = [replace(ob, inherited=scope[ob.actor])
                for ob in obligations.find(big, district=district) if ob.actor in scope]
    expected.sort(key=lambda ob: (ob.inherited, ob.district or "", ob.doc, ob.order))
    found = obligations.find(big, actor=actor, district=district)
    assert found, actor
    assert [ob.to_dict() for ob in found] == [ob.to_dict() for ob in expected]
    direct = [ob for ob in found if not ob.inherited]
    assert found[:len(direct)] == direct                 # its own rules first, inherited after
