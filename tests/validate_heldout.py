#!/usr/bin/env python3
"""Validate a held-out set's gold files (SET/gold) against their texts (SET/docs).

    . .venv/bin/activate && python tests/validate_heldout.py tests/heldout tests/heldout2

Checks per gold file: JSON parses; `source` names an existing doc; every anchor (obligations and
constraints), group school, district and doc_number occurs, after score.py's norm() (NFKC + all white
space removed), in the NFKC-normalized, traditional->simplified text; vocabulary values are contract
codes; `exhaustive` is true exactly for prohibitions and for obligations with an explicit recurrence
(period other than `unspecified`); counts are integers with min <= max. Warnings (not errors): an
anchor that occurs more than once in its document; a title found only after pinyin glosses are removed.
Exit status 1 when any error is found.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import opencc

T2S = opencc.OpenCC("t2s")

MODELS = {"alliance", "tight_knit", "full_integration", "helper_league", "junior_senior_consortium",
          "entrusted_management", "multi_legal_person", "cooperative", "urban_rural_community",
          "school_district", "education_group"}
ACTORS = {"education_authority", "government", "inspectorate", "group", "group_council", "group_head",
          "group_office", "lead_school", "member_school", "lead_school_staff", "member_school_staff",
          "teachers", "students"}
CATEGORIES = {"meeting", "governance", "teacher_exchange", "training", "joint_research", "curriculum",
              "student_development", "resource_sharing", "evaluation", "supervision", "reporting",
              "funding", "culture", "other"}
MODALITIES = {"obligation", "prohibition", "permission", "encouragement"}
PERIODS = {"day", "week", "month", "semester", "school_year", "year", "multi_year", "term_of_office",
           "unspecified"}
UNITS = {"time", "day", "person", "topic", "percent", "item"}
KINDS = {"legal_person_unchanged", "affiliation_unchanged", "finance_unchanged", "assets_unchanged",
         "personnel_unchanged", "enrollment_unchanged", "legal_compliance", "other"}
COMPARATORS = {"eq", "min", "max", "approx"}
DOC_FIELDS = ("title", "issuer", "doc_number", "district", "province")
GLOSS = re.compile(r"\([a-zA-ZāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüÜ]+\)")


def norm(text: str | None) -> str:
    """score.py's norm(): NFKC-fold and drop all white space."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def simplified(text: str) -> str:
    return T2S.convert(unicodedata.normalize("NFKC", text))


