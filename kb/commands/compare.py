"""``policykb compare A B [C …]``: districts, school groups or group models side by side."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from kb.commands.common import StoreOption, err, fail, open_store, out as console
from kb.commands.export import check_format, write_result
from kb.errors import PolicyKBError

FORMATS = ("table", "json", "csv", "xlsx")


def compare_command(
    scopes: List[str] = typer.Argument(..., help="Two or more districts (张掖市, 田家庵), school groups "
                                       "(张掖中学教育集团) or models (联盟型, alliance).", show_default=False),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or xlsx."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: stdout; xlsx needs it]."),
    details: bool = typer.Option(False, "--details", "-d", help="The table lists every row with its source "
                                 "instead of the summary lines."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use the versions in force on this date (2024-09-01) "
                                        "[default: the newest; see policykb versions]."),
    store: Optional[str] = StoreOption,
) -> None:
    """Compare districts, school groups or models side by side, every item with its source.

    Dimensions: models, governance bodies, posts, meeting cadence, teacher exchange, joint
    research, evaluation, supervision, constraints, prohibitions and school counts. The table
    summarises each cell: one line per model (its groups and documents), per duty (category,
    actor and period: how many rows, in how many documents, the strongest frequency) and so on;
    --details lists the rows behind the lines, each citing its document, sentence and offsets.
    json, csv and xlsx export every row with its source, not only the summary. Also lists, per
    dimension, what both have (matched by category, actor and period), and what only one has.
    Prefix a name to force its kind: district:…, group:…, model:…

    Examples: policykb compare 张掖市 田家庵区
              policykb compare 张掖市 田家庵区 --details
              policykb compare 张掖 田家庵 --format xlsx --out compare.xlsx
    """
    from kb.compare import compare

    fmt = check_format(fmt, FORMATS)
    if len(scopes) < 2:
        fail(PolicyKBError("compare needs at least two scopes", code="PKB-CLI-ARGS",
                           hint="e.g. policykb compare 张掖市 田家庵区"))
    kb_store = open_store(store, read_only=True)
    try:
        with kb_store:   # the rows behind the summary are read while writing them
            result = compare(kb_store, scopes, as_of=as_of)
            if fmt in ("json", "csv", "xlsx"):
                write_result(result, fmt, out)
            else:
                _print_table(result, out, details)
    except PolicyKBError as exc:
        fail(exc)


def _print_table(result, out: Optional[Path], details: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from kb.compare import DIMENSIONS

    target = console if out is None else Console(file=out.open("w", encoding="utf-8"), width=200)
    header, rows = result.table(sentence_chars=60) if details else result.summary_table()
    table = Table(show_lines=True, title="对比 " + " / ".join(s.label for s in result.scopes))
    for i, name in enumerate(header):
        table.add_column(name, overflow="fold", ratio=1 if i == 0 else 3)
    for row in rows:
        table.add_row(*row)
    target.print(table)
    for j in range(1, len(result.scopes)):
        a, b = result.scopes[0].label, result.scopes[j].label
        target.print(f"\n[bold]异同 {a} / {b}[/] (matched by category · actor · period)", highlight=False)
        for d in DIMENSIONS:
            if not d.diffable:
                continue
            both, only_a, only_b = result.summary_diff(d.key, 0, j)
            if not (both or only_a or only_b):
                continue
            target.print(f"  [bold]{d.zh}[/] 共同 {len(both)} · 仅{a} {len(only_a)} · 仅{b} {len(only_b)}",
                         highlight=False)
            for label, part in (("共同", both), (f"仅{a}", only_a), (f"仅{b}", only_b)):
                names = [(v[0] if isinstance(v, tuple) else v)[0].label for v in part.values()]
                if names:
                    target.print(f"    {label}: " + "；".join(names), highlight=False)
    if out is not None:
        target.file.close()
        err.print(f"wrote the comparison to {out}", highlight=False)
