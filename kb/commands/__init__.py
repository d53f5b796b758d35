"""CLI commands beyond ingest/extract/validate/query, one module per command group.

Each module imports ``kb.cli.app`` and registers its commands with ``@app.command()``; kb/cli.py
imports them all at its end. Like kb/cli.py, they turn errors into exit codes with ``kb.cli.fail``.
"""
import importlib
import pkgutil


def register_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