def check(gold_path: Path, here: Path) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    err = errors.append
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"cannot parse: {exc}"], []
    src = gold.get("source")
    if not src or Path(src).stem != gold_path.stem:
        err(f"source {src!r} does not match file stem {gold_path.stem!r}")
    doc_path = here / "docs" / f"{gold_path.stem}.txt"
    if not doc_path.exists():
        return errors + [f"missing document {doc_path.name}"], warnings
    text = norm(simplified(doc_path.read_text(encoding="utf-8")))
    text_nogloss = GLOSS.sub("", text)

    def present(s: str, where: str, allow_gloss: bool = False, required: bool = True) -> None:
        n = norm(s)
        if not n:
            err(f"{where}: empty string")
        elif n in text:
            if text.count(n) > 1 and where.startswith(("obligation", "constraint")):
                warnings.append(f"{where}: anchor {s!r} occurs {text.count(n)} times")
        elif allow_gloss and n in text_nogloss:
            warnings.append(f"{where}: {s!r} found only with pinyin glosses removed")
        elif required:
            err(f"{where}: {s!r} not found in the normalized simplified text")
        else:
            warnings.append(f"{where}: {s!r} is not written so in the text")

    for key in ("document", "document_models", "groups", "obligations", "constraints", "notes"):
        if key not in gold:
            err(f"missing top-level field {key}")
    document = gold.get("document") or {}
    for f in DOC_FIELDS:
        if f not in document:
            err(f"document.{f} missing (use null)")
    if document.get("title"):
        present(document["title"], "document.title", allow_gloss=True)
    for f in ("doc_number", "district"):
        if document.get(f):
            present(document[f], f"document.{f}")
    if document.get("district") and document["district"][-1] not in "市区县旗":
        err(f"district {document['district']!r} lacks a level suffix")

    for m in gold.get("document_models", []):
        if m not in MODELS:
            err(f"document_models: {m!r} is not a model code")
    if len(set(gold.get("document_models", []))) != len(gold.get("document_models", [])):
        err("document_models has duplicates")

    for i, g in enumerate(gold.get("groups", [])):
        where = f"groups[{i}]"
        for m in g.get("models", []):
            if m not in MODELS:
                err(f"{where}: model {m!r} is not a model code")
            elif m not in gold.get("document_models", []):
                err(f"{where}: model {m!r} missing from document_models")
        if not g.get("lead_schools"):
            err(f"{where}: no lead school")
        if g.get("name"):    # a name may be put together from the text (“八十三中+”教育联合体)
            present(g["name"], f"{where}.name", required=False)
        for s in g.get("lead_schools", []) + g.get("member_schools", []):
            present(s, f"{where} school")

    for i, o in enumerate(gold.get("obligations", [])):
        where = f"obligation[{i}] {o.get('anchor')!r}"
        present(o.get("anchor", ""), where)
        if o.get("modality") not in MODALITIES:
            err(f"{where}: modality {o.get('modality')!r}")
        if o.get("actor") not in ACTORS:
            err(f"{where}: actor {o.get('actor')!r}")
        if o.get("category") not in CATEGORIES:
            err(f"{where}: category {o.get('category')!r}")
        freq = o.get("frequency")
        explicit = False
        if freq is not None:
            if freq.get("period") not in PERIODS:
                err(f"{where}: period {freq.get('period')!r}")
            if freq.get("unit") not in UNITS:
                err(f"{where}: unit {freq.get('unit')!r}")
            mn, mx = freq.get("min_count"), freq.get("max_count")
            for c in (mn, mx):
                if c is not None and (not isinstance(c, int) or isinstance(c, bool) or c < 0):
                    err(f"{where}: count {c!r} is not a non-negative integer")
            if isinstance(mn, int) and isinstance(mx, int) and mn > mx:
                err(f"{where}: min_count > max_count")
            if freq.get("period") == "unspecified" and (mn is not None or mx is not None):
                err(f"{where}: unspecified should carry no counts")   # (每个任期内至少一次 may)
            explicit = freq.get("period") != "unspecified"
        want = o.get("modality") == "prohibition" or explicit
        if o.get("exhaustive") is not want:
            err(f"{where}: exhaustive should be {want}")
        q = o.get("quantity")
        if q is not None:
            if q.get("unit") not in UNITS or q.get("comparator") not in COMPARATORS \
                    or not isinstance(q.get("value"), (int, float)):
                err(f"{where}: bad quantity {q!r}")

    for i, c in enumerate(gold.get("constraints", [])):
        where = f"constraint[{i}] {c.get('kind')}"
        if c.get("kind") not in KINDS:
            err(f"{where}: kind {c.get('kind')!r}")
        present(c.get("anchor", ""), where)
    return errors, warnings


def main(sets: list[str]) -> int:
    return max((validate(Path(s)) for s in sets), default=0)


def validate(here: Path) -> int:
    """0 when every gold file of the set ``here`` checks out, else 1 (and the findings printed)."""
    golds = sorted((here / "gold").glob("*.json"))
    docs = sorted((here / "docs").glob("*.txt"))
    bad = 0
    if {p.stem for p in golds} != {p.stem for p in docs}:
        print("docs and gold stems differ:", {p.stem for p in golds} ^ {p.stem for p in docs})
        bad += 1
    for path in golds:
        errors, warnings = check(path, here)
        gold = json.loads(path.read_text(encoding="utf-8")) if not errors or "parse" not in errors[0] else {}
        obs = gold.get("obligations", [])
        n_ex = sum(1 for o in obs if o.get("exhaustive"))
        status = "OK " if not errors else "ERR"
        print(f"{status} {path.stem}: {len(gold.get('groups', []))} groups, {n_ex} exhaustive "
              f"+ {len(obs) - n_ex} key obligations, {len(gold.get('constraints', []))} constraints")
        for e in errors:
            print("   error:", e)
        for w in warnings:
            print("   warning:", w)
        bad += bool(errors)
    print(f"{len(golds)} gold files, {bad} with errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["tests/heldout", "tests/heldout2"]))
