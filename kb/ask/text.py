"""Text helpers for questions: one normal form, and English words folded to a stem.

A question and every label it is matched against go through the same functions, so matching is a
plain comparison afterwards:

* :func:`normalize` — NFKC (full-width letters, digits and punctuation become ASCII), traditional
  → simplified Chinese (OpenCC ``t2s``, the converter ingest uses), lower case, runs of white space
  collapsed. ``寶塔區有幾個教育集團？`` → ``宝塔区有几个教育集团?``.
* :func:`english_words` — the English words of a text with their offsets, each folded by
  :func:`stem` (``schools`` → ``school``, ``consortia`` → ``consortium``, ``Tianjia'an`` →
  ``tianjiaan``). Hyphens separate words, so ``junior-senior`` is two words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (characters already simplified are left alone)."""
    return _t2s().convert(text) if CJK.search(text) else text


def normalize(text: str) -> str:
    """The form questions and labels are matched in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip().lower()


def stem(word: str, irregular: dict[str, str] | None = None) -> str:
    """A crude English stem that folds plurals and apostrophes: enough to match labels.

    ``lead schools`` and ``lead school`` stem alike, as do ``activities``/``activity`` and
    ``students'``/``student``; words of three letters or fewer are kept as they are.
    """
    word = word.replace("'", "")
    if irregular and word in irregular:
        return irregular[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def english_words(text: str, irregular: dict[str, str] | None = None) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` for every English word (or number) in ``text`` (already normalized)."""
    return [(stem(m.group(), irregular), m.start(), m.end()) for m in _WORD.finditer(text)]


def english_key(label: str, irregular: dict[str, str] | None = None) -> tuple[str, ...]:
    """The stems of a label, the key it is looked up by (``"Lead Schools"`` → ``("lead", "school")``)."""
    return tuple(w for w, _, _ in english_words(normalize(label), irregular))


def is_cjk(text: str) -> bool:
    """True if ``text`` contains a Chinese character."""
    return bool(CJK.search(text))
