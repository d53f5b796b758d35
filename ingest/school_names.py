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
ORDINAL_MIDDLE = re.compile(rf"第([{CN_NUM}\d]+)(?:初级)?中学校?")
NUMBERED_MIDDLE = re.compile(rf"^([{CN_NUM}]+)中学校?$")          # 三十三中学 → 三十三中
ORDINAL_PRIMARY = re.compile(rf"第([{CN_NUM}\d]+)小学校?")
SUFFIX_FORMS = [(re.compile(r"初中学校$"), "初中"), (re.compile(r"高中学校$"), "高中"),
                (re.compile(r"初级中学$"), "中学"), (re.compile(r"中学校$"), "中学"),
                (re.compile(r"小学校$"), "小学")]
UNKNOWN_AREA = re.compile(r"[\u4e00-\u9fff]{1,5}(?:新区|区|县|市|镇|乡|街道)")
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
    """第七中学 → 七中 (also inside a name: 天府第七中学 → 天府七中, 第七中学初中学校 → 七中初中学校),
    中学校 → 中学 …"""
    core = NUMBERED_MIDDLE.sub(lambda m: m.group(1) + "中", core)
    core = ORDINAL_MIDDLE.sub(lambda m: m.group(1) + "中", core)
    core = ORDINAL_PRIMARY.sub(lambda m: m.group(1) + "小", core)
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
        # 银都紫藤初中 = 高新区银都紫藤初中: an area the gazetteer does not know in front
        return any(len(short) >= 3 and full.endswith(short) and UNKNOWN_AREA.fullmatch(full[:-len(short)])
                   for short, full in (sorted((core_a, core_b), key=len), sorted((a, b), key=len)))
    return set(areas_a) <= set(areas_b) or set(areas_b) <= set(areas_a)


def preferred(names: list[str]) -> str:
    """The fullest spelling among names of one school (the longest)."""
    return max(names, key=len)


def _subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)


def shortens(short: str, full: str) -> bool:
    """True when ``short`` is a short form of the school ``full``: its core starts like the
    full name's core and keeps its characters in order (高升 for 高升实验小学, 景山远洋 for 北京景山学校
    远洋分校, 局小 for 局前街小学), and its areas, if any, agree."""
    areas_s, core_s = split_name(short)
    areas_f, core_f = split_name(full)
    if areas_s and areas_f and not (set(areas_s) <= set(areas_f) or set(areas_f) <= set(areas_s)):
        return False
    area = UNKNOWN_AREA.match(core_s)          # 工业园区金鸡湖 for 金鸡湖学校
    for core, whole in ((core_s, core_f), (core_s[area.end():] if area else "", core_f), (short, full)):
        if len(core) >= 2 and whole.startswith(core[0]) and core != whole and _subsequence(core, whole):
            return True
    return False


def expand(short: str, names: list[str]) -> str | None:
    """The one school among ``names`` that ``short`` is a short form of (None: none or several)."""
    found: list[str] = []
    for name in names:
        if shortens(short, name) and not any(same_school(name, f) for f in found):
            found.append(name)
    # 静宁路 for 静宁路小学, not for its campuses 静宁路小学凤凰分校 …
    main = [f for f in found if all(g.startswith(f) for g in found)]
    return found[0] if len(found) == 1 else main[0] if len(main) == 1 else None
