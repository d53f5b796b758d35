"""Where a SPARQL server is and how to talk to it: :class:`ServerConfig`, read from a query URL
(:func:`config_from_url`) or a TOML file (:func:`load_config`), and the update and Graph Store
endpoints derived from the query URL's layout (:func:`derive_endpoints`). Credentials are never
read from the file: ``POLICYKB_USER``/``POLICYKB_PASSWORD``, or a URL's user info
(:func:`split_credentials`). The options: "Pointing the app at a server" in docs/scale-out.md.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from kb import settings
from kb.errors import StoreError

DEFAULT_GRAPH_PREFIX = "https://w3id.org/policykb/"
DEFAULT_TIMEOUT = 120.0          # seconds: a query without an explicit timeout
DEFAULT_WRITE_TIMEOUT = 600.0    # seconds: one write request


@dataclass(frozen=True)
class ServerConfig:
    """Where and how to talk to the server. Build it with :func:`config_from_url` or :func:`load_config`."""

    query_url: str
    update_url: str | None = None        # None: derived
    gsp_url: str | None = None           # None: derived; "" : the server has none
    auth: str = "auto"                   # auto | digest | basic | none
    write: str | None = None             # gsp | update; None: gsp when a Graph Store URL is known
    timeout: float = DEFAULT_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    verify: bool | str = True            # TLS certificate check, or a CA bundle path
    graph_prefix: str = DEFAULT_GRAPH_PREFIX
    source: str | None = None            # the config file, when there is one


_CONFIG_KEYS = {"query", "update", "graph_store", "auth", "write", "timeout", "write_timeout", "verify",
                "graph_prefix"}


def config_from_url(url: str) -> ServerConfig:
    """The configuration for a query URL, with the ``update_url`` and ``gsp_url`` settings applied."""
    return ServerConfig(query_url=url, update_url=settings.get("update_url") or None,
                        gsp_url=settings.get("gsp_url") or None)


def load_config(path: str | os.PathLike) -> ServerConfig:
    """Read a server config file (TOML), e.g.::

        [server]
        query = "https://kb.example.org/sparql-auth"      # required: the SPARQL query endpoint
        update = "https://kb.example.org/sparql-auth"     # optional (derived from query)
        graph_store = "https://kb.example.org/sparql-graph-crud-auth"   # optional; "" = none
        auth = "auto"            # auto | digest | basic | none
        write = "gsp"            # gsp (per-document) | update (one request per batch)
        timeout = 120            # seconds for a query without its own timeout
        write_timeout = 600      # seconds for one write request
        verify = true            # TLS check, or the path of a CA bundle

    Credentials are not read from the file: set ``POLICYKB_USER`` and ``POLICYKB_PASSWORD``.
    """
    where = str(path)
    try:
        data = tomllib.loads(Path(where).read_text(encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"cannot read the server config: {exc.strerror or exc}", path=where,
                         code="PKB-STORE-CONFIG", hint="give the path of a TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"the server config is not valid TOML: {exc}", path=where, code="PKB-STORE-CONFIG",
                         hint="see kb.store.server_config.load_config for the format") from exc
    section = data.get("server", data)
    if not isinstance(section, dict):
        raise StoreError("the server config has no [server] table", path=where, code="PKB-STORE-CONFIG",
                         hint="see kb.store.server_config.load_config for the format")
    secrets = {k for k in section if k.lower() in ("user", "password", "username", "pass", "credentials")}
    if secrets:
        raise StoreError(f"the server config holds credentials ({', '.join(sorted(secrets))})", path=where,
                         code="PKB-STORE-CONFIG",
                         hint="remove them; policykb reads them from POLICYKB_USER and POLICYKB_PASSWORD only")
    unknown = sorted(set(section) - _CONFIG_KEYS)
    if unknown:
        raise StoreError(f"unknown key(s) in the server config: {', '.join(unknown)}", path=where,
                         code="PKB-STORE-CONFIG", hint=f"known keys: {', '.join(sorted(_CONFIG_KEYS))}")
    query = section.get("query")
    if not isinstance(query, str) or not is_http_url(query):
        raise StoreError("the server config needs query = \"http(s)://…\" (the SPARQL query endpoint)",
                         path=where, code="PKB-STORE-CONFIG", hint="e.g. query = \"http://127.0.0.1:8890/sparql-auth\"")
    base = config_from_url(query)
    try:
        return replace(
            base,
            update_url=_opt_url(section.get("update"), "update", where) or base.update_url,
            gsp_url=(_opt_url(section.get("graph_store"), "graph_store", where, allow_empty=True)
                     if "graph_store" in section else base.gsp_url),
            auth=_choice(section.get("auth", "auto"), ("auto", "digest", "basic", "none"), "auth", where),
            write=(_choice(section["write"], ("gsp", "update"), "write", where) if "write" in section else None),
            timeout=float(section.get("timeout", DEFAULT_TIMEOUT)),
            write_timeout=float(section.get("write_timeout", DEFAULT_WRITE_TIMEOUT)),
            verify=section.get("verify", True),
            graph_prefix=str(section.get("graph_prefix", DEFAULT_GRAPH_PREFIX)),
            source=where)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"invalid value in the server config: {exc}", path=where, code="PKB-STORE-CONFIG",
                         hint="timeouts are numbers of seconds") from exc


def _opt_url(value, key: str, where: str, allow_empty: bool = False) -> str | None:
    if value is None or (allow_empty and value == ""):
        return value
    if not isinstance(value, str) or not is_http_url(value):
        raise StoreError(f"{key} must be an http(s) URL", path=where, code="PKB-STORE-CONFIG",
                         hint=f'e.g. {key} = "http://127.0.0.1:8890/sparql-auth"')
    return value


def _choice(value, choices: tuple[str, ...], key: str, where: str) -> str:
    if value not in choices:
        raise StoreError(f"{key} = {value!r} is not one of {', '.join(choices)}", path=where,
                         code="PKB-STORE-CONFIG", hint=f"use one of: {', '.join(choices)}")
    return value


def is_http_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without user info, and the user and password it carried (if any)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return (urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)),
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None)


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def derive_endpoints(query_url: str, server_header: str = "", *, authenticated: bool) -> tuple[str, str | None]:
    """(update URL, Graph Store URL or None) for a query URL, from its layout and the Server header."""
    path = urlsplit(query_url).path.rstrip("/")
    server = server_header.lower()
    if path.endswith("/sparql-auth") or ("virtuoso" in server and path.endswith("/sparql")):
        root = path.rsplit("/", 1)[0]
        if authenticated or path.endswith("/sparql-auth"):
            return _with_path(query_url, root + "/sparql-auth"), _with_path(query_url, root + "/sparql-graph-crud-auth")
        return query_url, _with_path(query_url, root + "/sparql-graph-crud")
    match = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if match:  # RDF4J / GraphDB
        return (_with_path(query_url, match.group(1) + "/statements"),
                _with_path(query_url, match.group(1) + "/rdf-graphs/service"))
    root, _, last = path.rpartition("/")
    if "fuseki" in server and last in ("query", "sparql"):
        return _with_path(query_url, root + "/update"), _with_path(query_url, root + "/data")
    if "oxigraph" in server and last == "query":
        return _with_path(query_url, root + "/update"), _with_path(query_url, root + "/store")
    return query_url, None


__all__ = ["ServerConfig", "config_from_url", "derive_endpoints", "is_http_url", "load_config", "split_credentials"]
