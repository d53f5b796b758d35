"""The question words of ``kb/ask/lexicon.toml``, read once per process.

The lexicon is data, not code: to teach ``policykb ask`` a new way of asking (another word for
"how often", another listing word, a label that is too generic to filter on), edit the TOML file;
its comments say what each table means. :func:`lexicon` returns the parsed file (treat it as
read-only); :func:`irregular` the English word forms folded before matching.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from kb.errors import ConfigError

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """The parsed lexicon; :class:`ConfigError` ``PKB-ASK-LEXICON`` if the file is broken."""
    try:
        with LEXICON_FILE.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the question lexicon: {exc}", path=str(LEXICON_FILE),
                          code="PKB-ASK-LEXICON", hint="fix the TOML syntax of kb/ask/lexicon.toml") from exc


def irregular() -> dict[str, str]:
    """English word forms folded before matching (``consortia`` → ``consortium``)."""
    return lexicon().get("english", {}).get("irregular", {})


def words(*path: str) -> list[str]:
    """The list at ``path`` in the lexicon (``words("result", "which")``), empty if absent."""
    node: object = lexicon()
    for key in path:
        if not isinstance(node, dict):
            return []
        node = node.get(key, {})
    return list(node) if isinstance(node, list) else []
