"""pyoxigraph terms and the Python values of :class:`kb.store.base.QueryResult`, both ways: a bound
value as a term (:func:`to_term`) and a term of a result as a value (:func:`term_to_python`).
"""
from __future__ import annotations

import pyoxigraph as ox

from kb.errors import QueryError
from kb.store.base import XSD, BNode, IRI, LangString, bad_binding, literal_to_python


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


_XSD_STRING = XSD + "string"


def term_to_python(term: object) -> object:
    """A pyoxigraph term as the Python value of :class:`kb.store.base.QueryResult`."""
    kind = type(term)       # dispatch on the exact type: answers convert every cell of every row
    if kind is ox.Literal:
        datatype = term.datatype.value
        if datatype == _XSD_STRING:     # most cells: no language, no number
            return term.value
        return literal_to_python(term.value, datatype, term.language)
    if kind is ox.NamedNode:
        return IRI(term.value)
    if term is None:
        return None
    if kind is ox.BlankNode:
        return BNode(term.value)
    return str(term)  # an RDF 1.2 triple term


def solution_rows(variables: list[str], solutions) -> list[dict]:
    """Rows (variable → Python value) of query solutions: each solution read in order, not by name
    (a third of the cost; an unbound variable reads as None either way)."""
    return [dict(zip(variables, map(term_to_python, solution))) for solution in solutions]


__all__ = ["solution_rows", "term_to_python", "to_term"]
