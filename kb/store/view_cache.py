"""Data derived from one view of a store (a question vocabulary, the versions in force), saved in
the store's cache folder so that a fresh process reads it instead of deriving it again.

A file is named by what it holds, the view (:meth:`Store.durable_view`) and a fingerprint of the
code that derived it; saving a view's file removes the files of other views.
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from kb.store.base import Store


@lru_cache(maxsize=32)
def fingerprint(*paths: Path) -> str:
    """A short digest of the files ``paths`` (the code and data a saved result depends on)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


_PAUSES = 0
_PAUSE_LOCK = threading.Lock()
_RESUME = False     # whether the collector was on when the first pause began


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a saved value is read back: it is acyclic
    builtins, and making millions of objects at once would otherwise set off full collections
    over the app's whole heap (about half a second of a cold start at 10,000 documents). Safe
    when threads pause at once: the collector resumes when the last one is done."""
    global _PAUSES, _RESUME
    with _PAUSE_LOCK:
        if _PAUSES == 0:
            _RESUME = gc.isenabled()
            gc.disable()
        _PAUSES += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSES -= 1
            if _PAUSES == 0 and _RESUME:
                gc.enable()


def path(store: Store, name: str, code: str) -> Path | None:
    """Where ``name`` (derived by code of fingerprint ``code``) is saved for the store's current
    view, or None when the store has no durable view (a server, a writer)."""
    view = store.durable_view()
    if view is None:
        return None
    folder, view_name = view
    return folder / f"{name}@{view_name}@{code}"


def load(store: Store, name: str, code: str) -> bytes | None:
    """The bytes saved as ``name`` for this view, or None."""
    where = path(store, name, code)
    try:
        return where.read_bytes() if where is not None else None
    except OSError:
        return None


def save(store: Store, name: str, code: str, data: bytes) -> Path | None:
    """Save ``data`` as ``name`` for this view, atomically, and remove other views' files; the
    file, or None where there is no durable view or the folder cannot be written."""
    where = path(store, name, code)
    if where is None:
        return None
    view = where.name.split("@")[1]
    try:
        where.parent.mkdir(exist_ok=True)
        tmp = where.with_name(f".{where.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, where)
        for old in where.parent.iterdir():
            parts = old.name.split("@")
            if len(parts) == 3 and parts[1] != view and not old.name.startswith("."):
                old.unlink(missing_ok=True)
            elif parts[0] == name and old != where and len(parts) == 3:
                old.unlink(missing_ok=True)   # the same view derived by other code
    except OSError:
        return None   # a read-only folder: every process derives its own
    return where



_MEMORY: "OrderedDict[tuple, Any]" = OrderedDict()
_MEMORY_LIMIT = 64     # values kept in memory; beyond it the least recently used goes
_MEMORY_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}   # one computation per key; other callers wait for it


def remembered(store: Store, name: str, code: str, compute: Callable[[], Any], *,
               to_builtins: Callable[[Any], Any] = lambda value: value,
               from_builtins: Callable[[Any], Any] = lambda value: value, on_disk: bool = True,
               stamp: Callable[[], Hashable] | None = None) -> Any:
    """``compute()`` for the store's current view: kept in memory, and saved as ``name`` where the
    store has a durable view (unless ``on_disk`` is false), so that another process reads it
    instead. ``to_builtins`` turns the value into what ``marshal`` writes, ``from_builtins`` back.

    The memory is keyed by the store's state token; a store without one (a server) is keyed by
    ``stamp()``, a cheap summary of what it holds, when one is given, and keeps nothing in memory
    otherwise. Concurrent callers for the same value (the app's start preparing it while a page
    asks for it) wait for one computation."""
    view = store.state_token()
    if view is None and stamp is not None:
        view = ("stamp", stamp())
    if view is None:
        return _derived(store, name, code, compute, to_builtins, from_builtins, on_disk)
    key = _key(store, view, name, code)
    with _MEMORY_LOCK:
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return _MEMORY[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    try:
        with building:
            with _MEMORY_LOCK:
                if key in _MEMORY:             # computed by the caller we waited for
                    return _MEMORY[key]
            value = _derived(store, name, code, compute, to_builtins, from_builtins, on_disk)
            with _MEMORY_LOCK:
                _keep(key, value)
            return value
    finally:
        with _MEMORY_LOCK:
            if _BUILDING.get(key) is building:
                del _BUILDING[key]


def held(store: Store, name: str, code: str) -> Any | None:
    """The value :func:`remembered` keeps in memory for the store's current view, or None: never
    computed nor read from a file here (for a caller that has a cheaper way than the whole value
    when this process does not hold it yet)."""
    view = store.state_token()
    if view is None:
        return None
    with _MEMORY_LOCK:
        return _MEMORY.get(_key(store, view, name, code))


def _key(store: Store, view: Hashable, name: str, code: str) -> tuple:
    return str(getattr(store, "location", id(store))), view, name, code


def _keep(key: tuple, value: Any) -> None:
    """Keep ``value`` in memory (under the lock). The same store's values of other views go: once
    a store has moved on (a new snapshot, new documents) nothing asks for them again, and a
    question vocabulary alone may hold hundreds of MB."""
    location, view = key[0], key[1]
    for other in [k for k in _MEMORY if k[0] == location and k[1] != view]:
        del _MEMORY[other]
    _MEMORY[key] = value
    while len(_MEMORY) > _MEMORY_LIMIT:
        _MEMORY.popitem(last=False)
    # what is kept lives as long as its view: out of the collector's generations, so that the full
    # collections an answer's short-lived objects set off do not traverse it again (one over a
    # 60,000-document process took 0.3 s in the middle of a 0.16 s answer; 7 ms once frozen)
    gc.freeze()


def _derived(store: Store, name: str, code: str, compute, to_builtins, from_builtins, on_disk: bool) -> Any:
    """The value saved for this view, else ``compute()`` (and saved)."""
    saved = load(store, name, code) if on_disk else None
    if saved is not None:
        try:
            with collector_paused():
                return from_builtins(marshal.loads(saved))
        except (ValueError, EOFError, TypeError, KeyError, IndexError):
            pass               # a damaged or older file: computed again and overwritten
    value = compute()
    if on_disk:
        save(store, name, code, marshal.dumps(to_builtins(value)))
    return value


def forget() -> None:
    """Drop every value kept in memory (what a new process starts without)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()
