"""Small pure helpers for the Streamlit app (``app.py``, ``webapp/pages/``): nothing here imports streamlit.

The store holder (:class:`StoreHolder`), URL state, safe HTML and Markdown text, SPARQL console
parameters, uploads and table downloads. What each helper does: docs/app.md.
"""
from __future__ import annotations

import hashlib
import html
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import StoreError

# =========================================================================== the store


def store_stamp(store) -> str:
    """A short hash of what ``store`` shows: it changes whenever a document is added, replaced or
    removed. The store's own state token where it has one (an embedded reader: its snapshot), else
    the documents and their hashes (named query ``ask_store_stamp``: seconds on 10,000 documents)."""
    from kb import queries

    digest = hashlib.sha256()
    token = store.state_token()
    if token is not None:
        digest.update(f"{getattr(store, 'location', '')} {token}".encode())
        return digest.hexdigest()[:16]
    for row in queries.run(store, "ask_store_stamp").rows:
        digest.update(f"{row['doc']} {row['hash']}\n".encode())
    return digest.hexdigest()[:16]


class StoreHolder:
    """The read-only store of one app process, shared by every session.

    A missing store is created empty (with the vocabulary) so that the app can start on a fresh
    folder and take uploads. :meth:`refresh` moves the reader to the newest snapshot — at most
    every ``interval`` seconds unless forced — and recomputes :attr:`stamp` when it moved.
    """

    def __init__(self, location: str, *, interval: float = 5.0) -> None:
        from kb.store import open_store

        self.location = str(location)
        self.interval = interval
        self._lock = threading.Lock()
        try:
            self.store = open_store(self.location, read_only=True)
        except StoreError as exc:
            if exc.code != "PKB-STORE-MISSING":
                raise
            with open_store(self.location) as writer:
                writer.ensure_vocabulary()
            self.store = open_store(self.location, read_only=True)
        self.stamp = store_stamp(self.store)
        self.checked = time.monotonic()
        self.refreshed_at = time.time()
        self.warm()

    def warm(self) -> None:
        """Prepare what the first answers read from the whole store (names, versions in force,
        documents, counts) in the background, so that the first question does not wait for them."""
        from kb.prepared import prepare_in_background

        prepare_in_background(self.store)

    @property
    def snapshots(self) -> bool:
        """Whether the reader sees a snapshot that ``refresh`` moves (the embedded store); a
        server store's reads are always current, so only its stamp can tell that it changed."""
        from kb.store.oxigraph import OxigraphStore

        return isinstance(self.store, OxigraphStore)

    def refresh(self, force: bool = False) -> bool:
        """See what writers committed since the last look; True if the documents changed."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self.checked < self.interval:
                return False
            self.checked = now
            moved = self.store.refresh(force=force)
            self.refreshed_at = time.time()
            if not moved and not force and self.snapshots:
                return False
            stamp = store_stamp(self.store)
            changed, self.stamp = stamp != self.stamp, stamp
            if changed:
                self.warm()
            return changed


# =========================================================================== URL state


@dataclass(frozen=True)
class Param:
    """One widget kept in the URL: its session-state ``key``, the query parameter ``name``, the
    ``kind`` of value (``str``, ``list`` — repeated parameter —, ``bool`` or ``int``) and its
    ``default``. A value equal to the default is left out of the URL."""

    key: str
    name: str
    kind: str = "str"
    default: Any = None

    def empty(self) -> Any:
        if self.default is not None:
            return list(self.default) if isinstance(self.default, list) else self.default
        return {"str": "", "list": [], "bool": False, "int": 0}[self.kind]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def decode_params(params: Mapping[str, Any], spec: Sequence[Param],
                  choices: Mapping[str, Sequence[Any]] | None = None) -> dict[str, Any]:
    """Widget values (by key) from query parameters (a value or a list of values per name).

    Parameters that are absent give the default; values not among ``choices[key]`` are dropped
    (a list keeps the valid ones, a single value falls back to the default).
    """
    choices = choices or {}
    out: dict[str, Any] = {}
    for p in spec:
        raw = _as_list(params.get(p.name))
        allowed = choices.get(p.key)
        if p.kind == "list":
            values = [v for v in raw if v != ""]
            if allowed is not None:
                values = [v for v in values if v in allowed]
            out[p.key] = list(dict.fromkeys(values)) if raw else p.empty()
        elif not raw:
            out[p.key] = p.empty()
        elif p.kind == "bool":
            out[p.key] = raw[-1].lower() in ("1", "true", "yes", "on")
        elif p.kind == "int":
            try:
                out[p.key] = int(raw[-1])
            except ValueError:
                out[p.key] = p.empty()
        else:
            value = raw[-1]
            out[p.key] = value if allowed is None or value in allowed else p.empty()
    return out


def encode_params(values: Mapping[str, Any], spec: Sequence[Param]) -> dict[str, str | list[str]]:
    """Query parameters for widget values (by key); defaults and empty values are left out."""
    out: dict[str, str | list[str]] = {}
    for p in spec:
        value = values.get(p.key, p.empty())
        if value == p.empty() or value is None:
            continue
        if p.kind == "list":
            items = [str(v) for v in value]
            if items:
                out[p.name] = items
        elif p.kind == "bool":
            out[p.name] = "1" if value else "0"
        else:
            out[p.name] = str(value)
    return out


def has_params(params: Mapping[str, Any], spec: Sequence[Param]) -> bool:
    """Whether any parameter of ``spec`` is in ``params``."""
    return any(p.name in params for p in spec)


# =========================================================================== safe text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """``text`` with every Markdown control character backslash-escaped (for labels that Streamlit
    renders as Markdown: expander titles, captions)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (line) holding ``[start, end)``: the clause a sentence is read in."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right < 0 else right


