"""A regex behind a plain-word gate (ingest.literals.Gated) finds what the regex alone finds."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.components.constraints import _rules as constraint_rules
from ingest.components.models import rules as model_rules
from ingest.components.roles import _rules as role_rules
from ingest.components.statements import ASSIGNS_POST, GATED_PATTERNS, lexicon
from ingest.literals import Gated, required_words

ROOT = Path(__file__).resolve().parent.parent
#: the five source documents and the held-out documents
TEXTS = sorted(ROOT.glob("source_docs/*.txt")) + sorted(ROOT.glob("tests/heldout*/docs/*.txt"))


@pytest.mark.parametrize("pattern, words", [
    ("(?<![为除])了(?![解])", ["了"]),                       # lookarounds consume nothing
    ("已经?", ["已"]),
    (r"^\d{3,}(?:所|个|名)", ["个", "名", "所"]),             # a set of characters
    ("[^,]{2,24}?(?:任|兼任)(?:理事长|秘书长)", ["理事长", "秘书长"]),   # the more selective part
    ("(?:组建|设立)|下设", ["下设", "组建", "设立"]),          # every branch gives its words
    (r"\d+(?:次|人)?", None),                               # nothing plain is required
    ("(?:教育)?集团", ["集团"]),
    ("(?i)abc", ["abc"]),
])
def test_the_words_a_pattern_requires(pattern, words):
    assert required_words(pattern) == words


@pytest.mark.parametrize("pattern, gate", [
    ("(?P<holder>[^,。;]{2,24}?)(?:任|为)(?P<post>理事长)", "(?:任|为)(?P<post>理事长)"),   # free text, then a gate
    ("(?:[^,]{0,3})x", "x"),
    ("(?P<items>[\u4e00-\u9fff]{2,6})在原", "在原"),
    ("(ab)c", "ab"),                  # a group that is no free text: the words it requires
    ("([ab]+)c|d", "c|d"),            # an alternation: the words of its branches
    ("([ab]+)\\1x", "x"),             # what follows refers to the group
])
def test_the_gate_of_a_pattern(pattern, gate):
    assert Gated(pattern).gate.pattern == gate


def test_a_pattern_that_requires_no_word_is_searched_as_it_is():
    gated = Gated(r"\d+(?:次|人)?")
    assert gated.gate is None and gated.search("每年2次").group() == "2次"


def _gated_patterns() -> dict[str, Gated]:
    """Every pattern the components search through a gate."""
    lex = lexicon()
    found = {name: getattr(lex, name) for name in GATED_PATTERNS + ("descriptive",)}
    found["ASSIGNS_POST"] = ASSIGNS_POST
    found["any_term"] = model_rules().any_term
    found["holds"] = role_rules()["holds"]
    constraints = constraint_rules()
    found |= {name: constraints[name] for name in ("unchanged", "kept_in_place")}
    found |= {f"stated:{kind}": pattern for kind, pattern in constraints["stated"].items()}
    assert all(isinstance(gated, Gated) for gated in found.values())
    return found


GATED = _gated_patterns()


def _spans(pattern, text: str, pos: int, endpos: int) -> tuple:
    return tuple(m.span() for m in pattern.finditer(text, pos, endpos)), \
        getattr(pattern.search(text, pos, endpos), "span", lambda: None)()


@pytest.mark.parametrize("name", sorted(GATED))
def test_a_gated_pattern_finds_what_the_regex_finds_in_the_documents(name):
    gated = GATED[name]
    plain = gated.regex
    assert gated.gate is not None, f"{name}: no plain word gates it, so it needs no gate"
    found = 0
    for path in TEXTS:
        text = path.read_text(encoding="utf-8")
        for sentence in re.finditer(r"[^。;\n]+", text):
            a, b = sentence.span()
            assert _spans(gated, text, a, b) == _spans(plain, text, a, b), (name, text[a:b])
            found += plain.search(text, a, b) is not None
    assert found, f"{name} matches nothing in the documents: the comparison proves nothing"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_gated_pattern_finds_what_the_regex_finds_in_any_text(data):
    gated = GATED[data.draw(st.sampled_from(sorted(GATED)))]
    # texts made of the pattern's own characters, so that matches and near misses are likely
    alphabet = sorted({c for c in gated.pattern if "\u4e00" <= c <= "\u9fff"} | set(",;。、:0123456789"))
    text = data.draw(st.text(alphabet=alphabet, max_size=60))
    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    assert _spans(gated, text, pos, endpos) == _spans(gated.regex, text, pos, endpos)
