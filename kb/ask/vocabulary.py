"""What a question can name, as one look-up table of wordings → senses.

Concept labels and question words (built once per process) plus the names in the store
(:func:`build`; kept per store view by :mod:`kb.ask.store_vocabulary`). Sources and keys:
docs/query-side.md.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from kb import queries
from kb.ask import lexicon as lx
from kb.citations import DocumentTexts
from kb.ask.places import (Place, city_stem, district_forms, level_of, place_in_text, place_of, province_stem,
                           stem_of)
from kb.ask.text import english_key, is_cjk, normalize
from kb.obligations import code
from kb.store.base import Store

CONCEPT_SCHEMES = ("actor", "category", "period", "modality", "model", "kind")


@dataclass(frozen=True)
class Sense:
    """One meaning of a wording: ``dim`` (``actor``, ``district``, ``cue`` …) and its ``value``.

    Concept dims (``actor``, ``category``, ``period``, ``modality``, ``model``, ``kind``) carry a
    contract code; ``district``/``city``/``province`` a name as the store writes it (a city or
    province stands for the districts the store places inside it); ``group`` a group IRI;
    ``school`` a school name; ``role`` a school's role in a group (``lead_school`` or
    ``member_school``); ``cue`` one of ``obligation``, ``constraint``, ``group``-listing
    ``which``, ``where``, ``frequency``, ``meeting``, ``meeting_noun``, ``school_noun``; ``group_noun`` a pair
    ``(noun, models)`` — the Chinese noun group names contain and the model codes it narrows to,
    both empty for a generic noun (集团, group); ``kindcue`` a constraint kind named inside a constraint
    question.
    """

    dim: str
    value: object


class Senses(Mapping):
    """Wordings → senses, kept compact: each wording maps to a sense number (or a tuple of them,
    for a wording of several senses) into ``pairs``, a list of ``(dim, value)`` shared by the
    tables of one :class:`Index`; a :class:`Sense` is made when a question looks it up. A table
    read back from disk (:mod:`kb.ask.store_vocabulary`) holds its Chinese wordings in a
    :class:`kb.ask.packed.PackedTable` instead of a dict."""

    def __init__(self, table: dict | None = None, pairs: list | None = None, numbers: dict | None = None):
        self.table = {} if table is None else table
        self.pairs = [] if pairs is None else pairs
        self._numbers = numbers      # (dim, value) → its number in pairs; shared while building
        self._made: dict[int, Sense] = {}

    def add(self, key, dim: str, value) -> None:
        numbers = self._numbers
        if numbers is None:
            numbers = self._numbers = {pair: n for n, pair in enumerate(self.pairs)}
        n = numbers.get((dim, value))
        if n is None:
            n = numbers[(dim, value)] = len(self.pairs)
            self.pairs.append((dim, value))
        held = self.table.get(key)
        if held is None:
            self.table[key] = n
        elif type(held) is tuple:
            if n not in held:
                self.table[key] = held + (n,)
        elif held != n:
            self.table[key] = (held, n)

    def _sense(self, n: int) -> Sense:
        sense = self._made.get(n)
        if sense is None:
            sense = self._made[n] = Sense(*self.pairs[n])
        return sense

    def __getitem__(self, key) -> set[Sense]:
        held = self.table[key]
        return {self._sense(n) for n in held} if type(held) is tuple else {self._sense(held)}

    def get(self, key, default=None):
        return self[key] if key in self.table else default

    def __contains__(self, key) -> bool:
        return key in self.table

    def __iter__(self):
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def longest(self) -> int:
        """The length of the longest wording (a packed table knows it without reading them)."""
        longest = getattr(self.table, "longest", None)
        return longest if longest is not None else max(map(len, self.table), default=0)


class Index:
    """Wordings → senses: ``zh`` keyed by normalized text, ``en`` by tuples of word stems."""

    def __init__(self, zh: Mapping | None = None, en: Mapping | None = None):
        if zh is None and en is None:
            pairs, numbers = [], {}
            zh, en = Senses(pairs=pairs, numbers=numbers), Senses(pairs=pairs, numbers=numbers)
        self.zh, self.en = zh, en

    def add(self, wording: str, sense: Sense) -> None:
        if not wording or not wording.strip():
            return
        if is_cjk(wording):
            self.zh.add(normalize(wording), sense.dim, sense.value)
        else:
            key = english_key(wording, lx.irregular())
            if key:
                self.en.add(key, sense.dim, sense.value)

    @property
    def max_zh(self) -> int:
        return self.zh.longest()

    @property
    def max_en(self) -> int:
        return self.en.longest()


class Layers(Mapping):
    """Wordings → senses read from several tables at once (the concepts', the store's names):
    a wording's senses are those of every table that holds it."""

    def __init__(self, *tables: Mapping):
        self.tables = tables

    def __getitem__(self, key):
        found: set[Sense] = set()
        for table in self.tables:
            found.update(table.get(key, ()))
        if not found:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        return any(key in table for table in self.tables)

    def __iter__(self):
        return iter(dict.fromkeys(itertools.chain.from_iterable(self.tables)))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class GroupInfo(NamedTuple):
    """A school group as the store holds it (a named tuple: a saved vocabulary makes tens of
    thousands of them when it is read)."""

    iri: str
    doc: str
    district: str
    name: str | None
    models: tuple[str, ...]
    lead_schools: tuple[str, ...]
    member_schools: tuple[str, ...]

    @property
    def display(self) -> str:
        """The name, or 牵头校等 for a group the document does not name."""
        if self.name:
            return self.name
        schools = self.lead_schools + self.member_schools
        return "、".join(schools[:3]) + ("等" if len(schools) > 3 else "") or "(unnamed group)"


