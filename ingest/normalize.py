"""Normalize a policy text and keep an exact map back to the original.

``normalize(text)`` chains the steps — line ends, NFKC, pinyin glosses, web chrome, traditional →
simplified, whitespace, hard line-wraps — each with its :class:`~ingest.offsets.OffsetMap`; the
noise patterns are data in ``ingest/patterns/noise.toml``. The steps, their order and the
guarantees: docs/pipeline.md.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import ne
from pathlib import Path

from .offsets import OffsetMap

try:
    import tomllib
except ModuleNotFoundError:   # Python 3.10
    import tomli as tomllib

__all__ = ["NormalizedText", "normalize", "NOISE_FILE"]

NOISE_FILE = Path(__file__).with_name("patterns") / "noise.toml"

#: (start, end, replacement, aligned): aligned edits replace char for char (equal lengths).
Edit = tuple[int, int, str, bool]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN_RX = re.compile(f"[{HAN}]+")

#: A traditional text has at least this share of CJK characters changed by t2s ...
TRADITIONAL_MIN_SHARE = 0.03
#: ... and at least this many.
TRADITIONAL_MIN_CHARS = 3


@dataclass(frozen=True)
class NormalizedText:
    """The normalized ``text``, the ``original`` it came from and the map between them."""

    text: str
    original: str
    script: str          # "simplified" | "traditional": what the input was
    offsets: OffsetMap

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``text[start:end]`` came from."""
        return self.offsets.span_to_original(start, end)


def _apply(text: str, edits: list[Edit]) -> tuple[str, OffsetMap | None]:
    """Apply sorted, non-overlapping edits; the map is ``None`` when all are aligned."""
    if not edits:
        return text, None
    pieces: list[str] = []
    pos = 0
    for start, end, repl, _ in edits:
        pieces.append(text[pos:start])
        pieces.append(repl)
        pos = end
    pieces.append(text[pos:])
    if all(e[3] for e in edits):
        return "".join(pieces), None
    return "".join(pieces), OffsetMap.from_edits(
        len(text), [(s, e, len(r), al) for s, e, r, al in edits])


# -- 0. line ends and invisible characters ---------------------------------------------------

_LINE_END_CHARS = "\r\x0b\x0c\x85\u2028\u2029\u00ad\u200b\u200c\u200d\u2060\ufeff"
_LINE_END_RX = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]|[\u00ad\u200b-\u200d\u2060\ufeff]+")


def _line_ends(text: str) -> tuple[str, OffsetMap | None]:
    if not any(c in text for c in _LINE_END_CHARS):
        return text, None
    edits: list[Edit] = []
    for m in _LINE_END_RX.finditer(text):
        s = m.group()
        if s == "\r\n":
            edits.append((m.start(), m.end(), "\n", False))
        elif s in "\r\x0b\x0c\x85\u2028\u2029":
            edits.append((m.start(), m.end(), "\n", True))
        else:
            edits.append((m.start(), m.end(), "", False))
    return _apply(text, edits)


# -- 1. NFKC ----------------------------------------------------------------------------------

# Characters that are common in Chinese documents and fold to one character whatever
# surrounds them: replaced with str.replace (fast, one for one, no map needed).
_FAST_FOLD = {chr(c): unicodedata.normalize("NFKC", chr(c))
              for c in [*range(0xFF01, 0xFF5F), 0x3000, 0x00A0, *range(0x2002, 0x200B),
                        0x202F, 0x205F]}
_FAST_FOLD_RX = re.compile("[" + "".join(_FAST_FOLD) + "]")
_COMMON_FOLD = "，（）：；！？　\u00a0％０１２３４５６７８９"


def _nfkc_units(line: str) -> list[tuple[str, str]]:
    """Split a line into (source, NFKC) units whose NFKC concatenate to NFKC(line)."""
    whole = unicodedata.normalize("NFKC", line)
    per = [unicodedata.normalize("NFKC", c) for c in line]
    if "".join(per) == whole:
        return list(zip(line, per))
    units: list[str] = []
    cur = ""
    for c in line:   # grow a unit while c combines with it (accents, jamo, ...)
        if cur and unicodedata.combining(c) == 0 and unicodedata.normalize("NFKC", cur + c) == (
                unicodedata.normalize("NFKC", cur) + unicodedata.normalize("NFKC", c)):
            units.append(cur)
            cur = c
        else:
            cur += c
    if cur:
        units.append(cur)
    out = [(u, unicodedata.normalize("NFKC", u)) for u in units]
    if "".join(n for _, n in out) != whole:
        return [(line, whole)]
    return out


