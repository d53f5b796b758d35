"""``policykb versions``: the versions of each policy, and hand links between them."""
from __future__ import annotations

import json
from typing import List, Optional

import typer

from kb.commands.common import StoreOption, err, fail, open_store, out as console
from kb.commands.export import check_format
from kb.errors import PolicyKBError

FORMATS = ("table", "json")


def versions_command(
    words: List[str] = typer.Argument(None, help="Nothing to list the chains; `link OLD NEW` to record that "
                                      "NEW replaces OLD; `unlink OLD NEW` to record that it does not. OLD and "
                                      "NEW: a document IRI, its title or a part of it only one document has.",
                                      show_default=False),
    district: Optional[str] = typer.Option(None, "--district", "-d", help="Only this district's documents."),
    every: bool = typer.Option(False, "--all", help="Also list every document with its version facts."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    store: Optional[str] = StoreOption,
) -> None:
    """Versions of a policy: which document replaces which, with their status and dates.

    Links are found from the texts (征求意见稿/讨论稿/试行/暂行/修订, 自…起施行, 原《…》同时废止,
    the same district and subject) or set by hand; a hand link overrides detection and survives
    re-ingesting. Each chain is listed oldest first, each link marked hand, repeal or detected.

    Examples: policykb versions
              policykb versions --district 田家庵区 --all
              policykb versions link "工作方案(征求意见稿)" doc/5878f26734d7b617
              policykb versions unlink OLD NEW
    """
    from kb import scopes, versions

    fmt = check_format(fmt, FORMATS)
    words = list(words or [])
    action = words[0] if words else "list"
    if action not in ("list", "link", "unlink") or (action != "list" and len(words) != 3) \
            or (action == "list" and len(words) > 1):
        fail(PolicyKBError(f"unknown versions arguments: {' '.join(words)}", code="PKB-CLI-ARGS",
                           hint="policykb versions | policykb versions link OLD NEW | policykb versions unlink OLD NEW"))
    kb_store = open_store(store, read_only=action == "list")
    try:
        with kb_store:
            if action != "list":
                old, new = (versions.resolve_document(kb_store, w) for w in words[1:])
                if action == "link":
                    versions.link(kb_store, old.doc, new.doc)
                else:
                    versions.unlink(kb_store, old.doc, new.doc)
                verb = "replaces" if action == "link" else "does not replace"
                err.print(f"recorded: 《{new.title}》 {verb} 《{old.title}》", highlight=False)
                return
            name = scopes.resolve_district(kb_store, district) if district else None
            chains = versions.chains(kb_store, name)
            docs = versions.documents(kb_store, name) if every else []
    except PolicyKBError as exc:
        fail(exc)
    if fmt == "json":
        console.print_json(json.dumps({"chains": [c.to_dict() for c in chains],
                                       "documents": [v.to_dict() for v in docs]}, ensure_ascii=False))
        return
    _print(chains, docs)


def _print(chains, docs) -> None:
    from rich.table import Table

    if not chains:
        console.print("no policy with more than one version" + (" (use `versions link OLD NEW`)" if docs else ""))
    for chain in chains:
        how = {(k.older, k.newer): k.how for k in chain.links}
        table = Table(title=f"{chain.versions[-1].district or ''} {chain.versions[-1].title or ''}", show_lines=False)
        for col in ("#", "状态 status", "施行 in force", "发布 issued", "标题 title", "链接 link", "IRI"):
            table.add_column(col, overflow="fold")
        prev = None
        for i, v in enumerate(chain.versions, 1):
            link = how.get((prev.doc, v.doc), "") if prev else ""
            table.add_row(str(i), v.status or "final", v.in_force or "", v.issued or "", v.title or "", link,
                          v.doc.rsplit("/id/", 1)[-1])
            prev = v
        console.print(table)
    if docs:
        table = Table(title="文件 documents")
        for col in ("地区 district", "状态 status", "施行 in force", "至 until", "标题 title", "废止 repeals"):
            table.add_column(col, overflow="fold")
        for v in docs:
            table.add_row(v.district or "", v.status or "final", v.in_force or "", v.until or "", v.title or "",
                          "；".join(v.repeals))
        console.print(table)
