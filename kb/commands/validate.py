"""``policykb validate``: SHACL conformance and store integrity."""
from __future__ import annotations

import json
from typing import Optional

import typer

from kb.commands.common import out, StoreOption, fail, open_store
from kb.errors import PolicyKBError


def validate(
    store: Optional[str] = StoreOption,
    fmt: str = typer.Option("text", "--format", "-f", help="text or json"),
) -> None:
    """Check the graph: SHACL shapes (ontology/shapes.ttl) and store integrity.

    Integrity: every named graph holds its document, every fact has its evidence. Exit status 0
    when everything conforms, 1 with violations, 2 when the check could not run.
    """
    from kb.validate import validate_store

    kb_store = open_store(store, read_only=True)
    try:
        with kb_store:
            report = validate_store(kb_store)
    except PolicyKBError as exc:
        fail(exc)
    if fmt == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for issue in report.issues:
            out.print(f"[red]✗[/] {issue.graph}  {issue.focus}  {issue.message}", highlight=False)
        out.print(f"{report.graphs} graphs checked: "
                  + ("[green]conforms[/]" if report.conforms else f"[red]{len(report.issues)} violations[/]"))
    raise typer.Exit(0 if report.conforms else 1)