def _nfkc(text: str) -> tuple[str, OffsetMap | None]:
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    for ch in _COMMON_FOLD:        # cheap membership tests first, a scan only if needed
        if ch in text:
            text = text.replace(ch, _FAST_FOLD[ch])
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    for ch in set(_FAST_FOLD_RX.findall(text)):
        text = text.replace(ch, _FAST_FOLD[ch])
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    edits: list[Edit] = []
    pos = 0
    for line in text.split("\n"):
        if not unicodedata.is_normalized("NFKC", line):
            p = pos
            for src, out in _nfkc_units(line):
                if out != src:
                    edits.append((p, p + len(src), out, len(src) == 1 and len(out) == 1))
                p += len(src)
        pos += len(line) + 1
    return _apply(text, edits)


# -- noise patterns ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Noise:
    gloss: re.Pattern
    chrome_line: re.Pattern      # a chrome line at the start of the text
    chrome_next: re.Pattern      # "\n" + a chrome line
    meta_item: re.Pattern
    strong_keys: frozenset
    date_keys: frozenset
    count_keys: frozenset
    date_value: re.Pattern
    count_value: re.Pattern
    wrap: re.Pattern
    title_end: re.Pattern
    next_line_new: re.Pattern
    min_line_chars: int
    headline_ratio: float


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _syllable_pattern(cfg: dict) -> str:
    """A toned pinyin syllable: initial? + final with one toned vowel, or + a tone digit."""
    marks: dict = cfg["tone_marks"]

    def toned(finals) -> str:
        """Each final with a tone mark on one of its vowels, or with a tone digit."""
        forms = {f[:i] + t + f[i + 1:] for f in finals for i, v in enumerate(f)
                 for t in marks.get(v, "")}
        return (f"(?:{_alternation(forms)}|(?:{_alternation(finals)})[{cfg['tone_digits']}])")

    initials = _alternation(cfg["initials"])
    return f"(?:(?:{initials}){toned(cfg['finals'])}|{toned(cfg['bare_finals'])})"


@lru_cache(maxsize=None)
def _noise(path: Path = NOISE_FILE) -> _Noise:
    cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    py = cfg["pinyin"]
    syl = _syllable_pattern(py)
    sep = py["syllable_separator"]
    gloss = re.compile(rf"\([ \t]*{syl}(?:{sep}{syl}){{0,{py['max_syllables'] - 1}}}[ \t]*\)")

    ch = cfg["chrome"]
    meta = ch["meta"]
    meta_keys = set(meta["strong_keys"]) | set(meta["weak_keys"])
    keys = _alternation(meta_keys)
    lines = []
    first_chars = {k[0] for k in meta_keys}
    for item in ch["line"]:
        starts = _alternation(item["starts"])
        lines.append(f"(?:{starts})" + item["rest"].replace("{starts}", starts))
        first_chars.update(w[0] for w in item["starts"])
    # The look-ahead on the first character is only a fast filter for the alternation.
    # A list number may come first ("2. 2、本站…", as a document-sharing site numbers its notices).
    body = (rf"[ \t]*(?:\d{{1,2}}\.[ \t]*(?:\d{{1,2}}、)?[ \t]*)?[\[【(]?[ \t]*"
            rf"(?=[{re.escape(''.join(sorted(first_chars)))}])"
            rf"(?:(?P<line>{'|'.join(lines)})|(?P<meta>(?:{keys})[ \t]*:[^\n]*?))"
            rf"[ \t]*[\]】)]?[ \t]*(?=\n|\Z)")
    item_head = rf"[\[【(]?[ \t]*(?:{keys})[ \t]*:"
    meta_item = re.compile(rf"[\[【(]?[ \t]*(?P<key>{keys})[ \t]*:[ \t]*(?P<value>{meta['value']})"
                           rf"[ \t]*[\]】)]?[ \t|]*(?={item_head}|$)")

    w = cfg["wrap"]
    finals = re.escape(w["final_chars"])
    # The line length (min_line_chars) is checked in _unwrap: look-behinds have a fixed width.
    wrap = re.compile(rf"\n(?<=[^\n{finals}]\n)\n?(?=[{HAN}])"
                      rf"(?!{w['heading_start']})")
    return _Noise(gloss=gloss, chrome_line=re.compile(body), chrome_next=re.compile("\n" + body),
                  meta_item=meta_item, min_line_chars=w["min_line_chars"],
                  headline_ratio=w["headline_ratio"],
                  strong_keys=frozenset(meta["strong_keys"]),
                  date_keys=frozenset(meta["date_keys"]), count_keys=frozenset(meta["count_keys"]),
                  date_value=re.compile(meta["date_value"]),
                  count_value=re.compile(meta["count_value"]), wrap=wrap,
                  title_end=re.compile(w["title_end"]), next_line_new=re.compile(w["next_line_new"]))


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or (
        0x20000 <= o <= 0x3134F)


