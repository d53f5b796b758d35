"""Errors raised by policykb's library code.

Every error says what happened, what to do about it, and carries a stable ``code``
(``PKB-<AREA>-<NNN>``) so that scripts and tests can tell errors apart without parsing
messages. Library code raises; only the CLI turns errors into exit codes.
"""
from __future__ import annotations


class PolicyKBError(Exception):
    """Base class: ``message`` says what happened, ``hint`` what to do."""

    code = "PKB-000"

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None,
                 code: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.path = path
        if code:
            self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{tail} [{self.code}]"

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint, "path": self.path}


class ReadError(PolicyKBError):
    """A document could not be read or decoded (PKB-READ-*)."""

    code = "PKB-READ-000"


class ExtractionError(PolicyKBError):
    """The extraction pipeline failed on a document (PKB-EXTRACT-*)."""

    code = "PKB-EXTRACT-000"


class StoreError(PolicyKBError):
    """The knowledge-graph store failed or refused an operation (PKB-STORE-*)."""

    code = "PKB-STORE-000"


class StoreLockedError(StoreError):
    """Another process is writing to the store."""

    code = "PKB-STORE-LOCKED"


class QueryError(PolicyKBError):
    """A SPARQL query is unknown, invalid, refused or failed (PKB-QUERY-*)."""

    code = "PKB-QUERY-000"


class InterpretationError(PolicyKBError):
    """A question could not be interpreted (PKB-ASK-*)."""

    code = "PKB-ASK-000"


class ConfigError(PolicyKBError):
    """A setting has an invalid value (PKB-CONFIG-*)."""

    code = "PKB-CONFIG-000"
