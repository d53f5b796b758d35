"""``policykb export``: the graph (or a district's part of it) as RDF, or an actor's duties as iCalendar.

Also :func:`write_output`, which ``compare`` and ``matrix`` use to write their files.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

import typer

from kb.commands.common import StoreOption, err, fail, open_store
from kb.errors import PolicyKBError

EXPORT_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "ics")


def write_output(data: bytes | Iterable[bytes], out: Optional[Path], *, binary: bool = False,
                 what: str = "") -> None:
    """Write ``data`` (bytes, or pieces written as they come) to ``out``, or to stdout when ``out``
    is None (refused for binary formats)."""
    pieces = [data] if isinstance(data, bytes) else data
    if out is None:
        if binary:
            fail(PolicyKBError(f"{what or 'this format'} is a binary file", code="PKB-CLI-OUT",
                               hint="give a file name with --out FILE"))
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
        return
    written = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as handle:
            for piece in pieces:
                written += handle.write(piece)
    except OSError as exc:
        fail(PolicyKBError(f"cannot write {out}: {exc.strerror or exc}", path=str(out), code="PKB-CLI-OUT",
                           hint="check that the folder exists and is writable"))
    err.print(f"wrote {written:,} bytes to {out}", highlight=False)


def write_result(result, fmt: str, out: Optional[Path]) -> None:
    """A comparison's or a matrix's ``json``, ``csv`` (UTF-8 with BOM) or ``xlsx`` to ``out``."""
    if fmt == "json":
        write_output((json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n").encode(), out)
    elif fmt == "csv":
        write_output(result.to_csv(), out)
    else:
        write_output(result.to_xlsx(), out, binary=True, what="xlsx")


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """``fmt`` lower-cased if allowed (aliases ttl, nt, nq, json-ld), else exit 2 with the list."""
    value = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld", "ical": "ics"}.get(
        fmt.lower(), fmt.lower())
    if value not in allowed:
        fail(PolicyKBError(f"unknown format {fmt!r}", code="PKB-CLI-FORMAT", hint="use one of: " + ", ".join(allowed)))
    return value


def export_command(
    fmt: str = typer.Option(..., "--format", "-f", help="turtle, ntriples, nquads, trig, jsonld or ics.",
                            show_default=False),
    district: Optional[str] = typer.Option(None, "--district", "-d", help="Only this district's documents (张掖市 or 张掖)."),
    group: Optional[str] = typer.Option(None, "--group", "-g", help="Only the document of this school group."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Only documents adopting this model (联盟型, alliance)."),
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="ics: whose duties (成员学校, member_school …)."),
    vocabulary: bool = typer.Option(False, "--vocabulary/--no-vocabulary",
                                    help="RDF: add the vocabulary graph (ontology and concept schemes)."),
    start: Optional[str] = typer.Option(None, "--start", help="ics: DTSTART of every event, YYYY-MM-DD "
                                        "[default: the next 1 September]"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write [default: stdout]."),
    store: Optional[str] = StoreOption,
) -> None:
    """Export RDF of the whole graph or of a district, or an iCalendar of an actor's recurring duties.

    RDF keeps one named graph per document in nquads, trig and jsonld; turtle and ntriples merge
    them. The .ics has one weekly/monthly/yearly event per duty whose period an RRULE can express
    (每学期 = every 6 months), starting on a reference date (the next 1 September), each citing
    its document, sentence and offsets.
    An export is never paged: it always writes every triple (or duty) of the scope, N-Quads of a
    scope streamed one document graph at a time, whatever --page says elsewhere.

    Examples: policykb export --format turtle --district 张掖市 --out zhangye.ttl
              policykb export --format ics --actor 成员学校 --district 田家庵区 --out duties.ics
    """
    from kb.exports import export_ics, export_rdf_chunks

    fmt = check_format(fmt, EXPORT_FORMATS)
    start_date = None
    if start is not None:
        try:
            start_date = date.fromisoformat(start)
        except ValueError:
            fail(PolicyKBError(f"--start {start!r} is not a date", code="PKB-CLI-ARGS", hint="write it as 2025-09-01"))
    if fmt == "ics" and not actor:
        fail(PolicyKBError("an iCalendar export needs an actor", code="PKB-CLI-ARGS",
                           hint="add --actor 成员学校 (or member_school, 牵头学校, 集团负责人 …)"))
    if fmt != "ics" and (actor or start):
        fail(PolicyKBError("--actor and --start only apply to --format ics", code="PKB-CLI-ARGS",
                           hint="drop them, or use --format ics"))
    kb_store = open_store(store, read_only=True)
    try:
        with kb_store:
            if fmt == "ics":
                data = export_ics(kb_store, actor, district, group=group, model=model, start=start_date)
            else:
                data = export_rdf_chunks(kb_store, fmt, district, group=group, model=model,
                                         include_vocabulary=vocabulary)
            write_output(data, out)   # pieces read from the store as they are written
    except PolicyKBError as exc:
        fail(exc)
