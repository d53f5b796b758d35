"""Reading a SPARQL server's HTTP responses: the content types asked for and understood, the body
as a file for pyoxigraph's streaming parsers (:class:`ResponseBody`, which watches the query's
deadline and rewrites Virtuoso's blank node labels), and the message of an error page.
"""
from __future__ import annotations

import io
import re
import time

import pyoxigraph as ox

# by query form: Virtuoso answers a CONSTRUCT in (invalid) SPARQL JSON results if that is acceptable
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
# Virtuoso 7.2 writes XML results faster than JSON (IRIs above all: 462 rules of `obligations`
# 221 → 125 ms on loopback, the same rows), so it is asked for XML first
ACCEPT_RESULTS_XML = "application/sparql-results+xml, application/sparql-results+json;q=0.5"
ACCEPT_RDF = "application/n-triples, text/turtle;q=0.8"
RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
             "text/ntriples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
             "application/x-turtle": ox.RdfFormat.TURTLE, "application/n-quads": ox.RdfFormat.N_QUADS,
             "application/rdf+xml": ox.RdfFormat.RDF_XML}
RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "text/tab-separated-values": ox.QueryResultsFormat.TSV}


class DeadlinePassed(Exception):
    """The query's deadline passed while its result was being read (:attr:`ResponseBody.error`)."""


class ResponseBody(io.RawIOBase):
    """An HTTP response body as a file, for pyoxigraph's streaming parsers; watches the deadline.

    With ``bnodes=True`` (SPARQL results) Virtuoso's blank node labels (``nodeID://b10001``, not
    valid labels) are rewritten to ``b10001`` as the bytes stream by. The pattern includes the JSON
    (or XML) structure around the value, which no string content can imitate (a quote inside a JSON
    string is escaped), so literals are never touched.
    """

    _VIRTUOSO_BNODE = re.compile(rb'("type"\s{0,8}:\s{0,8}"bnode"\s{0,8},\s{0,8}"value"\s{0,8}:\s{0,8}"|<bnode>)nodeID://')
    _CARRY = 96  # longer than any match: a match cut by a chunk boundary is completed next time

    def __init__(self, response, deadline: float, *, bnodes: bool = False) -> None:
        self._chunks = response.iter_bytes()
        self._deadline = deadline
        self._buffer = b""
        self._carry = b""
        self._bnodes = bnodes
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        while True:
            if time.monotonic() > self._deadline:
                self.error = DeadlinePassed()
                raise OSError("deadline passed")
            try:
                chunk = next(self._chunks)
            except StopIteration:
                rest, self._carry = self._carry, b""
                return rest
            except Exception as exc:  # httpx timeouts and network errors
                self.error = exc
                raise OSError(str(exc)) from None
            if not self._bnodes:
                return chunk
            data = self._VIRTUOSO_BNODE.sub(rb"\1", self._carry + chunk)
            cut = max(0, len(data) - self._CARRY)
            out, self._carry = data[:cut], data[cut:]
            if out:
                return out

    def readinto(self, target) -> int:
        if not self._buffer:
            self._buffer = self._next()
            if not self._buffer:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def server_message(body: bytes) -> str:
    """The first useful lines of a server's error page (tags stripped, shortened)."""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*SPARQL query:.*$", "", text, flags=re.S)  # Virtuoso echoes the whole query
    return (text[:400] + "…") if len(text) > 400 else (text or "no message")


def is_timeout_message(message: str) -> bool:
    """True if a server's error message says the query ran out of time."""
    lowered = message.lower()
    return ("s1tat" in lowered or "timed out" in lowered or "timeout" in lowered
            or "exceeds the limit" in lowered or "estimated execution time" in lowered)


__all__ = ["ACCEPT_RDF", "ACCEPT_RESULTS", "DeadlinePassed", "RDF_TYPES", "RESULT_TYPES", "ResponseBody",
           "is_timeout_message", "server_message"]
