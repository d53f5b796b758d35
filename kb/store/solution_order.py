"""A query's final ``ORDER BY`` of plain variables applied in Python on the embedded store.

Oxigraph reads both terms' strings from the store at every comparison of a sort: ordering the
1,913 documents of a district took 140–240 ms of a 160–260 ms query at 60,000 documents, the whole
document list half of its 64 s. :func:`split` cuts such a clause off the query and :func:`sort`
orders the solutions as SPARQL does (unbound < blank nodes < IRIs < literals; IRIs and strings by
code point, numbers by value, ties kept in the order they came). A key column holding literals
it cannot order exactly like the engine (dates, language strings, mixed kinds) makes :func:`sort`
return None: the caller then lets the engine sort, and lets it sort that query from then on.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Sequence

import pyoxigraph as ox

from kb.store.base import XSD
from kb.store.sparql_text import query_shape

Keys = tuple[tuple[str, bool], ...]

_STRING = XSD + "string"
_BOOLEAN = XSD + "boolean"
_INTEGERS = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "nonPositiveInteger",
    "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_DECIMAL = XSD + "decimal"
_FLOATS = {XSD + "float", XSD + "double"}


class _Unordered(Exception):
    """A key term this module does not order like the engine."""


def split(sparql: str) -> tuple[str, Keys] | None:
    """``(the query without its last clause, the clause's keys)`` when the query is a SELECT that
    ends with ``ORDER BY`` plain variables; None otherwise (or when the text does not parse here:
    the engine then reports it)."""
    try:
        shape = query_shape(sparql)
    except Exception:  # noqa: BLE001 - the engine's own error is the one to show
        return None
    if shape.final_order is None:
        return None
    start, end, keys = shape.final_order
    return sparql[:start] + sparql[end:], keys


def sort(variables: Sequence[str], solutions: list, keys: Keys) -> list | None:
    """``solutions`` (pyoxigraph query solutions over ``variables``) in the order of ``keys``; None
    when a key is not a projected variable or holds terms that are not ordered here."""
    try:
        columns = [(variables.index(name), descending) for name, descending in keys]
    except ValueError:
        return None
    ordered = list(solutions)
    for index, descending in reversed(columns):   # stable sorts, the last key first
        kinds: set[str] = set()
        try:
            keyed = [(_key(solution[index], kinds), solution) for solution in ordered]
        except _Unordered:
            return None
        if len(kinds) > 1:                         # numbers beside strings: the engine's own rules
            return None
        keyed.sort(key=_first, reverse=descending)
        ordered = [solution for _, solution in keyed]
    return ordered


def _first(pair: tuple) -> tuple:
    return pair[0]


def _key(term, kinds: set[str]) -> tuple:
    kind = type(term)
    if term is None:
        return (0,)
    if kind is ox.NamedNode:
        return (2, term.value)
    if kind is ox.BlankNode:
        return (1,)                       # blank nodes are equal to each other
    if kind is not ox.Literal or term.language:
        raise _Unordered
    datatype = term.datatype.value
    if datatype == _STRING:
        kinds.add("string")
        return (3, term.value)
    kinds.add("number" if datatype != _BOOLEAN else "boolean")
    try:
        if datatype in _INTEGERS:
            return (3, int(term.value))
        if datatype == _DECIMAL:
            return (3, Decimal(term.value))
        if datatype in _FLOATS:
            value = float(term.value)
            if value == value:            # NaN has no place in an order
                return (3, value)
        if datatype == _BOOLEAN and term.value in ("true", "false", "1", "0"):
            return (3, term.value in ("true", "1"))
    except (ValueError, InvalidOperation):
        pass
    raise _Unordered


__all__ = ["split", "sort"]
