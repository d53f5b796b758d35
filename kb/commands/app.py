"""``policykb app``: ingest the corpus into the store, then open the Streamlit app on it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

from kb import settings
from kb.commands.common import StoreOption, err, fail, open_store, prepare_answers
from kb.errors import ConfigError, PolicyKBError

APP_FILE = Path(__file__).resolve().parent.parent.parent / "app.py"


def run_app(
    store: Optional[str] = StoreOption,
    corpus: Optional[Path] = typer.Option(None, "--corpus", help=settings.SETTINGS["corpus"].help
                                          + " [default: $POLICYKB_CORPUS or source_docs]"),
    port: int = typer.Option(8501, "--port", help="Port the app listens on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address the app listens on."),
    no_ingest: bool = typer.Option(False, "--no-ingest", help="Open the app on the store as it is."),
    headless: bool = typer.Option(True, "--headless/--browser", help="Do not open a browser window."),
) -> None:
    """Ingest the corpus (unchanged files are skipped) and start the app on http://ADDRESS:PORT.

    Example: policykb app --store ./kb --corpus source_docs
    """
    from ingest.runner import ingest

    location = settings.get("store", store)
    corpus_dir = Path(settings.get("corpus", corpus))
    if not APP_FILE.exists():
        fail(ConfigError(f"the app file {APP_FILE} is missing", hint="run from a checkout of policykb "
                         "installed with `pip install -e .`", code="PKB-CONFIG-APP"))
    if not no_ingest:
        if not corpus_dir.exists():
            fail(ConfigError(f"the corpus folder {corpus_dir} does not exist",
                             hint="pass --corpus DIR or set POLICYKB_CORPUS", code="PKB-CONFIG-CORPUS"))
        kb_store = open_store(location)
        try:
            with kb_store:
                summary = ingest(kb_store, [str(corpus_dir)])
        except PolicyKBError as exc:
            fail(exc)
        err.print(f"{len(summary.results)} documents ready in {location} "
                  f"({summary.count('added') + summary.count('replaced')} new or changed, "
                  f"{len(summary.errors)} errors)", highlight=False)
        prepare_answers(location)
    env = dict(os.environ, POLICYKB_STORE=str(location))
    command = [sys.executable, "-m", "streamlit", "run", str(APP_FILE), "--server.port", str(port),
               "--server.address", address, "--server.headless", str(headless).lower(),
               "--browser.gatherUsageStats", "false"]
    err.print(f"policykb app on http://{address}:{port}  (Ctrl+C to stop)", highlight=False)
    raise typer.Exit(subprocess.call(command, env=env))
