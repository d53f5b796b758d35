"""Errors raised by policykb's library code, and the catalogue of their codes.

Every error says what happened, what to do about it, and carries a stable code
(``PKB-<AREA>-<NAME>``) declared once in :data:`CATALOGUE` with what it means and the default
hint. Library code raises; only the CLI turns errors into exit codes.
"""
from __future__ import annotations

import re


class PolicyKBError(Exception):
    """Base class: ``message`` says what happened, ``hint`` what to do."""

    code = "PKB-CORE-ERROR"

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None,
                 code: str | None = None) -> None:
        self.message = message
        self.path = path
        if code:
            self.code = code
        self.hint = hint if hint is not None else CATALOGUE.get(self.code, ("", None))[1]
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{tail} [{self.code}]"

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint, "path": self.path}


class ReadError(PolicyKBError):
    """A document could not be read or decoded (PKB-READ-*)."""

    code = "PKB-READ-ERROR"


class ExtractionError(PolicyKBError):
    """The extraction pipeline failed on a document (PKB-EXTRACT-*)."""

    code = "PKB-EXTRACT-ERROR"


class StoreError(PolicyKBError):
    """The knowledge-graph store failed or refused an operation (PKB-STORE-*)."""

    code = "PKB-STORE-ERROR"


class StoreLockedError(StoreError):
    """Another process is writing to the store."""

    code = "PKB-STORE-LOCKED"


class QueryError(PolicyKBError):
    """A SPARQL query is unknown, invalid, refused or failed (PKB-QUERY-*)."""

    code = "PKB-QUERY-ERROR"


class InterpretationError(PolicyKBError):
    """A question could not be interpreted (PKB-ASK-*)."""

    code = "PKB-ASK-ERROR"


class ConfigError(PolicyKBError):
    """A setting has an invalid value (PKB-CONFIG-*)."""

    code = "PKB-CONFIG-ERROR"


#: The shape of every code.
CODE_FORMAT = re.compile(r"PKB-[A-Z]+(?:-[A-Z]+)+")

