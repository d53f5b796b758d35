"""Every custom attribute our components set on spaCy objects, declared in one place.

The ``Doc._`` and ``Span._`` extensions of the pipeline's span groups; span attributes are stored
per fact in ``doc._.facts``. The span groups, who sets them and why facts are stored that way:
docs/pipeline.md.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

DOC_EXTENSIONS = {
    "source": None,          # ingest.reader.SourceText
    "normalized": None,      # ingest.normalize.NormalizedText
    "structure": None,       # ingest.structure.Structure
    "metadata": None,        # dict: title, issuer, doc_number, date
    "district": None,        # str | None
    "province": None,        # str | None
    "document_models": None,  # list[str] of model notations
    "facts": None,           # {(label, span id): {attribute: value}}; see the module docstring
    "segments": None,        # {sentence index: [(offset, word)]} for the sentences jieba segmented
    "token_starts": None,    # [offset of each token], for spans from character offsets
}

SPAN_EXTENSIONS = {
    "exact": None,       # (start, end): the exact characters; the span itself may be widened to tokens
    "level": None, "parent": None,
    "section": None, "is_heading": False,
    "name": None,
    "lead": None, "members": None, "models": None, "kind_text": None,
    "concept": None,
    "role": None, "held_by": None, "group": None,
    "modality": None, "actor": None, "actor_text": None, "action": None, "category": None,
    "frequency": None, "quantity": None, "evidence": None,
    "kind": None,
}


def _stored(name: str) -> tuple:
    """Where spaCy keeps the value of ``doc._.<name>``: extension values live in ``Doc.user_data``
    under this key. Reading them there skips building spaCy's accessor object (``doc._``) on every
    access, a tenth of the extraction's time when facts were read through it."""
    return "._.", name, None, None


_FACTS_KEY = _stored("facts")


def doc_value(doc: Doc, name: str):
    """``doc._.<name>`` read where spaCy keeps it, without building ``doc._`` (for hot paths)."""
    return doc.user_data.get(_stored(name), DOC_EXTENSIONS[name])


def _facts(doc: Doc) -> dict:
    """``doc._.facts``, made when missing."""
    data = doc.user_data
    store = data.get(_FACTS_KEY)
    if store is None:
        store = data[_FACTS_KEY] = {}
    return store


def facts_of(span: Span) -> dict:
    """All of a span's ``Span._`` values as one dict (read or update many at once: each
    ``span._.name`` access builds spaCy's accessor object, which counts on hot paths)."""
    return _facts(span.doc).setdefault((span.label_, span.id), {})


def _accessors(name: str, default):
    def get(span: Span):
        return _facts(span.doc).get((span.label_, span.id), {}).get(name, default)

    def set_(span: Span, value) -> None:
        _facts(span.doc).setdefault((span.label_, span.id), {})[name] = value

    return get, set_


def register() -> None:
    """Declare the extensions (idempotent)."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            getter, setter = _accessors(name, default)
            Span.set_extension(name, getter=getter, setter=setter)


register()
