"""Cheap triage of sentences (``patterns/triage.toml``): which can state a fact at all
(:func:`triage_pattern`), and which need jieba's word boundaries to decide their modality
(:func:`segment_pattern`)."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

TRIAGE_FILE = Path(__file__).parent / "patterns" / "triage.toml"


@lru_cache(maxsize=1)
def _triage() -> dict:
    return tomllib.loads(TRIAGE_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def triage_pattern() -> re.Pattern:
    """Sentences that can state a fact (see patterns/triage.toml)."""
    return re.compile("|".join(_triage()["markers"]))


@lru_cache(maxsize=1)
def segment_pattern() -> re.Pattern:
    """Sentences whose modality needs jieba's word boundaries (see patterns/triage.toml)."""
    return re.compile(_triage()["segment"])
