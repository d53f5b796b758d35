"""What the SPARQL text of a query is, and the text sent to a server: :func:`query_shape` reads the
query form, its groups and projections and refuses anything but a query (``PKB-QUERY-READONLY``);
:func:`prepare_query` adds the missing prefixes, a ``VALUES`` block for the bound terms and a
``LIMIT``, and swaps non-ASCII ``GROUP_CONCAT`` separators for tokens that
:func:`restore_separators` puts back into the results.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from kb.errors import QueryError
from kb.store.base import PREFIXES, BNode, IRI, LangString
from kb.store.readonly import QUERY_FORMS, SPARQL_TOKEN, UPDATE_KEYWORDS, readonly_error

_EXTENSION_PREFIXES = ("bif", "sql")


@dataclass
class _Scope:
    """A group a ``VALUES`` block can open: the query's WHERE group or a sub-SELECT's."""

    insert_at: int                   # text offset just after the group's "{"
    projection: frozenset | None     # the sub-SELECT's projected variables; None: all (top, "*")
    parent: int | None               # index of the enclosing scope


@dataclass
class QueryShape:
    """What :func:`query_shape` found: the form, the declared prefixes, the projection, the groups."""

    form: str
    declared: frozenset
    projection: frozenset | None     # top-level SELECT projection (None: "*" or not a SELECT)
    scopes: list = field(default_factory=list)
    top_limit: bool = False
    trailing_values: bool = False
    #: the query's last clause when it is ``ORDER BY`` plain variables only: its (start, end) text
    #: offsets and its keys, ``(variable, descending)`` each (see :mod:`kb.store.solution_order`)
    final_order: tuple[int, int, tuple[tuple[str, bool], ...]] | None = None


def _syntax(message: str) -> QueryError:
    return QueryError(f"invalid SPARQL: {message}", code="PKB-QUERY-SYNTAX",
                      hint="check the query against the SPARQL 1.1 grammar")


def _tokens(sparql: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token but white space and comments."""
    return [(m.lastgroup, m.group(), m.start(), m.end()) for m in SPARQL_TOKEN.finditer(sparql)
            if m.lastgroup not in ("ws", "comment")]


