"""What "A" means in ``policykb compare A B``, ``matrix --group G`` or ``export --district X``.

:func:`resolve` turns a name (district, school group, group model, document) into a
:class:`Scope` — the documents it covers, its groups and districts — so a name means the same
thing everywhere. Resolution order and what each kind covers: docs/query-side.md.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kb import queries
from kb.errors import InterpretationError
from kb.store.base import IRI, Store

SCOPE_KINDS = ("district", "group", "model", "document")
DISTRICT_SUFFIXES = ("自治县", "自治州", "市", "区", "县", "旗", "州", "盟")
GROUP_SUFFIXES = ("教育集团", "教育联合体", "集团", "联合体", "联盟校", "联盟", "共同体")
_KIND_PREFIX = re.compile(r"^(district|group|model|doc|document)\s*[:：]\s*(.+)$", re.IGNORECASE)
_ID_PREFIX = "https://w3id.org/policykb/id/"


@dataclass(frozen=True)
class Scope:
    """A resolved scope. ``docs`` are document graph IRIs, ``groups`` school-group IRIs.

    ``restricts_groups`` is True when only ``groups`` (not every group of ``docs``) belong to the
    scope: a group or model scope. A district scope leaves ``groups`` empty: every group of its
    documents is its own, and :func:`scope_groups` reads them when they are asked for (12,000
    groups in the largest district of 60,000 documents, most of the time of resolving it).
    """

    kind: str
    key: str                         # 张掖市 | a group IRI | alliance | a document IRI
    label: str                       # what to show: 张掖市, 张掖中学教育集团, 联盟型 (alliance)
    docs: tuple[str, ...]
    groups: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    model: str | None = None         # the model code of a model scope
    narrowed: bool = False           # True when older versions of its documents were left out (as of)

    @property
    def restricts_groups(self) -> bool:
        return self.kind in ("group", "model")

    def to_dict(self, groups: Sequence[str] | None = None) -> dict:
        """The scope as plain values; ``groups``: its groups when they are not held (a district's,
        from :func:`scope_groups`)."""
        return {"kind": self.kind, "key": self.key, "label": self.label, "docs": list(self.docs),
                "groups": list(self.groups if groups is None else groups), "districts": list(self.districts),
                "model": self.model}




# --------------------------------------------------------------------------- text helpers


def normalize_name(text: str) -> str:
    """A user-typed name as documents store names: NFKC, simplified, no whitespace."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if any("\u3400" <= ch <= "\u9fff" for ch in text):
        from ingest.normalize import normalize

        text = normalize(text).text
    return re.sub(r"\s+", "", text)


