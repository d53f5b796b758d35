"""The forms a district name takes in a question, and the cities and provinces around it.

:func:`place_of` reads a stored district name into its local names and containers,
:func:`district_forms` lists the forms a question may use for it. Rules and examples:
docs/query-side.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kb.ask import lexicon as lx

#: pseudo-cities of the table (the counties of a municipality lie in 市辖区)
_NOT_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass
class Place:
    """A stored district read into its local names and containers."""

    name: str
    locals: list[str] = field(default_factory=list)    # 雁塔区; 天府新区, 直管区
    city: str | None = None                             # 西安市; 钟祥市 for 胡集镇
    province: str | None = None                         # 陕西省
    wider: list[str] = field(default_factory=list)      # cities beyond ``city``: 荆门市 for 胡集镇

    @property
    def cities(self) -> list[str]:
        """Every city (or county-level city) the district lies in, nearest first."""
        return [c for c in [self.city, *self.wider] if c]


def _places() -> dict:
    return lx.lexicon().get("places", {})


@lru_cache(maxsize=1)
def levels() -> tuple[str, ...]:
    """Level suffixes, longest first (街道, 自治县 … 区, 县, 镇)."""
    words = _places().get("levels") or _places().get("suffixes", [])
    return tuple(sorted(set(words), key=len, reverse=True))


def level_of(name: str) -> str | None:
    """The level suffix ``name`` ends in (the longest), if any text is left before it."""
    return next((s for s in levels() if name.endswith(s) and len(name) > len(s)), None)


def stem_of(name: str) -> str | None:
    """``name`` without its level (雁塔区 → 雁塔, 莞城街道 → 莞城), when two characters remain and
    the name is not a generic area (高新区, 新区, 中心城区 have no stem)."""
    generic = set(_places().get("generic_areas", [])) | set(_places().get("not_places", []))
    if name in generic:
        return None
    suffix = level_of(name)
    stem = name[: -len(suffix)] if suffix else None
    return stem if stem and len(stem) >= 2 else None


@lru_cache(maxsize=1)
def _gazetteer() -> dict:
    try:
        from ingest.gazetteer import areas
        return areas()
    except Exception:   # noqa: BLE001 - without the table, names are matched as stored only
        return {}


@lru_cache(maxsize=1)
def _containers() -> dict[str, tuple[str, str]]:
    """Province and city names and stems → (full name, level) (西安 → (西安市, city))."""
    out: dict[str, tuple[str, str]] = {}
    for name, found in _gazetteer().items():
        for area in found:
            if area.level in ("province", "city") and name not in _NOT_CITIES:
                out.setdefault(name, (area.name, area.level))
    for name, (full, level) in list(out.items()):
        stem = name
        for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "盟", "地区"):
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                break
        if len(stem) >= 2 and stem not in out:
            out[stem] = (full, level)
    return out


def _strip_container(name: str) -> tuple[str, tuple[str, str] | None]:
    """(rest, (container, level)) for the longest province/city prefix leaving a name of its own."""
    table = _containers()
    for k in range(len(name) - 2, 1, -1):
        prefix, rest = name[:k], name[k:]
        if prefix in table and (stem_of(rest) or level_of(rest) and len(rest) >= 3 or rest in _generic()):
            return rest, table[prefix]
    return name, None


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(_places().get("generic_areas", []))


def _segments(name: str) -> list[str]:
    """天府新区成都直管区 → 天府新区, 成都直管区: cut after the first level suffix that leaves a
    stem of two characters, repeatedly."""
    out, rest = [], name
    while rest:
        cut = None
        for end in range(3, len(rest)):
            head = rest[:end]
            if level_of(head) and len(head) - len(level_of(head)) >= 2 and rest[end:] and level_of(rest[end:]):
                cut = end
                break
        if cut is None:
            out.append(rest)
            break
        out.append(rest[:cut])
        rest = rest[cut:]
    return out


def place_of(name: str, province: str | None = None) -> Place:
    """Read a stored district name (see the module docstring); ``province`` is the document's."""
    place = Place(name, province=province)
    table = _gazetteer()
    if name in table:
        locals_ = [name]
    else:
        locals_ = []
        rest = name
        while True:
            rest, container = _strip_container(rest)
            if container is None:
                break
            full, level = container
            if level == "province":
                place.province = place.province or full
            else:
                place.city = place.city or full
        for segment in _segments(rest):
            segment, container = _strip_container(segment)
            if container and container[1] == "city":
                place.city = place.city or container[0]
            locals_.append(segment)
    place.locals = [n for n in dict.fromkeys(locals_) if n]
    for local in [name] + place.locals:
        candidates = [a for a in table.get(local, []) if not place.province or a.province == place.province]
        if len(candidates) == 1:
            area = candidates[0]
            place.province = place.province or area.province
            if area.level == "county" and area.city not in _NOT_CITIES and not place.city:
                place.city = area.city
            break
    if place.city == name:
        place.city = None
    if place.province == name:
        place.province = None
    return place