def _is_wide(ch: str) -> bool:
    """CJK characters and CJK punctuation: the neighbours next to which spaces are dropped."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE10 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF)


# -- 2. pinyin glosses ------------------------------------------------------------------------

def _glosses(text: str) -> tuple[str, OffsetMap | None]:
    edits: list[Edit] = []
    last_end = -1
    for m in _noise().gloss.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        # after a CJK character, or right after another gloss: 優(yōu)(you1)
        if start > 0 and (_is_han(text[start - 1]) or start == last_end):
            edits.append((start, m.end(), "", False))
            last_end = m.end()
    return _apply(text, edits)


# -- 3. web chrome lines ----------------------------------------------------------------------

def _is_meta_chrome(line: str, noise: _Noise) -> bool:
    items = list(noise.meta_item.finditer(line.strip()))
    if not items or sum(len(m.group()) for m in items) != len(line.strip()):
        return False
    if len(items) >= 2 or items[0]["key"] in noise.strong_keys:
        return True
    key, value = items[0]["key"], items[0]["value"].strip()
    return bool((key in noise.date_keys and noise.date_value.fullmatch(value))
                or (key in noise.count_keys and noise.count_value.fullmatch(value)))


def _chrome(text: str) -> tuple[str, OffsetMap | None]:
    noise = _noise()
    first = noise.chrome_line.match(text)
    matches = ([(0, first)] if first else []) + [
        (m.start() + 1, m) for m in noise.chrome_next.finditer(text)]
    edits: list[Edit] = []
    for start, m in matches:
        if m["meta"] is not None and not _is_meta_chrome(m.group(), noise):
            continue
        end = m.end() + 1 if m.end() < len(text) else m.end()   # with its line break
        if start < end:
            edits.append((start, end, "", False))
    return _apply(text, edits)


# -- 4. traditional → simplified --------------------------------------------------------------

@lru_cache(maxsize=None)
def _t2s():
    """The OpenCC converter and a regex of the characters it changes on their own."""
    import opencc
    cc = opencc.OpenCC("t2s")
    chars = [chr(c) for r in ((0x2E80, 0xA000), (0xF900, 0xFB00), (0x20000, 0x323B0))
             for c in range(*r)]
    changed = [c for c, s in zip(chars, cc.convert("\n".join(chars)).split("\n")) if c != s]
    bmp = "".join(c for c in changed if ord(c) < 0x10000)
    astral = frozenset(c for c in changed if ord(c) >= 0x10000)
    # Astral characters are matched by range and then looked up: sre is slow with a long
    # list of astral characters in a class, fast with BMP sets and ranges.
    return cc, re.compile(f"[{bmp}\U00010000-\U0010ffff]"), astral


def _has_traditional(text: str) -> bool:
    """Does ``text`` hold a character that t2s converts even on its own?"""
    _, rx, astral = _t2s()
    for m in rx.finditer(text):
        c = m.group()
        if c < "\U00010000" or c in astral:
            return True
    return False


def _to_simplified(text: str) -> tuple[str, OffsetMap | None, int]:
    """Convert, line by line, the lines that hold traditional characters.

    A line is converted iff it holds a character that t2s changes on its own, and each line
    is converted alone, so the result for a line depends on that line only. When OpenCC
    changes a line's length (a phrase mapping), that line is converted character by character
    instead, which keeps the map exact. Returns the text, its map and how many characters
    changed.
    """
    cc, rx, astral = _t2s()
    changed = 0
    edits: list[Edit] = []
    hit = rx.search(text)
    while hit:
        c = hit.group()
        if c >= "\U00010000" and c not in astral:       # an astral char t2s keeps
            hit = rx.search(text, hit.end())
            continue
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end
        old = text[start:end]
        new = cc.convert(old)
        if len(new) == len(old):
            changed += sum(map(ne, old, new))
            edits.append((start, end, new, True))
        else:
            for i, c in enumerate(old):
                s = cc.convert(c)
                if s != c:
                    changed += 1
                    edits.append((start + i, start + i + 1, s, len(s) == 1))
        hit = rx.search(text, end)
    new_text, m = _apply(text, edits)
    return new_text, m, changed


# -- 5. whitespace ----------------------------------------------------------------------------

_SPACE_RUN_RX = re.compile(r"[ \t][ \t\n]*")
_BLANK_RUN_RX = re.compile(r"\n(?:[ \t]|\n\n)[ \t\n]*")


def _ws_runs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs of spaces, tabs and newlines in text[lo:hi] that may need a change.

    Two simple scans are much faster in ``re`` than one alternation; each run found is
    widened to the whole whitespace run around it.
    """
    found = sorted([m.span() for m in _SPACE_RUN_RX.finditer(text, lo, hi)]
                   + [m.span() for m in _BLANK_RUN_RX.finditer(text, lo, hi)])
    runs: list[tuple[int, int]] = []
    for s, e in found:
        while s > lo and text[s - 1] in " \t\n":
            s -= 1
        if runs and s <= runs[-1][1]:
            if e > runs[-1][1]:
                runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
    return runs


