"""The shape of a policy text: headings (一、 (一) 1. …), paragraphs, sentences and clauses.

Works on normalized text (ASCII punctuation after NFKC) with plain regexes, so it runs at
the speed of reading. Offsets are ``[start, end)`` in the normalized text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"
# (level, pattern of the heading marker at the start of a line)
HEADING_MARKERS: list[tuple[int, re.Pattern]] = [
    (1, re.compile(rf"第[{CN_NUM}]+(?:部分|章|篇)")),
    (1, re.compile(rf"[{CN_NUM}]+[、.](?![\d{CN_NUM}])")),
    (2, re.compile(rf"\([{CN_NUM}]+\)")),
    (2, re.compile(rf"第[{CN_NUM}]+条")),
    (3, re.compile(r"\d{1,2}(?:[、]|\.(?!\d))")),
    (4, re.compile(r"\(\d{1,2}\)")),
    (4, re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
]
SENTENCE_END = re.compile(r"[。!?;](?:[”’」』\"])?|\.{6}|…{1,2}")
CLAUSE_END = re.compile(r"[,:;。!?]")
FINAL_PUNCT = "。!?;:,、”’」』)》…"
#: A line this short with no sentence punctuation reads as a sub-heading (news reports).
SUBHEAD_MAX = 24
#: The title part of a numbered heading line is at most this long and has no comma.
TITLE_MAX = 20
#: Words of a statement, never of a title: recurrence, amounts, modal verbs.
STATEMENT = re.compile(r"每|至少|不少于|不超过|不得|严禁|应|须|可以|\d+[名次人个]|[一二两三四五六七八九十]+[名次]")


@dataclass(frozen=True)
class Section:
    index: int
    level: int
    start: int          # the heading's span
    end: int
    parent: int | None  # index of the enclosing section

    def heading(self, text: str) -> str:
        return text[self.start:self.end]


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    section: int | None     # innermost section the sentence belongs to
    paragraph: int
    is_heading: bool = False


@dataclass
class Structure:
    text: str
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)

    def section_path(self, index: int | None) -> list[Section]:
        """The chain of sections from the top level down to section ``index``."""
        path = []
        while index is not None:
            section = self.sections[index]
            path.append(section)
            index = section.parent
        return path[::-1]

    def sentence_at(self, pos: int) -> Sentence | None:
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.sentences[mid].end <= pos:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.sentences) and self.sentences[lo].start <= pos:
            return self.sentences[lo]
        return None


def _heading_level(line: str) -> tuple[int, int] | None:
    """(level, marker length) when ``line`` starts with a heading marker."""
    stripped = line.lstrip("*# ")
    offset = len(line) - len(stripped)
    for level, pattern in HEADING_MARKERS:
        m = pattern.match(stripped)
        if m:
            return level, offset + m.end()
    return None


def _heading_end(line: str, marker_end: int) -> int:
    """Where the heading part of a heading line ends: its bold run, first sentence, or the line."""
    bold = line.find("**", marker_end)
    if bold != -1:
        close = line.find("**", bold + 2)
        if close != -1:
            return close + 2
    m = SENTENCE_END.search(line, marker_end)
    if m and m.end() < len(line):
        return m.end()
    return len(line)


def _is_subhead(line: str, is_first: bool) -> bool:
    return (not is_first and 2 <= len(line) <= SUBHEAD_MAX and not any(c in line for c in FINAL_PUNCT)
            and not line[-1:].isdigit())


def _reads_as_title(heading: str, marker_end: int) -> bool:
    """A numbered line opens with a title (建立联席会议制度。) or is itself a list item with a
    full statement (牵头校每年至少选派3名骨干教师到成员校任教,…): only the first is a heading."""
    body = heading[marker_end:].strip("*# 。.")
    return len(body) <= TITLE_MAX and not any(c in body for c in ",;:") and not STATEMENT.search(body)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (a single paragraph), trimmed of surrounding blanks."""
    spans, pos = [], start
    for m in SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    out = []
    for s, e in spans:
        while s < e and text[s] in " \t*":
            s += 1
        while e > s and text[e - 1] in " \t*":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans (split at , : ; and sentence ends) of the sentence ``text[start:end]``."""
    spans, pos = [], start
    for m in CLAUSE_END.finditer(text, start, end):
        if m.end() - pos > 1:
            spans.append((pos, m.end()))
        pos = m.end()
    if end - pos > 0:
        spans.append((pos, end))
    return spans


def segment(text: str) -> Structure:
    """Sections, paragraphs and sentences of a normalized text."""
    out = Structure(text)
    stack: list[Section] = []   # open sections, outermost first
    first_content = True
    pos = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        paragraph = len(out.paragraphs)
        out.paragraphs.append((line_start, line_end))
        body_start = line_start
        marker = _heading_level(line)
        level = None
        if marker:
            level = marker[0]
            head_end = line_start + _heading_end(line, marker[1])
        elif _is_subhead(line.strip(), first_content):
            level = 1 if not stack or stack[0].level >= 1 else stack[-1].level + 1
            head_end = line_end
        first_content = False
        if level is not None:
            while stack and stack[-1].level >= level:
                stack.pop()
            section = Section(len(out.sections), level, line_start, head_end,
                              stack[-1].index if stack else None)
            out.sections.append(section)
            stack.append(section)
            if _reads_as_title(text[line_start:head_end], marker[1] if marker else 0):
                out.sentences.append(Sentence(len(out.sentences), line_start, head_end, section.index,
                                              paragraph, True))
                body_start = head_end
        current = stack[-1].index if stack else None
        for s, e in split_sentences(text, body_start, line_end):
            out.sentences.append(Sentence(len(out.sentences), s, e, current, paragraph))
    return out
