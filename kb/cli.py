"""The ``policykb`` command.

Every command takes ``--store PATH_OR_URL`` after its name (default: $POLICYKB_STORE, else a
folder in the user's data directory). Exit status: 0 ok, 1 findings (a file that failed,
a SHACL violation, a question not understood), 2 error (bad arguments, a store that cannot be
opened). Every command is registered here, from its module in kb/commands/; kb/commands/common.py
turns errors into exit codes.
"""
from __future__ import annotations

import inspect

import typer

from kb.commands import app as app_command
from kb.commands import ask, compare, export, extract, ingest, matrix, query, show_settings, validate
from kb.commands import diff as diff_command
from kb.commands import gaps as gaps_command
from kb.commands import versions as versions_command
from kb.commands import hash_password

app = typer.Typer(
    name="policykb",
    help="A knowledge base over Chinese school-group policy documents (集团化办学方案): ingest documents "
         "into an RDF graph, ask who owes what and how often, compare districts, export obligation "
         "matrices — every answer traced to its sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: every command, registered here and nowhere else: (name, the function that runs it)
COMMANDS = [
    ("ingest", ingest.ingest),
    ("extract", extract.extract),
    ("ask", ask.ask_command),
    ("compare", compare.compare_command),
    ("matrix", matrix.matrix_command),
    ("export", export.export_command),
    ("query", query.query),
    ("queries", query.list_named_queries),
    ("validate", validate.validate),
    ("versions", versions_command.versions_command),
    ("diff", diff_command.diff_command),
    ("gaps", gaps_command.gaps_command),
    ("app", app_command.run_app),
    ("settings", show_settings.show_settings),
    ("hash-password", hash_password.hash_password),
]


def flowed(doc: str) -> str:
    """A command's docstring as its help: the lines of a paragraph joined, so the terminal wraps
    them at its own width; examples, lists and indented lines keep their lines."""
    def kept(paragraph: str) -> bool:
        return paragraph.startswith("Example") or any(
            line[:1].isspace() or line.startswith(("- ", "* ", "• ")) for line in paragraph.splitlines())

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(p if kept(p) else " ".join(p.splitlines()) for p in paragraphs)


for _name, _function in COMMANDS:
    app.command(_name, help=flowed(_function.__doc__ or ""))(_function)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
