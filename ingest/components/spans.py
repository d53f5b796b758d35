"""Helpers shared by the components: spans from character offsets, pattern files."""
from __future__ import annotations

import tomllib
from bisect import bisect_left, bisect_right
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span

from ingest.extensions import doc_value, facts_of

HERE = Path(__file__).parent


def text_of(doc: Doc) -> str:
    """The document's text. ``doc.text`` joins every token on each call; the structure keeps it."""
    structure = doc._.structure
    return structure.text if structure is not None else doc.text


#: what makes a pattern fail on a longer text where it matched a shorter one
NOT_MONOTONE = ("(?!", "(?<!", "$", "\\b", "\\B", "\\Z", "\\A")


def matches_nowhere(pattern, text: str) -> bool:
    """True when ``pattern`` matches no stretch of ``text`` searched with pos/endpos (a sentence):
    it matches nowhere in the whole text and cannot stop matching where more text follows (no
    negative lookaround, end anchor nor word boundary). A document gate: one search, not one per
    sentence."""
    return not any(x in pattern.pattern for x in NOT_MONOTONE) and pattern.search(text) is None


def make_span(doc: Doc, start: int, end: int, label: str, ident: int) -> Span:
    """A span over characters ``[start, end)`` (widened to token boundaries; ``span._.exact``
    keeps the exact characters), with its own id.

    ``ident`` keeps the ``Span._`` values of two facts over the same characters apart (spaCy keys
    them by offsets, label and span id).
    """
    starts = doc_value(doc, "token_starts")
    if starts is not None and start < end:      # the tokens that hold the first and last character
        out = Span(doc, bisect_right(starts, start) - 1, bisect_left(starts, end), label=label, span_id=ident)
    else:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:  # only for an empty range
            span = doc[0:0]
        out = Span(doc, span.start, span.end, label=label, span_id=ident)
    facts_of(out)["exact"] = (start, end)
    return out


@lru_cache(maxsize=None)
def patterns(name: str) -> dict:
    """The pattern file ``ingest/components/<name>.toml``."""
    return tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))
