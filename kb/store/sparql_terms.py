"""RDF terms in SPARQL syntax, for the text sent to a server: :func:`literal_text` (escaped by the
SPARQL grammar, sent as UTF-8), :func:`iri_text` (validated) and :func:`term_text` (a bound value of
any accepted type). A value that cannot be a term is refused (``PKB-QUERY-BIND``).
"""
from __future__ import annotations

import re

import pyoxigraph as ox

from kb.errors import QueryError
from kb.store.base import MANY, XSD, BNode, IRI, LangString, bad_binding


_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def literal_text(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in SPARQL syntax: ``"…"`` with the grammar's escapes, then ``@lang`` or ``^^<dt>``.

    Everything but ``\\ " LF CR TAB BS FF`` goes out as itself (UTF-8), which every server reads
    alike (Virtuoso turns ``\\uXXXX`` escapes into ``xsd:string``-typed literals, which then fail to
    match plain ones). NUL and lone surrogates are refused.
    """
    if "\x00" in lexical:
        raise ValueError("a NUL character cannot be sent to a server")
    try:
        lexical.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text is not valid Unicode (a lone surrogate)") from None
    body = '"' + "".join(_ECHAR.get(c, c) for c in lexical) + '"'
    if language:
        if not _LANGUAGE.fullmatch(language):
            raise ValueError(f"{language!r} is not a language tag")
        return f"{body}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{body}^^{_iri(datatype)}"
    return body


def _iri(value: str) -> str:
    return f"<{ox.NamedNode(value).value}>"


def iri_text(name: str, value: str) -> str:
    """``<value>`` after checking it is a valid absolute IRI (else ``PKB-QUERY-BIND``)."""
    try:
        return _iri(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"?{name}: {value!r} is not a valid IRI: {exc}", code="PKB-QUERY-BIND",
                         hint="IRIs are absolute, e.g. https://w3id.org/policykb/id/doc/…") from exc


def term_text(name: str, value: object) -> str:
    """A binding value as an RDF term in SPARQL syntax (types as in :func:`normalize_bindings`)."""
    try:
        if isinstance(value, ox.NamedNode):
            return iri_text(name, value.value)
        if isinstance(value, ox.Literal):
            return literal_text(value.value, value.datatype.value, value.language)
        if isinstance(value, IRI):
            return iri_text(name, str(value))
        if isinstance(value, (BNode, ox.BlankNode)):
            raise QueryError(f"cannot bind ?{name} to a blank node on a server store", code="PKB-QUERY-BIND",
                             hint="blank node labels are local to one response; bind an IRI or a literal")
        if isinstance(value, LangString):
            return literal_text(str(value), language=value.language)
        if isinstance(value, (bool, int, float, str)):
            literal = ox.Literal(value)  # the same datatype and lexical form as the embedded backend
            return literal_text(literal.value, literal.datatype.value, literal.language)
    except ValueError as exc:
        raise QueryError(f"cannot bind ?{name}: {exc}", code="PKB-QUERY-BIND",
                         hint="bind an IRI (kb.store.IRI), a str, int, float or bool") from None
    raise bad_binding(name, value)


def bound_terms(name: str, value) -> str | tuple[str, ...]:
    """A bound value in SPARQL syntax; a tuple, list or set of values becomes a tuple of terms
    (a set in a stable order)."""
    if isinstance(value, MANY):
        if not value:
            raise QueryError(f"cannot bind ?{name} to no values", code="PKB-QUERY-BIND",
                             hint="bind one value, several, or leave the variable unbound")
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return tuple(term_text(name, v) for v in items)
    return term_text(name, value)


__all__ = ["bound_terms", "iri_text", "literal_text", "term_text"]