@dataclass(frozen=True)
class Mark:
    """A span to highlight: ``[start, end)``, a CSS class and a tooltip (plain text)."""

    start: int
    end: int
    css: str = "hl"
    title: str = ""


DOC_CSS = (".pkb-doc{white-space:pre-wrap;font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;"
           "line-height:1.7;font-size:0.95rem;max-height:32rem;overflow:auto;padding:0.6rem 0.8rem;"
           "border:1px solid #ddd;border-radius:0.4rem;background:#fcfcfc;color:#222}"
           ".pkb-doc mark{padding:0 1px;border-radius:2px;color:inherit}"
           ".pkb-doc mark.focus{background:#ffd54f;outline:2px solid #f9a825}"
           ".pkb-doc mark.rule{background:#bbdefb}.pkb-doc mark.group{background:#c8e6c9}"
           ".pkb-doc mark.post{background:#e1bee7}.pkb-doc mark.body{background:#ffe0b2}"
           ".pkb-doc mark.constraint{background:#f8bbd0}.pkb-doc mark.hl{background:#fff59d}"
           ".pkb-doc .gap{color:#999}")


def highlight_html(text: str, marks: Iterable[Mark], *, window: tuple[int, int] | None = None,
                   css: bool = True) -> str:
    """``text`` (or the ``window`` of it) as HTML with ``marks`` wrapped in ``<mark>`` — every
    character of the document **escaped**, so ``<script>`` or ``**bold**`` in a document show as
    text. Overlapping marks split into segments; a segment under several marks takes the class of
    the last one given and the tooltips of all of them."""
    lo, hi = window if window else (0, len(text))
    lo, hi = max(0, lo), min(len(text), hi)
    spans = [m for m in marks if m.end > lo and m.start < hi and m.end > m.start]
    cuts = sorted({lo, hi, *[max(lo, m.start) for m in spans], *[min(hi, m.end) for m in spans]})
    parts: list[str] = []
    for a, b in itertools.pairwise(cuts):
        if a >= b:
            continue
        chunk = html.escape(text[a:b])
        over = [m for m in spans if m.start <= a and m.end >= b]
        if over:
            titles = "；".join(dict.fromkeys(m.title for m in over if m.title))
            cls = html.escape(over[-1].css, quote=True)
            title = f' title="{html.escape(titles, quote=True)}"' if titles else ""
            parts.append(f'<mark class="{cls}"{title}>{chunk}</mark>')
        else:
            parts.append(chunk)
    body = "".join(parts)
    if window and lo > 0:
        body = '<span class="gap">…</span>' + body
    if window and hi < len(text):
        body += '<span class="gap">…</span>'
    style = f"<style>{DOC_CSS}</style>" if css else ""
    return f'{style}<div class="pkb-doc">{body}</div>'


def escape_html(text: object) -> str:
    """``html.escape`` of ``str(text)`` (``None`` → empty)."""
    return html.escape("" if text is None else str(text))


# =========================================================================== SPARQL console


