"""A query with a hard time limit on the embedded store: :func:`run_query_with_timeout` evaluates it
in a child process on a read-only view of the store and kills the child at the deadline — pyoxigraph
cannot cancel a query that computes everything before its first row (``ORDER BY``, ``COUNT``, a
huge join). For user-written queries (:func:`kb.store.run_user_query`).
"""
from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from typing import Mapping

from kb import errors
from kb.errors import PolicyKBError, StoreError
from kb.store.base import QueryResult, normalize_bindings, query_timeout_error
from kb.store.oxigraph import OxigraphStore
from kb.store.terms import to_term

_CHILD = "import sys; from kb.store.timed_query import _child_main; _child_main()"


def run_query_with_timeout(path: str | os.PathLike, sparql: str,
                           bindings: Mapping[str, object] | None = None, *, timeout: float,
                           limit: int | None = None, strict: bool = False) -> QueryResult:
    """Evaluate a query in a child process on a read-only view of the store at ``path``.

    The child is killed if it has not answered ``timeout`` seconds after it was started (the time
    includes its start-up, about 0.2 s), and :class:`QueryError` ``PKB-QUERY-TIMEOUT`` is raised.
    Meant for user-written queries, which may be arbitrarily expensive; check them with
    :func:`kb.store.readonly.check_read_only` first. The child is a fresh interpreter
    (``python -c …``, not ``fork``: forking a process that runs RocksDB threads is unsafe, and
    ``multiprocessing``'s spawn would re-import the caller's ``__main__``).
    """
    bindings = normalize_bindings(bindings)  # fail fast, before starting a process
    for name, value in bindings.items():
        to_term(name, value)
    request = pickle.dumps({"path": str(path), "sparql": sparql, "bindings": bindings,
                            "limit": limit, "strict": strict})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = child.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise query_timeout_error(timeout) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    try:
        status, payload = pickle.loads(out)
    except Exception:
        raise _child_failure(child.returncode, err.decode(errors="replace"), str(path)) from None
    if status == "ok":
        return payload
    name, fields = payload
    cls = getattr(errors, name, StoreError)
    if not (isinstance(cls, type) and issubclass(cls, PolicyKBError)):
        cls = StoreError
    raise cls(fields["message"], hint=fields.get("hint"), path=fields.get("path"), code=fields.get("code"))


def _child_failure(returncode: int, stderr: str, path: str) -> StoreError:
    """The error for a query process that ended without an answer, by how it ended: killed
    (SIGKILL: most often the system out of memory), aborted by the query engine itself (SIGABRT: an
    internal fault of the engine on this query, e.g. a sort it cannot order), or anything else."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    panic = next((line for line in lines if "panicked at" in line), None)    # a Rust panic's first line
    detail = panic or (lines[-1] if lines else "no output")
    if returncode == -signal.SIGKILL:
        what, hint = "was killed", "the query may need too much memory: bind more variables or add a LIMIT"
    elif returncode == -signal.SIGABRT:
        what, hint = "was aborted by the query engine", (
            "an internal fault of the store's engine on this query, not a problem of the data; rewrite the "
            "query (bind its variables, drop or change its ORDER BY) and run it again")
    else:
        what, hint = f"failed (exit code {returncode})", "run it again; if it fails again, simplify the query"
    return StoreError(f"the query process {what}: {detail}", path=path, code="PKB-STORE-ERROR", hint=hint)


def _child_main() -> None:
    """The child side of :func:`run_query_with_timeout`: request on stdin, pickled answer on stdout."""
    request = pickle.loads(sys.stdin.buffer.read())
    try:
        store = OxigraphStore(request["path"], read_only=True)
        try:
            answer: tuple = ("ok", store.query(request["sparql"], request["bindings"],
                                               limit=request["limit"], strict=request["strict"]))
        finally:
            store.close()
    except PolicyKBError as exc:
        answer = ("error", (type(exc).__name__, exc.to_dict()))
    except Exception as exc:  # report anything else instead of dying silently
        answer = ("error", ("StoreError", {"message": f"{type(exc).__name__}: {exc}", "hint": None,
                                           "path": request["path"], "code": "PKB-STORE-ERROR"}))
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()


__all__ = ["run_query_with_timeout"]