def strip_suffix(name: str, suffixes: tuple[str, ...], *, keep: int = 2) -> str:
    """``name`` without the first of ``suffixes`` it ends with, if at least ``keep`` characters remain."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= keep:
            return name[: -len(suffix)]
    return name


def resolve_concept(scheme: str, text: str) -> str:
    """The contract code of the concept of ``scheme`` that ``text`` names.

    ``text`` may be the code (``member_school``) or any zh/en preferred or alternative label
    (``成员学校``, ``成员校``, ``member school``; English case-insensitive). Raises
    :class:`InterpretationError` ``PKB-SCOPE-CONCEPT`` listing the codes when nothing matches.
    """
    from ontology import labels

    table = labels(scheme)
    wanted = normalize_name(text)
    if wanted in table:
        return wanted
    lowered = wanted.lower()
    for code, concept in table.items():
        names = [concept["prefLabel"].get("zh"), concept["prefLabel"].get("en"),
                 *concept["altLabel"].get("zh", []), *concept["altLabel"].get("en", [])]
        if any(n and normalize_name(n).lower() in (lowered, wanted) for n in names):
            return code
    raise InterpretationError(
        f"{text!r} is not a {scheme} of the vocabulary", code="PKB-SCOPE-CONCEPT",
        hint="use a code or label, one of: " + ", ".join(
            f"{c} ({v['prefLabel'].get('zh')})" for c, v in table.items()))


def concept_label(scheme: str, code: str | None, lang: str = "zh") -> str:
    """The preferred label of a concept (``code`` itself when the scheme has no such code)."""
    from ontology import labels

    if code is None:
        return ""
    concept = labels(scheme).get(code)
    return (concept or {}).get("prefLabel", {}).get(lang) or code


# --------------------------------------------------------------------------- store look-ups


def documents(store: Store, district: str | None = None) -> list[dict]:
    """Rows of ``cmp_documents``: ``{"doc", "district", "title", "province"}`` per document."""
    return queries.run(store, "cmp_documents", district=district).rows


_DISTRICTS: "OrderedDict[tuple, list[str]]" = OrderedDict()
_DISTRICTS_LOCK = threading.Lock()


def districts(store: Store) -> list[str]:
    """Every district named by a document, sorted ("" for documents naming none is left out).

    Cached per store view (:meth:`Store.state_token`) where the store can tell when it changed:
    every district word of a question or a scope is resolved against this list."""
    token = store.state_token()
    key = (str(getattr(store, "location", id(store))), token)
    with _DISTRICTS_LOCK:
        if token is not None and key in _DISTRICTS:
            _DISTRICTS.move_to_end(key)
            return list(_DISTRICTS[key])
    names = sorted({r["district"] for r in queries.run(store, "district_names").rows if r["district"]})
    if token is not None:
        with _DISTRICTS_LOCK:
            _DISTRICTS[key] = names
            while len(_DISTRICTS) > 8:
                _DISTRICTS.popitem(last=False)
    return list(names)


#: up to this many documents, the embedded store reads a district document by document: ~1 ms a
#: query, where a query bound by the district matches its typed patterns in every graph first
#: (0.2–0.6 s at 10,000 documents); a server gets one query bound by the district (one round trip)
PER_DOCUMENT = 50


def district_rows(store: Store, name: str, district: str, docs, **params) -> list[dict]:
    """The rows of named query ``name`` for a district whose documents are ``docs``, read the
    fastest way for this store (see :data:`PER_DOCUMENT`)."""
    docs = list(docs)
    if getattr(store, "remote", False) or len(docs) > PER_DOCUMENT:
        return queries.run(store, name, district=district, **params).rows
    return [r for d in docs for r in queries.run(store, name, doc=IRI(d), **params).rows]


def groups(store: Store, **params) -> list[dict]:
    """The rows of ``cmp_groups`` (school groups with their models and school counts; filtered by
    ``doc``/``district``/``group``, each one value or several), added up from ``cmp_group_parts``
    in document and group order: one query without OPTIONAL, fast however large the store."""
    from kb.obligations import concept

    lead, member = str(concept("actor", "lead_school")), str(concept("actor", "member_school"))
    found: dict[str, dict] = {}
    for r in queries.run(store, "cmp_group_parts", **params).rows:
        g = found.get(r["group"])
        if g is None:
            g = found[r["group"]] = {**{k: r[k] for k in ("doc", "district", "group", "order", "start", "end")},
                                     "name": None, "_models": set(), "_schools": {}, "_leads": []}
        part, value = r["part"], r.get("value")
        if part == "name":
            g["name"] = value
        elif part == "model":
            g["_models"].add(str(value))
        elif part == "school":
            g["_schools"][str(value)] = str(r["role"])
        elif part == "schoolName" and str(r["role"]) == lead and value not in g["_leads"]:
            g["_leads"].append(value)
    rows = []
    for g in found.values():
        models, schools, leads = g.pop("_models"), g.pop("_schools"), g.pop("_leads")
        rows.append({**g, "models": " ".join(sorted(models)) or None, "schools": len(schools),
                     "leads": sum(role == lead for role in schools.values()),
                     "members": sum(role == member for role in schools.values()),
                     "leadNames": "、".join(leads) or None})
    return sorted(rows, key=lambda g: (g["district"] or "", str(g["doc"]), g["order"]))


def resolve_district(store: Store, text: str) -> str:
    """The stored district name ``text`` names (``张掖`` → ``张掖市``), else ``PKB-SCOPE-UNKNOWN``."""
    found = _match_district(districts(store), normalize_name(text))
    if found is None:
        raise _unknown(store, text, "district")
    return found


def _match_district(names: list[str], wanted: str) -> str | None:
    """The one stored district ``wanted`` names: as stored, without its level suffix (张掖), or in
    another form of :func:`kb.ask.places.district_forms` (雁塔 or 西安雁塔区 for 西安市雁塔区,
    莞城 for 莞城街道)."""
    if wanted in names:
        return wanted
    stem = strip_suffix(wanted, DISTRICT_SUFFIXES)
    hits = [n for n in names if strip_suffix(n, DISTRICT_SUFFIXES) == stem and len(stem) >= 2]
    if len(hits) == 1:
        return hits[0]
    from kb.ask.places import district_forms, place_of

    hits = [n for n in names if wanted in district_forms(place_of(n))]
    return hits[0] if len(hits) == 1 else None


def _match_groups(rows: list[dict], wanted: str) -> list[dict]:
    exact = [r for r in rows if r.get("name") == wanted or r["group"] == wanted]
    if exact:
        return exact
    stem = strip_suffix(wanted, GROUP_SUFFIXES)
    return [r for r in rows if r.get("name") and strip_suffix(r["name"], GROUP_SUFFIXES) == stem]


# --------------------------------------------------------------------------- resolution


def resolve(store: Store, text: str, as_of: str | None = None) -> Scope:
    """Resolve one name to a :class:`Scope` (see the module docstring for the rules), covering the
    documents in force ``as_of`` (an ISO date; None: the newest versions, :func:`kb.versions.in_force`)."""
    scope = _resolve(store, text, as_of)
    return scope if scope.kind == "district" else in_force(store, scope, as_of)


def in_force(store: Store, scope: Scope, as_of: str | None = None) -> Scope:
    """``scope`` narrowed to its documents in force ``as_of`` (None: the newest versions), with the
    groups of those documents. Every scope is narrowed here, so all views agree on the versions."""
    from kb import versions

    if scope.kind == "document" or not scope.docs:
        return scope
    docs = tuple(versions.in_force(store, scope.docs, scope.districts, as_of))
    if docs == scope.docs:
        return scope
    kept = {r["group"] for r in queries.run(store, "scope_groups", doc=tuple(IRI(d) for d in docs)).rows}
    return Scope(scope.kind, scope.key, scope.label, docs, tuple(g for g in scope.groups if g in kept),
                 scope.districts, scope.model, narrowed=True)


def _resolve(store: Store, text: str, as_of: str | None) -> Scope:
    raw = str(text).strip()
    forced = _KIND_PREFIX.match(raw)
    kind, name = (forced.group(1).lower(), forced.group(2).strip()) if forced else (None, raw)
    kind = "document" if kind == "doc" else kind
    if not name:
        raise InterpretationError("an empty scope name", code="PKB-SCOPE-UNKNOWN",
                                  hint="name a district (张掖市), a group (张掖中学教育集团) or a model (联盟型)")

    if kind in (None, "document") and name.startswith(_ID_PREFIX) and "/group/" not in name:
        rows = queries.run(store, "cmp_documents", doc=IRI(name)).rows
        if rows:
            return _document_scope(store, rows[0])
    if kind in (None, "group") and name.startswith(_ID_PREFIX):
        rows = groups(store, group=IRI(name))
        if rows:
            return _group_scope(rows)
    if kind in (None, "district"):
        found = _match_district(districts(store), normalize_name(name))
        if found is not None:
            return district_scope(store, found, as_of)
    if kind in (None, "group"):
        rows = _match_groups(groups(store), normalize_name(name))
        if rows:
            return _group_scope(rows)
    if kind in (None, "model"):
        try:
            code = resolve_concept("model", name)
        except InterpretationError:
            code = None
        if code is not None:
            return model_scope(store, code)
    raise _unknown(store, raw, kind)


def resolve_all(store: Store, names: list[str], as_of: str | None = None) -> list[Scope]:
    """:func:`resolve` each name, in order."""
    return [resolve(store, n, as_of) for n in names]


#: documents whose groups one ``scope_groups`` query reads: bound by 400 documents it takes ~70 ms
#: on 10,000 documents, bound by 1,913 Oxigraph chose another plan and took 80 s on 60,000
GROUPS_PER_QUERY = 400


def district_scope(store: Store, district: str, as_of: str | None = None) -> Scope:
    """The documents of ``district`` in force ``as_of``, in IRI order (its groups are left to
    :func:`scope_groups`)."""
    from kb import document_list, versions

    found = sorted(r["doc"] for r in document_list.in_districts(store, district))
    docs = tuple(versions.in_force(store, found, [district], as_of))
    return Scope("district", district, district, docs, (), (district,), narrowed=len(docs) < len(found))


def scope_groups(store: Store, scope: Scope) -> tuple[str, ...]:
    """The school groups of ``scope``: those it holds, or for a district every group of its
    documents, in document order, then in their order within the document."""
    if scope.kind != "district":
        return scope.groups
    docs = scope.docs
    order = {d: i for i, d in enumerate(docs)}
    rows = [row for start in range(0, len(docs), GROUPS_PER_QUERY)
            for row in queries.run(store, "scope_groups",
                                   doc=tuple(IRI(d) for d in docs[start:start + GROUPS_PER_QUERY])).rows]
    return tuple(g["group"] for g in sorted(rows, key=lambda g: (order[g["doc"]], g["order"])))


def model_scope(store: Store, code: str) -> Scope:
    from kb.obligations import concept

    rows = queries.run(store, "cmp_model_scope", model=concept("model", code)).rows
    docs = tuple(dict.fromkeys(r["doc"] for r in rows))
    group_iris = tuple(dict.fromkeys(r["group"] for r in rows if r.get("group")))
    dists = tuple(dict.fromkeys(r["district"] for r in rows))
    label = f"{concept_label('model', code)} ({code})"
    return Scope("model", code, label, docs, group_iris, dists, model=code)


def _group_scope(rows: list[dict]) -> Scope:
    first = rows[0]
    label = first.get("name") or group_label(first)
    return Scope("group", first["group"] if len(rows) == 1 else label, label,
                 tuple(dict.fromkeys(r["doc"] for r in rows)), tuple(r["group"] for r in rows),
                 tuple(dict.fromkeys(r["district"] for r in rows)))


def _document_scope(store: Store, row: dict) -> Scope:
    group_rows = groups(store, doc=IRI(row["doc"]))
    return Scope("document", row["doc"], row.get("title") or row["doc"].rsplit("/", 1)[-1], (row["doc"],),
                 tuple(g["group"] for g in group_rows), (row["district"],) if row["district"] else ())


def group_label(row: dict) -> str:
    """A group's name; for an unnamed group its lead schools (``宝塔区第三中学牵头的集团``) or IRI tail."""
    if row.get("name"):
        return row["name"]
    if row.get("leadNames"):
        return f"{row['leadNames']}牵头的集团"
    return "集团 " + row["group"].rsplit("/", 1)[-1]


