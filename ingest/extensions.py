"""Every custom attribute our components set on spaCy objects, declared in one place.

Span groups (``doc.spans[...]``) used by the pipeline:

==============  ===============================  ==========================================
key             set by                           Span._ attributes
==============  ===============================  ==========================================
sections        pkb_structure                    level, parent
sentences       pkb_structure                    section, is_heading
schools         pkb_schools                      name
groups          pkb_groups                       name, lead, members, models, kind_text
models          pkb_models                       concept
posts           pkb_roles                        role, name, held_by, group
bodies          pkb_roles                        actor, name, group
rules           pkb_rules                        modality, actor, actor_text, action, category,
                                                 frequency, quantity, evidence
constraints     pkb_constraints                  kind, evidence
==============  ===============================  ==========================================

``evidence`` is the ``(start, end)`` a fact rests on in the normalized text: for a rule the clause(s) that
state it, for the other facts their sentence.

spaCy keys plain ``Span._`` values by character offsets only, so two facts over the same
characters (two statements of one clause) would share them. Our span attributes are therefore
stored per fact in ``doc._.facts``, keyed by the span's label and id (``make_span`` gives every
fact span its own id), behind ordinary ``span._.name`` getters and setters.
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


def facts_of(span: Span) -> dict:
    """All of a span's ``Span._`` values as one dict (read or update many at once: each
    ``span._.name`` access builds spaCy's accessor object, which counts on hot paths)."""
    doc = span.doc
    store = doc._.facts
    if store is None:
        store = doc._.facts = {}
    return store.setdefault((span.label_, span.id), {})


def _accessors(name: str, default):
    def get(span: Span):
        facts = span.doc._.facts or {}
        return facts.get((span.label_, span.id), {}).get(name, default)

    def set_(span: Span, value) -> None:
        if span.doc._.facts is None:
            span.doc._.facts = {}
        span.doc._.facts.setdefault((span.label_, span.id), {})[name] = value

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
