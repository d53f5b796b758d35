"""jieba, set up once per process with the words our components need kept whole."""
from __future__ import annotations

import logging
import tomllib
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).parent / "patterns" / "triage.toml"


@lru_cache(maxsize=1)
def setup() -> None:
    """Quiet jieba and add our vocabulary words (牵头校, 成员校, 不得 …) to its dictionary."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    for word in data["jieba"]["words"]:
        jieba.add_word(word, freq=200000)
