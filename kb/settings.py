"""Every setting of policykb, declared once with its help text.

A setting's value comes from (first wins): an explicit argument (CLI option), the
environment variable named here, the default. ``policykb settings`` lists them all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kb.errors import ConfigError


def _default_store() -> str:
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("policykb", appauthor=False)) / "store")


def _cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Callable[[], Any]
    help: str
    parse: Callable[[str], Any] = str

    def value(self, explicit: Any = None) -> Any:
        if explicit not in (None, ""):
            return explicit
        raw = os.environ.get(self.env)
        if raw not in (None, ""):
            try:
                return self.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{self.env}={raw!r} is not a valid value for {self.name}: {exc}",
                                  hint=self.help, code="PKB-CONFIG-VALUE") from exc
        return self.default()


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive integer")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise ValueError("must be zero or a positive number")
    return value


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _password_hash(raw: str) -> str:
    parts = raw.strip().split(":")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]) or not all(parts[4:]):
        raise ValueError("not a password hash made by `policykb hash-password` (scrypt:N:r:p:salt:hash)")
    return raw.strip()


SETTINGS: dict[str, Setting] = {s.name: s for s in [
    Setting("store", "POLICYKB_STORE", _default_store,
            "Where the knowledge graph lives: a folder for the embedded Oxigraph store, or the "
            "http(s) URL of a SPARQL 1.1 endpoint (query endpoint; update and Graph Store endpoints "
            "are derived from it or set below)."),
    Setting("update_url", "POLICYKB_UPDATE_URL", lambda: None,
            "SPARQL 1.1 Update endpoint of a server store, when it is not the query URL."),
    Setting("gsp_url", "POLICYKB_GSP_URL", lambda: None,
            "SPARQL 1.1 Graph Store HTTP Protocol endpoint of a server store, when it is not "
            "derivable from the query URL."),
    Setting("user", "POLICYKB_USER", lambda: None,
            "User name for a server store (never logged)."),
    Setting("password", "POLICYKB_PASSWORD", lambda: None,
            "Password for a server store (never logged)."),
    Setting("workers", "POLICYKB_WORKERS", _cpu_count,
            "Extraction worker processes for ingest (default: all cores).", _positive_int),
    Setting("worker_documents", "POLICYKB_WORKER_DOCUMENTS", lambda: 1000,
            "Documents each extraction worker handles before it is replaced by a fresh process "
            "(a worker's memory grows with what it has read; replacing it keeps the memory of an "
            "ingest of any size flat).", _positive_int),
    Setting("batch_documents", "POLICYKB_BATCH_DOCUMENTS", lambda: None,
            "Most documents an ingest commits in one batch (default: the store's — 1,000 on the "
            "embedded store, also committed after 32 MiB of triples or up to 30 s; 64 on a server, or "
            "8 MiB or 2 s); smaller batches make progress visible sooner, larger ones write a big "
            "corpus faster.", _positive_int),
    Setting("page_rows", "POLICYKB_PAGE_ROWS", lambda: 200,
            "Rows on one page of a long listing in the app (obligations, documents, the rules behind "
            "a matrix cell); the CLI's --page uses 200. Exports always hold every row.", _positive_int),
    Setting("publish_seconds", "POLICYKB_PUBLISH_SECONDS", lambda: 2.0,
            "While an ingest writes, readers (the app) see its new documents at most this often "
            "(seconds; 0 = after every batch); making writes visible costs time on a large store.",
            _non_negative_float),
    Setting("query_timeout", "POLICYKB_QUERY_TIMEOUT", lambda: 30.0,
            "Seconds a SPARQL query may run before it is stopped.", _positive_float),
    Setting("max_results", "POLICYKB_MAX_RESULTS", lambda: 10000,
            "Most rows a user-written SPARQL query may return.", _positive_int),
    Setting("app_scope_documents", "POLICYKB_APP_SCOPE_DOCUMENTS", lambda: 200,
            "Above this many documents the app lists rules only for a chosen district, group or "
            "model (listing a whole national corpus would be slow).", _positive_int),
    Setting("corpus", "POLICYKB_CORPUS", lambda: "source_docs",
            "Folder of documents the app ingests at start-up.", str),
    Setting("app_uploads", "POLICYKB_APP_UPLOADS", lambda: None,
            "Whether the app takes uploads: true or false; unset, an embedded store takes them and a "
            "shared SPARQL server store is read-only (on a server, uploads also need "
            "POLICYKB_APP_UPLOAD_PASSWORD_HASH).", _boolean),
    Setting("app_upload_password_hash", "POLICYKB_APP_UPLOAD_PASSWORD_HASH", lambda: None,
            "Salted scrypt hash of the password an app upload needs (make it with `policykb "
            "hash-password`; the password itself is never stored). Set, every upload asks for it.",
            _password_hash),
]}


def get(name: str, explicit: Any = None) -> Any:
    """The value of setting ``name``: ``explicit`` if given, else the environment, else the default."""
    try:
        setting = SETTINGS[name]
    except KeyError:
        raise ConfigError(f"unknown setting {name!r}", hint=f"known: {', '.join(SETTINGS)}",
                          code="PKB-CONFIG-UNKNOWN") from None
    return setting.value(explicit)
