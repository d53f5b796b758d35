"""Turn a question into filters: :func:`interpret` (store, question) → :class:`Interpretation`.

Owns the reading of a question: the sense of each wording, the kind of result, the documents it
narrows to and what is left over; a question it cannot read gets an error and suggestions. The
rules, step by step: docs/query-side.md.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kb.ask import lexicon as lx
from kb.ask.matcher import Leftover, Match, scan
from kb.ask.model import Filters, Interpretation, Note, concept_label
from kb.ask.store_vocabulary import vocabulary_for
from kb.ask.text import is_cjk, normalize
from kb.ask.vocabulary import Vocabulary
from kb.errors import InterpretationError
from kb.obligations import PERIOD_ZH
from kb.store.base import Store

MAX_QUESTION_CHARS = 500
STRONG_CUES = {"obligation", "constraint", "frequency", "meeting_noun"}


def interpret(store: Store, question: str) -> Interpretation:
    """Read ``question`` against the vocabulary of ``store`` (see the module docstring)."""
    return interpret_with(vocabulary_for(store), question)


def interpret_with(vocabulary: Vocabulary, question: str) -> Interpretation:
    """:func:`interpret` with a vocabulary already at hand (tests, batch callers)."""
    question = question if isinstance(question, str) else str(question or "")
    normalized = normalize(question)
    interpretation = Interpretation(question, normalized)
    if not normalized:
        return _fail(interpretation, vocabulary, "PKB-ASK-EMPTY", "the question is empty")
    if len(normalized) > MAX_QUESTION_CHARS:
        return _fail(interpretation, vocabulary, "PKB-ASK-TOO-LONG",
                     f"the question is longer than {MAX_QUESTION_CHARS} characters")
    matches, leftovers = scan(normalized, vocabulary)
    interpretation.matched = [
        {"text": m.text, "span": [m.start, m.end],
         "senses": [{"dim": s.dim, "value": list(s.value) if isinstance(s.value, tuple) else s.value}
                    for s in sorted(m.senses, key=lambda s: (s.dim, str(s.value)))]}
        for m in matches]
    return _Reading(vocabulary, interpretation, matches, leftovers).resolve()


class _Reading:
    """The senses found in one question, and the rules that decide between them."""

    def __init__(self, vocabulary: Vocabulary, interpretation: Interpretation, matches: list[Match],
                 leftovers: list[Leftover]) -> None:
        self.vocabulary, self.terms = vocabulary, vocabulary.terms
        self.out, self.matches, self.leftovers = interpretation, matches, leftovers
        self.cues = {s.value for m in matches for s in m.senses if s.dim == "cue"}
        if any(re.search(p, interpretation.normalized) for p in lx.words("result", "obligation_patterns")):
            self.cues.add("obligation_weak")

    def values(self, dim: str, matches: list[Match] | None = None) -> list:
        seen: dict = {}
        for m in self.matches if matches is None else matches:
            for value in m.values(dim):
                seen.setdefault(value, None)
        return list(seen)

    # ------------------------------------------------------------------ the rules

    def resolve(self) -> Interpretation:
        out, f, notes = self.out, Filters(), self.out.notes
        constraint_ctx = bool(self.values("kind")) or "constraint" in self.cues

        # concepts, with the meeting and constraint-kind rules
        categories = []
        for m in self.matches:
            for value in m.values("category"):
                if constraint_ctx and m.has("kindcue"):
                    continue   # 经费 in 经费渠道不变 is a constraint kind, not the funding category
                categories.append(value)
        actor_matches = [m for m in self.matches if m.has("actor")]
        meeting_nouns = [m for m in actor_matches if m.has("cue", "meeting_noun")]
        actor_matches = [m for m in actor_matches if m not in meeting_nouns]
        if meeting_nouns:
            categories.append("meeting")
        council = [m for m in actor_matches if m.has("actor", "group_council") and len(m.values("actor")) == 1]
        asks_meeting = "meeting" in self.cues or "frequency" in self.cues or "meeting" in categories
        if council and asks_meeting and set(categories) <= {"meeting"}:
            categories.append("meeting")
            actor_matches = [m for m in actor_matches if m not in council]
            notes.append(Note(f"“{council[0].text}”按会议类别理解（其召开的会议）",
                              f"“{council[0].text}” read as the meeting category (the meetings it holds)"))
        if meeting_nouns:
            notes.append(Note(f"“{meeting_nouns[0].text}”按会议类别理解，不限于某一角色",
                              f"“{meeting_nouns[0].text}” read as the meeting category, not only the council"))
        f.categories = list(dict.fromkeys(categories))
        f.periods = self.values("period")
        wider = [c for c in covered_periods(f.periods) if c not in f.periods]
        if wider:
            names = "、".join(PERIOD_ZH.get(p, p) for p in wider)
            notes.append(Note(f"{'、'.join(PERIOD_ZH.get(p, p) for p in f.periods)}也包括{names}的条款",
                              f"{', '.join(f.periods)} also covers clauses recurring every {', '.join(wider)}"))
        f.modalities = self.values("modality")
        f.frequency = "frequency" in self.cues
        kinds = self.values("kind") + (self.values("kindcue") if constraint_ctx else [])
        f.constraint_kinds = list(dict.fromkeys(kinds))

        # places, groups, schools, models
        f.districts = self._districts()
        group_iris = self.values("group")
        f.schools = self.values("school")
        noun_matches = [m for m in self.matches if m.has("group_noun")]
        kinds_of_group = [v for m in noun_matches for v in m.values("group_noun") if v[1]]
        f.group_kinds = [{"noun": noun, "models": list(models)} for noun, models in dict.fromkeys(kinds_of_group)]
        f.models = self.values("model")
        f.places = "where" in self.cues

        # the kind of result
        strong = bool(f.modalities or f.periods or f.categories or f.frequency)
        wants_clauses = strong or "obligation" in self.cues or "obligation_weak" in self.cues
        specific_actor_matches = [m for m in actor_matches
                                  if not (m.has("group_noun") or m.has("cue", "school_noun"))]
        group_targets = bool(noun_matches or "school_noun" in self.cues or group_iris or f.schools or f.models
                             or self.values("role"))
        if (f.constraint_kinds or "constraint" in self.cues) and not strong:
            kind = "constraint"
        elif group_targets and not wants_clauses and not specific_actor_matches:
            kind = "group"
        else:
            kind = "obligation"

        # actors (only clauses have actors)
        actors = [a for m in actor_matches for a in m.values("actor")]
        actors = list(dict.fromkeys(actors))
        if "group" in actors and len(actors) > 1 or "group" in actors and group_iris:
            generic = all(m.has("group_noun") or not m.has("actor", "group") for m in actor_matches)
            if generic:
                actors.remove("group")
        f.actors = actors if kind == "obligation" else []

        # groups, and the documents the question is limited to
        groups = [self.terms.groups[g] for g in group_iris if g in self.terms.groups]
        if kind == "group" and f.schools:
            groups += self._groups_of_schools(f.schools, self.values("role"))
        if f.districts and groups:
            inside = [g for g in groups if g.district in f.districts]
            if len(inside) < len(groups):
                names = "、".join(sorted({g.display for g in groups if g not in inside}))
                notes.append(Note(f"{names}不在所问区域内", f"{names} is not in the district asked about"))
            groups = inside or groups[:0]
        f.groups = [{"iri": g.iri, "name": g.display, "district": g.district, "document": g.doc}
                    for g in dict.fromkeys(groups)]
        f.documents = self._documents(f, kind, groups)

        understood = (f.actors or f.categories or f.periods or f.modalities or f.models
                      or f.constraint_kinds or f.districts or group_iris or f.schools or noun_matches
                      or self.cues & STRONG_CUES or actors)
        unknown, unknown_schools = self._unknown_names()
        located = f.districts or group_iris or f.schools
        if unknown and not located:
            unknown, located = self._wider_districts(unknown, f)
        if unknown and not located or unknown_schools and not (group_iris or f.schools):
            names = "、".join(unknown_schools + unknown)
            return _fail(out, self.vocabulary, "PKB-ASK-UNKNOWN-NAME",
                         f"{names} is not a district, group or school in the store",
                         hint="known districts: " + ", ".join(sorted(self.terms.districts)))
        if unknown:
            names = "、".join(unknown)
            notes.append(Note(f"库中没有“{names}”，已忽略", f"“{names}” is not in the store and was ignored"))
        if not understood:
            return _fail(out, self.vocabulary, "PKB-ASK-NOT-UNDERSTOOD",
                         "nothing in the question names an actor, district, group, period, category, "
                         "modality or kind of result that the knowledge base knows")
        if kind == "constraint" and [a for a in actors if a != "group"]:
            notes.append(Note("制度约束不区分适用对象，已忽略角色", "constraints have no actor; the actor was ignored"))
        out.kind, out.filters = kind, f
        return out

    def _districts(self) -> list[str]:
        """The districts named, and those inside the cities and provinces named — unless a named
        district or city lies inside that city or province (陕西省西安市 → 西安市's districts;
        西安市的雁塔区 → 雁塔区). A stored district that is itself the city (成都市) comes with the
        districts inside it. A district named in a form other than its own (延安市宝塔区 for 宝塔区)
        gets a note."""
        named = self.values("district")
        areas = [(c, self.terms.cities.get(c, [])) for c in self.values("city")]
        areas += [(p, self.terms.provinces.get(p, [])) for p in self.values("province")]
        inside = {name: set(districts) - {name} for name, districts in areas}
        districts = list(named)
        for name, contained in inside.items():
            narrower = [d for d in named if d in contained and d != name]
            narrower += [other for other, theirs in inside.items()
                         if other != name and theirs and theirs < contained]
            if not narrower:
                districts += [d for d in [name] + sorted(contained)
                              if d in self.terms.districts and d not in districts]
        for m in self.matches:
            for district in m.values("district"):
                place = self.terms.places.get(district)
                qualified = place and place.city and place.city[:2] in m.text and place.city[:2] not in district
                if is_cjk(m.text) and (qualified or m.text not in district and district not in m.text):
                    self.out.notes.append(Note(f"“{m.text}”按区域{district}理解",
                                               f"“{m.text}” read as the district {district}"))
        return list(dict.fromkeys(districts))

    def _wider_districts(self, unknown: list[str], f: Filters) -> tuple[list[str], bool]:
        """A county or city the store has no document of (雁塔区), inside a district it has
        (西安市, a document governing the whole city): read as the documents of that district that
        mention it (``Filters.mentions``), with a note. Returns the names still unknown and whether
        the question is now located."""
        from kb.ask.places import _NOT_CITIES, _gazetteer, stem_of

        table, left = _gazetteer(), []
        for piece in unknown:
            wider = [c for area in table.get(piece, []) for c in (area.city, area.province)
                     if c and c not in _NOT_CITIES and c != piece and c in self.terms.districts]
            wider = list(dict.fromkeys(wider))[:1]     # the nearest: the city before the province
            if not wider:
                left.append(piece)
                continue
            f.districts += [d for d in wider if d not in f.districts]
            f.mentions += [m for m in (piece, stem_of(piece)) if m and m not in f.mentions]
            self.out.notes.append(Note(f"库中没有{piece}的文件，改为{wider[0]}提到{piece}的文件",
                                       f"no document governs {piece}; reading those of {wider[0]} that "
                                       f"mention it"))
        return left, bool(f.districts)

    def _groups_of_schools(self, schools: list[str], roles: list[str]) -> list:
        """Groups holding the schools; with 成员/牵头 in the question, those where they have that role
        (all of them when that leaves none)."""
        found = [self.terms.groups[g] for s in schools for g, role in self.terms.schools.get(s, [])
                 if not roles or role in roles]
        return found or [self.terms.groups[g] for s in schools for g, _ in self.terms.schools.get(s, [])]

    def _documents(self, f: Filters, kind: str, groups: list) -> list[str] | None:
        """The documents a group, school or model limits the question to (None: no limit)."""
        limits: list[set[str]] = []
        if f.groups or self.values("group"):
            limits.append({g.doc for g in groups})
        if f.schools and kind != "group":
            limits.append({self.terms.groups[g].doc for s in f.schools for g, _ in self.terms.schools.get(s, [])})
        if f.models and kind != "group":
            docs: set[str] = set()
            for model in f.models:
                docs |= self.terms.docs_with_model(model)
            limits.append(docs)
        if f.group_kinds and kind != "group":   # 联合体的成员校: the documents of such groups
            docs = {g.doc for g in self.terms.groups.values() if group_is_of_kind(g.name, g.models, f.group_kinds)}
            for kind_of_group in f.group_kinds:
                for model in kind_of_group["models"]:
                    docs |= self.terms.docs_with_model(model)
            limits.append(docs)
        if not limits:
            return None
        docs = set.intersection(*limits)
        if f.districts:
            docs = {d for d in docs if self.terms.documents.get(d, {}).get("district") in f.districts}
        return sorted(docs)

    def _unknown_names(self) -> tuple[list[str], list[str]]:
        """Place names and school names in the leftovers that the store does not know.

        Each leftover is tried whole, split at particles (的, 和 …), and with polite openings
        (请问 …) stripped; a candidate is a place if it ends in 市/区/县/省 … or is an area of
        the gazetteer (上海, 北京海淀), and a school if it ends in 中学/小学/学校 ….
        """
        places = lx.lexicon().get("places", {})
        not_places, not_schools = set(places.get("not_places", [])), set(places.get("not_schools", []))
        place_suffixes = tuple(places.get("suffixes", []) + places.get("province_suffixes", [])
                               + places.get("minor_suffixes", []))
        school_suffixes = tuple(places.get("school_suffixes", []))
        splitter = "|".join(map(re.escape, sorted(places.get("particles", []), key=len, reverse=True)))
        fillers = sorted(places.get("leading_fillers", []), key=len, reverse=True)
        found: list[str] = []
        schools: list[str] = []
        for leftover in self.leftovers:
            if leftover.english:
                continue
            candidates = [leftover.text] + (re.split(splitter, leftover.text) if splitter else [])
            candidates += [_strip_fillers(c, fillers) for c in candidates]
            for piece in dict.fromkeys(c for c in candidates if len(c) >= 2):
                if piece in not_places:
                    continue
                if piece.endswith(place_suffixes) and len(piece) <= 8 or _is_gazetteer_place(piece):
                    found.append(piece)   # 北京市; 上海, 北京海淀: areas the store does not cover
                elif piece.endswith(school_suffixes) and piece not in not_schools and len(piece) >= 3:
                    schools.append(piece)
        # 请问北京市 and 北京市 were both tried: report the name without the opening
        found = [f for f in found if _strip_fillers(f, fillers) == f or _strip_fillers(f, fillers) not in found]
        found += self._unknown_english_places()
        return list(dict.fromkeys(found)), list(dict.fromkeys(schools))

    def _unknown_english_places(self) -> list[str]:
        """``in Beijing`` / ``Haidian District``: capitalised place words no wording covered."""
        left = {lo.text for lo in self.leftovers if lo.english} - set(lx.words("places", "not_places_en"))
        question = unicodedata.normalize("NFKC", self.out.question)
        found = []
        for match in re.finditer(r"\b(?:in|of|for|from|at)\s+([A-Z][a-zA-Z'\-]+)"
                                 r"|\b([A-Z][a-zA-Z'\-]+)\s+(?:City|District|County|Province)\b", question):
            word = match.group(1) or match.group(2)
            if word.lower() in left:
                found.append(word)
        return found


def _strip_fillers(piece: str, fillers: list[str]) -> str:
    """请问北京市 → 北京市 (leading polite and function words, repeatedly)."""
    changed = True
    while changed:
        changed = False
        for filler in fillers:
            if piece.startswith(filler) and len(piece) > len(filler):
                piece, changed = piece[len(filler):], True
    return piece


@lru_cache(maxsize=1)
def _gazetteer_names() -> tuple[frozenset[str], frozenset[str]]:
    """China's area names (上海市, 海淀区) and their stems without suffix (上海, 海淀), from the
    table of administrative divisions that ingest uses; empty when it is not available."""
    try:
        from ingest.gazetteer import COMMON_WORDS, SUFFIX_CHARS, areas
    except Exception:   # noqa: BLE001 - the gazetteer is a help here, not a requirement
        return frozenset(), frozenset()
    try:
        table = areas()
    except Exception:   # noqa: BLE001
        return frozenset(), frozenset()
    names = set(table) - set(COMMON_WORDS)
    # stems only of provinces and cities (上海, 延安): county stems are too often plain words (新建, 和平)
    major = {n for n in names if any(a.level in ("province", "city") for a in table[n])}
    stems = {n.rstrip(SUFFIX_CHARS + "省") for n in major}
    return frozenset(names), frozenset(s for s in stems if len(s) >= 2)


def _is_gazetteer_place(piece: str) -> bool:
    """A leftover that is an area name or a province/city stem (上海), or a city followed by a
    district (北京海淀)."""
    names, stems = _gazetteer_names()
    known = names | stems
    return piece in known or any(piece[:k] in known and (piece[k:] in known or piece[k:] + "区" in names
                                                         or piece[k:] + "县" in names)
                                 for k in range(2, len(piece) - 1))


def covered_periods(periods: list[str]) -> list[str]:
    """The periods asked about and those they cover (``[period_covers]`` of the lexicon: a year
    covers a school year)."""
    covers = lx.lexicon().get("period_covers", {})
    return list(dict.fromkeys(list(periods) + [c for p in periods for c in covers.get(p, [])]))


def group_is_of_kind(name: str | None, models, kinds: list[dict]) -> bool:
    """Whether a group is of one of the kinds a group noun names (联合体: its name says 联合体, or
    it is of the junior-senior consortium model); True when no kind is asked for."""
    return not kinds or any((k["noun"] and k["noun"] in (name or "")) or set(k["models"]) & set(models)
                            for k in kinds)


# --------------------------------------------------------------------------- failure and help


def _fail(interpretation: Interpretation, vocabulary: Vocabulary, code: str, message: str,
          hint: str | None = None) -> Interpretation:
    interpretation.suggestions = suggestions(vocabulary)
    examples = interpretation.suggestions["examples"]
    interpretation.error = InterpretationError(
        message, code=code,
        hint=hint or "ask e.g. " + " / ".join(examples[:3]) + "; see the suggestions for what is understood")
    interpretation.kind = None
    return interpretation


def suggestions(vocabulary: Vocabulary) -> dict:
    """What the interpreter understands, with examples filled from the store."""
    from ontology import labels

    terms = vocabulary.terms

    def concepts(scheme: str, skip: tuple = ()) -> list[str]:
        return [f"{c['prefLabel'].get('zh')} ({c['prefLabel'].get('en')})"
                for code, c in labels(scheme).items() if code not in skip]

    by_size = sorted((g for g in terms.groups.values() if g.name),
                     key=lambda g: -(len(g.lead_schools) + len(g.member_schools)))
    named = [g.display for g in terms.groups.values() if g.name]
    district = sorted(terms.districts)[0] if terms.districts else "张掖市"
    group = by_size[0].display if by_size else "张掖中学教育集团"
    lex = lx.lexicon().get("examples", {})
    examples = [e.format(district=district, group=group) for e in lex.get("zh", []) + lex.get("en", [])]
    return {
        "districts": sorted(terms.districts),
        "groups": named,
        "actors": concepts("actor"),
        "categories": concepts("category", ("other",)),
        "periods": [f"{concept_label('period', p)} ({concept_label('period', p, 'en')})"
                    for p in labels("period")],
        "modalities": concepts("modality"),
        "models": concepts("model"),
        "constraint_kinds": concepts("kind", ("other",)),
        "examples": examples,
    }
