"""``policykb hash-password``: the salted hash of the app's upload password, for
``POLICYKB_APP_UPLOAD_PASSWORD_HASH`` (kb/uploads.py)."""
from __future__ import annotations

import getpass
import sys

import typer

from kb.commands.common import err, fail
from kb.errors import PolicyKBError

MIN_LENGTH = 8


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("upload password: ")
        if getpass.getpass("again: ") != first:
            fail(PolicyKBError("the two passwords differ", code="PKB-CLI-ARGS", hint="type the same password twice"))
        return first
    return sys.stdin.readline().rstrip("\r\n")


def hash_password() -> None:
    """Print the salted scrypt hash of an upload password (asked twice at a terminal, else read
    from the first line of standard input); the password itself is never printed or stored.

    The app on a shared SPARQL server is read-only; to let it take uploads the operator sets

        export POLICYKB_APP_UPLOADS=true
        export POLICYKB_APP_UPLOAD_PASSWORD_HASH="$(policykb hash-password)"

    and gives the password to the people who may add documents. Exit status 2 if the password is
    shorter than 8 characters or the two typed differ.
    """
    from kb.uploads import hash_password as make_hash

    password = _read_password()
    if len(password) < MIN_LENGTH:
        fail(PolicyKBError(f"the password is shorter than {MIN_LENGTH} characters", code="PKB-CLI-ARGS",
                           hint="choose a longer password (a passphrase of a few words)"))
    typer.echo(make_hash(password))
    if sys.stdout.isatty():
        err.print("set it as POLICYKB_APP_UPLOAD_PASSWORD_HASH (and POLICYKB_APP_UPLOADS=true on a server store)",
                  highlight=False)