@dataclass
class StoreTerms:
    """The names a question may use for things in the store."""

    documents: dict[str, dict] = field(default_factory=dict)        # doc IRI → {title, district, province}
    districts: dict[str, list[str]] = field(default_factory=dict)   # district → doc IRIs
    provinces: dict[str, list[str]] = field(default_factory=dict)   # province → districts
    cities: dict[str, list[str]] = field(default_factory=dict)      # city → districts inside it
    places: dict[str, Place] = field(default_factory=dict)          # district → its local names, city
    groups: dict[str, GroupInfo] = field(default_factory=dict)      # group IRI → info
    schools: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name → [(group, role)]
    document_models: dict[str, set[str]] = field(default_factory=dict)  # doc IRI → model codes

    def docs_with_model(self, model: str) -> set[str]:
        """Documents that adopt ``model`` or hold a group of that model."""
        docs = {d for d, models in self.document_models.items() if model in models}
        return docs | {g.doc for g in self.groups.values() if model in g.models}


@dataclass
class Vocabulary:
    """Everything the interpreter looks words up in, for one store: ``names`` (the store's names,
    what :mod:`kb.ask.store_vocabulary` saves) over the concepts' :func:`concept_index`."""

    names: Index
    terms: StoreTerms
    index: Index = field(init=False)
    max_zh: int = field(init=False)
    max_en: int = field(init=False)

    def __post_init__(self) -> None:
        concepts = concept_index()
        self.index = Index(Layers(concepts.zh, self.names.zh), Layers(concepts.en, self.names.en))
        self.max_zh = max(concepts.max_zh, self.names.max_zh)
        self.max_en = max(concepts.max_en, self.names.max_en)


# --------------------------------------------------------------------------- concepts


