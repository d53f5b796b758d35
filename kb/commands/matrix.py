"""``policykb matrix``: the obligation matrix (actors × categories) as a table, CSV, XLSX or JSON."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kb.commands.common import StoreOption, fail, open_store, out as console
from kb.commands.export import check_format, write_result
from kb.errors import PolicyKBError

FORMATS = ("table", "csv", "xlsx", "json")
PER_DISTRICT_TABLES = 12   # --counts prints a table per district up to this many districts


def matrix_command(
    district: Optional[str] = typer.Option(None, "--district", "-d", help="Only this district (张掖市 or 张掖)."),
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Only the document of this school group."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Only documents adopting this model (联盟型)."),
    modality: Optional[str] = typer.Option(None, "--modality", help="Only obligation, prohibition, permission "
                                           "or encouragement (or 义务, 禁止, 允许, 鼓励)."),
    rows: str = typer.Option("actor", "--rows", help="Row dimension: actor, category, district, modality, period."),
    cols: str = typer.Option("category", "--cols", help="Column dimension: category, actor, district, "
                             "modality, period, or obligation (one column per rule, ● own / ○ inherited)."),
    counts: bool = typer.Option(False, "--counts", help="Numbers of rules per cell instead of the rules: "
                                "fast over every district of a large corpus (from each document's rule tally)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use the versions in force on this date "
                                        "(2024-09-01) [default: the newest; --counts counts every version]."),
    cell: Optional[str] = typer.Option(None, "--cell", help="List the rules behind one cell, ROW:COL as codes "
                                       "or labels (成员学校:会议, member_school:meeting; ROW:* the whole row), "
                                       "200 a page."),
    page: int = typer.Option(1, "--page", "-p", min=1, help="Which page of 200 rules to list (the sources of "
                             "the table, or the rules of --cell); the total is printed with each page."),
    all_rows: bool = typer.Option(False, "--all", help="List every rule, not one page."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv (UTF-8 with BOM), xlsx or json; "
                            "files always hold every row, never a page."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: stdout; xlsx needs it]."),
    store: Optional[str] = StoreOption,
) -> None:
    """Obligation matrix: who owes what and how often (cells such as 每月≥1次), with sources.

    Rows are actors and columns categories by default; each rule is numbered and cited with
    its document, district, sentence and offsets.
    The XLSX has a summary sheet, one sheet per district and a sheet of sources.
    With --counts each cell is the number of rules (every district at once in well under a
    second on a national corpus); drill into a district without it.
    The table lists its sources 200 at a time ("showing 1–200 of 950"; --page N, --all), and
    --cell ROW:COL lists the rules behind one cell the same way; csv, xlsx and json files are
    written whole, every row of every district, whatever the page.

    Examples: policykb matrix --district 张掖市
              policykb matrix --counts --rows district --cols category
              policykb matrix --format xlsx --out matrix.xlsx
              policykb matrix --district 田家庵区 --format csv > tianjiaan.csv
              policykb matrix --district 田家庵区 --cell 成员学校:会议 --page 2
    """
    from kb.matrix import matrix
    from kb.tallies import counts as count_rules

    fmt = check_format(fmt, FORMATS)
    kb_store = open_store(store, read_only=True)
    build = count_rules if counts else matrix
    try:
        with kb_store:
            result = build(kb_store, rows=rows, cols=cols, district=district, group=group, model=model,
                           modality=modality, **({} if counts else {"as_of": as_of}))
    except PolicyKBError as exc:
        fail(exc)
    from kb.paging import PAGE_SIZE

    size = None if all_rows else PAGE_SIZE
    if cell and (counts or fmt != "table"):
        fail(PolicyKBError("--cell lists rules as a table", code="PKB-CLI-ARGS",
                           hint="drop --counts and --format, or drop --cell"))
    if fmt in ("json", "csv", "xlsx"):
        write_result(result, fmt, out)
    elif counts:
        _print_counts(result)
    elif cell:
        _print_cell(result, cell, page, size)
    else:
        _print(result, page, size)


def _print_counts(result) -> None:
    """The grid of every district added up, then one per district."""
    from rich.table import Table

    if not result.total:
        console.print("no rules in that scope")
        return
    tables = [(f"{len(result.districts)} 个地区 districts, {result.documents} 份文件 documents, "
               f"{result.total} 条规则 rules", None)]
    if 1 < len(result.districts) <= PER_DISTRICT_TABLES:
        tables += [(d, d) for d in result.districts]
    for title, district in tables:
        header, rows = result.grid(district)
        table = Table(title=title)
        for i, name in enumerate(header):
            table.add_column(name, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*(str(v) if v else "" for v in row))
        console.print(table)
    if len(result.districts) > PER_DISTRICT_TABLES:
        console.print("(every district in one table: --rows district; one district: --district NAME; "
                      "each district's grid: --format csv or xlsx)", highlight=False)


def _print(result, page: int, size: int | None) -> None:
    """Per district: the grid with ``[ref] frequency`` in each cell, then the numbered sources of
    page ``page`` (``size`` None: all) and the count."""
    from rich.table import Table

    from kb.matrix import DIMENSION_ZH
    from kb.paging import page_of

    if not result.sources:
        console.print("no rules in that scope")
        return
    listed = page_of(range(1, len(result.sources) + 1), page, size)
    shown = set(listed.rows)
    compact = result.col_dimension != "obligation"
    for d in result.districts:
        cols = [(k, label) for k, label in result.cols if any(result.cell(r, k, d) for r, _ in result.rows)]
        table = Table(title=d, show_lines=True)
        for name in [DIMENSION_ZH.get(result.row_dimension, result.row_dimension), *[label for _, label in cols]]:
            table.add_column(name, overflow="fold")
        refs: set[int] = set()
        for key, label in result.rows:
            cells = []
            for col, _ in cols:
                entries = result.cell(key, col, d)
                refs.update(e.ref for e in entries)
                if compact:
                    cells.append("\n".join(_short(e) for e in entries))
                else:
                    cells.append(entries[0].mark if entries else "")
            if any(cells):
                table.add_row(label, *cells)
        console.print(table)
        for ref in sorted(refs & shown):
            console.print(result.source_text(ref), highlight=False, markup=False)
    _print_count(listed)


def _print_count(listed) -> None:
    more = f" · --page {listed.number + 1}" if listed.has_more else ""
    console.print(f"[dim]{listed.describe()}{more}[/]", highlight=False)


def _print_cell(result, cell: str, page: int, size: int | None) -> None:
    """The rules behind cell ``ROW:COL`` (``ROW:*``: the whole row), one page, with the count."""
    from rich.table import Table

    from kb.scopes import concept_label

    row_text, _, col_text = cell.partition(":")
    row = _axis_key(row_text, result.rows, result.row_dimension)
    col = None if col_text in ("", "*") else _axis_key(col_text, result.cols, result.col_dimension)
    listed = result.cell_page(row, col, page=page, size=size)
    table = Table(title=cell, show_lines=True)
    for name in ("#", "地区 district", "文件 document", "主体 actor", "频次 frequency", "条款 clause"):
        table.add_column(name, overflow="fold")
    for entry in listed.rows:
        ob = entry.obligation
        table.add_row(f"[{entry.ref}]", ob.district or "", result.title(ob), concept_label("actor", ob.actor),
                      ob.frequency_text, ob.sentence)
    console.print(table)
    _print_count(listed)


def _axis_key(text: str, axis: list[tuple[str, str]], dimension: str) -> str:
    """The key of an axis value given as its key, its label or (concepts) any label of it."""
    from kb.scopes import resolve_concept

    text = text.strip()
    for key, label in axis:
        if text in (key, label):
            return key
    if dimension in ("actor", "category", "modality", "period"):
        try:
            return resolve_concept(dimension, text)
        except PolicyKBError:
            pass
    fail(PolicyKBError(f"{text!r} is not a {dimension} of this matrix", code="PKB-CLI-ARGS",
                       hint="one of: " + ", ".join(key for key, _ in axis)))


def _short(entry) -> str:
    """``[11] 每月≥1次``, ``[12] 可``, ``[9]``: a rule's number, its modality (unless a duty) and frequency."""
    from kb.matrix import MODALITY_MARK

    mark = MODALITY_MARK.get(entry.obligation.modality, "").rstrip("：")
    return " ".join(filter(None, [f"[{entry.ref}]", mark, entry.obligation.frequency_text]))
