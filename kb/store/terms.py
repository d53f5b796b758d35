"""pyoxigraph terms and the Python values of :class:`kb.store.base.QueryResult`, both ways: a bound
value as a term (:func:`to_term`) and a term of a result as a value (:func:`term_to_python`).
"""
from __future__ import annotations

import pyoxigraph as ox

from kb.errors import QueryError
from kb.store.base import BNode, IRI, LangString, bad_binding, literal_to_python


def to_term(name: str, value: object):
    """A binding value as a pyoxigraph term (see ``normalize_bindings`` for what is accepted)."""
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, IRI):
        try:
            return ox.NamedNode(value)
        except ValueError as exc:
            raise QueryError(f"?{name}: {value!r} is not a valid IRI: {exc}", code="PKB-QUERY-BIND",
                             hint="IRIs are absolute, e.g. https://w3id.org/policykb/id/doc/…") from exc
    if isinstance(value, BNode):
        return ox.BlankNode(value)
    if isinstance(value, LangString):
        return ox.Literal(str(value), language=value.language)
    if isinstance(value, (bool, int, float, str)):
        return ox.Literal(value)
    raise bad_binding(name, value)


def term_to_python(term: object) -> object:
    """A pyoxigraph term as the Python value of :class:`kb.store.base.QueryResult`."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return literal_to_python(term.value, term.datatype.value, term.language)
    return str(term)  # an RDF 1.2 triple term


__all__ = ["term_to_python", "to_term"]
