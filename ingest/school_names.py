"""When two school names in one document mean the same school.

Documents name a school in full once (泉州市第七中学, 哈尔滨市第十七中学校) and by a short form
elsewhere (泉州七中, 七中; 市实验中学 for 漯河市实验中学). A name is split into the administrative
areas in front of it (full names or short forms from the gazetteer: 泉州市/泉州) and a core, and the
core is normalized (第七中学 → 七中, 中学校 → 中学, 初级中学 → 中学). Two names are the same school
when their cores agree and one's areas are a subset of the other's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ingest import gazetteer

CN_NUM = "零〇一二两三四五六七八九十百"
ORDINAL_MIDDLE = re.compile(rf"第([{CN_NUM}\d]+)(?:初级)?中学校?$")
ORDINAL_PRIMARY = re.compile(rf"第([{CN_NUM}\d]+)小学校?$")
SUFFIX_FORMS = [(re.compile(r"初级中学$"), "中学"), (re.compile(r"中学校$"), "中学"),
                (re.compile(r"小学校$"), "小学")]
MIN_CORE = 2          # a core shorter than this (中学) is not a name: keep the area in it


@lru_cache(maxsize=1)
def _short_forms() -> dict[str, str]:
    """Area short forms (泉州 for 泉州市, 安吉 for 安吉县) → the full name."""
    out = {}
    for name in gazetteer.areas():
        out.setdefault(name, name)
        stem = name[:-1]
        if len(stem) >= 2 and name[-1] in "市县区旗":
            out.setdefault(stem, name)
    return out


def _normalize_core(core: str) -> str:
    m = ORDINAL_MIDDLE.search(core)
    if m and m.start() == 0:
        return m.group(1) + "中"
    m = ORDINAL_PRIMARY.search(core)
    if m and m.start() == 0:
        return m.group(1) + "小"
    for pattern, replacement in SUFFIX_FORMS:
        core = pattern.sub(replacement, core)
    return core


@lru_cache(maxsize=4096)
def split_name(name: str) -> tuple[tuple[str, ...], str]:
    """(areas in front, normalized core) of a school name."""
    shorts = _short_forms()
    areas: list[str] = []
    rest = name
    while True:
        hit = None
        for length in range(min(10, len(rest) - 1), 1, -1):
            if rest[:length] in shorts:
                hit = length
                break
        if hit is None:
            break
        core = _normalize_core(rest[hit:])
        if len(core) < MIN_CORE or core in ("中学", "小学", "学校"):
            break
        areas.append(shorts[rest[:hit]])
        rest = rest[hit:]
    if rest[:1] in "市区县" and len(rest) > 3:
        rest = rest[1:]
    return tuple(areas), _normalize_core(rest)


def same_school(a: str, b: str) -> bool:
    """True when the names ``a`` and ``b`` denote the same school."""
    if a == b:
        return True
    areas_a, core_a = split_name(a)
    areas_b, core_b = split_name(b)
    if core_a != core_b:
        return False
    return set(areas_a) <= set(areas_b) or set(areas_b) <= set(areas_a)


def preferred(names: list[str]) -> str:
    """The fullest spelling among names of one school (the longest)."""
    return max(names, key=len)