@lru_cache(maxsize=512)
def query_shape(sparql: str) -> QueryShape:
    """Where the groups of a query are, what it projects, and whether it is safe to send."""
    tokens = _tokens(sparql)
    for kind, text, _, _ in tokens:
        if kind == "word" and text.upper() in UPDATE_KEYWORDS:
            raise readonly_error(f"a SPARQL update ({text.upper()})")
        if kind == "pname" and text.split(":", 1)[0].lower() in _EXTENSION_PREFIXES:
            raise readonly_error(f"a call of a server extension ({text})")
        if kind == "iri" and text[1:].lower().startswith(tuple(p + ":" for p in _EXTENSION_PREFIXES)):
            raise readonly_error(f"a call of a server extension ({text})")
        if kind == "other" and text in "\"'":
            raise _syntax("unterminated string")
    i, declared = 0, set()
    while i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].upper() in ("PREFIX", "BASE"):
        if tokens[i][1].upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1][0] == "pname":
            declared.add(tokens[i + 1][1].split(":", 1)[0])
            i += 3
        else:
            i += 2
    if i >= len(tokens):
        raise _syntax("the query is empty")
    kind, text, _, _ = tokens[i]
    form = text.upper() if kind == "word" else ""
    if form not in QUERY_FORMS:
        raise _syntax(f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {text!r}")
    shape = QueryShape(form, frozenset(declared), None)
    i += 1
    if form == "SELECT":
        projection, i = _projection(tokens, i)
        shape.projection = projection
    elif form == "CONSTRUCT" and i < len(tokens) and tokens[i][1] == "{":
        i = _skip_group(tokens, i)
    # the WHERE group: the first "{" outside parentheses
    depth_paren = 0
    while i < len(tokens):
        t = tokens[i][1]
        if t == "(":
            depth_paren += 1
        elif t == ")":
            depth_paren -= 1
        elif t == "{" and depth_paren == 0:
            break
        i += 1
    if i >= len(tokens):
        return shape  # DESCRIBE <x> without a WHERE clause
    shape.scopes.append(_Scope(tokens[i][3], None, None))
    stack: list[tuple[int, int]] = [(0, 1)]  # (scope index, brace depth at which its group closes)
    depth = 1
    i += 1
    while i < len(tokens) and depth > 0:
        kind, t, _, _ = tokens[i]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            while stack and depth < stack[-1][1]:
                stack.pop()
        elif kind == "word" and t.upper() == "SELECT":
            projection, j = _projection(tokens, i + 1)
            while j < len(tokens) and tokens[j][1] != "{":
                j += 1
            if j < len(tokens):
                shape.scopes.append(_Scope(tokens[j][3], projection, stack[-1][0] if stack else 0))
                depth += 1
                stack.append((len(shape.scopes) - 1, depth))
                i = j
        i += 1
    for kind, t, _, _ in tokens[i:]:
        if kind == "word" and t.upper() == "LIMIT":
            shape.top_limit = True
        if kind == "word" and t.upper() == "VALUES":
            shape.trailing_values = True
    if form == "SELECT":
        shape.final_order = _final_order(tokens, i)
    return shape


def _final_order(tokens, i: int) -> tuple[int, int, tuple[tuple[str, bool], ...]] | None:
    """The ``ORDER BY`` clause that ends the query from token ``i`` on, when its keys are plain
    variables (``?v``, ``ASC(?v)``, ``DESC(?v)``) and nothing follows them."""
    while i + 1 < len(tokens) and not (tokens[i][1].upper() == "ORDER" and tokens[i + 1][1].upper() == "BY"):
        i += 1
    if i + 2 >= len(tokens):
        return None
    start, j, keys = tokens[i][2], i + 2, []
    while j < len(tokens):
        kind, t, _, _ = tokens[j]
        if kind == "var":
            keys.append((t[1:], False))
            j += 1
        elif (t.upper() in ("ASC", "DESC") and j + 3 < len(tokens) and tokens[j + 1][1] == "("
              and tokens[j + 2][0] == "var" and tokens[j + 3][1] == ")"):
            keys.append((tokens[j + 2][1][1:], t.upper() == "DESC"))
            j += 4
        else:
            return None
    return (start, tokens[-1][3], tuple(keys)) if keys else None


def _projection(tokens, i: int) -> tuple[frozenset | None, int]:
    """The variables a SELECT clause projects (None for ``*``), and where the clause ends."""
    names: set[str] = set()
    star = False
    depth = 0
    while i < len(tokens):
        kind, t, _, _ = tokens[i]
        if depth == 0 and (t == "{" or (kind == "word" and t.upper() in ("WHERE", "FROM"))):
            break
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == "*" and depth == 0:
            star = True
        elif kind == "var" and (depth == 0 or (i > 0 and tokens[i - 1][1].upper() == "AS")):
            names.add(t[1:])
        i += 1
    return (None if star else frozenset(names)), i


def _skip_group(tokens, i: int) -> int:
    depth = 0
    while i < len(tokens):
        if tokens[i][1] == "{":
            depth += 1
        elif tokens[i][1] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


SEPARATOR_TOKEN = "~pkb-sep-{}~"


def prepare_query(sparql: str, terms: Mapping[str, str | tuple[str, ...]], *, limit: int | None = None,
                  separators: dict[str, str] | None = None) -> str:
    """The text sent to the server: missing prefixes, ``VALUES`` for the bound ``terms`` (already in
    SPARQL syntax, from :func:`term_text`; a tuple of terms binds the variable to each of them, one
    ``VALUES`` row per term), and a ``LIMIT`` one past ``limit`` when it has none.

    With ``separators`` (a dict to fill), every ``GROUP_CONCAT`` separator that is not ASCII is
    replaced by an ASCII token (:data:`SEPARATOR_TOKEN`) and ``separators`` maps the token back:
    Virtuoso 7.2 turns a non-ASCII separator (``separator="、"``) into ``?``, so its client puts the
    separator back into the results.
    """
    if not isinstance(sparql, str) or not sparql.strip():
        raise _syntax("the query is empty")
    shape = query_shape(sparql)
    if terms and shape.form == "SELECT" and shape.projection is not None:
        hidden = sorted(set(terms) - shape.projection)
        if hidden:
            raise QueryError(f"cannot bind a variable the query does not return: ?{', ?'.join(hidden)}",
                             code="PKB-QUERY-PARAM", hint="list every bound variable in the SELECT clause")
    if terms and not shape.scopes:
        raise QueryError("cannot bind variables of a query without a WHERE clause", code="PKB-QUERY-PARAM",
                         hint="add a WHERE clause that uses the variable")
    inserts: list[tuple[int, str]] = []
    visible: list[frozenset] = []
    for scope in shape.scopes:
        parent = frozenset(terms) if scope.parent is None else visible[scope.parent]
        names = parent if scope.projection is None else parent & scope.projection
        visible.append(names)
        if names:
            single = sorted(n for n in names if isinstance(terms[n], str))
            block = (" VALUES (" + " ".join("?" + n for n in single) + ") { ("
                     + " ".join(terms[n] for n in single) + ") } ") if single else ""
            for n in sorted(names - set(single)):   # several values: one row each
                block += f" VALUES ?{n} {{ " + " ".join(terms[n]) + " } "
            inserts.append((scope.insert_at, block))
    replaced: list[tuple[int, int, str]] = []
    if separators is not None:
        for start, end, value in _wide_separators(sparql):
            token = SEPARATOR_TOKEN.format(len(separators))
            separators[token] = value
            replaced.append((start, end, f'"{token}"'))
    text = sparql
    edits = [(at, at, block) for at, block in inserts] + replaced
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    if limit is not None and shape.form == "SELECT" and not shape.top_limit and not shape.trailing_values:
        text += f"\nLIMIT {int(limit) + 1}"
    header = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in shape.declared)
    return header + text


def _wide_separators(sparql: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of every ``separator = "…"`` string with a non-ASCII character."""
    tokens = _tokens(sparql)
    found = []
    for i in range(len(tokens) - 2):
        if (tokens[i][0] == "word" and tokens[i][1].upper() == "SEPARATOR" and tokens[i + 1][1] == "="
                and tokens[i + 2][0] == "string"):
            value = _unquote(tokens[i + 2][1])
            if any(ord(c) > 127 for c in value):
                found.append((tokens[i + 2][2], tokens[i + 2][3], value))
    return found


_UNESCAPE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unquote(token: str) -> str:
    """The value of a SPARQL string token (quotes stripped, escapes decoded)."""
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]
    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1
                  else _UNESCAPE.get(m.group(1), m.group(1)), body)


def restore_separators(value: object, separators: dict[str, str]) -> object:
    """Put the real GROUP_CONCAT separators back into a string result (see :func:`prepare_query`)."""
    if not isinstance(value, str) or "~pkb-sep-" not in value or isinstance(value, (IRI, BNode)):
        return value
    text = str(value)
    for token, separator in separators.items():
        text = text.replace(token, separator)
    return LangString(text, value.language) if isinstance(value, LangString) else text


__all__ = ["SEPARATOR_TOKEN", "prepare_query", "query_shape", "restore_separators"]