def parse_binding(text: str):
    """A console parameter as an RDF term: ``<iri>``, ``http(s)://…`` and ``prefix:local`` (a
    prefix of :data:`kb.store.PREFIXES`) are IRIs, whole numbers ``int``, ``true``/``false``
    booleans, anything else a plain string; empty text leaves the parameter unbound (``None``)."""
    from kb.store import IRI, PREFIXES

    value = (text or "").strip()
    if not value:
        return None
    if value.startswith("<") and value.endswith(">"):
        return IRI(value[1:-1])
    if re.match(r"^https?://\S+$", value):
        return IRI(value)
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and re.fullmatch(r"[\w.\-]*", local):
        return IRI(PREFIXES[prefix] + local)
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def plain_value(value: object) -> object:
    """A query result value for a table or JSON: IRIs, literals and numbers as plain Python."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


# =========================================================================== uploads

UPLOAD_DIR = "uploads"
UPLOAD_TYPES = ("txt", "text", "md", "docx", "pdf", "html", "htm")


def safe_filename(name: str) -> str:
    """An uploaded file's name without folders or characters a file system dislikes."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    base = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", base).lstrip(".") or "upload.txt"
    return base[:180]


def is_server(location: str) -> bool:
    """Whether ``location`` names a SPARQL server (an http(s) URL or a ``.toml`` config file)."""
    return location.lower().startswith(("http://", "https://")) or (
        location.lower().endswith(".toml") and Path(location).is_file())


def upload_folder(location: str) -> Path:
    """Where uploaded files are kept: ``<store>/uploads/`` beside an embedded store, else
    ``uploads/`` in the user data folder (a server store has no folder of ours)."""
    if not is_server(location):
        return Path(location) / UPLOAD_DIR
    from platformdirs import user_data_dir

    return Path(user_data_dir("policykb", appauthor=False)) / UPLOAD_DIR


def save_upload(location: str, name: str, data: bytes) -> tuple[Path, bool]:
    """Keep an uploaded file in :func:`upload_folder` (its recorded source path); returns the path
    and whether the file is new (False: a file of that name was there and is replaced)."""
    folder = upload_folder(location)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_filename(name)
    existed = path.exists()
    path.write_bytes(data)
    return path, not existed


def upload_policy(location: str):
    """Whether the app takes uploads on ``location`` and asks for the password
    (:func:`kb.uploads.upload_policy`)."""
    from kb.uploads import upload_policy as policy

    return policy(location)


def ingest_upload(location: str, name: str, data: bytes, *, password: str | None = None,
                  on_start: Callable[[int], None] = lambda n: None,
                  on_result: Callable[[Any], None] = lambda r: None):
    """Save and ingest one uploaded file with a writer opened for this upload only.

    Refused first, before anything is saved, when the store takes no uploads or ``password`` is not
    the operator's (:func:`kb.uploads.check_upload`: ``PKB-UPLOAD-OFF``, ``PKB-UPLOAD-PASSWORD``).
    Returns the ingest :class:`ingest.runner.Summary`. A file that cannot be read is reported in
    the summary (``summary.errors``) and removed again if it was new. A writer already at work
    elsewhere raises :class:`kb.errors.StoreLockedError`.
    """
    from ingest.runner import ingest
    from kb.store import open_store
    from kb.uploads import check_upload

    check_upload(location, password)
    path, new = save_upload(location, name, data)
    try:
        with open_store(location) as writer:
            summary = ingest(writer, [str(path)], workers=1, on_start=on_start, on_result=on_result)
    except Exception:
        if new:
            path.unlink(missing_ok=True)
        raise
    if summary.errors and new:
        path.unlink(missing_ok=True)
    return summary


# =========================================================================== downloads


def table_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A table as CSV, UTF-8 with a BOM (:func:`kb.exports.csv_bytes`)."""
    from kb.exports import csv_bytes

    return csv_bytes(header, rows)


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "policykb") -> bytes:
    """A table as a formatted one-sheet workbook (:func:`kb.exports.write_sheet`)."""
    from openpyxl import Workbook

    from kb.exports import sheet_title, workbook_bytes, write_sheet

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title, set())
    write_sheet(ws, list(header), [list(r) for r in rows], max_width=70)
    return workbook_bytes(wb)


def heat_color(count: int, highest: int) -> str:
    """A CSS background for a heat-map cell: white for 0, deeper blue the higher the count."""
    if not count or highest <= 0:
        return ""
    share = min(1.0, count / highest)
    light = (227, 242, 253)
    dark = (21, 101, 192)
    rgb = [round(l + (d - l) * share) for l, d in zip(light, dark)]
    ink = "#fff" if share > 0.55 else "#111"
    return f"background-color: rgb({rgb[0]},{rgb[1]},{rgb[2]}); color: {ink}"


__all__ = ["DOC_CSS", "UPLOAD_DIR", "UPLOAD_TYPES", "Mark", "Param", "StoreHolder", "clause_bounds",
           "decode_params", "encode_params", "escape_html", "has_params", "heat_color", "highlight_html",
           "ingest_upload", "is_server", "upload_policy", "md_escape", "parse_binding", "plain_value", "safe_filename",
           "save_upload", "store_stamp", "table_csv", "table_xlsx", "upload_folder"]
