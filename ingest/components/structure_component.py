"""``pkb_structure``: headings and sentences as span groups."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.spans import make_span
from ingest.extensions import facts_of


@Language.factory("pkb_structure", assigns=["doc.spans", "span._.level", "span._.parent",
                                             "span._.section", "span._.is_heading"])
def create_structure_component(nlp: Language, name: str):
    return structure_component


def structure_component(doc: Doc) -> Doc:
    """Spans for the sections (headings, with level, parent and section) and sentences of ``doc._.structure``."""
    structure = doc._.structure
    sections = []
    for section in structure.sections:
        span = make_span(doc, section.start, section.end, "section", section.index)
        facts_of(span).update(level=section.level, parent=section.parent)
        sections.append(span)
    sentences = []
    for sentence in structure.sentences:
        span = make_span(doc, sentence.start, sentence.end, "sentence", sentence.index)
        facts_of(span).update(section=sentence.section, is_heading=sentence.is_heading)
        sentences.append(span)
    doc.spans["sections"] = sections
    doc.spans["sentences"] = sentences
    return doc