def scope_documents(store: Store, *, district: str | None = None, group: str | None = None,
                    model: str | None = None, doc: str | None = None,
                    as_of: str | None = None) -> tuple[list[str], Scope | None]:
    """The documents every given filter allows (their intersection), and the narrowest scope.

    Each filter is a name resolved like :func:`resolve` with its kind forced (``district`` as
    :func:`resolve_district`, ``group`` as a group name or IRI, ``model`` as a model code or label).
    With no filter: every document and ``None``. The returned scope is the group or model scope
    when one was given (so callers can restrict groups), else the district or document scope.
    """
    chosen: list[Scope] = []
    if district:
        chosen.append(district_scope(store, resolve_district(store, district), as_of))
    if doc:
        chosen.append(resolve(store, f"doc:{doc}"))
    if model:
        chosen.append(resolve(store, f"model:{model}", as_of))
    if group:
        chosen.append(resolve(store, f"group:{group}", as_of))
    if not chosen:
        return _all_in_force(store, as_of), None
    allowed = set(chosen[0].docs)
    for s in chosen[1:]:
        allowed &= set(s.docs)
    ordered = [d for d in chosen[0].docs if d in allowed]
    return ordered, chosen[-1]


def _all_in_force(store: Store, as_of: str | None) -> list[str]:
    """Every document in force ``as_of`` (versions are found within each district)."""
    from kb import versions

    kept = versions.all_in_force(store, as_of)
    return [r["doc"] for r in documents(store) if r["doc"] in kept]