def place_in_text(place: Place, text: str) -> Place:
    """A town or subdistrict (胡集镇, 莞城街道) has no row in the table: the county or city its
    document writes right before its name (钟祥市胡集镇, 东莞市莞城街道) becomes its ``city``, and
    that one's own city (荆门市) goes to ``wider``. Places with a city are returned unchanged."""
    if place.city or level_of(place.name) not in set(_places().get("minor_suffixes", [])):
        return place
    table = _gazetteer()
    names = [n for n in (place.name, stem_of(place.name)) if n]
    votes: dict[str, int] = {}
    for name in names:
        start = text.find(name)
        while start > 0:
            before = text[max(0, start - 12):start]
            for k in range(len(before) - 1):
                areas = [a for a in table.get(before[k:], []) if a.level in ("city", "county")
                         and (not place.province or a.province == place.province)]
                if len(areas) == 1:
                    votes[areas[0].name] = votes.get(areas[0].name, 0) + 1
                    break
            start = text.find(name, start + len(name))
    if not votes:
        return place
    found = max(votes, key=lambda n: (votes[n], len(n)))
    area = [a for a in table[found] if not place.province or a.province == place.province][0]
    place.city = found
    place.province = place.province or area.province
    if area.level == "county" and area.city not in _NOT_CITIES:
        place.wider = [area.city]
    return place


def province_stem(name: str) -> str:
    """上海市 → 上海, 甘肃省 → 甘肃, 广西壮族自治区 → 广西, 香港特别行政区 → 香港."""
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if suffix == "自治区":   # 广西壮族 / 宁夏回族 / 新疆维吾尔 / 内蒙古: the first two characters
                stem = stem if len(stem) <= 3 and not stem.endswith("族") else stem[:2]
            return stem
    return name


def city_stem(city: str) -> str | None:
    """西安市 → 西安 (two characters at least; none for an autonomous prefecture, whose ethnic
    names cannot be told from its place name without a list)."""
    if "自治" in city:
        return None
    for suffix in ("市", "地区", "盟", "州"):
        if city.endswith(suffix) and len(city) - len(suffix) >= 2:
            return city[: -len(suffix)]
    return None


def district_forms(place: Place) -> list[str]:
    """The Chinese forms a question may name ``place`` by (see the module docstring)."""
    not_places = set(_places().get("not_places", []))
    out = [place.name]
    qualifiers = [q for q in (place.city, city_stem(place.city) if place.city else None) if q]
    for local in place.locals:
        if local in not_places:
            continue
        local_stem = stem_of(local)
        out += [local] + ([local_stem] if local_stem else [])
        if qualifiers and local.startswith(qualifiers[-1]):
            continue      # 吉安县 in 吉安市: no 吉安吉安县
        for qualifier in qualifiers:
            out += [qualifier + local] + ([qualifier + local_stem] if local_stem else [])
    return [f for f in dict.fromkeys(out) if len(f) >= 2]
