"""``pkb_constraints``: institutional constraints (法人资格不变, 隶属关系不变, 符合法律法规 …)."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.spans import make_span, matches_nowhere, patterns, text_of
from ingest.literals import Gated
from ingest.extensions import facts_of

SEPARATORS = re.compile(r"[,;。:!?“”\"()]")
#: "三不变" names how many constraints follow; it is none of them
COUNTED_HEADLINE = re.compile(r"[一二两三四五六七八九十]+")


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = patterns("constraints")
    p = data["patterns"]
    # the patterns searched over every document behind a gate of the words they require (the
    # stated kinds and 保留在原…: tried at every position, ~100 us a document each without it)
    stated = {kind: Gated("|".join(p[kind])) for kind in (
        "legal_person_unchanged", "legal_compliance", "enrollment_unchanged", "finance_unchanged", "other")}
    return {"unchanged": Gated(p["unchanged"]), "items": re.compile(p["item_separators"]),
            "not_changed": re.compile(p["not_changed"]), "not_reduced": re.compile(p["not_reduced"]),
            "kept_in_place": Gated(p["kept_in_place"]),
            "tail": re.compile(p["tail"]),
            "kinds": [(entry["kind"], entry["words"]) for entry in data["unchanged"]], "stated": stated}


def kind_of(item: str) -> str:
    for kind, words in _rules()["kinds"]:
        if any(w in item for w in words):
            return kind
    return "other"


def _segment_start(text: str, floor: int, pos: int) -> int:
    """Where the clause part before ``pos`` starts (after the last separator)."""
    start = floor
    for sep in SEPARATORS.finditer(text, floor, pos):
        start = sep.end()
    return start


def absent_patterns(text: str) -> frozenset[str]:
    """The names of the patterns that match nowhere in the document ``text`` (see
    :func:`find_constraints`)."""
    rules = _rules()
    named = [(name, rules[name]) for name in ("unchanged", "not_changed", "not_reduced", "kept_in_place")]
    named += [(f"stated:{kind}", pattern) for kind, pattern in rules["stated"].items()]
    return frozenset(name for name, pattern in named if matches_nowhere(pattern, text))


def find_constraints(text: str, start: int, end: int, absent: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the constraints the sentence ``text[start:end]`` states (``absent``:
    the patterns :func:`absent_patterns` found nowhere in the document, not searched again).

    "A、B和C(均保持)不变" gives one constraint per item, of the kind its words say (法人 →
    legal_person_unchanged, 经费 → finance_unchanged …, anything else → other).
    """
    rules = _rules()
    found: list[tuple[str, int, int]] = []
    for m in rules["unchanged"].finditer(text, start, end) if "unchanged" not in absent else ():
        seg_start = _segment_start(text, start, m.start())
        segment = rules["tail"].sub("", text[seg_start:m.start()])
        if COUNTED_HEADLINE.fullmatch(segment.strip(" “”\"")):    # A、B、C“三不变”: the list before
            seg_start = _segment_start(text, start, seg_start - 1)
            segment = text[seg_start:m.start()].split("“")[0].split('"')[0]
        for item in rules["items"].split(segment):
            if item.strip(" “”\"") and not COUNTED_HEADLINE.fullmatch(item.strip(" “”\"")):
                found.append((kind_of(item), seg_start, m.end()))
    for name in ("not_changed", "not_reduced", "kept_in_place"):
        if name in absent:
            continue
        for m in rules[name].finditer(text, start, end):
            for item in rules["items"].split(m.group("items")):
                if item.strip():
                    found.append((kind_of(item), m.start(), m.end()))
    for kind, pattern in rules["stated"].items():
        if f"stated:{kind}" in absent:
            continue
        for m in pattern.finditer(text, start, end):
            found.append((kind, m.start(), m.end()))
    return found


@Language.factory("pkb_constraints", requires=["doc.spans"],
                  assigns=["doc.spans", "span._.kind", "span._.evidence"])
def create_constraints_component(nlp: Language, name: str):
    return constraints_component


def constraints_component(doc: Doc) -> Doc:
    """Add a ``constraints`` span per institutional constraint, ``span._.kind`` its kind."""
    spans, seen = [], set()
    text = text_of(doc)
    absent = absent_patterns(text)
    for sentence in doc._.structure.sentences:
        for kind, s, e in find_constraints(text, sentence.start, sentence.end, absent):
            if (kind, sentence.index) in seen:
                continue
            seen.add((kind, sentence.index))
            span = make_span(doc, s, e, "constraint", len(spans))
            facts_of(span).update(kind=kind, evidence=(sentence.start, sentence.end))
            spans.append(span)
    doc.spans["constraints"] = spans
    return doc
