#!/usr/bin/env python3
"""Check the held-out gold files against their documents and the contract vocabularies.

    . .venv/bin/activate && python tests/heldout/validate.py

For every gold/<stem>.json: the JSON parses, docs/<stem>.txt exists, every anchor (and every
school name, the title (pinyin glosses removed) and the doc_number) occurs in the document text after NFKC folding,
white-space removal (as score.py's norm() does) and, for traditional-script documents,
OpenCC t2s conversion; every vocabulary value is one of the contract's codes; `exhaustive`
is true exactly for prohibitions and for items with an explicit (non-`unspecified`) period.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

try:
    import opencc
    T2S = opencc.OpenCC("t2s")
except ImportError:  # pragma: no cover
    sys.exit("opencc is required (use the project venv)")

HERE = Path(__file__).resolve().parent
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


# mirror-site pinyin glosses such as 优(yōu)质(zhì); the title may be compared without them
GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def norm(text: str | None) -> str:
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def check(gold_path: Path) -> list[str]:
    errs: list[str] = []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    doc_path = HERE / "docs" / (gold_path.stem + ".txt")
    if not doc_path.exists():
        return [f"no document {doc_path.name}"]
    if gold.get("source") != doc_path.name:
        errs.append(f"source {gold.get('source')!r} != {doc_path.name!r}")
    raw = doc_path.read_text(encoding="utf-8")
    text = norm(T2S.convert(unicodedata.normalize("NFKC", raw)))

    def present(label: str, s: str | None) -> None:
        if s is not None and norm(s) not in text:
            errs.append(f"{label} not in text: {s!r}")

    d = gold["document"]
    for f in ("title", "issuer", "doc_number", "district", "province"):
        if f not in d:
            errs.append(f"document.{f} missing")
    if d.get("title") is not None and norm(d["title"]) not in GLOSS.sub("", text):
        errs.append(f"title not in text (even without glosses): {d['title']!r}")
    present("doc_number", d.get("doc_number"))
    for m in gold["document_models"]:
        if m not in MODELS:
            errs.append(f"bad document model {m}")
    for g in gold["groups"]:
        for m in g["models"]:
            if m not in MODELS:
                errs.append(f"bad group model {m}")
            if m not in gold["document_models"]:
                errs.append(f"group model {m} not in document_models")
        if not g["lead_schools"]:
            errs.append(f"group without lead: {g['name']}")
        for s in g["lead_schools"] + g["member_schools"]:
            present("school", s)
        if g["name"] is not None and not g["name"].replace("+", "").strip():
            errs.append("empty group name")
    for o in gold["obligations"]:
        a = o["anchor"]
        present("anchor", a)
        if re.search(r"[,.;:，。；：、]", norm(a)):
            errs.append(f"anchor contains punctuation: {a!r}")
        if text.count(norm(a)) > 1:
            errs.append(f"anchor not unique in text: {a!r}")
        if o["modality"] not in MODALITIES:
            errs.append(f"bad modality {o['modality']}")
        if o["actor"] not in ACTORS:
            errs.append(f"bad actor {o['actor']}")
        if o["category"] not in CATEGORIES:
            errs.append(f"bad category {o['category']}")
        fr = o["frequency"]
        if fr is not None:
            if fr["period"] not in PERIODS:
                errs.append(f"bad period {fr['period']}")
            if fr["unit"] not in UNITS:
                errs.append(f"bad unit {fr['unit']}")
            for k in ("min_count", "max_count"):
                if fr[k] is not None and not isinstance(fr[k], int):
                    errs.append(f"{k} not int in {a!r}")
            if fr["min_count"] is not None and fr["max_count"] is not None and fr["min_count"] > fr["max_count"]:
                errs.append(f"min > max in {a!r}")
        want = o["modality"] == "prohibition" or (fr is not None and fr["period"] != "unspecified")
        if o["exhaustive"] is not want:
            errs.append(f"exhaustive should be {want} for {a!r}")
    for c in gold["constraints"]:
        if c["kind"] not in KINDS:
            errs.append(f"bad constraint kind {c['kind']}")
        present("constraint anchor", c["anchor"])
    return errs


def main() -> int:
    golds = sorted((HERE / "gold").glob("*.json"))
    docs = sorted((HERE / "docs").glob("*.txt"))
    bad = 0
    if {p.stem for p in golds} != {p.stem for p in docs}:
        print("gold/doc stems differ:", {p.stem for p in golds} ^ {p.stem for p in docs})
        bad += 1
    for p in golds:
        try:
            errs = check(p)
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            errs = [f"{type(e).__name__}: {e}"]
        status = "ok" if not errs else f"{len(errs)} problem(s)"
        print(f"{p.stem}: {status}")
        for e in errs:
            print("   ", e)
        bad += bool(errs)
    print(f"{len(golds)} gold files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
