"""``policykb gaps DISTRICT [--against D1 D2 …]``: duties most peers require and the district lacks."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from kb.commands.common import StoreOption, fail, open_store, out as console
from kb.commands.export import check_format, write_result
from kb.errors import PolicyKBError

FORMATS = ("table", "json", "csv", "xlsx")
SOURCE_PEERS = 10


def gaps_command(
    districts: List[str] = typer.Argument(..., help="The district, then (after --against) its peers.",
                                          show_default=False),
    against: bool = typer.Option(False, "--against", help="The districts after the first are the peers "
                                 "[default: every other district of the store]."),
    min_peers: Optional[int] = typer.Option(None, "--min-peers", min=1, help="Report a duty when at least this "
                                            "many peers require it [default: half of them, rounded up]."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use the versions in force on this date "
                                        "(2024-09-01) [default: the newest]."),
    source_peers: int = typer.Option(SOURCE_PEERS, "--source-peers", min=0, help="The sentences of the first "
                                     "this many districts of each gap (0: of every one; a large store has "
                                     "hundreds of districts per gap)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or xlsx."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: stdout; xlsx needs it]."),
    store: Optional[str] = StoreOption,
) -> None:
    """What a district lacks: duties (actor · category · period) most peers require and it does not.

    Each gap lists how many peers require it and their sentences with their sources (of the first
    --source-peers of them). Duties are obligations and prohibitions; a district "has" a duty when
    any of its rules has the same actor, category and period. The duties are counted from each
    document's rule tally, so every other district of a large store is compared in about a second.

    Examples: policykb gaps 田家庵区
              policykb gaps 田家庵区 --against 临县 张掖市 宝塔区 漯河市
              policykb gaps 田家庵 --format xlsx --out gaps.xlsx --source-peers 0
    """
    from kb.gaps import gaps

    fmt = check_format(fmt, FORMATS)
    names = [n for d in districts for n in d.replace("，", ",").split(",") if n.strip()]
    if len(names) > 1 and not against:
        fail(PolicyKBError("gaps takes one district; name its peers after --against", code="PKB-CLI-ARGS",
                           hint="policykb gaps 田家庵区 --against 临县 张掖市"))
    kb_store = open_store(store, read_only=True)
    try:
        with kb_store:
            result = gaps(kb_store, names[0], names[1:] or None, as_of=as_of, min_peers=min_peers,
                          source_peers=source_peers or None)
    except PolicyKBError as exc:
        fail(exc)
    if fmt in ("json", "csv", "xlsx"):
        write_result(result, fmt, out)
        return
    _print(result)


def _print(result) -> None:
    from rich.table import Table

    console.print(f"[bold]{result.district}[/] 对照 against {'、'.join(result.against)}"
                  f" (≥{result.min_peers} peers): {len(result.gaps)} gaps", highlight=False)
    if any(g.count > len(g.source_peers or ()) for g in result.gaps):
        console.print("原文只列出每项的前几个地区 sentences of the first districts of each gap only "
                      "(--source-peers 0: all)", highlight=False)
    table = Table(show_lines=True)
    for col in result.HEADER:
        table.add_column(col, overflow="fold")
    for row in result.table():
        table.add_row(*[str(x) for x in row])
    console.print(table)
