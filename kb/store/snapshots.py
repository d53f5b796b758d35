"""The readers' snapshots of an embedded store folder: ``db/`` holds the live database, which readers
never open; after a commit the writer checkpoints it into ``snapshots/<n>/`` and points
``current-snapshot`` at it (:func:`publish_snapshot`, then :func:`prune_snapshots`), and a reader
opens the newest snapshot read-only (:func:`open_newest_snapshot`). Why and at what cost: "The
embedded store" in docs/architecture.md.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

from kb.errors import StoreError

DB_DIR = "db"
SNAPSHOT_DIR = "snapshots"
CURRENT_FILE = "current-snapshot"
KEEP_SNAPSHOTS = 2


def open_newest_snapshot(location: str) -> tuple[ox.Store, str]:
    """The newest snapshot of the store folder ``location``, opened read-only, and its name."""
    folder = Path(location)
    last: Exception | None = None
    for attempt in range(6):  # the writer may prune the snapshot we are about to open: look again
        current = read_current(folder)
        if current is None and (folder / "CURRENT").exists():
            raise bare_database_error(folder)
        if current is None:
            raise StoreError("there is no store here yet", path=location, code="PKB-STORE-MISSING",
                             hint="ingest documents first (policykb ingest), or set POLICYKB_STORE")
        try:
            return ox.Store.read_only(str(folder / SNAPSHOT_DIR / current)), current
        except (OSError, RuntimeError) as exc:
            if not storage_vanished(exc):
                raise StoreError(f"cannot open the store read-only: {exc}", path=location,
                                 code="PKB-STORE-OPEN", hint="check that it is a policykb store") from exc
            last = exc
            time.sleep(0.02 * 2 ** attempt)
    raise StoreError(f"cannot open the store read-only: {last}", path=location,
                     code="PKB-STORE-OPEN", hint="try again; if it persists, check the folder") from last


def publish_snapshot(store: ox.Store, location: str, generation: str | None) -> str:
    """Checkpoint ``store`` into ``snapshots/<generation+1>/`` and point ``current-snapshot`` at it;
    the new snapshot's name."""
    folder = Path(location)
    name = f"{int(generation or 0) + 1:08d}"
    snapshots = folder / SNAPSHOT_DIR
    snapshots.mkdir(exist_ok=True)
    try:
        shutil.rmtree(snapshots / name, ignore_errors=True)  # left by a writer that crashed
        store.backup(str(snapshots / name))
        write_current(folder, name)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"the batch was committed but the readers' snapshot failed: {exc}",
                         path=location, code="PKB-STORE-IO",
                         hint="readers keep the previous snapshot; check the disk space") from exc
    return name


def prune_snapshots(location: str, keep_newest: int = KEEP_SNAPSHOTS) -> None:
    """Delete all but the newest ``keep_newest`` snapshots (a reader still on one keeps working)."""
    snapshots = Path(location) / SNAPSHOT_DIR
    names = sorted((p.name for p in snapshots.iterdir() if p.name.isdigit()), reverse=True)
    keep = names[:keep_newest]
    for old in snapshots.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def read_current(folder: Path) -> str | None:
    """The name of the newest snapshot, or None when the writer has not made one yet."""
    try:
        return (folder / CURRENT_FILE).read_text().strip() or None
    except OSError:
        return None


def write_current(folder: Path, name: str) -> None:
    """Point ``current-snapshot`` at the snapshot ``name``."""
    tmp = folder / f"{CURRENT_FILE}.tmp"
    tmp.write_text(name + "\n")
    os.replace(tmp, folder / CURRENT_FILE)  # atomic: readers never see a half-written name


def storage_vanished(exc: BaseException) -> bool:
    """True for RocksDB's "a table file is gone / unreadable" errors (OSError or RuntimeError),
    including a snapshot folder pruned while it was being opened ("wal_dir not found")."""
    if isinstance(exc, FileNotFoundError):
        return True
    message = str(exc)
    return any(sign in message for sign in ("No such file", "IO error", "Corruption", "wal_dir not found"))


def bare_database_error(folder: Path) -> StoreError:
    """The error for a folder that holds an Oxigraph database itself, not in ``db/``."""
    return StoreError("this folder is a bare Oxigraph database, not a policykb store (database in db/, "
                      "snapshots for readers)", path=str(folder), code="PKB-STORE-OPEN",
                      hint=f"ingest into a new folder, or move the database files into {folder / DB_DIR}")


__all__ = ["CURRENT_FILE", "DB_DIR", "KEEP_SNAPSHOTS", "SNAPSHOT_DIR", "bare_database_error", "open_newest_snapshot",
           "prune_snapshots", "publish_snapshot", "read_current", "storage_vanished", "write_current"]
