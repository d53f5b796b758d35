"""A synthetic national corpus: N realistic policy documents made from the real ones.

Every document is built from the lines of ``source_docs/*.txt`` (the five real documents): one of
them gives the skeleton (its headings and paragraphs in order), about a third of its body
paragraphs are swapped for body paragraphs of the other documents, paragraphs are added or dropped
to reach a length drawn around the real documents' lengths, and then everything that names a place
or a school is moved to another district:

* the document's district and city, their short forms (张掖市/张掖, 肃南县/肃南) and province are
  replaced by a real county (or city) of the cpca table (via :func:`ingest.gazetteer.areas`), its
  city and its province — one target per document, so every paragraph speaks of the same place;
* the real schools (read from the golden extraction files when present) get new names in the
  target district; 文号 (张教发〔2024〕79号), years and other Arabic numbers are redrawn;
* recurrence words (每月, 每学期 …) are redrawn now and then, so frequencies vary;
* one document in ten is written in traditional script, one in twenty in GB18030, as real
  collections are.

Districts are not uniform: a corpus of N documents uses ``max(5, N // 8)`` districts with Zipf-like
weights, so a few districts have many documents (the worst case for district-scoped queries).

Deterministic: document ``i`` of seed ``s`` depends on ``(s, i)`` only. Written streaming: one
document is generated, written and dropped at a time (``corpus_dir/NNN/doc-NNNNNNN.txt``, 1000 per
folder), plus ``manifest.json``. Nothing of the corpus is held in memory.

Command line: ``python -m benchmarks.corpus OUT_DIR --docs 1000 --seed 7``.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DOCS = ROOT / "source_docs"
GOLDEN = ROOT / "tests" / "golden"
GENERATOR_VERSION = "1"
DOCS_PER_FOLDER = 1000

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）]|\d+[.．、]|附件)")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}〔\s*\d{4}\s*〕\s*\d+\s*号")
_NUMBER = re.compile(r"(?<![\d.])\d+(?![\d.、．])")
_PERIOD = re.compile(r"每学期|每学年|每月|每周|每年|每季度")
_PERIODS = ("每学期", "每学年", "每月", "每周", "每年", "每季度")
_AREA_SUFFIX = "省市区县旗州盟"
_SCHOOL_SUFFIXES = ("高级中学", "中心小学", "实验小学", "实验中学", "初级中学", "中学", "小学", "学校", "初中",
                    "一中", "二中", "幼儿园")
_SCHOOL_KINDS = ("第一中学", "第二中学", "第三中学", "实验中学", "实验小学", "第一小学", "第二小学", "中心小学",
                 "高级中学", "初级中学", "外国语学校", "育才学校", "第四中学", "第五小学", "幼儿园")


@dataclass
class SourceDoc:
    name: str
    lines: list[str]                       # non-empty lines, simplified script, original punctuation
    district: str | None                   # the document's own district (张掖市)
    province: str | None
    city: str | None = None                # the city of a county-level district (延安市 for 宝塔区)
    schools: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)   # every area name the text mentions


@dataclass
class Pool:
    docs: list[SourceDoc]
    body: list[str]                        # every body paragraph of every document
    keys: re.Pattern                       # every place/school name to move, longest first
    counties: list                         # candidate target areas (ingest.gazetteer.Area)
    stems: list[str]                       # two-character place stems for new school names


def _stem(name: str) -> str:
    if len(name) > 2 and name[-1] in _AREA_SUFFIX:
        return name[:-1]
    return ""


def is_heading(line: str) -> bool:
    s = line.strip()
    return bool(_HEADING.match(s)) or (len(s) < 30 and not s.rstrip("。；;").count("，") and "。" not in s[:-1])


@lru_cache(maxsize=4)
def load_pool(source_dir: str = str(SOURCE_DOCS)) -> Pool:
    """Parse the real documents once: their lines, districts, schools and area names."""
    from collections import Counter

    import opencc

    from ingest.gazetteer import COMMON_WORDS, areas, find_areas

    t2s = opencc.OpenCC("t2s")
    docs: list[SourceDoc] = []
    for path in sorted(Path(source_dir).glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        text = t2s.convert(raw)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        found = Counter(n for _, _, n in find_areas(text))
        district = province = None
        schools: list[str] = []
        golden = GOLDEN / f"{path.stem}.json"
        if golden.is_file():
            data = json.loads(golden.read_text(encoding="utf-8"))
            district = data["document"].get("district")
            province = data["document"].get("province")
            for g in data.get("groups", []):
                schools += list(g.get("lead_schools") or []) + list(g.get("member_schools") or [])
        if district is None and found:
            district = found.most_common(1)[0][0]
        if province is None and district:
            candidates = areas().get(district, [])
            province = candidates[0].province if candidates else None
        city = None
        if district and district[-1] != "市":
            candidates = areas().get(district, [])
            city = candidates[0].city if candidates and candidates[0].level == "county" else None
        names = set(found) | ({district} if district else set())
        docs.append(SourceDoc(path.name, lines, district, province, city, sorted(set(schools)), sorted(names)))
    body = [ln for d in docs for ln in d.lines if not is_heading(ln) and len(ln) >= 30]
    keys: set[str] = set()
    for d in docs:
        for name in d.areas + [x for x in (d.province, d.city) if x]:
            keys.add(name)
            if len(_stem(name)) >= 2:
                keys.add(_stem(name))
        keys.update(d.schools)
    keys.discard("")
    pattern = re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))
    index = areas()
    counties = sorted({a for name, lst in index.items() if len(lst) == 1 and name not in COMMON_WORDS
                       for a in lst if a.level in ("county", "city") and a.name == name and a.province
                       and len(_stem(a.name)) >= 2}, key=lambda a: a.adcode)
    stems = sorted({_stem(a.name) for a in counties if len(_stem(a.name)) == 2})
    return Pool(docs, body, pattern, counties, stems)


@dataclass(frozen=True)
class Target:
    county: str
    city: str | None
    province: str | None


def district_plan(seed: int, n: int, pool: Pool) -> tuple[list[Target], list[float]]:
    """The districts of a corpus of ``n`` documents and their cumulative Zipf-like weights."""
    rng = random.Random(f"{seed}:districts")
    k = max(5, n // 8)
    chosen = rng.sample(pool.counties, min(k, len(pool.counties)))
    targets = [Target(a.name, a.city if a.level == "county" else None, a.province) for a in chosen]
    weights, total = [], 0.0
    for rank in range(1, len(targets) + 1):
        total += 1.0 / rank ** 0.8
        weights.append(total)
    return targets, weights


def _school_name(rng: random.Random, stem: str, pool: Pool, original: str) -> str:
    suffix = next((s for s in _SCHOOL_SUFFIXES if original.endswith(s)), "学校")
    if rng.random() < 0.5:
        kind = rng.choice(_SCHOOL_KINDS)
        if kind.startswith("第"):
            kind = "第" + "一二三四五六七八九十"[rng.randrange(10)] + kind[2:]
        return stem + kind
    return rng.choice(pool.stems) + ("路" if rng.random() < 0.3 else "") + suffix


def generate_document(seed: int, i: int, pool: Pool, targets: list[Target], weights: list[float]) -> tuple[str, dict]:
    """Document ``i`` of the corpus of ``seed``: its text (simplified script) and what it is about."""
    rng = random.Random(f"{seed}:{i}")
    target = targets[bisect.bisect_left(weights, rng.random() * weights[-1])]
    base = rng.choice(pool.docs)
    # skeleton: the base document's lines, about a third of its body paragraphs swapped
    lines = []
    for ln in base.lines:
        if not is_heading(ln) and len(ln) >= 30 and rng.random() < 0.35:
            ln = rng.choice(pool.body)
        lines.append(ln)
    # length: lognormal around the real documents' lengths, 1 200 – 24 000 characters
    want = int(min(24000, max(1200, rng.lognormvariate(8.1, 0.55))))
    size = sum(len(ln) for ln in lines)
    first_body = next((k for k, ln in enumerate(lines) if not is_heading(ln)), 0)
    while size < want:
        extra = rng.choice(pool.body)
        lines.insert(rng.randint(first_body + 1, len(lines)), extra)
        size += len(extra)
    while size > want * 1.3 and len(lines) > 6:
        k = rng.randint(first_body + 1, len(lines) - 1)
        if not is_heading(lines[k]):
            size -= len(lines[k])
            del lines[k]
        elif rng.random() < 0.1:
            break
    text = "\n".join(lines) + "\n"
    # names: every real place and school → the target district's (one mapping per document)
    county_stem, city_stem = _stem(target.county), _stem(target.city or "")
    mapping: dict[str, str] = {}
    for d in pool.docs:
        own = d.district
        for name in d.areas:
            if name == own:
                new = target.county if name[-1] != "市" or not target.city else target.city
            else:
                other = rng.choice(pool.counties)
                new = other.name
            mapping.setdefault(name, new)
            if len(_stem(name)) >= 2:
                mapping.setdefault(_stem(name), _stem(new) or new)
        if d.city:
            new_city = target.city or target.county
            mapping.setdefault(d.city, new_city)
            if len(_stem(d.city)) >= 2:
                mapping.setdefault(_stem(d.city), _stem(new_city) or new_city)
        if d.province and target.province:
            mapping.setdefault(d.province, target.province)
            if len(_stem(d.province)) >= 2:
                mapping.setdefault(_stem(d.province), _stem(target.province) or target.province)
        for school in d.schools:
            mapping.setdefault(school, _school_name(rng, county_stem or city_stem, pool, school))
    text = pool.keys.sub(lambda m: mapping.get(m.group(), m.group()), text)
    # 文号, numbers, recurrence words
    abbr = (county_stem or target.county)[:1]
    text = _DOC_NUMBER.sub(lambda m: f"{abbr}教发〔{rng.randint(2016, 2025)}〕{rng.randint(1, 180)}号", text)

    def number(m: re.Match) -> str:
        s = m.group()
        if len(s) == 4 and s[:2] in ("19", "20"):
            return str(rng.randint(2015, 2025))
        if len(s) == 1:
            return str(rng.randint(1, 9))
        return str(rng.randint(10 ** (len(s) - 1), 10 ** len(s) - 1))

    text = _NUMBER.sub(number, text)
    text = _PERIOD.sub(lambda m: rng.choice(_PERIODS) if rng.random() < 0.3 else m.group(), text)
    meta = {"i": i, "base": base.name, "district": target.county, "province": target.province,
            "traditional": rng.random() < 0.10, "gb18030": rng.random() < 0.05}
    return text, meta


def doc_path(out_dir: Path, i: int) -> Path:
    return out_dir / f"{i // DOCS_PER_FOLDER:03d}" / f"doc-{i:07d}.txt"


def iter_documents(seed: int, n: int, source_dir: str = str(SOURCE_DOCS)) -> Iterator[tuple[str, dict]]:
    """The corpus as a stream of ``(text, meta)`` (text in its final script), one at a time."""
    pool = load_pool(source_dir)
    targets, weights = district_plan(seed, n, pool)
    s2t = None
    for i in range(n):
        text, meta = generate_document(seed, i, pool, targets, weights)
        if meta["traditional"]:
            if s2t is None:
                import opencc

                s2t = opencc.OpenCC("s2t")
            text = s2t.convert(text)
        yield text, meta


def generate(out_dir: str | Path, n: int, seed: int = 7, *, source_dir: str = str(SOURCE_DOCS),
             progress=None) -> dict:
    """Write the corpus of ``n`` documents to ``out_dir`` (reused when its manifest matches)."""
    out = Path(out_dir)
    manifest_path = out / "manifest.json"
    key = {"generator": GENERATOR_VERSION, "seed": seed, "docs": n,
           "sources": _sources_digest(source_dir)}
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in key} == key:
            return old
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    total = chars = traditional = gb = 0
    digest = hashlib.sha256()
    for i, (text, meta) in enumerate(iter_documents(seed, n, source_dir)):
        path = doc_path(out, i)
        path.parent.mkdir(exist_ok=True)
        data = text.encode("gb18030" if meta["gb18030"] else "utf-8")
        path.write_bytes(data)
        digest.update(data)
        total += len(data)
        chars += len(text)
        traditional += meta["traditional"]
        gb += meta["gb18030"]
        if progress and (i + 1) % 1000 == 0:
            progress(i + 1, n)
    manifest = dict(key, bytes=total, chars=chars, traditional=traditional, gb18030=gb,
                    sha256=digest.hexdigest(), seconds=round(time.monotonic() - started, 2))
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def corpus_files(out_dir: str | Path) -> Iterator[Path]:
    """The document files of a generated corpus, in order (streamed)."""
    for folder in sorted(p for p in Path(out_dir).iterdir() if p.is_dir()):
        yield from sorted(folder.glob("doc-*.txt"))


def _sources_digest(source_dir: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(source_dir).glob("*.txt")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    manifest = generate(args.out_dir, args.docs, args.seed,
                        progress=lambda k, n: print(f"  {k}/{n}", flush=True))
    print(json.dumps(manifest, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
