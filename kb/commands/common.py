"""What every ``policykb`` command shares: the consoles, the ``--store`` option, opening the store
and turning an error into a message and an exit status (only commands do that)."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from kb import settings
from kb.errors import PolicyKBError

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


def _return_freed_memory() -> None:
    """Collect garbage and hand the allocator's free pages back to the system (glibc only): after
    a 10,000-document ingest the writer's process keeps hundreds of MB it no longer uses."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def prepare_answers(location: Optional[str], *, quiet: bool = False) -> None:
    """Build what the first answers of a later process read from the whole store
    (:func:`kb.prepared.prepare`) so that an embedded store keeps it for that process; a failure
    here is left to the first question, which reports it."""
    import time

    from kb.prepared import prepare
    from kb.store import open_store as _open

    started = time.monotonic()
    _return_freed_memory()     # what the ingest freed, so that this process peaks lower
    try:
        with _open(settings.get("store", location), read_only=True) as store, \
                err.status("preparing answers (names, versions in force, counts) …", spinner="dots"):
            prepare(store)
    except PolicyKBError:
        return
    if not quiet:
        err.print(f"answers prepared in {time.monotonic() - started:.1f}s", highlight=False)