def _whitespace(text: str) -> tuple[str, OffsetMap | None]:
    lead = len(text) - len(text.lstrip(" \t\n"))
    if lead == len(text):
        return _apply(text, [(0, len(text), "", False)] if text else [])
    trail = len(text) - len(text.rstrip(" \t\n"))
    edits: list[Edit] = [(0, lead, "", False)] if lead else []
    end = len(text) - trail
    for s, e in _ws_runs(text, lead, end):
        run = text[s:e]
        n = run.count("\n")
        if n:
            repl = "\n" if n == 1 else "\n\n"
        elif _is_wide(text[s - 1]) or _is_wide(text[e]):
            repl = ""
        else:
            repl = " "
        if repl != run:
            edits.append((s, e, repl, False))
    if trail:
        edits.append((end, len(text), "", False))
    return _apply(text, edits)


# -- 6. hard line-wraps -----------------------------------------------------------------------

def _unwrap(text: str) -> tuple[str, OffsetMap | None]:
    """Join hard-wrapped lines; the length that counts is that of the line as joined so far."""
    noise = _noise()
    edits: list[Edit] = []
    joined_end = start = -1          # end of the last removed break, start of its line
    for m in noise.wrap.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if line_start != joined_end:
            start = line_start
        next_end = text.find("\n", m.end())
        next_line = text[m.end():next_end if next_end != -1 else len(text)]
        if noise.title_end.search(text, start, m.start()) or noise.next_line_new.search(next_line):
            continue
        if m.end() - m.start() > 1 and len(next_line) > noise.headline_ratio * (m.start() - start):
            continue          # a headline (or dateline) above a paragraph, a blank line between
        if m.start() - start >= noise.min_line_chars:
            edits.append((m.start(), m.end(), "", False))
            joined_end = m.end()
    return _apply(text, edits)


# -- all steps --------------------------------------------------------------------------------

def normalize(text: str) -> NormalizedText:
    """Normalize ``text`` (see the module docstring) and map the result back to it."""
    maps: list[OffsetMap | None] = []
    t = text
    for step in (_line_ends, _nfkc, _glosses):
        t, m = step(t)
        maps.append(m)
    t, m, changed = _to_simplified(t)    # before chrome: chrome is matched in simplified form
    maps.append(m)
    for step in (_chrome, _whitespace, _unwrap):
        t, m = step(t)
        maps.append(m)
    maps = [m for m in maps if m is not None]
    offsets = maps[0] if maps else OffsetMap.identity(len(text))
    for m in maps[1:]:
        offsets = offsets.compose(m)
    script = "simplified"
    if changed >= TRADITIONAL_MIN_CHARS and (
            changed >= TRADITIONAL_MIN_SHARE * len(text)      # no need to count CJK chars
            or changed >= TRADITIONAL_MIN_SHARE * sum(map(len, _HAN_RUN_RX.findall(text)))):
        script = "traditional"
    return NormalizedText(text=t, original=text, script=script, offsets=offsets)
