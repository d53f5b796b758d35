"""Cheap triage of sentences (``patterns/triage.toml``): which can state a fact at all
(:func:`triage_pattern`), and which need jieba's word boundaries to decide their modality
(:func:`segment_pattern`). Both read words, not characters: a marker inside a descriptive word
(要 in 重要, 得 in 取得) marks nothing."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

TRIAGE_FILE = Path(__file__).parent / "patterns" / "triage.toml"


@lru_cache(maxsize=1)
def _triage() -> dict:
    return tomllib.loads(TRIAGE_FILE.read_text(encoding="utf-8"))


class WordMarkers:
    """Finds a marker that is not part of a descriptive word: one scan where the descriptive words
    come first in the alternation, so at any position they consume their characters."""

    def __init__(self, markers: str, descriptive: list[str]):
        words = "|".join(sorted(map(re.escape, descriptive), key=len, reverse=True))
        self.pattern = re.compile(f"(?:{words})|({markers})" if words else f"({markers})")
        self.markers = re.compile(markers)

    def search(self, text: str) -> re.Match | None:
        """The first marker of ``text`` outside descriptive words (None if there is none)."""
        if self.markers.search(text) is None:
            return None         # no marker at all: no need to step through the descriptive words
        for match in self.pattern.finditer(text):
            if match.group(1) is not None:
                return match
        return None


@lru_cache(maxsize=1)
def triage_pattern() -> WordMarkers:
    """Sentences that can state a fact (see patterns/triage.toml)."""
    data = _triage()
    return WordMarkers("|".join(data["markers"]), data.get("descriptive", []))


@lru_cache(maxsize=1)
def segment_pattern() -> WordMarkers:
    """Sentences whose modality needs jieba's word boundaries (see patterns/triage.toml)."""
    data = _triage()
    return WordMarkers(data["segment"], data.get("descriptive", []))
