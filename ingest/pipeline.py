"""The extraction pipeline: ``spacy.blank("zh")`` with the jieba segmenter and our components.

Only the sentences whose modality needs word boundaries (a cheap regex over the sentence, see
patterns/triage.toml) are segmented by jieba; every other sentence becomes one token, so a long
descriptive passage costs almost nothing. The Doc's
text is the whole normalized text, so every span's offsets are document offsets.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import accumulate

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest import extensions  # noqa: F401  (declares Doc._ / Span._)
from ingest.structure import Structure, segment
from ingest.triage import segment_pattern

# Any change to what this pipeline extracts raises ingest.identity.PIPELINE_VERSION.

#: Component names, in pipeline order. Each is registered by a module of ingest/components.
COMPONENTS = [
    "pkb_structure",
    "pkb_metadata",
    "pkb_schools",
    "pkb_groups",
    "pkb_models",
    "pkb_roles",
    "pkb_rules",
    "pkb_constraints",
]


def _import_components() -> None:
    from ingest.components import (  # noqa: F401
        constraints, groups, metadata, models, roles, rules, schools, structure_component)


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The pipeline, built once per process."""
    from ingest.segmenter import setup

    setup()
    _import_components()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # No component reads lexical attributes (like_num, shape …), and most tokens are whole
    # sentences new to the vocabulary: computing them for each was most of building a Doc.
    nlp.vocab.lex_attr_getters = {}
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, text: str, structure: Structure) -> Doc:
    """A Doc over ``text``: sentences that need word boundaries segmented by jieba, the rest one
    token each. ``doc._.segments`` keeps each segmented sentence's words with their offsets; of
    those sentences only the runs of Chinese where a modal word stands are cut into words (no
    component reads the other words, and span offsets are kept exact, not by tokens)."""
    from ingest.components.statements import modality_words
    from ingest.segmenter import cut_where

    cut = nlp.tokenizer.jieba_seg.cut
    needs_words = segment_pattern()
    modal = modality_words()
    words: list[str] = []
    segments: dict[int, list[tuple[int, str]]] = {}
    pos = 0
    for sentence in structure.sentences:
        if sentence.start > pos:
            words.append(text[pos:sentence.start])
        piece = text[sentence.start:sentence.end]
        if needs_words.search(piece):
            offset, seg = sentence.start, []
            for word in cut_where(cut, piece, modal):
                if word:
                    words.append(word)
                    seg.append((offset, word))
                    offset += len(word)
            segments[sentence.index] = seg
        else:
            words.append(piece)
        pos = sentence.end
    if pos < len(text):
        words.append(text[pos:])
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    doc._.token_starts = list(accumulate(map(len, words[:-1]), initial=0)) if words else []
    doc._.structure = structure
    doc._.segments = segments
    doc._.facts = {}
    return doc


def annotate(source, nlp: Language | None = None, normalized=None) -> Doc:
    """Normalize, segment and run every component over one document (an ingest.reader.SourceText;
    ``normalized``: its text already normalized, when it is)."""
    from ingest.normalize import normalize

    nlp = nlp or build_nlp()
    normalized = normalized if normalized is not None else normalize(source.text)
    structure = segment(normalized.text)
    doc = make_doc(nlp, normalized.text, structure)
    doc._.source = source
    doc._.normalized = normalized
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
