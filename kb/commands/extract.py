"""``policykb extract``: the ``policykb-extract/1`` view of documents, read back from the graph."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from kb import settings
from kb.commands.common import fail
from kb.errors import PolicyKBError


def extract(
    files: List[Path] = typer.Argument(..., help="Documents to extract.", show_default=False),
    fmt: str = typer.Option("json", "--format", "-f", help="Output format: json (JSON Lines, one "
                            "object per file, in the order given)."),
    store: Optional[str] = typer.Option(None, "--store", "-s", help="Ingest into this store and read "
                                        "back from it (default: a temporary store, removed afterwards)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Extraction workers."),
) -> None:
    """Print the policykb-extract/1 view of each document, read back from the graph.

    The files are ingested (into a temporary store unless --store is given) and each document's
    facts are then queried from its named graph. A file that cannot be read prints an object with
    an "error" and the exit status is 1.

    Example: policykb extract source_docs/*.txt --format json > out.jsonl
    """
    import tempfile

    from ingest.runner import ingest as run_ingest
    from kb.extract_view import document_view
    from kb.store import open_store as _open

    if fmt != "json":
        fail(PolicyKBError(f"unknown format {fmt!r}", hint="use --format json", code="PKB-CLI-FORMAT"))
    temp = None
    try:
        if store is None:
            temp = tempfile.TemporaryDirectory(prefix="policykb-extract-")
            location = temp.name
        else:
            location = settings.get("store", store)
        with _open(location) as kb_store:
            summary = run_ingest(kb_store, [str(f) for f in files], workers=workers)
            by_path = {r.path: r for r in summary.results}
            failed = False
            for f in files:
                result = by_path.get(str(f))
                if result is None or result.status == "error":
                    failed = True
                    error = result.error if result and result.error else None
                    print(json.dumps({"schema": "policykb-extract/1", "source": str(f),
                                      "error": error.message if error else "not a readable document",
                                      "code": error.code if error else "PKB-READ-ERROR",
                                      "hint": error.hint if error else None}, ensure_ascii=False))
                    continue
                print(json.dumps(document_view(kb_store, result.graph, str(f)), ensure_ascii=False))
    except PolicyKBError as exc:
        fail(exc)
    finally:
        if temp is not None:
            temp.cleanup()
    raise typer.Exit(1 if failed else 0)
