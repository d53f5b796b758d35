"""The app's words in Chinese and English (``strings.toml`` beside this file), read once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

STRINGS_FILE = Path(__file__).with_name("strings.toml")
LANGUAGES = ("zh", "en")


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    """key → {"zh": …, "en": …}."""
    return tomllib.loads(STRINGS_FILE.read_text(encoding="utf-8"))


def text(key: str, lang: str, **fields) -> str:
    """The words for ``key`` in ``lang`` ("zh" or "en"), with ``fields`` filled in."""
    value = strings()[key]["en" if lang == "en" else "zh"]
    return value.format(**fields) if fields else value
