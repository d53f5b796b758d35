"""``policykb ingest``: read documents, extract their facts, store each as one named graph."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from kb import settings
from kb.commands.common import err, StoreOption, fail, open_store, prepare_answers
from kb.errors import PolicyKBError


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
    prepare_answers(store, quiet=quiet)
    raise typer.Exit(1 if summary.errors else 0)
