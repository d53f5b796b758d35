"""Named SPARQL queries: one question per ``kb/queries/<name>.rq`` file.

Reads each file's descriptive comments (title, description, parameters) and runs it with
:func:`run`, binding parameters as RDF terms. The file format and the binding rules:
docs/query-side.md.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.errors import QueryError
from kb.store.base import QueryResult, Store

QUERY_DIR = Path(__file__).with_name("queries")

_HEADER = re.compile(r"#\s*(title|description|param)\b\s*(\?\w+)?\s*:\s*(.*)", re.IGNORECASE)
_CONTINUATION = re.compile(r"#\s{2,}(\S.*)")
_REQUIRED = re.compile(r"\brequired\)?\.?$")


@dataclass(frozen=True)
class NamedQuery:
    """A query file: ``name`` (the file stem), its header, and its SPARQL ``text``."""

    name: str
    title: str
    description: str
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        """The parameters whose description ends with ``required`` (``; required)``)."""
        return tuple(name for name, text in self.params.items() if _REQUIRED.search(text))

    def run(self, store: Store, /, *, timeout: float | None = None, limit: int | None = None,
            strict: bool = False, **params: object) -> QueryResult:
        """Evaluate on ``store`` with ``params`` bound (see :func:`run`); :class:`QueryError`
        ``PKB-QUERY-PARAM`` for a parameter the query does not have or a required one left out."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise QueryError(f"query {self.name!r} has no parameter {', '.join(unknown)}",
                             code="PKB-QUERY-PARAM", hint=f"its parameters: {valid}")
        missing = [name for name in self.required if params.get(name) is None]
        if missing:   # unbound, a path like `?a skos:broader* ?target` would match every term
            raise QueryError(f"query {self.name!r} needs {', '.join('?' + m for m in missing)}: "
                             f"{self.params[missing[0]]}", code="PKB-QUERY-PARAM",
                             hint=f"bind it (on the command line: --param {missing[0]}=…)")
        return store.query(self.text, {k: v for k, v in params.items() if v is not None},
                           timeout=timeout, limit=limit, strict=strict)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; :class:`QueryError` ``PKB-QUERY-HEADER`` if it has no title."""
    text = path.read_text(encoding="utf-8")
    title = ""
    description: list[str] = []
    params: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match:
            key, variable, value = match.group(1).lower(), match.group(2), match.group(3).strip()
            if key == "title":
                title, last = value, "title"
            elif key == "description":
                description.append(value)
                last = "description"
            elif variable:
                params[variable[1:]] = value
                last = "param:" + variable[1:]
            continue
        more = _CONTINUATION.match(stripped)
        if more and last == "description":
            description.append(more.group(1).strip())
        elif more and last and last.startswith("param:"):
            params[last[6:]] += " " + more.group(1).strip()
    if not title:
        raise QueryError("query file has no '# title:' line", path=str(path), code="PKB-QUERY-HEADER",
                         hint="start the file with '# title: <the question it answers>'")
    return NamedQuery(path.stem, title, " ".join(description), params, text)


@lru_cache(maxsize=1)
def _load(directory: Path, stamp: tuple) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


_RECHECK_SECONDS = 1.0
_checked: list = [float("-inf"), None]   # when the folder was last looked at, and what it held


def _queries() -> dict[str, NamedQuery]:
    """The parsed queries; the folder is looked at again (edited files re-read) at most once a
    second, not on every query — a glob and a stat per file cost ~1 ms, paid per request."""
    now = time.monotonic()
    if now - _checked[0] >= _RECHECK_SECONDS:
        files = sorted(QUERY_DIR.glob("*.rq"))
        _checked[:] = [now, tuple((p.name, p.stat().st_mtime_ns) for p in files)]
    return _load(QUERY_DIR, _checked[1])


def list_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return list(_queries().values())


def get_query(name: str) -> NamedQuery:
    """The query called ``name``; :class:`QueryError` ``PKB-QUERY-UNKNOWN`` listing the names if none."""
    queries = _queries()
    try:
        return queries[name]
    except KeyError:
        raise QueryError(f"there is no named query {name!r}", code="PKB-QUERY-UNKNOWN",
                         hint=f"known queries: {', '.join(queries) or 'none'}") from None


def run(store: Store, name: str, /, *, timeout: float | None = None, limit: int | None = None,
        strict: bool = False, **params: object) -> QueryResult:
    """Run named query ``name`` on ``store``, binding ``params`` (unknown ones: ``PKB-QUERY-PARAM``).

    Values are bound as RDF terms: ``kb.store.IRI("https://…")`` for an IRI, a ``str`` for a
    string literal, ``int``/``float``/``bool`` for typed literals; ``None`` leaves a parameter free.
    ``timeout``, ``limit`` and ``strict`` are passed to :meth:`Store.query` (so no query parameter
    may have those names).
    """
    return get_query(name).run(store, timeout=timeout, limit=limit, strict=strict, **params)


__all__ = ["NamedQuery", "QUERY_DIR", "get_query", "list_queries", "parse_query_file", "run"]