def _unknown(store: Store, text: str, kind: str | None) -> InterpretationError:
    named = [r["name"] for r in groups(store) if r.get("name")]
    known = {
        "district": "districts: " + (", ".join(districts(store)) or "none (ingest documents first)"),
        "group": "named groups: " + (", ".join(dict.fromkeys(named[:12])) or "none")
                 + (" …" if len(named) > 12 else ""),
        "model": "models: " + ", ".join(_model_codes()),
    }
    what = {"district": "district", "group": "school group", "model": "group model",
            "document": "document"}.get(kind or "", "district, school group or group model")
    hint = "; ".join(v for k, v in known.items() if kind in (None, k)) or "give a document IRI"
    return InterpretationError(f"no {what} called {text!r} in the store", code="PKB-SCOPE-UNKNOWN",
                               hint=hint)


@lru_cache(maxsize=1)
def _model_codes() -> tuple[str, ...]:
    from ontology import labels

    return tuple(labels("model"))


__all__ = [
    "SCOPE_KINDS", "Scope", "concept_label", "district_scope", "districts", "documents", "group_label",
    "groups", "in_force", "model_scope", "normalize_name", "resolve", "resolve_all", "resolve_concept",
    "resolve_district", "scope_documents", "scope_groups", "strip_suffix",
]
