"""The ``policykb`` command.

Every command takes ``--store PATH_OR_URL`` after its name (default: $POLICYKB_STORE, else a
folder in the user's data directory). Exit status: 0 ok, 1 findings (a file that failed,
a SHACL violation, a question not understood), 2 error (bad arguments, a store that cannot be
opened). This module is the only place that turns errors into exit codes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from kb import settings
from kb.errors import PolicyKBError

app = typer.Typer(
    name="policykb",
    help="A knowledge base over Chinese school-group policy documents (集团化办学方案): ingest documents "
         "into an RDF graph, ask who owes what and how often, compare districts, export obligation "
         "matrices — every answer traced to its sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

STORE_HELP = (f"Folder of the embedded store, or http(s) URL of a SPARQL 1.1 endpoint. "
              f"[default: ${settings.SETTINGS['store'].env}, else {settings.SETTINGS['store'].default()}]")
StoreOption = typer.Option(None, "--store", "-s", help=STORE_HELP, show_default=False)


def fail(exc: PolicyKBError, status: int = 2) -> None:
    err.print(f"[bold red]error[/] {exc.message}" + (f"\n  [dim]{exc.path}[/]" if exc.path else "")
              + (f"\n  [yellow]hint:[/] {exc.hint}" if exc.hint else "") + f"\n  [dim]{exc.code}[/]",
              highlight=False)
    raise typer.Exit(status)


def open_store(location: Optional[str], *, read_only: bool = False):
    from kb.store import open_store as _open

    try:
        return _open(settings.get("store", location), read_only=read_only)
    except PolicyKBError as exc:
        fail(exc)


# --------------------------------------------------------------------------- ingest

@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files or folders (txt, docx, pdf, html) to ingest.",
                                       show_default=False),
    store: Optional[str] = StoreOption,
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1,
                                          help=settings.SETTINGS["workers"].help + " [env POLICYKB_WORKERS]"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, only the summary."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", metavar="ADDRESS",
        help="Extract on a Dask cluster (its scheduler, e.g. tcp://10.0.0.5:8786) instead of local "
             "processes; the documents are still written by this process."),
) -> None:
    """Read documents, extract their facts and store each as one named graph.

    Re-ingesting an unchanged file changes nothing; a changed file replaces its graph in one
    transaction; the same text under another name is stored once with both names. A file that
    cannot be read is reported and the others go on (exit status 1).

    Example: policykb ingest --store ./kb source_docs/
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.runner import ingest as run_ingest

    kb_store = open_store(store)
    progress = Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.fields[last]}"), console=err, disable=quiet, transient=True)
    with progress, kb_store:
        task = progress.add_task("ingest", total=None, last="")

        def started(n: int) -> None:
            progress.update(task, total=n)

        def done(result) -> None:
            progress.update(task, advance=1, last=Path(result.path).name)
            if result.status == "error":
                progress.console.print(f"[red]✗[/] {result.path}: {result.error.message}"
                                       + (f" ({result.error.hint})" if result.error.hint else "")
                                       + f" [dim]{result.error.code}[/]", highlight=False)
        try:
            summary = run_ingest(kb_store, paths, workers=workers, on_result=done, on_start=started,
                                 scheduler=scheduler)
        except PolicyKBError as exc:
            fail(exc)
    counts = {s: summary.count(s) for s in ("added", "replaced", "renamed", "unchanged", "error")}
    err.print(f"{len(summary.results)} documents in {summary.seconds:.1f}s: "
              + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
              + f"; {summary.facts} facts, {sum(r.triples for r in summary.results)} triples written",
              highlight=False)
    raise typer.Exit(1 if summary.errors else 0)


# --------------------------------------------------------------------------- extract

@app.command()
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
        fail(PolicyKBError(f"unknown format {fmt!r}", hint="use --format json", code="PKB-CLI-001"))
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
                                      "code": error.code if error else "PKB-READ-000",
                                      "hint": error.hint if error else None}, ensure_ascii=False))
                    continue
                print(json.dumps(document_view(kb_store, result.graph, str(f)), ensure_ascii=False))
    except PolicyKBError as exc:
        fail(exc)
    finally:
        if temp is not None:
            temp.cleanup()
    raise typer.Exit(1 if failed else 0)


# --------------------------------------------------------------------------- validate

@app.command()
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


# --------------------------------------------------------------------------- query

@app.command()
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
            fail(PolicyKBError(f"--param {item!r} is not name=value", code="PKB-CLI-002"))
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
                raise PolicyKBError(f"no query file {path}", code="PKB-CLI-003",
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


@app.command("queries")
def list_named_queries() -> None:
    """List the named queries (kb/queries/*.rq) with their parameters."""
    from kb import queries

    for q in queries.list_queries():
        out.print(f"[bold]{q.name}[/]  {q.title}", highlight=False)
        for name, help_text in q.params.items():
            out.print(f"    ?{name}: {help_text}", highlight=False)


@app.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable, current value and help.

    Exit status 2 if an environment variable holds a value its setting cannot take (each such
    setting is shown with the error).
    """
    bad: list[PolicyKBError] = []
    for s in settings.SETTINGS.values():
        try:
            value = s.value()
        except PolicyKBError as exc:
            bad.append(exc)
            out.print(f"[bold]{s.name}[/] (${s.env}) = [red]invalid[/]\n    {s.help}", highlight=False)
            continue
        shown = "***" if s.name == "password" and value else repr(value)
        out.print(f"[bold]{s.name}[/] (${s.env}) = {shown}\n    {s.help}", highlight=False)
    for exc in bad[:-1]:
        err.print(f"[bold red]error[/] {exc.message}  [dim]{exc.code}[/]", highlight=False)
    if bad:
        fail(bad[-1])


def main() -> None:
    app()


from kb.commands import register_all  # noqa: E402  (the command modules import `app` from here)

register_all()


if __name__ == "__main__":   # python -m kb.cli: run the module the command modules registered on
    from kb.cli import main as registered_main

    registered_main()