#: Every error code: what it means and the hint shown when the raise site gives none. A raise
#: site names its entry by code (``code="PKB-READ-EMPTY"``); tests/test_errors.py checks that
#: every code used is here, documented in docs/robustness.md and raised by a test.
CATALOGUE: dict[str, tuple[str, str | None]] = {
    # --- any area: the class defaults
    "PKB-CORE-ERROR": ("an error of policykb", None),
    "PKB-READ-ERROR": ("a document could not be read", "check the file"),
    "PKB-EXTRACT-ERROR": ("extraction failed on a document", "please report the file"),
    "PKB-STORE-ERROR": ("the store failed or refused an operation", None),
    "PKB-QUERY-ERROR": ("a SPARQL query is unknown, invalid, refused or failed", None),
    "PKB-ASK-ERROR": ("a question could not be interpreted", "rephrase the question"),
    "PKB-CONFIG-ERROR": ("a setting has an invalid value", "see `policykb settings`"),
    # --- reading documents
    "PKB-READ-OPEN": ("the path does not exist, is not a regular file or cannot be opened",
                      "check the path and its permissions"),
    "PKB-READ-EMPTY": ("the file is empty or holds no text", "check that the download or export worked"),
    "PKB-READ-FORMAT": ("the format is not supported (by suffix, or an old binary Word file)",
                        "save it as .txt, .docx, .pdf or .html"),
    "PKB-READ-BINARY": ("the bytes are not text in any known encoding", "check that this is a text document"),
    "PKB-READ-CORRUPT": ("a DOCX or PDF container is truncated or corrupt", "download or export it again"),
    "PKB-READ-BOMB": ("a DOCX would expand to too much data (judged from its declared sizes)",
                      "open it in a word processor and save a clean copy"),
    "PKB-READ-NO-TEXT-LAYER": ("a PDF has no text layer: it is scanned and needs OCR", "run OCR on it first"),
    "PKB-READ-ENCRYPTED": ("a PDF is encrypted and cannot be opened without a password",
                           "save an unencrypted copy"),
    "PKB-READ-TOO-LARGE": ("the file, or its text, is larger than one document may be",
                           "split the document"),
    # --- extraction
    "PKB-EXTRACT-FAILED": ("extraction raised an unexpected error on this file", "please report this file"),
    "PKB-EXTRACT-GAZETTEER": ("the administrative-division table of the cpca package is missing",
                              "reinstall policykb's dependencies"),
    "PKB-EXTRACT-SCHEDULER": ("the Dask scheduler cannot be reached or has no workers",
                              "check the scheduler address and that workers are running"),
    "PKB-EXTRACT-CLUSTER": ("the cluster's workers run another version of policykb or of the pipeline",
                            "install the same policykb on every worker"),
    "PKB-EXTRACT-WORKER": ("a document failed on a cluster worker, or its worker died", None),
    # --- the store
    "PKB-STORE-LOCKED": ("another process is writing to the store", "wait for it to finish"),
    "PKB-STORE-MISSING": ("there is no store at that location yet", "ingest documents first"),
    "PKB-STORE-OPEN": ("the store cannot be opened this way", None),
    "PKB-STORE-IO": ("reading or writing the store's files failed", "check the disk"),
    "PKB-STORE-CLOSED": ("the store was closed", "open it again"),
    "PKB-STORE-READONLY": ("a write was sent to a read-only store", "open the store for writing"),
    "PKB-STORE-SERVER": ("the SPARQL server failed or cannot be reached", "check that the server is running"),
    "PKB-STORE-AUTH": ("the SPARQL server refused the credentials", "check POLICYKB_USER and POLICYKB_PASSWORD"),
    "PKB-STORE-CONFIG": ("a server configuration is invalid", "see docs/scale-out.md"),
    "PKB-STORE-FORMAT": ("an export format is not known", None),
    "PKB-STORE-NOGRAPH": ("the store has no graph of that name", None),
    "PKB-STORE-NQUADS": ("a document's N-Quads cannot be parsed", "please report the file"),
    "PKB-STORE-TRIPLE": ("a quad to remove is not four terms", None),
    "PKB-STORE-WRITE": ("a write is not a DocumentWrite or names a graph outside policykb's", None),
    "PKB-STORE-VOCAB": ("the vocabulary files (ontology/*.ttl) are missing", "reinstall policykb"),
    "PKB-EXPORT-EMPTY": ("no document is in the scope to export", "check the filters"),
    # --- queries
    "PKB-QUERY-UNKNOWN": ("no named query of that name", "list them with `policykb queries`"),
    "PKB-QUERY-HEADER": ("a .rq file has no title comment", "start the file with `# title: …`"),
    "PKB-QUERY-PARAM": ("a query parameter is unknown or unbound", None),
    "PKB-QUERY-BIND": ("a binding is not a name and a value a query can take", None),
    "PKB-QUERY-SYNTAX": ("the query is not valid SPARQL", "check it against the SPARQL 1.1 grammar"),
    "PKB-QUERY-READONLY": ("the query would change the store", "user queries are read-only"),
    "PKB-QUERY-SERVICE": ("the query calls another endpoint (SERVICE)", "user queries stay on this store"),
    "PKB-QUERY-TIMEOUT": ("the query ran past its deadline and was stopped",
                          "narrow the query or raise POLICYKB_QUERY_TIMEOUT"),
    "PKB-QUERY-LIMIT": ("the query returned more rows than allowed", "add a LIMIT or raise POLICYKB_MAX_RESULTS"),
    "PKB-QUERY-EVAL": ("the query failed while it ran", None),
    "PKB-QUERY-NODOC": ("the store has no such document", "ingest the file first"),
    # --- questions, scopes, comparisons, matrices
    "PKB-ASK-EMPTY": ("the question is empty", "ask a question"),
    "PKB-ASK-TOO-LONG": ("the question is too long", "ask a shorter question"),
    "PKB-ASK-NOT-UNDERSTOOD": ("nothing in the question names an actor, place, group, model or topic",
                               "see the examples in `policykb ask --help`"),
    "PKB-ASK-UNKNOWN-NAME": ("a name in the question is not in the store", "check the spelling"),
    "PKB-ASK-TOO-BROAD": ("the question combines too many things", "ask about fewer things at once"),
    "PKB-ASK-LEXICON": ("the question lexicon (kb/ask/lexicon.toml) is broken", "reinstall policykb"),
    "PKB-SCOPE-UNKNOWN": ("a district, group or model name is not in the store", None),
    "PKB-SCOPE-CONCEPT": ("a concept name is not in the vocabulary", None),
    "PKB-VERSIONS-DATE": ("an \"as of\" date cannot be read", "give a date as 2024-09-01 (or 2024-09, 2024)"),
    "PKB-VERSIONS-DOCUMENT": ("a document name matches no single document",
                              "give a document IRI or its title (policykb versions lists them)"),
    "PKB-GAPS-PEERS": ("gaps needs at least one other district to compare with", "name peers with --against D1 D2 …"),
    "PKB-COMPARE-ARGS": ("a comparison needs two or more scopes", "name two or more districts, groups or models"),
    "PKB-COMPARE-DIMENSION": ("not a comparison dimension or rule category", None),
    "PKB-COMPARE-SCOPE": ("not one of the compared scopes", None),
    "PKB-MATRIX-DIMENSION": ("not a matrix dimension or modality", None),
    # --- the app's uploads
    "PKB-UPLOAD-OFF": ("the app takes no uploads on this store (a shared server store is read-only unless "
                       "the operator enables uploads)", None),
    "PKB-UPLOAD-PASSWORD": ("an upload's password is missing or wrong", "ask the operator for the upload password"),
    # --- the vocabulary
    "PKB-VOCAB-UNKNOWN": ("a concept code, label or IRI is not in the vocabulary", None),
    "PKB-VOCAB-SCHEME": ("a concept scheme name is not in the vocabulary", None),
    # --- validation, settings, the command line
    "PKB-VALIDATE-FAILED": ("validation could not run", "check the store with `policykb query documents`"),
    "PKB-CONFIG-VALUE": ("an environment variable holds a value its setting cannot take", "see `policykb settings`"),
    "PKB-CONFIG-UNKNOWN": ("no setting of that name", "see `policykb settings`"),
    "PKB-CONFIG-APP": ("the app file is missing", "run from a checkout of policykb"),
    "PKB-CONFIG-CORPUS": ("the corpus folder does not exist", "pass --corpus DIR or set POLICYKB_CORPUS"),
    "PKB-CLI-ARGS": ("the command's arguments do not fit", "see the command's --help"),
    "PKB-CLI-FORMAT": ("an output format is not known", "see the command's --help"),
    "PKB-CLI-OUT": ("binary output needs a file", "give a file name with --out FILE"),
    "PKB-CLI-PARAM": ("a --param is not name=value", "write --param name=value"),
    "PKB-CLI-FILE": ("a query file does not exist", "check the path"),
    "PKB-CLI-LANG": ("a language is not zh or en", "use zh or en"),
}
