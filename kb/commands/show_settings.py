"""``policykb settings``: every setting, its environment variable and current value."""
from __future__ import annotations

from kb import settings
from kb.commands.common import err, fail, out
from kb.errors import PolicyKBError


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
