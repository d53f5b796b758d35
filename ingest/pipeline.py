"""The extraction pipeline: ``spacy.blank("zh")`` with the jieba segmenter and our components.

Only the sentences that the cheap regex triage marks as candidates are segmented by jieba; every
other sentence becomes one token, so a long descriptive passage costs almost nothing. The Doc's
text is the whole normalized text, so every span's offsets are document offsets.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest import extensions  # noqa: F401  (declares Doc._ / Span._)
from ingest.structure import Structure, segment

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

TRIAGE_FILE = Path(__file__).parent / "patterns" / "triage.toml"
PIPELINE_VERSION = "1"


def _import_components() -> None:
    from ingest.components import (  # noqa: F401
        constraints, groups, metadata, models, roles, rules, schools, structure_component)


@lru_cache(maxsize=1)
def triage_pattern() -> re.Pattern:
    data = tomllib.loads(TRIAGE_FILE.read_text(encoding="utf-8"))
    return re.compile("|".join(data["markers"]))


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The pipeline, built once per process."""
    from ingest.segmenter import setup

    setup()
    _import_components()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, text: str, structure: Structure) -> Doc:
    """A Doc over ``text``: candidate sentences segmented by jieba, the rest one token each."""
    cut = nlp.tokenizer.jieba_seg.cut
    triage = triage_pattern()
    words: list[str] = []
    pos = 0
    for sentence in structure.sentences:
        if sentence.start > pos:
            words.append(text[pos:sentence.start])
        piece = text[sentence.start:sentence.end]
        if triage.search(piece):
            words.extend(w for w in cut(piece, HMM=True) if w)
        else:
            words.append(piece)
        pos = sentence.end
    if pos < len(text):
        words.append(text[pos:])
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    doc._.structure = structure
    return doc


def annotate(source, nlp: Language | None = None) -> Doc:
    """Normalize, segment and run every component over one document (an ingest.reader.SourceText)."""
    from ingest.normalize import normalize

    nlp = nlp or build_nlp()
    normalized = normalize(source.text)
    structure = segment(normalized.text)
    doc = make_doc(nlp, normalized.text, structure)
    doc._.source = source
    doc._.normalized = normalized
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
