"""China's administrative divisions, from the table that ships with ``cpca`` (read directly,
without importing cpca and pandas): name → (level, province, city), a finder that picks the
province-, city- and county-level areas a text mentions, short forms (广东 for 广东省), and the
levels the table lacks — zones (新区, 高新区, 开发区, 直管区) and towns (街道, 镇, 乡) — found by
the generic suffixes and rules of ``ingest/patterns/areas.toml``.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.errors import ExtractionError

try:
    import tomllib
except ModuleNotFoundError:   # Python 3.10
    import tomli as tomllib

AREAS_FILE = Path(__file__).with_name("patterns") / "areas.toml"

#: Area names that are also common words in policy texts (城区 = "the urban area").
COMMON_WORDS = frozenset({"城区", "郊区", "矿区", "市区", "新区", "东区", "西区", "南区", "北区", "市中区"})
SUFFIX_CHARS = "区县市旗州盟省"
MAX_NAME = 10
AUTONOMOUS = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,8}族)+自治(县|旗|州)$")


@dataclass(frozen=True)
class Area:
    name: str          # the official name, e.g. 肃南裕固族自治县
    level: str         # "province" | "city" | "county"
    adcode: str
    province: str | None
    city: str | None


def _table_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ExtractionError("the administrative-division table of the cpca package is missing",
                              hint="reinstall policykb's dependencies (pip install -e .)",
                              code="PKB-EXTRACT-GAZETTEER")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def areas() -> dict[str, list[Area]]:
    """Every name and short name (肃南县 for 肃南裕固族自治县) → the areas it can mean."""
    rows = []
    with _table_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.append((row["adcode"][:6], row["name"]))
    by_code = dict(rows)
    index: dict[str, list[Area]] = {}
    for code, name in rows:
        level = "province" if code[2:] == "0000" else "city" if code[4:] == "00" else "county"
        province = by_code.get(code[:2] + "0000")
        city = by_code.get(code[:4] + "00") if level == "county" else (name if level == "city" else None)
        area = Area(name, level, code, province, city)
        names = {name}
        m = AUTONOMOUS.match(name)
        if m:
            names.add(m.group(1) + m.group(2))
        for n in names:
            index.setdefault(n, []).append(area)
    return index


def find_areas(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every area name in ``text``, longest name at each end position."""
    index = areas()
    found = []
    last_end = -1
    for m in re.finditer(f"[{SUFFIX_CHARS}]", text):
        end = m.end()
        for length in range(min(MAX_NAME, end), 1, -1):
            name = text[end - length:end]
            if name in index and name not in COMMON_WORDS and end - length >= last_end:
                found.append((end - length, end, name))
                last_end = end
                break
    return found


def resolve(name: str, context: Counter | None = None) -> Area | None:
    """The area ``name`` means; ambiguous names are settled by the other areas ``context`` counts."""
    candidates = areas().get(name, [])
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if context:
        def support(area: Area) -> int:
            return sum(n for other, n in context.items() if other != name and any(
                o.name in (area.province, area.city) for o in areas().get(other, [])))
        ranked = sorted(candidates, key=support, reverse=True)
        if support(ranked[0]) > support(ranked[1]):
            return ranked[0]
    return None


# -- short forms and the levels the table lacks ------------------------------------------------

@dataclass(frozen=True)
class SubArea:
    name: str          # as the text writes it, e.g. 胡集镇, 成都高新区
    level: str         # "zone" | "town"
    core: str          # what tells two mentions of one area apart (天府新区 in 成都天府新区)
    parent: str | None  # the table's area written right before it (钟祥市 in 钟祥市胡集镇)
    anchored: bool     # an area name in front of it or an organ of it after it


