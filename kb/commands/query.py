"""``policykb query`` and ``policykb queries``: read-only SPARQL, named or from a file."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from kb import settings
from kb.commands.common import err, out, StoreOption, fail, open_store
from kb.errors import PolicyKBError


def query(
    name_or_file: str = typer.Argument(..., help="A named query (see --list) or a .rq file."),
    param: List[str] = typer.Option([], "--param", "-p", help="name=value; repeat for each parameter."),
    store: Optional[str] = StoreOption,
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
    limit: Optional[int] = typer.Option(None, "--limit", help="Most rows to return "
                                        f"[default: ${settings.SETTINGS['max_results'].env} or "
                                        f"{settings.SETTINGS['max_results'].default()}]"),
) -> None:
    """Run a read-only SPARQL query: one of kb/queries/*.rq by name, or a .rq file.

    Parameters are bound as RDF terms (never pasted into the query): --param district=张掖市.
    A value written <https://…> is an IRI, an integer is a number, anything else a string.
    Updates (INSERT, DROP, LOAD …) and SERVICE are refused.

    Example: policykb query documents --format json
    """
    from kb import queries
    from kb.store import run_user_query
    from kb.store.base import IRI

    bindings: dict[str, object] = {}
    for item in param:
        if "=" not in item:
            fail(PolicyKBError(f"--param {item!r} is not name=value", code="PKB-CLI-PARAM"))
        key, value = item.split("=", 1)
        if value.startswith("<") and value.endswith(">"):
            bindings[key.lstrip("?$")] = IRI(value[1:-1])
        elif value.lstrip("-").isdigit():
            bindings[key.lstrip("?$")] = int(value)
        else:
            bindings[key.lstrip("?$")] = value
    path = Path(name_or_file)
    limit = settings.get("max_results", limit)
    timeout = settings.get("query_timeout")
    try:
        if path.suffix == ".rq":        # a user-written query: checked, and run with a hard deadline
            if not path.exists():
                raise PolicyKBError(f"no query file {path}", code="PKB-CLI-FILE",
                                    hint="give a .rq file, or a name from `policykb queries`")
            result = run_user_query(path.read_text(encoding="utf-8"), bindings,
                                    location=settings.get("store", store), timeout=timeout, limit=limit)
        else:
            with open_store(store, read_only=True) as kb_store:
                result = queries.run(kb_store, name_or_file, timeout=timeout, limit=limit, **bindings)
    except PolicyKBError as exc:
        fail(exc)
    _print_result(result, fmt)


def _print_result(result, fmt: str) -> None:
    if result.boolean is not None:
        print(json.dumps(result.boolean) if fmt == "json" else str(result.boolean).lower())
        return
    if fmt == "json":
        for row in result.rows:
            print(json.dumps({k: v for k, v in row.items()}, ensure_ascii=False, default=str))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if row.get(v) is None else row.get(v) for v in result.variables])
    else:
        from rich.table import Table

        table = Table(*result.variables)
        for row in result.rows:
            table.add_row(*["" if row.get(v) is None else str(row.get(v))[:80] for v in result.variables])
        out.print(table)
    if result.truncated:
        err.print(f"[yellow]result truncated at {len(result.rows)} rows (the row limit; raise it with "
                  f"--limit or ${settings.SETTINGS['max_results'].env})[/]")


def list_named_queries() -> None:
    """List the named queries (kb/queries/*.rq) with their parameters."""
    from kb import queries

    for q in queries.list_queries():
        out.print(f"[bold]{q.name}[/]  {q.title}", highlight=False)
        for name, help_text in q.params.items():
            out.print(f"    ?{name}: {help_text}", highlight=False)
