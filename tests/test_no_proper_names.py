"""No pattern file or rule list of ingest/ names a school or place of the documents it is tried on.

Extraction must hold on documents nobody has seen, so its patterns speak of kinds of language, never
of the schools and places of ``source_docs/`` or of the real development set (``../shared/realdocs``).
The names checked: every school and group the gold answers name, and every area of the gazetteer
that occurs in those texts (its full name, and its name without the level suffix). The places checked: every string of every
TOML file under ingest/ (keys and values) and every string constant of its Python modules
(docstrings aside). The gazetteer's own table (cpca's package data) is not in ingest/.
"""
from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest

from ingest.gazetteer import COMMON_WORDS

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEXTS = [ROOT / "source_docs", SHARED / "realdocs" / "docs"]
#: areas whose name without its suffix is an everyday word (新建区 → 新建 "newly built", 合作市 → 合作)
CORES_THAT_ARE_WORDS = frozenset({"新建", "合作", "和平", "向阳", "会同", "资源", "市中", "城区", "郊区", "矿区"})
GOLDS = [SHARED / "gold", SHARED / "realdocs" / "gold", ROOT / "tests" / "fixtures" / "gold"]


def _strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings_of(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings_of(v)]
    return []


def pattern_strings() -> list[tuple[str, str]]:
    """(file, string) for every string a pattern file or module of ingest/ holds."""
    out = []
    for path in sorted((ROOT / "ingest").rglob("*.toml")):
        out += [(str(path.relative_to(ROOT)), s) for s in _strings_of(tomllib.loads(path.read_text("utf-8")))]
    for path in sorted((ROOT / "ingest").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        out += [(str(path.relative_to(ROOT)), node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]
    return out


def proper_names() -> dict[str, str]:
    """name → where it comes from: schools and groups of the gold answers, areas named in the texts."""
    from ingest.gazetteer import areas

    names: dict[str, str] = {}
    for folder in GOLDS:
        for path in sorted(folder.glob("*.json")):
            gold = json.loads(path.read_text("utf-8"))
            for group in gold.get("groups", []):
                for name in [group.get("name"), *group.get("lead_schools", []), *group.get("member_schools", [])]:
                    if name and len(name) >= 3:
                        names.setdefault(name, f"a school or group of {path.name}")
    text = "\n".join(p.read_text("utf-8") for folder in TEXTS for p in sorted(folder.glob("*.txt")))
    for name in areas():
        core = name[:-1] if len(name) >= 3 and name[-1] in "省市区县" else None
        for form in (name, core):
            if form and len(form) >= 2 and form not in COMMON_WORDS | CORES_THAT_ARE_WORDS and form in text:
                names.setdefault(form, "an area named in the documents")
    return names


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    if not (SHARED / "realdocs" / "docs").is_dir():
        pytest.skip(f"the real development set is not at {SHARED / 'realdocs'}")
    return proper_names()


def test_the_checked_names_are_real(names):
    """The check has something to check: schools of the gold answers and areas of the texts."""
    assert sum(v.startswith("a school") for v in names.values()) > 50
    assert sum(v.startswith("an area") for v in names.values()) > 30


def test_no_pattern_names_a_school_or_place_of_the_documents(names):
    hits = sorted({(file, name, why) for file, s in pattern_strings() for name, why in names.items()
                   if name in s and s not in COMMON_WORDS})
    assert not hits, "\n".join(f"{file}: {name!r} ({why})" for file, name, why in hits)
