"""The ``policykb`` commands, one module per command (or pair of commands), each a plain function
that Typer turns into a command: ``kb/cli.py`` registers them all in one list. What they share —
the ``--store`` option, opening the store, errors to exit statuses — is in ``common.py``.
"""
