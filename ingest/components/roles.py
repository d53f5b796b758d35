"""``pkb_roles``: governance posts with their holders (理事长由牵头校校长担任) and bodies (理事会)."""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.components.spans import make_span, matches_nowhere, patterns, text_of
from ingest.literals import Gated
from ingest.extensions import facts_of


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = patterns("roles")
    posts = data["posts"]
    return {
        "held_by": re.compile(data["held_by"].replace("{POSTS}", posts)),
        "holds": Gated(data["holds"].replace("{POSTS}", posts)),
        "bodies": re.compile(data["bodies"]),
        "post_roles": data["post_roles"],
        "body_roles": data["body_roles"],
    }


def absent_patterns(text: str) -> frozenset[str]:
    """The names of the patterns that match nowhere in the document ``text``."""
    rules = _rules()
    return frozenset(name for name in ("held_by", "holds", "bodies") if matches_nowhere(rules[name], text))


def find_posts(text: str, start: int, end: int, absent: frozenset[str] = frozenset()) -> list[tuple[str, str, int, int]]:
    """(post, holder, start, end) stated in ``text[start:end]`` (``absent``: patterns
    :func:`absent_patterns` found nowhere in the document, not searched again)."""
    rules = _rules()
    found = []
    for m in rules["held_by"].finditer(text, start, end) if "held_by" not in absent else ():
        found.append((m.group("post"), m.group("holder"), m.start(), m.end()))
    for m in rules["holds"].finditer(text, start, end) if "holds" not in absent else ():
        if not any(s <= m.start("post") < e for _, _, s, e in found):
            found.append((m.group("post"), m.group("holder"), m.start(), m.end()))
    return found


def find_bodies(text: str, start: int, end: int, absent: frozenset[str] = frozenset()) -> list[tuple[str, str, int, int]]:
    """(body name, actor concept, start, end) of the bodies ``text[start:end]`` sets up."""
    rules = _rules()
    out = []
    for m in rules["bodies"].finditer(text, start, end) if "bodies" not in absent else ():
        name = m.group("body")
        role = next((r for word, r in rules["body_roles"].items() if name.endswith(word)), None)
        if role:
            out.append((name, role, m.start("body"), m.end("body")))
    return out


@Language.factory("pkb_roles", requires=["doc.spans"],
                  assigns=["doc.spans", "span._.role", "span._.name", "span._.held_by", "span._.evidence"])
def create_roles_component(nlp: Language, name: str):
    return roles_component


def roles_component(doc: Doc) -> Doc:
    """Add spans for governance posts (role, name, holder) and the bodies they sit on."""
    post_roles = _rules()["post_roles"]
    posts, bodies = [], []
    text = text_of(doc)
    absent = absent_patterns(text)
    for sentence in doc._.structure.sentences:
        for post, holder, s, e in find_posts(text, sentence.start, sentence.end, absent):
            span = make_span(doc, s, e, "post", len(posts))
            facts_of(span).update(name=post, held_by=holder.strip(), role=post_roles.get(post, "group_council"),
                                  evidence=(sentence.start, sentence.end))
            posts.append(span)
        for name, role, s, e in find_bodies(text, sentence.start, sentence.end, absent):
            span = make_span(doc, s, e, "body", len(bodies))
            facts_of(span).update(name=name, actor=role, evidence=(sentence.start, sentence.end))
            bodies.append(span)
    doc.spans["posts"] = posts
    doc.spans["bodies"] = bodies
    return doc
