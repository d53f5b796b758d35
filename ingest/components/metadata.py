"""``pkb_metadata``: title, issuer, 文号, date, and the district the policy governs.

The title is a notice's 《title》 or the first headline of the page, read from the source lines
past the page furniture. The district is the area the text governs at its own level, as the
document writes it with its level suffix: the issuer's or the headline's area; else a zone or town
(新区, 高新区, 街道, 镇) that outweighs the areas that only qualify it; a province the text speaks
of as a whole; the city of many of its districts; else the most named county, then city; its
province comes from the gazetteer.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest import gazetteer
from ingest.components.spans import patterns, text_of

#: Only this much of a text is searched for short forms of area names.
SHORT_FORM_SPAN = 20000
#: Only this much of a long source line is read for a headline.
MAX_SOURCE_LINE = 2000
#: A headline may end with "!" or "?", never with these.
TITLE_END_PUNCT = "。,;:、"


@lru_cache(maxsize=1)
def _rx() -> dict:
    data = patterns("metadata")
    return {
        "doc_number": re.compile(data["doc_number"]),
        "notice": re.compile(data["notice"]),
        "issuer_in_title": re.compile(data["issuer_in_title"]),
        "letterhead": re.compile(data["letterhead"]),
        "signature_org": re.compile(data["signature_org"]),
        "date": re.compile(data["date"]),
        "not_title": re.compile("|".join(data["not_title"])),
        "header_lines": data["header_lines"],
        "title_max": data["title_max"],
        "school_after_short": re.compile(data["school_after_short"]),
        "common_word_freq": data["common_word_freq"],
        "headline_lines": data["headline_lines"],
        "title_min": data["title_min"],
        "frame": re.compile(data["frame"]),
        "body_start": re.compile(data["body_start"]),
        "glued_title": [re.compile(p) for p in data["glued_title"]],
        "continuation": re.compile(data["continuation"]),
        "continuation_max": data["continuation_max"],
        "province_wide": re.compile(data["province_wide"]),
        "issuer_line": re.compile(data["issuer_line"]),
        "local_voice": re.compile(data["local_voice"]),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _source_lines(original: str, limit: int) -> list[str]:
    """The first non-empty lines of the original text, each normalized on its own: a headline
    is not yet joined to the dateline or lead paragraph that a hard-wrap repair may glue on, and
    web-chrome lines are already gone."""
    from ingest.normalize import normalize

    out: list[str] = []
    for raw in original.split("\n", limit * 6)[:limit * 6]:
        if raw.strip():
            out += _lines(normalize(raw[:MAX_SOURCE_LINE]).text)
            if len(out) >= limit:
                break
    return out[:limit]


def _han_share(line: str) -> float:
    return sum("\u4e00" <= c <= "\u9fff" for c in line) / max(len(line), 1)


def _headline(lines: list[str], chinese: bool) -> tuple[str | None, str | None]:
    """(title, issuer) from the first lines of a page: the first line that reads as a headline,
    past the page furniture (site and newspaper names, page lines, bread-crumbs, datelines, login
    prompts, picture captions, bylines); a lead paragraph before any headline ends the search."""
    rx = _rx()
    issuer = None
    for i, line in enumerate(lines[:rx["headline_lines"]]):
        line = rx["frame"].sub("", line).strip()
        if not line or rx["not_title"].search(line) or rx["doc_number"].fullmatch(line):
            continue
        if chinese and _han_share(line) < 0.5:
            continue
        if rx["issuer_line"].fullmatch(line):            # an issuer's name on its own line
            issuer = issuer or line
            continue
        if rx["body_start"].match(line) or "。" in line or len(line) > rx["title_max"]:
            return _glued_title(line, issuer)
        if len(line) < rx["title_min"] or line[-1] in TITLE_END_PUNCT:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (nxt and len(nxt) <= rx["continuation_max"] and rx["continuation"].fullmatch(nxt)
                and len(line) + len(nxt) <= rx["title_max"]):
            line += nxt                                   # a headline broken before its last words
        return line, issuer
    return None, issuer


def _glued_title(line: str, issuer: str | None) -> tuple[str | None, str | None]:
    """(title, issuer) of a line that runs the title into the body, if it does."""
    dated, addressed = _rx()["glued_title"]
    m = dated.match(line)
    if m:
        return m["title"], m["issuer"] or issuer
    m = addressed.match(line)
    if m:     # the addressee (郑州市教育局) begins at the last area named before the ":"
        found = gazetteer.find_areas(m["title"])
        if found and found[-1][0] >= _rx()["title_min"] and len(m["title"]) - found[-1][1] <= 6:
            return m["title"][:found[-1][0]], issuer
    return None, issuer


def document_metadata(text: str, original: str | None = None) -> dict:
    """{"title", "issuer", "doc_number", "date"} of a normalized text (``original``: the text it
    came from, whose first lines are read for a headline); unknown values are None."""
    rx = _rx()
    lines = _lines(text)
    header = lines[:rx["header_lines"]]
    meta = {"title": None, "issuer": None, "doc_number": None, "date": None}
    for line in header:
        m = rx["doc_number"].search(line)
        if m and (len(line) - len(m.group()) <= 4):     # a 文号 stands on its own line
            meta["doc_number"] = m.group()
            break
    for i, line in enumerate(header):      # the notice line, or it broken over two lines
        m = rx["notice"].search(line) or (
            i + 1 < len(header) and rx["notice"].search(line + header[i + 1]))
        if m:
            meta["title"] = m.group("title").strip()
            if m.group("issuer"):
                meta["issuer"] = m.group("issuer").strip()
            break
    if meta["title"] is None:
        source = _source_lines(original, rx["header_lines"]) if original is not None else header
        chinese = _han_share(re.sub(r"\s", "", text[:2000])) >= 0.3
        meta["title"], issuer = _headline(source, chinese)
        meta["issuer"] = meta["issuer"] or issuer
    if meta["issuer"] is None:
        for line in header[:3]:
            m = rx["letterhead"].match(line)
            if m:
                meta["issuer"] = m.group("issuer")
                break
    if meta["issuer"] is None and meta["title"]:
        m = rx["issuer_in_title"].match(meta["title"])
        if m:
            meta["issuer"] = m.group("issuer")
    tail = lines[-6:]
    for i, line in enumerate(tail):
        m = rx["date"].fullmatch(line)
        if m:
            meta["date"] = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
            if meta["issuer"] is None and i > 0 and rx["signature_org"].match(tail[i - 1]):
                meta["issuer"] = tail[i - 1]
    return meta


@lru_cache(maxsize=1)
def _version_rx() -> dict:
    data = patterns("metadata")["version"]
    return {"status": [(code, re.compile(rx)) for code, rx in data["status"]],
            "body_draft": re.compile(data["body_draft"]), "body_lines": data["body_lines"],
            "in_force": re.compile(data["in_force"]), "on_issue": re.compile(data["in_force_on_issue"]),
            "valid_until": re.compile(data["valid_until"]), "valid_years": re.compile(data["valid_years"]),
            "repeals": [re.compile(rx) for rx in data["repeals"]]}


def _iso(y, m, d) -> str | None:
    """An ISO date, None when the day does not exist."""
    from datetime import date

    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def version_facts(text: str, meta: dict) -> dict:
    """The version facts a text states: ``status`` (draft, discussion_draft, revised, trial,
    interim; None for a final text), ``in_force`` (ISO date it is in force from), ``valid_until``
    and ``repeals`` (titles of the documents it repeals). A status is read from the title, a
    draft also from the opening lines; dates from the body (自…起施行, 自印发之日起施行 = the date
    of issue, 有效期至…/有效期N年)."""
    from ingest.numerals import parse_int

    rx = _version_rx()
    title = meta.get("title") or ""
    status = next((code for code, pattern in rx["status"] if pattern.search(title)), None)
    if status is None and rx["body_draft"].search("\n".join(_lines(text[:2000])[:rx["body_lines"]])):
        status = "draft"
    in_force = None
    m = rx["in_force"].search(text)
    if m:
        in_force = _iso(m["y"], m["m"], m["d"])
    elif rx["on_issue"].search(text):
        in_force = meta.get("date")
    until = None
    m = rx["valid_until"].search(text)
    if m:
        until = _iso(m["y"], m["m"], m["d"])
    elif in_force and (m := rx["valid_years"].search(text)):
        years = parse_int(m["n"])
        if years:
            until = _iso(int(in_force[:4]) + years, in_force[5:7], in_force[8:10])
    repeals = []
    for pattern in rx["repeals"]:
        for m in pattern.finditer(text):
            if m["title"] not in repeals and m["title"] != title:
                repeals.append(m["title"])
    return {"status": status, "in_force": in_force, "valid_until": until, "repeals": repeals}


LEVEL_RANK = {"town": 0, "zone": 1, "county": 1, "city": 2, "province": 3}


def _level(name: str, counts: Counter) -> str:
    area = gazetteer.resolve(name, counts)
    if area:
        return area.level
    return min((a.level for a in gazetteer.areas()[name]), key=LEVEL_RANK.__getitem__)


def _named_in(value: str, counts: Counter) -> list[tuple[int, str]]:
    """(position, full name) of the areas ``value`` names: full names, and the short forms of
    provinces and cities (广东, 南京) whose full name the text also writes, unless the short form
    begins a school's or group's name (南京第一中学) or labels a news item ("广东:…")."""
    found = [(s, name) for s, _, name in gazetteer.find_areas(value)]
    taken = {i for s, e, _ in gazetteer.find_areas(value) for i in range(s, e)}
    shorts = gazetteer.short_forms()
    school = _rx()["school_after_short"]
    i = 0
    while i < len(value):
        for length in (4, 3, 2):
            word = value[i:i + length]
            full = [n for n in shorts.get(word, ()) if n in counts
                    and gazetteer.areas()[n][0].level in ("province", "city")]
            if (len(full) == 1 and i not in taken
                    and not school.match(value, i + length)
                    and not value.startswith(":", i + length)):       # a "广东:" label
                found.append((i, full[0]))
                i += length - 1
                break
        i += 1
    return sorted(found)


def _subarea(text: str, counts: Counter) -> tuple[str | None, str | None]:
    """(name as written, parent) of the zone or town the text governs at its own level, if one
    outweighs every county- and city-level area that is not just its qualifier (钟祥市胡集镇)."""
    found = gazetteer.find_subareas(text)
    if not found:
        return None, None
    by_core: dict[str, list] = {}
    qualifier = Counter()
    for _, _, area in found:
        by_core.setdefault(area.core, []).append(area)
        if area.parent:
            qualifier[area.parent] += 1
    free = {n: c - qualifier[n] for n, c in counts.items()}
    county_free = max((c for n, c in free.items() if _level(n, counts) == "county"), default=0)
    city_free = max((c for n, c in free.items() if _level(n, counts) == "city"), default=0)
    winners = []
    for core, mentions in by_core.items():
        n = len(mentions)
        if mentions[0].level == "zone":
            wins = n > county_free and (n >= 2 or city_free == 0)
        else:
            wins = n >= 2 and n > max(county_free, city_free)
        if wins:
            winners.append(mentions)
    winners.sort(key=len, reverse=True)
    if not winners or (len(winners) > 1 and len(winners[1]) == len(winners[0])):
        return None, None                 # none, or two towns as often: the area above them
    best = winners[0]
    name = max((a.name for a in best), key=len)
    parent = next((a.parent for a in best if a.parent), None)
    return name, parent


def _city_of_many(pool: list[str], counts: Counter) -> str | None:
    """The city of three or more of its districts named equally often (a city-wide plan)."""
    ranked = sorted(pool, key=lambda n: -counts[n])
    if len(ranked) < 3 or counts[ranked[0]] != counts[ranked[1]]:
        return None
    cities = Counter(a.city for n in ranked for a in [gazetteer.resolve(n, counts)] if a)
    if not cities:
        return None
    city, n = cities.most_common(1)[0]
    return city if n >= 3 else None


@lru_cache(maxsize=4096)
def _common_word(word: str) -> bool:
    """Is ``word`` a frequent word of the jieba dictionary that is not tagged a place (资源, 合作)?"""
    import jieba
    import jieba.posseg

    from ingest.segmenter import setup
    setup()
    tag = jieba.posseg.dt.word_tag_tab.get(word)
    return tag != "ns" and jieba.dt.FREQ.get(word, 0) >= _rx()["common_word_freq"]


def _by_short_forms(text: str) -> str | None:
    """With no full name in the text: the area whose unique short form (广州, 电白) recurs most;
    short forms that are also common words (资源, 合作) do not count."""
    text = text[:SHORT_FORM_SPAN]
    present = gazetteer.short_forms_in(text)
    counts = Counter()
    for shorts in (gazetteer.short_names(), gazetteer.county_short_names()):
        for short, name in shorts.items():
            if short in present and not _common_word(short):
                counts[name] += text.count(short)
    if counts:
        (name, n), *rest = counts.most_common(2)
        if n >= 2 and (not rest or rest[0][1] < n):
            return name
    return _city_of_short_districts(text)


def _city_of_short_districts(text: str) -> str | None:
    """The city whose districts the text names by short forms only, three or more of them (福田、
    罗湖、南山…各培育…): a city-wide plan. Short forms that are common words do not count."""
    areas = gazetteer.areas()
    present = gazetteer.short_forms_in(text)
    cities: Counter = Counter()
    for short, names in gazetteer.short_forms().items():
        if short in present and not _common_word(short):
            cities.update({a.city for n in names for a in areas.get(n, ()) if a.level == "county" and a.city})
    if not cities:
        return None
    (city, n), *rest = cities.most_common(2)
    return city if n >= 3 and (not rest or rest[0][1] < n) else None


def document_district(text: str, meta: dict) -> tuple[str | None, str | None]:
    """(district as written, province) of the area the policy governs."""
    mentions = [name for _, _, name in gazetteer.find_areas(text)]
    counts = Counter(mentions)
    choice = None
    issuer = meta.get("issuer") or ""
    named = [n for _, n in _named_in(issuer, counts)]
    if named:
        choice = min(named, key=lambda n: LEVEL_RANK[_level(n, counts)])
    if choice is None and meta.get("title"):
        in_title = _named_in(meta["title"], counts)
        if in_title:
            choice = min(in_title, key=lambda p: (LEVEL_RANK[_level(p[1], counts)], -counts[p[1]],
                                                  -p[0]))[1]
        if choice and _level(choice, counts) == "province" and any(
                c >= counts[choice] for n, c in counts.items() if n != choice):
            choice = None       # a province's list or plan reported by one of its cities
    sub, parent = _subarea(text, counts)
    if sub and (choice is None or (choice == parent and not named)):    # not the issuer's own
        area = gazetteer.resolve(parent, counts) if parent else None
        return sub, (area.province or area.name) if area else _province_of(counts)
    if choice is None:
        choice = _province_wide(text, counts)
    if choice is None and counts:
        county = [n for n in counts if any(a.level == "county" for a in gazetteer.areas()[n])]
        choice = _city_of_many(county, counts) if county else None
        if choice is None:
            pool = county or list(counts)
            choice = min(pool, key=lambda n: (LEVEL_RANK[_level(n, counts)] == 3,
                                              -counts[n] if n in county else 0,
                                              LEVEL_RANK[_level(n, counts)], -counts[n]))
    if choice is None:
        choice = _by_short_forms(text)
    if choice is None:
        return None, None
    area = gazetteer.resolve(choice, counts) or gazetteer.resolve(choice, _short_counts(text) + counts)
    province = area.province if area else None
    if area and area.level == "province":
        province = area.name
    return choice, province


def _short_counts(text: str) -> Counter:
    """How often the text names each province and city by its short form (兰州晨报 → 兰州市)."""
    text = text[:SHORT_FORM_SPAN]
    present = gazetteer.short_forms_in(text)
    return Counter({name: text.count(short) for short, name in gazetteer.short_names().items()
                    if short in present and not _common_word(short)})


def _province_wide(text: str, counts: Counter) -> str | None:
    """The province of a text that speaks of the whole province (全省), not in a city's or
    county's voice (我市), and names it, in full or short form, more often than any of its cities
    or counties."""
    if not _rx()["province_wide"].search(text) or _rx()["local_voice"].search(text):
        return None
    shorts = _short_counts(text)
    provinces = Counter({n: c + shorts[n] for n, c in (shorts + counts).items()
                         if gazetteer.areas()[n][0].level == "province" and n in gazetteer.areas()})
    provinces = Counter({n: counts[n] + shorts[n] for n in provinces})
    if not provinces:
        return None
    name, n = provinces.most_common(1)[0]
    lower = max((c for m, c in counts.items() if m not in provinces), default=0)
    return name if n >= 2 and n > lower else None


def _province_of(counts: Counter) -> str | None:
    provinces = {a.province or a.name for n in counts for a in [gazetteer.resolve(n, counts)] if a}
    return provinces.pop() if len(provinces) == 1 else None


@Language.factory("pkb_metadata", requires=["doc._.structure"],
                  assigns=["doc._.metadata", "doc._.district", "doc._.province"])
def create_metadata_component(nlp: Language, name: str):
    return metadata_component


def metadata_component(doc: Doc) -> Doc:
    """Set ``doc._.metadata`` (title, issuer, 文号, date, version facts) and
    ``doc._.district``/``doc._.province``."""
    normalized = doc._.normalized
    meta = document_metadata(text_of(doc), normalized.original if normalized is not None else None)
    meta.update(version_facts(text_of(doc), meta))
    doc._.metadata = meta
    doc._.district, doc._.province = document_district(text_of(doc), meta)
    return doc