@lru_cache(maxsize=1)
def concept_index() -> Index:
    """The store-independent part: ontology labels and lexicon question words."""
    from ontology import labels

    index = Index()
    ignore = lx.lexicon().get("ignore", {})
    for scheme in CONCEPT_SCHEMES:
        skip = {normalize(w) for w in ignore.get(scheme, [])}
        for notation, concept in labels(scheme).items():
            wordings = [concept["prefLabel"].get("zh"), concept["prefLabel"].get("en"),
                        *concept["altLabel"].get("zh", []), *concept["altLabel"].get("en", [])]
            for wording in wordings:
                if wording and normalize(wording) not in skip:
                    index.add(wording, Sense(scheme, notation))
    lex = lx.lexicon()
    for scheme in ("modality", "period", "model"):
        for notation, wordings in lex.get(scheme, {}).items():
            for wording in wordings:
                index.add(wording, Sense(scheme, notation))
    for wording in lx.words("frequency", "cues"):
        index.add(wording, Sense("cue", "frequency"))
    for wording in lx.words("meeting", "nouns"):
        index.add(wording, Sense("cue", "meeting_noun"))
    for wording in lx.words("meeting", "cues"):
        index.add(wording, Sense("cue", "meeting"))
    for cue in ("obligation", "obligation_weak", "constraint", "which", "where"):
        for wording in lx.words("result", cue):
            index.add(wording, Sense("cue", cue))
    nouns = lex.get("group_nouns", {})
    for wording in nouns.get("generic", []):
        index.add(wording, Sense("group_noun", ("", ())))
    for wording, models in nouns.get("kinds", {}).items():
        noun = normalize(wording) if is_cjk(wording) else ""
        index.add(wording, Sense("group_noun", (noun, tuple(models))))
    for wording in lx.words("school_nouns", "words"):
        index.add(wording, Sense("cue", "school_noun"))
    for role, wordings in lex.get("school_roles", {}).items():
        for wording in wordings:
            index.add(wording, Sense("role", role))
    for kind, wordings in lex.get("constraint_kinds", {}).items():
        for wording in wordings:
            index.add(wording, Sense("kindcue", kind))
    return index


# --------------------------------------------------------------------------- store names


def _suffix(name: str, suffixes: list[str]) -> str | None:
    return next((s for s in _longest_first(tuple(suffixes)) if name.endswith(s) and len(name) > len(s)), None)


@lru_cache(maxsize=64)
def _longest_first(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(suffixes, key=len, reverse=True))