@lru_cache(maxsize=1)
def _rules() -> dict:
    return tomllib.loads(AREAS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _all_short_forms() -> dict[str, set[str]]:
    """Short form → the full names it can stand for, over every level."""
    form = re.compile(_rules()["short_form"])
    out: dict[str, set[str]] = {}
    for name in areas():
        m = form.match(name) or (re.match(r"^(.{2,})[区县旗]$", name))
        if m:
            out.setdefault(m.group(1), set()).add(name)
    return out


def _unique_shorts(levels: tuple[str, ...]) -> dict[str, str]:
    index = areas()
    out = {}
    for short, names in _all_short_forms().items():
        meant = {a for n in names for a in index[n]}
        if len(meant) != 1 or short in index:
            continue
        area = next(iter(meant))
        if area.level in levels:
            out[short] = area.name
    return out


@lru_cache(maxsize=1)
def short_forms() -> dict[str, frozenset[str]]:
    """Every short form → the full names it may stand for (河南 → 河南省, 河南县)."""
    index = areas()
    return {short: frozenset(names) for short, names in _all_short_forms().items()
            if short not in index}


@lru_cache(maxsize=1)
def _short_form_automaton():
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for short in short_forms():
        automaton.add_word(short, short)
    automaton.make_automaton()
    return automaton


def short_forms_in(text: str) -> set[str]:
    """The short forms (of every level, see :func:`short_forms`) that occur in ``text``: one pass
    over the text instead of a search for each of the thousands of short forms."""
    return {short for _, short in _short_form_automaton().iter(text)}


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    """Short form → full name of the province- and city-level areas whose short form stands for
    one area only (广东 → 广东省, 成都 → 成都市; not 朝阳: 朝阳市 and 朝阳区)."""
    return _unique_shorts(("province", "city"))


@lru_cache(maxsize=1)
def county_short_names() -> dict[str, str]:
    """Short form → full name of the county-level areas whose short form stands for one area."""
    return _unique_shorts(("county",))


def _name_before(text: str, end: int, names) -> str | None:
    """The longest known name (full or short form) that ends at ``end``."""
    for length in range(min(MAX_NAME, end), 1, -1):
        if text[end - length:end] in names:
            return text[end - length:end]
    return None


@lru_cache(maxsize=1)
def _zone_prefixes() -> dict[str, str]:
    """Names that may stand before a zone's suffix or core → the full name they stand for:
    every full name, and the short forms of provinces and cities (西安 → 西安市, not 西安区)."""
    known = {n: n for n in areas()}
    for short, names in short_forms().items():
        upper = [n for n in names if areas()[n][0].level in ("province", "city")]
        if len(upper) == 1:
            known.setdefault(short, upper[0])
    return known


def _zones(text: str) -> list[tuple[int, int, SubArea]]:
    rules = _rules()["zone"]
    organs = _rules()["organs"]["after_area"]
    known = _zone_prefixes()
    suffix_rx = re.compile("|".join(map(re.escape, rules["suffixes"])))
    inner_rx = re.compile(rules["inner"])
    bad = set(_rules()["town"]["not_core_chars"])
    found = []
    for m in suffix_rx.finditer(text):
        s = m.start()
        prefix = _name_before(text, s, known)
        core = ""
        if prefix is None and s >= 2 and re.fullmatch("[\u4e00-\u9fff]{2}", text[s - 2:s]):
            core = text[s - 2:s]
            if core in rules["not_core"] or core in known or any(c in bad for c in core):
                continue
            prefix = _name_before(text, s - 2, known)
            if prefix is None and m.group() not in rules["bare_core_suffixes"]:
                continue
        if prefix is None and not core:
            continue
        start = s - len(core) - len(prefix or "")
        end = m.end()
        inner = inner_rx.match(text, end)
        if inner:
            end = inner.end()
        if text[start:end] in areas() or core + m.group() in areas():
            continue                         # a zone the table lists as a county (浦东新区)
        after = text[end:end + 8]
        anchored = prefix is not None or any(after.startswith(o) for o in organs)
        key = (core or (known.get(prefix, prefix) if prefix else "")) + m.group()
        parent = known.get(prefix) if prefix else None
        if parent and areas()[parent][0].level == "county":
            parent = None
        found.append((start, end, SubArea(text[start:end], "zone", key, parent, anchored)))
    return found


def _towns(text: str) -> list[tuple[int, int, SubArea]]:
    rules = _rules()["town"]
    index = areas()
    bad = set(rules["not_core_chars"])
    suffix_rx = re.compile("|".join(map(re.escape, rules["suffixes"])))
    found = []
    for m in suffix_rx.finditer(text):
        s = m.start()
        for core_len in range(rules["max_core"], 1, -1):
            core = text[s - core_len:s] if s >= core_len else ""
            if not core or any(c in bad for c in core) or not re.fullmatch("[\u4e00-\u9fff]+", core):
                continue
            parent = _name_before(text, s - core_len, index)
            if parent and parent not in COMMON_WORDS:
                found.append((s - core_len, m.end(), SubArea(core + m.group(), "town", core + m.group(),
                                                             parent, True)))
                break
        else:
            core = text[s - 2:s] if s >= 2 else ""
            after = text[m.end():m.end() + 6]
            if (len(core) == 2 and not any(c in bad for c in core)
                    and re.fullmatch("[\u4e00-\u9fff]+", core)
                    and any(after.startswith(o) for o in rules["organs"])):
                found.append((s - 2, m.end(), SubArea(core + m.group(), "town", core + m.group(),
                                                      None, True)))
    return found


def find_subareas(text: str) -> list[tuple[int, int, SubArea]]:
    """(start, end, area) of every zone and town the text names with an anchor — an area name in
    front of it or an organ after it — and every later mention of those names."""
    zones = _zones(text)
    anchored = [f for f in zones + _towns(text) if f[2].anchored]
    known_cores = {a.core for _, _, a in anchored}
    found = anchored + [f for f in zones if not f[2].anchored and f[2].core in known_cores]
    # plain mentions of an anchored town (胡集镇小学 after 钟祥市胡集镇)
    starts = {s for s, _, _ in found}
    for name in sorted({a.name for _, _, a in anchored if a.level == "town"}):
        for m in re.finditer(re.escape(name), text):
            if m.start() not in starts:
                found.append((m.start(), m.end(), SubArea(name, "town", name, None, False)))
                starts.add(m.start())
    return sorted(found, key=lambda f: f[0])
