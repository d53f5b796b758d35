"""China's administrative divisions, from the table that ships with ``cpca`` (read directly,
without importing cpca and pandas): name → (level, province, city) and a finder that picks
the county- and city-level areas a text mentions.
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

#: Area names that are also common words in policy texts (城区 = "the urban area").
COMMON_WORDS = frozenset({"城区", "郊区", "矿区", "市区", "新区", "东区", "西区", "南区", "北区", "市中区"})
SUFFIX_CHARS = "区县市旗州盟"
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
