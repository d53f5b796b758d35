"""The writer lock of an embedded store folder: one process at a time may write. A writer takes an
exclusive, non-blocking ``flock`` on ``writer.lock`` (which names its pid) before RocksDB opens the
database; a second writer gets :class:`StoreLockedError` ``PKB-STORE-LOCKED``. Forked children close
their copies of the lock, so a worker that outlives its ingest never keeps the store locked.
"""
from __future__ import annotations

import os
from pathlib import Path

from kb.errors import StoreLockedError

try:  # POSIX advisory locks; elsewhere only RocksDB's own LOCK file guards the folder
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "writer.lock"


def locked_error(folder: Path, *, rocksdb: bool = False) -> StoreLockedError:
    """The error for a store another writer holds: by our lock file, or (``rocksdb``) by RocksDB's."""
    hint = "readers can open it meanwhile with open_store(read_only=True)"
    if rocksdb:
        return StoreLockedError(f"another process is writing to {folder}; wait for it to finish",
                                path=str(folder), hint="it holds RocksDB's LOCK without policykb's writer "
                                "lock: an Oxigraph server or a store opened directly with pyoxigraph?")
    try:
        pid = (folder / LOCK_FILE).read_text().strip()
    except OSError:
        pid = ""
    if pid == str(os.getpid()):
        return StoreLockedError(f"this process already has {folder} open for writing",
                                path=str(folder), hint="use that store object, or close it first")
    holder = f" (pid {pid})" if pid.isdigit() else ""
    return StoreLockedError(f"another policykb process{holder} is writing to {folder}; wait for it to finish",
                            path=str(folder), hint=hint)


def acquire_writer_lock(folder: Path) -> int | None:
    """Take the writer lock of ``folder`` (its file descriptor), or raise :func:`locked_error`'s error."""
    if fcntl is None:  # pragma: no cover
        return None
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise locked_error(folder) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD_LOCKS.add(fd)
    return fd


#: lock files this process holds: a forked child (an extraction worker) closes its copies, so a
#: worker that outlives a killed ingest never keeps the store locked
_HELD_LOCKS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def release_writer_lock(fd: int | None) -> None:
    """Give up a lock :func:`acquire_writer_lock` took (``None``: nothing to release)."""
    if fd is None or fcntl is None:
        return
    _HELD_LOCKS.discard(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = ["LOCK_FILE", "acquire_writer_lock", "locked_error", "release_writer_lock"]