def _pinyin_forms(stem: str) -> list[str]:
    """Pinyin spellings of a place name: the phrase reading first, then other readings of its
    characters (漯河 → tahe, luohe: pypinyin's phrase reading of 漯 is not the place's)."""
    try:
        from pypinyin import Style, lazy_pinyin, pinyin
    except ImportError:  # optional: without it districts are matched in Chinese only
        return []
    forms = ["".join(lazy_pinyin(stem, errors="ignore"))]
    readings = [pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore") for ch in stem]
    if all(r and r[0] for r in readings):
        for combo in itertools.islice(itertools.product(*[r[0][:2] for r in readings]), 8):
            forms.append("".join(combo))
    return [f for f in dict.fromkeys(forms) if f.isascii() and f.isalpha()]


def district_wordings(name: str) -> list[str]:
    """宝塔区 → 宝塔区, 宝塔, baota, baota district, baotaqu (stems of one character are not used alone;
    the levels are those of ``[places].levels``: 莞城街道 → 莞城, guancheng subdistrict)."""
    places = lx.lexicon().get("places", {})
    out = [name]
    suffix = level_of(name)
    stem = name[: -len(suffix)] if suffix else name
    if suffix and len(stem) >= 2 and stem_of(name):
        out.append(stem)
    english = places.get("english_suffixes", {}).get(suffix or "", "")
    for spelled in _pinyin_forms(stem):
        if len(stem) >= 2:
            out.append(spelled)
        if english:
            out.append(f"{spelled} {english}")
    if suffix:
        out.extend(_pinyin_forms(name))   # linxian
    return list(dict.fromkeys(out))


def place_wordings(place: Place) -> list[str]:
    """Every form of a stored district (:func:`kb.ask.places.district_forms`) and the pinyin of its
    local names (西安市雁塔区 → 雁塔区, 雁塔, 西安雁塔, yanta, yanta district …)."""
    out = district_forms(place)
    for local in dict.fromkeys(place.locals or [place.name]):
        if stem_of(local) or local == place.name:
            out += [w for w in district_wordings(local) if not is_cjk(w)]
    return list(dict.fromkeys(out))


def city_wordings(city: str) -> list[str]:
    """西安市 → 西安市, 西安, xian, xian city: a city the store holds districts of."""
    stem = city_stem(city)
    out = [city] + ([stem] if stem else [])
    for spelled in _pinyin_forms(stem or city):
        out += [spelled, f"{spelled} city"]
    return out


def province_wordings(name: str) -> list[str]:
    """甘肃省 → 甘肃省, 甘肃, gansu, gansu province; 上海市 → 上海; 广西壮族自治区 → 广西."""
    stem = province_stem(name)
    suffix = stem != name
    out = [name] + ([stem] if suffix and len(stem) >= 2 else [])
    for spelled in _pinyin_forms(stem):
        out += [spelled, f"{spelled} province"]
    return out


@lru_cache(maxsize=65536)
def school_wordings(name: str, district: str) -> tuple[str, ...]:
    """市实验中学 in 漯河市 → 市实验中学, 实验中学, 漯河市实验中学, 漯河实验中学."""
    places = lx.lexicon().get("places", {})
    generic = set(places.get("not_schools", []))
    suffix = _suffix(district, places.get("suffixes", [])) if district else None
    stem = district[: -len(suffix)] if suffix else district
    prefixes = [p for p in (district, stem if len(stem) >= 2 else "") if p]
    out = {name}
    bare = name   # without a place prefix: 临县南关小学 → 南关小学, 市实验中学 → 实验中学
    for prefix in sorted(set(prefixes) | {"市", "县", "区"}, key=len, reverse=True):
        if name.startswith(prefix) and len(name) - len(prefix) >= 3:
            bare = name[len(prefix):]
            break
    out.add(bare)
    if not any(name.startswith(p) for p in prefixes):
        for prefix in prefixes:   # 漯河市实验中学, 漯河实验中学
            out.add(prefix + bare)
    return tuple(sorted(w for w in out if w not in generic and len(w) >= 3))


def group_wordings(group: GroupInfo) -> list[str]:
    """Full name, short forms and lead school + suffix (张掖中学教育集团, 张掖中学集团 …)."""
    families = lx.lexicon().get("groups", {}).get("families", [["教育集团", "集团"]])
    out: set[str] = set()
    family, core = families[0], None
    if group.name:
        out.add(group.name)
        for fam in families:
            suffix = _suffix(group.name, fam)
            if suffix:
                family, core = fam, group.name[: -len(suffix)]
                break
    bases: set[str] = set()
    if core and len(core) >= 2:
        bases |= {core, *school_wordings(core, group.district)}
    for school in group.lead_schools:
        bases |= {school, *school_wordings(school, group.district)}
    for base in bases:
        for suffix in family:
            out.add(base + suffix)
    return sorted(out)


def load_terms(store: Store, documents: int | None = None) -> StoreTerms:
    """Read districts, provinces, groups and schools: every document's name index in one query
    (``ask_name_index``, docs/rdf-model.md); a store holding documents written before the index
    is read with the four flat queries instead (:func:`_rows_by_queries`). ``documents``: how many
    documents the store holds, when the caller has just counted them (else they are counted here)."""
    rows = _rows_from_index(store, documents)
    return _terms_from_rows(store, *(rows if rows is not None else _rows_by_queries(store)))


def _rows_from_index(store: Store, count: int | None = None):
    """(documents, groups, schools, models) rows from the name indexes; None if a document has none
    (``count``: how many documents the store holds, if known)."""
    indexes = queries.run(store, "ask_name_index").rows
    if count is None:
        count = len(queries.run(store, "ask_store_stamp").rows)
    if len(indexes) != count:
        return None
    documents, groups, schools, models = [], [], [], []
    for row in indexes:
        doc, index = str(row["doc"]), json.loads(str(row["index"]))
        documents.append({"doc": doc, "district": index.get("district") or "", "province": index.get("province"),
                          "title": index.get("title")})
        models += [{"doc": doc, "code": m} for m in index.get("models") or ()]
        for g in index.get("groups") or ():
            groups += [{"doc": doc, "group": g["iri"], "groupName": g.get("name"), "model": m}
                       for m in (g.get("models") or [None])]
            schools += [(g["iri"], role, name) for role, key in (("lead_school", "lead"), ("member_school", "members"))
                        for name in g.get(key) or ()]
    return documents, groups, schools, models


def _rows_by_queries(store: Store):
    """(documents, groups, schools, models) rows read by ``documents_in_district``,
    ``ask_term_groups``, ``ask_term_schools`` and ``document_models`` (flat queries, no ordering)."""
    groups = [dict(r, model=code(r.get("model"))) for r in queries.run(store, "ask_term_groups").rows]
    schools = [(str(r["group"]), code(r["role"]), str(r["school"])) for r in queries.run(store, "ask_term_schools").rows]
    return (queries.run(store, "documents_in_district").rows, groups, schools,
            queries.run(store, "document_models").rows)


def _terms_from_rows(store: Store, document_rows, group_rows, school_rows, model_rows) -> StoreTerms:
    """The :class:`StoreTerms` of those rows, sorted here (one query joining them all took seconds
    per thousand documents)."""
    terms = StoreTerms()
    documents = sorted(document_rows, key=lambda r: (str(r.get("district") or ""), str(r["doc"])))
    district_of: dict[str, str] = {}
    for row in documents:
        doc, district = str(row["doc"]), str(row.get("district") or "")
        district_of[doc] = district
        terms.documents.setdefault(doc, {"title": row.get("title"), "district": district,
                                         "province": row.get("province")})
        if district and doc not in terms.districts.setdefault(district, []):
            terms.districts[district].append(doc)
        province = row.get("province")
        if province and district and district not in terms.provinces.setdefault(province, []):
            terms.provinces[province].append(district)
    _place_districts(store, terms)
    members: dict[str, dict] = {}
    group_rows = sorted(group_rows, key=lambda r: (district_of.get(str(r["doc"]), ""), str(r["doc"]), str(r["group"])))
    for row in group_rows:
        doc = str(row["doc"])
        entry = members.setdefault(str(row["group"]), {
            "doc": doc, "district": district_of.get(doc, ""), "name": row.get("groupName"), "models": set(),
            "lead_school": [], "member_school": []})
        if row.get("model"):
            entry["models"].add(str(row["model"]))
    for group, role, school in sorted(school_rows, key=lambda t: (t[1], t[2])):
        entry = members.get(group)
        if entry is not None and role in ("lead_school", "member_school") and school not in entry[role]:
            entry[role].append(school)
    for row in model_rows:
        terms.document_models.setdefault(str(row["doc"]), set()).add(str(row["code"]))
    for iri, e in members.items():
        terms.groups[iri] = GroupInfo(iri, e["doc"], e["district"], e["name"], tuple(sorted(e["models"])),
                                      tuple(e["lead_school"]), tuple(e["member_school"]))
        for role in ("lead_school", "member_school"):
            for school in e[role]:
                terms.schools.setdefault(school, []).append((iri, role))
    return terms


def _place_districts(store: Store, terms: StoreTerms) -> None:
    """Read each district's local names and containers (a town's from its first document's text,
    every town's text in one request: :class:`kb.citations.DocumentTexts`); file it under its cities
    and province."""
    province_of = {d: p for p, districts in terms.provinces.items() for d in districts}
    minor = set(lx.words("places", "minor_suffixes"))
    places = {district: place_of(district, province_of.get(district)) for district in terms.districts}
    towns = {d: docs[0] for d, docs in terms.districts.items()
             if docs and not places[d].city and level_of(d) in minor}
    texts = DocumentTexts(store)
    texts.load(towns.values())          # one request on a server
    for district, docs in terms.districts.items():
        place = places[district]
        if district in towns:
            place = place_in_text(place, texts.text(towns[district]))
        terms.places[district] = place
        for city in place.cities:
            if district not in terms.cities.setdefault(city, []):
                terms.cities[city].append(district)
        if place.province and district not in terms.provinces.setdefault(place.province, []):
            terms.provinces[place.province].append(district)


def build(terms: StoreTerms) -> Vocabulary:
    """The full table: :func:`concept_index` plus the names of ``terms``."""
    index = Index()
    for district in terms.districts:
        place = terms.places.get(district) or place_of(district)
        for wording in place_wordings(place):
            index.add(wording, Sense("district", district))
    for city in terms.cities:
        for wording in city_wordings(city):
            index.add(wording, Sense("city", city))
    for province in terms.provinces:
        for wording in province_wordings(province):
            index.add(wording, Sense("province", province))
    for school, memberships in terms.schools.items():
        districts = {terms.groups[g].district for g, _ in memberships}
        for district in districts:
            for wording in school_wordings(school, district):
                index.add(wording, Sense("school", school))
    for group in terms.groups.values():
        for wording in group_wordings(group):
            index.add(wording, Sense("group", group.iri))
    return Vocabulary(index, terms)
