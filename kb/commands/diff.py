"""``policykb diff OLD NEW``: what changed between two versions of a policy (or a district's two
points in time)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kb.commands.common import StoreOption, err, fail, open_store, out as console
from kb.commands.export import check_format, write_result
from kb.errors import PolicyKBError

FORMATS = ("table", "json", "csv", "xlsx")


def diff_command(
    old: str = typer.Argument(..., help="The older document (IRI, title or a part of it), or with --from a "
                              "district.", show_default=False),
    new: Optional[str] = typer.Argument(None, help="The newer document [default with --from: none].",
                                        show_default=False),
    since: Optional[str] = typer.Option(None, "--from", help="Compare the district OLD as in force on this "
                                        "date (2023-06-01) …"),
    until: Optional[str] = typer.Option(None, "--to", help="… with the district as in force on this date "
                                        "[default: the newest versions]."),
    unchanged: bool = typer.Option(False, "--unchanged", help="Also list the duties both versions state."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or xlsx."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: stdout; xlsx needs it]."),
    store: Optional[str] = StoreOption,
) -> None:
    """What changed between two versions: duties added, removed and changed, with both sources.

    Duties are matched by meaning (their clause and action words, actor and category), not by
    identical text, so a reworded duty counts as unchanged; a change names what changed —
    frequency (每学期≥2次 → 每月≥1次, raised), quantity, actor, modality (鼓励 → 应), category.
    Constraints, groups, lead and member schools and models added or removed are listed too.

    Examples: policykb diff "工作方案(征求意见稿)" "田家庵区教育体育局"
              policykb diff doc/f4cb245977aed244 doc/5878f26734d7b617 --format xlsx --out diff.xlsx
              policykb diff 田家庵区 --from 2024-01-01 --to 2024-12-31
    """
    from kb import diff as diffs
    from kb import scopes, versions

    fmt = check_format(fmt, FORMATS)
    if (new is None) == (since is None):
        fail(PolicyKBError("diff compares two documents, or a district at two dates", code="PKB-CLI-ARGS",
                           hint="policykb diff OLD NEW, or policykb diff DISTRICT --from DATE [--to DATE]"))
    kb_store = open_store(store, read_only=True)
    try:
        with kb_store:
            if since is not None:
                result = diffs.diff_points(kb_store, scopes.resolve_district(kb_store, old), since, until)
            else:
                a, b = versions.resolve_document(kb_store, old), versions.resolve_document(kb_store, new)
                result = diffs.diff_documents(kb_store, [a.doc], [b.doc])
    except PolicyKBError as exc:
        fail(exc)
    if fmt in ("json", "csv", "xlsx"):
        write_result(result, fmt, out)
        return
    _print(result, unchanged)


def _print(result, unchanged: bool) -> None:
    from rich.table import Table

    s = result.summary()
    console.print(f"[bold]{result.labels[0]}[/] → [bold]{result.labels[1]}[/]", highlight=False)
    console.print(f"新增 added {s['added']} · 删除 removed {s['removed']} · 变更 changed {s['changed']} · "
                  f"未变 unchanged {s['unchanged']} · 其他 other +{s['items_added']} −{s['items_removed']}",
                  highlight=False)
    table = Table(show_lines=True)
    for col in ("变化", "内容", "主体 · 类别", "旧条款 old", "新条款 new"):
        table.add_column(col, overflow="fold")
    for row in result.table(unchanged=unchanged):
        table.add_row(row[0], row[1], " · ".join(x for x in row[3:5] if x), row[7], row[8])
    console.print(table)
    if not result.changed() and not result.items:
        err.print("no changes", highlight=False)
