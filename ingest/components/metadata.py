"""``pkb_metadata``: title, issuer, 文号, date, and the district the policy governs.

The district is the administrative area (with its 市/区/县 suffix, as the document writes it) that
the issuer, the title or, failing those, most mentions name; its province comes from the gazetteer.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest import gazetteer
from ingest.components.spans import patterns, text_of

SENTENCE_PUNCT = "。,;:!?"


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
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def document_metadata(text: str) -> dict:
    """{"title", "issuer", "doc_number", "date"} of a normalized text; unknown values are None."""
    rx = _rx()
    lines = _lines(text)
    header = lines[:rx["header_lines"]]
    meta = {"title": None, "issuer": None, "doc_number": None, "date": None}
    for line in header:
        m = rx["doc_number"].search(line)
        if m and (len(line) - len(m.group()) <= 4):     # a 文号 stands on its own line
            meta["doc_number"] = m.group()
            break
    for line in header:
        m = rx["notice"].search(line)
        if m:
            meta["title"] = m.group("title").strip()
            if m.group("issuer"):
                meta["issuer"] = m.group("issuer").strip()
            break
    if meta["title"] is None:
        for line in header[:5]:
            if rx["not_title"].search(line) or rx["doc_number"].fullmatch(line):
                continue
            if len(line) <= rx["title_max"] and line[-1] not in SENTENCE_PUNCT and len(line) >= 4:
                meta["title"] = line
            break
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


def document_district(text: str, meta: dict) -> tuple[str | None, str | None]:
    """(district as written, province) of the area the policy governs."""
    mentions = [name for _, _, name in gazetteer.find_areas(text)]
    if not mentions:
        return None, None
    counts = Counter(mentions)
    preferred = []
    for field in ("issuer", "title"):
        value = meta.get(field) or ""
        named = [name for _, _, name in gazetteer.find_areas(value)]
        preferred += named[::-1]          # the most specific (last) first
    level_rank = {"county": 0, "city": 1, "province": 2}

    def rank(name: str) -> tuple:
        area = gazetteer.resolve(name, counts)
        level = area.level if area else min((a.level for a in gazetteer.areas()[name]),
                                            key=level_rank.__getitem__)
        return (level == "province", -counts[name] if level == "county" else 0,
                level_rank[level], -counts[name])

    if preferred:
        choice = next((n for n in preferred if gazetteer.areas()[n][0].level != "province"), preferred[0])
    else:
        county = [n for n in counts if any(a.level == "county" for a in gazetteer.areas()[n])]
        pool = county or list(counts)
        choice = min(pool, key=rank)
    area = gazetteer.resolve(choice, counts)
    province = area.province if area else None
    if area and area.level == "province":
        province = area.name
    return choice, province


@Language.factory("pkb_metadata", requires=["doc._.structure"],
                  assigns=["doc._.metadata", "doc._.district", "doc._.province"])
def create_metadata_component(nlp: Language, name: str):
    return metadata_component


def metadata_component(doc: Doc) -> Doc:
    """Set ``doc._.metadata`` (title, issuer, 文号, date) and ``doc._.district``/``doc._.province``."""
    meta = document_metadata(text_of(doc))
    doc._.metadata = meta
    doc._.district, doc._.province = document_district(text_of(doc), meta)
    return doc
