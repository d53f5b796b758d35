"""``policykb ask``: answer questions about the policies from the graph (see :mod:`kb.ask`)."""
from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer
from rich.table import Table

from kb.commands.common import StoreOption, fail, open_store, out
from kb.errors import InterpretationError, PolicyKBError

_MODALITY_ZH = {"obligation": "应当", "prohibition": "禁止", "permission": "可以", "encouragement": "鼓励"}


def ask_command(
    questions: List[str] = typer.Argument(..., help="One or more questions, each one argument (quote "
                                          "questions with spaces); '-' reads one question per line "
                                          "from standard input.", show_default=False),
    store: Optional[str] = StoreOption,
    fmt: str = typer.Option("table", "--format", "-f", help="table (readable) or json (one JSON object "
                            "per question, one per line)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the summaries in the table: "
                                       "zh or en [default: the question's language]."),
    page: int = typer.Option(1, "--page", "-p", min=1, help="Which page of 200 results to show (the total "
                             "is printed with each page)."),
    all_rows: bool = typer.Option(False, "--all", help="Every result, not one page (json: the whole answer "
                                  "for export)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Use the versions in force on this date (2024-09-01) "
                                        "[default: the newest; see policykb versions]."),
) -> None:
    """Answer questions in Chinese (simplified or traditional) or English from the graph.

    Each question is read into filters — actors, districts, groups, models, periods, categories,
    modalities, constraint kinds — and what kind of result it wants (obligation clauses, groups or
    institutional constraints); the reading is shown with the answer, and every answer row names
    its document. An actor's answer includes what binds its broader actors (the whole group binds
    every member school), marked inherited. Answers come in pages of 200 results (rules, for
    obligations) with the total ("showing 1–200 of 25,014"); --page N shows another, --all every
    one. Exit status 1 when a question could not be
    interpreted (the others are still answered), 2 when the store cannot be read.

    Examples: policykb ask 哪些义务适用于成员校？ "What is prohibited?" --format json
              policykb ask 宝塔区有哪些教育集团？ 张掖中学教育集团的联席会议多久召开一次？
    """
    from kb.ask import Answer, ask, interpret
    from kb.ask.text import is_cjk
    from kb.paging import PAGE_SIZE

    if fmt not in ("table", "json"):
        fail(PolicyKBError(f"unknown format {fmt!r}", hint="use --format table or --format json",
                           code="PKB-CLI-FORMAT"))
    if lang not in (None, "zh", "en"):
        fail(PolicyKBError(f"unknown language {lang!r}", hint="use --lang zh or --lang en", code="PKB-CLI-LANG"))
    if questions == ["-"]:
        questions = [line.strip() for line in sys.stdin if line.strip()]
    elif len(questions) > 1 and all(q.isascii() and " " not in q.strip() for q in questions):
        questions = [" ".join(questions)]   # an unquoted English question: What is prohibited?
    kb_store = open_store(store, read_only=True)
    not_understood = False
    try:
        with kb_store:
            for question in questions:
                try:
                    answer = ask(kb_store, question, page=page, size=None if all_rows else PAGE_SIZE, as_of=as_of)
                except InterpretationError as exc:   # e.g. PKB-ASK-TOO-BROAD while answering
                    interpretation = interpret(kb_store, question)
                    interpretation.error = exc
                    answer = Answer(question, interpretation, [], message=exc.message, error=exc)
                not_understood = not_understood or not answer.ok
                if fmt == "json":
                    print(json.dumps(answer.to_dict(), ensure_ascii=False, default=str), flush=True)
                else:
                    _print_answer(answer, lang or ("zh" if is_cjk(question) else "en"))
    except PolicyKBError as exc:
        fail(exc)
    raise typer.Exit(1 if not_understood else 0)


def _print_answer(answer, lang: str) -> None:
    zh = lang == "zh"
    out.print(f"[bold]{'问' if zh else 'Q'}:[/] {answer.question}", highlight=False)
    interpretation = answer.interpretation
    if answer.error is not None:
        out.print(f"[bold red]{'无法理解' if zh else 'not understood'}[/] {answer.error.message} "
                  f"[dim]{answer.error.code}[/]", highlight=False)
        _print_suggestions(interpretation.suggestions or {}, zh)
        out.print()
        return
    out.print(f"[dim]{'理解为' if zh else 'Read as'}:[/] {interpretation.describe(lang)}", highlight=False)
    if not answer.results:
        out.print(f"[yellow]{'没有匹配的条款' if zh else 'no matching clauses'}[/] (no matching clauses)\n",
                  highlight=False)
        return
    kind = interpretation.kind
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    if kind == "group":
        for (head_zh, head_en), ratio in zip((("区域", "District"), ("集团", "Group"), ("模式", "Models"),
                                              ("牵头校", "Lead schools"), ("成员校", "Member schools")),
                                             (1, 3, 2, 2, 3)):
            table.add_column(head_zh if zh else head_en, ratio=ratio, overflow="fold")
        for i, r in enumerate(answer.results, answer.offset + 1):
            # a row without a group is a document that adopts or names the kind asked about
            name = r.name or f"《{r.source}》: {r.sentence}"
            table.add_row(str(i), r.district or "", name,
                          ", ".join(_label("model", m, lang) for m in r.models),
                          "、".join(r.lead_schools), "、".join(r.member_schools))
    elif kind == "constraint":
        for (head_zh, head_en), ratio in zip((("来源", "Source"), ("约束", "Constraint"), ("条款", "Clause")),
                                             (2, 2, 6)):
            table.add_column(head_zh if zh else head_en, ratio=ratio, overflow="fold")
        for i, r in enumerate(answer.results, answer.offset + 1):
            table.add_row(str(i), r.source, "、".join(_label("kind", k, lang) for k in r.constraint_kinds),
                          r.sentence)
    else:
        for (head_zh, head_en), ratio in zip((("来源", "Source"), ("对象", "Actor"), ("情态", "Modality"),
                                              ("频次", "Frequency"), ("条款", "Clause")), (2, 2, 1, 1, 6)):
            table.add_column(head_zh if zh else head_en, ratio=ratio, overflow="fold")
        for i, r in enumerate(answer.results, answer.offset + 1):
            actor = _label("actor", r.actor, lang) + ((" (继承)" if zh else " (inherited)") if r.inherited else "")
            modality = _MODALITY_ZH.get(r.modality, r.modality) if zh else r.modality
            table.add_row(str(i), r.source, actor, modality or "", r.frequency_text, r.sentence)
    out.print(table)
    shown = answer.page
    more = (f" · --page {shown.number + 1}" if shown.has_more else "")
    out.print(f"[dim]{shown.describe('zh' if zh else 'en')}{more}[/]\n", highlight=False)


def _label(scheme: str, code: str | None, lang: str) -> str:
    from kb.ask.model import concept_label

    return concept_label(scheme, code, lang) if code else ""


def _print_suggestions(suggestions: dict, zh: bool) -> None:
    if not suggestions:
        return
    heads = {"examples": ("可以这样问", "Try"), "districts": ("已知区域", "Districts"),
             "groups": ("已知集团", "Groups"), "actors": ("对象", "Actors"),
             "categories": ("类别", "Categories"), "periods": ("周期", "Periods"),
             "modalities": ("情态", "Modalities")}
    for key, (head_zh, head_en) in heads.items():
        values = suggestions.get(key) or []
        if values:
            joined = "；".join(values) if key == "examples" else ", ".join(values)
            out.print(f"  [yellow]{head_zh if zh else head_en}:[/] {joined}", highlight=False)
