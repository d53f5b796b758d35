"""Refuse user-written SPARQL that could change the store or reach other hosts.

:func:`check_read_only` accepts the four query forms and refuses updates (``PKB-QUERY-READONLY``)
and ``SERVICE`` (``PKB-QUERY-SERVICE``), parsing the text rather than matching patterns. What is
refused and how the text is read: docs/architecture.md.
"""
from __future__ import annotations

import re

from kb.errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                             "COPY", "WITH"})

_UPDATE_NAMES = {"Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
                 "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
                 "DeleteWhere": "DELETE WHERE", "Modify": "DELETE/INSERT"}


def readonly_error(what: str) -> QueryError:
    """The error for ``what``, a request that is not a query (``PKB-QUERY-READONLY``)."""
    return QueryError(f"only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) may run here; this is {what}",
                      code="PKB-QUERY-READONLY",
                      hint="the store changes only through `policykb ingest`")


def _service_error() -> QueryError:
    return QueryError("SERVICE clauses (federated queries to other endpoints) are not allowed",
                      code="PKB-QUERY-SERVICE", hint="query only the graphs of this store")


def check_read_only(sparql: str) -> None:
    """Raise :class:`QueryError` unless ``sparql`` is a query without ``SERVICE`` (see module doc)."""
    if not isinstance(sparql, str) or not sparql.strip():
        raise QueryError("the query is empty", code="PKB-QUERY-SYNTAX", hint="write a SELECT query")
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate  # here: ~1 s to import, needed only now

    try:
        tree = parseQuery(sparql)
    except Exception:  # pyparsing's ParseException, or rdflib choking on exotic input: not a query it knows
        tree = None
    if tree is not None:
        form = getattr(tree[1], "name", "")
        if form not in ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"):
            raise readonly_error(f"a {form or 'request of unknown form'}")
        if _has_service(tree):
            raise _service_error()
        return
    try:
        update = parseUpdate(sparql)
    except Exception:
        update = None
    if update is not None:
        names = [getattr(op, "name", "") for op in update.get("request", [])]
        shown = ", ".join(dict.fromkeys(_UPDATE_NAMES.get(n, n.upper()) for n in names)) or "an update"
        raise readonly_error(f"a SPARQL update ({shown})")
    _check_tokens(sparql)


def _has_service(node: object) -> bool:
    """True if an rdflib parse tree contains a ``ServiceGraphPattern`` anywhere."""
    stack = [node]
    while stack:
        item = stack.pop()
        if getattr(item, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(list(item))
    return False


# A SPARQL tokenizer good enough to find keywords: the alternatives are tried in order at each
# position, so a keyword-looking word inside a string, IRI, comment or name is never a keyword.
SPARQL_TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\''(?:[^'\\]|\\.|'(?!''))*'\'\''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*))
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)


def _keywords(sparql: str) -> list[str]:
    return [m.group("word").upper() for m in SPARQL_TOKEN.finditer(sparql) if m.lastgroup == "word"]


def _check_tokens(sparql: str) -> None:
    words = _keywords(sparql)
    if "SERVICE" in words:
        raise _service_error()
    updates = [w for w in words if w in UPDATE_KEYWORDS]
    if updates:
        raise readonly_error(f"a SPARQL update ({', '.join(dict.fromkeys(updates))})")
    first = next((w for w in words if w not in ("BASE", "PREFIX", "VERSION")), None)
    if first is not None and first not in QUERY_FORMS:
        raise readonly_error(f"a request starting with {first}")
