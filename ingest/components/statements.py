"""Clauses of one sentence analysed for the rules component: modality markers, subject, task verb,
recurrence. Pure functions over text and jieba tokens; no spaCy objects."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest import frequency
from ingest.components.actors import ActorMention, SentenceActors, find_actors, head_actor, may_start_actor
from ingest.components.spans import patterns
from ingest.literals import Gated
from ingest.structure import split_clauses

MODALITY_ORDER = ("prohibition", "encouragement", "permission", "obligation")
PER_OCCURRENCE = ("每次", "每一次", "每轮", "每人", "每名", "每位")
#: what may stand before a clause's subject (原则上牵头校…, 各教育集团…, 区教体局…)
SUBJECT_LEAD = re.compile(r"(?:<正>)?(?:\d{1,2}[.、]|\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,2}、"
                          r"|第[一二三四五六七八九十]{1,3}条)?(?:原则上|同时|其中|另外|此外|并且|并)?,?(?:各|由)?")
#: a school's name followed by these names its group (某某中学教育集团)
GROUP_AFTER_NAME = re.compile(r"(?:教育|办学)?集团")
#: at most this many characters of modifier between 由 and its agent (由城区优质学校牵头)
BY_MODIFIER = 8
#: what may stand between a subject and its predicate (集团内将搭建…)
SUBJECT_TAIL = re.compile(r"[”’\"]?(?:内部|内)?")
#: what may open a clause with no subject before its predicate (numbering, <正>, 同时 …)
LEAD_ONLY = re.compile(r"(?:<正>)?(?:\d{1,2}[.、]|\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,2}、)?")
#: 由Y担任 / X任理事长: a post and its holder, not a duty
ASSIGNS_POST = Gated(r"由.{1,20}(?:担任|兼任)|^[^,]{0,12}(?:任|为)(?:集团)?(?:副?理事长|秘书长|理事)")
#: 由 before an agent (由城区优质学校牵头)
BY = re.compile(r"由")
RESPONSIBLE = re.compile(r"负责")
#: what breaks a run of actor mentions (牵头校、成员校 is one noun phrase, 牵头校对成员校 two)
RUN_BREAK = re.compile(r"[,;。由对在到按向]")
ENUMERATION_COMMA = re.compile("、")
#: actors a clause can set up and hand the following clauses to (bodies, posts)
SET_UP_ACTORS = frozenset({"group_office", "group_council", "group_head", "inspectorate"})
#: actors that may open a coordinated clause after 、 (牵头校选派…、成员校选派…)
COORDINATE_ACTORS = frozenset({"lead_school", "member_school", "lead_school_staff", "member_school_staff",
                               "group_head", "group_council", "group_office", "education_authority",
                               "government", "inspectorate"})


@dataclass(slots=True)
class Clause:
    start: int
    end: int
    text: str
    modality: str | None = None
    subject: ActorMention | None = None
    subject_school: tuple[int, int, str] | None = None
    predicate: int = 0            # offset (in the sentence text) where the predicate starts
    task: bool = False
    action: bool = False          # its predicate is an action verb: a duty of its own
    opens: bool = False           # it opens with a verb phrase (a task of its own, 推进…, 实现…)
    intent: bool = False          # its predicate starts with an adverb of intent (著力…, 将…)
    target: bool = False          # it sets a quota (覆盖率达90%以上, 至少创建2个)
    evaluative: bool = False      # …是…的重要举措: an evaluation, no duty
    reports: bool = False         # 方案明确,… / 会议提出,…: what follows is a plan's content
    purpose: bool = False         # 为加快…: the aim of the clauses that follow
    boilerplate: bool = False     # 查看原文, 发布日期: site text, no part of a statement
    topic: bool = False           # its predicate follows a topic of its own (全省重点推进…)
    arranges: bool = False        # 以X为Y: the manner of the task that follows
    dated: bool = False           # 13日,…: the date of an event the sentence narrates
    when: bool = False            # 建成后, / …以后,: only when what follows is done
    descriptive: bool = False
    mentions: list[frequency.Mention] = field(default_factory=list)
    responsible: bool = False     # starts with 负责
    assigns_post: bool = False    # 由…担任: a post, not a duty
    coordinated: bool = False     # split off at 、 before a new subject
    per_occurrence: bool = False  # 每次…: an amount per occasion, not a recurrence
    sets_up: ActorMention | None = None   # 组建/设立 X (a body that does what follows)

    @property
    def period(self) -> frequency.Mention | None:
        if not self.mentions:
            return None
        return next((m for m in self.mentions if m.kind in ("period", "unspecified")), None)

    @property
    def counts(self) -> list[frequency.Mention]:
        return [m for m in self.mentions if m.kind in ("count", "vague")]


@dataclass(frozen=True)
class _Lexicon:
    markers: dict[str, str]
    encouragement_initial: frozenset[str]
    not_prohibition: re.Pattern
    task_verbs: re.Pattern
    action_verbs: re.Pattern
    adverbs: re.Pattern
    adverb_start: re.Pattern      # where an adverb starts (a lookahead: every place, overlaps too)
    descriptive: Gated
    preamble: re.Pattern
    set_up: Gated
    intent: re.Pattern
    frame: re.Pattern
    frame_as: re.Pattern
    purpose_frame: str
    purpose_link: str
    purpose_causative: re.Pattern
    time_clause: re.Pattern
    topic_verbs: re.Pattern
    outcome_end: re.Pattern
    boilerplate: re.Pattern
    event_date: re.Pattern
    prepositions: re.Pattern
    frame_close: re.Pattern
    question: re.Pattern
    distributive: Gated
    frame_only: re.Pattern
    comparison: re.Pattern
    evaluative: Gated
    reports: re.Pattern
    purpose_clause: re.Pattern
    principle_sections: re.Pattern
    ideology: Gated
    reported: Gated
    evaluative_sentence: re.Pattern
    categories: dict[str, dict[str, int]]


#: the statement patterns of rules.toml compiled as they stand
PLAIN_PATTERNS = ("preamble", "frame", "frame_as", "purpose_causative", "time_clause",
                  "topic_verbs", "outcome_end", "boilerplate", "event_date", "frame_close",
                  "comparison", "reports", "purpose_clause", "principle_sections",
                  "question", "frame_only", "evaluative_sentence")
#: the statement patterns searched over every clause or sentence that the regex engine tries branch
#: by branch at every position: tried only where a word they require occurs (ingest.literals.Gated)
GATED_PATTERNS = ("set_up", "evaluative", "ideology", "reported", "distributive")


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = patterns("rules")
    markers = {}
    for modality in reversed(MODALITY_ORDER):   # earlier (stronger) modality wins on a clash
        for word in data["modality"][modality]:
            markers[word] = modality
    st = data["statement"]
    alt = lambda words: "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # noqa: E731
    return _Lexicon(
        markers=markers,
        encouragement_initial=frozenset(data["modality"]["encouragement_initial"]),
        not_prohibition=re.compile(data["modality"]["not_prohibition"]),
        task_verbs=re.compile(f"(?:{alt(st['action_verbs'] + st['purpose_verbs'])})"),
        action_verbs=re.compile(f"(?:{alt(st['action_verbs'])})"),
        adverbs=re.compile(f"(?:{alt(st['adverbs'])})*"),
        adverb_start=re.compile(f"(?=(?:{alt(st['adverbs'])}))"),
        descriptive=Gated("|".join(st["descriptive"])),
        intent=re.compile(f"(?:{alt(st['adverbs'])})*?(?:{st['intent']})"),
        purpose_frame=st["purpose_frame"],
        purpose_link=st["purpose_link"],
        prepositions=re.compile(f"(?:{st['prepositions']})"),
        **{name: re.compile(st[name]) for name in PLAIN_PATTERNS},
        **{name: Gated(st[name]) for name in GATED_PATTERNS},
        categories={name: entry["words"] for name, entry in data["category"].items()},
    )


@lru_cache(maxsize=1)
def modality_words() -> re.Pattern:
    """Every word :func:`clause_modality` looks up: a stretch of text without any of them yields
    no modality whatever its words."""
    lex = lexicon()
    words = set(lex.markers) | lex.encouragement_initial
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def is_preamble(sentence: str) -> bool:
    return bool(lexicon().preamble.search(sentence))


def clause_modality(text: str, tokens: list[tuple[int, str]]) -> str | None:
    """The strongest modality a clause marks; ``tokens`` are (offset in text, word)."""
    lex = lexicon()
    if not tokens or modality_words().search(text) is None:
        return None         # no token can be a marker word
    found = set()
    for i, (pos, word) in enumerate(tokens):
        modality = lex.markers.get(word)
        if modality == "prohibition" and lex.not_prohibition.match(text, pos):
            continue
        if modality is None and i == 0 and word in lex.encouragement_initial:
            modality = "encouragement"
        if modality:
            found.add(modality)
    if not found:
        return None
    return next((m for m in MODALITY_ORDER if m in found), None)


def _coordinate_splits(text: str, start: int, end: int, actors: SentenceActors | None = None) -> list[int]:
    """Offsets of 、 that join two clauses with their own subjects (牵头校选派…、成员校选派…)."""
    cuts = []
    if text.find("、", start, end) == -1:
        return cuts
    for m in ENUMERATION_COMMA.finditer(text[start:end]):
        pos = start + m.end()
        if not may_start_actor(text, pos):
            continue
        after = actors.find(pos, min(end, pos + 12)) if actors else find_actors(text, pos, min(end, pos + 12))
        if not after or after[0].start != pos or after[0].concept not in COORDINATE_ACTORS:
            continue
        tail = text[after[0].end:after[0].end + 6]
        head = text[start:start + m.start()]
        verb = lexicon().task_verbs.match(tail)
        if verb and not tail[verb.end():].startswith("的") and lexicon().task_verbs.search(head):
            cuts.append(start + m.start())
    return cuts


def _period_splits(text: str, start: int, end: int) -> list[int]:
    """Offsets of 、 between two recurrences in one clause (每周一次联合教研、每月一次同课异构)
    or between two counts of different things (派出管理干部1至2名、骨干教师不少于3名)."""
    mentions = frequency.scan(text[start:end])
    if len(mentions) < 2:
        return []           # no two recurrences, no two counts
    periods = [m for m in mentions if m.kind == "period"]
    counts = [m for m in mentions if m.kind == "count" and m.start >= (periods[0].end if periods else 0)]
    cuts = []
    for prev, cur in list(zip(periods, periods[1:])) + list(zip(counts, counts[1:])):
        sep = text.rfind("、", start + prev.end, start + cur.start)
        if sep != -1:
            cuts.append(sep)
    return cuts


#: a modality that opens a coordinated clause of its own (…纳入优质教育集团、原则上新开办的…)
MODALITY_OPENER = re.compile(r"、(?=原则上|严禁|不得|禁止)")


def split_statement(text: str, start: int, end: int,
                    actors: SentenceActors | None = None) -> list[tuple[int, int, bool]]:
    """Clause spans of a sentence, with coordinated clauses split at 、 (third item True);
    ``actors``: the sentence's actor wordings, when already searched."""
    out = []
    for s, e in split_clauses(text, start, end):
        if text.find("、", s, e) == -1:      # every cut is at a 、
            out.append((s, e, False))
            continue
        cuts = _coordinate_splits(text, s, e, actors) + _period_splits(text, s, e) \
            + [m.start() for m in MODALITY_OPENER.finditer(text, s, e)]
        if not cuts:
            out.append((s, e, False))
            continue
        cuts = sorted(set(cuts))
        bounds = [s] + [c + 1 for c in cuts] + [e]
        for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
            out.append((a, b, i > 0))
    return out


def analyse(text: str, start: int, end: int, tokens: list[tuple[int, str]], coordinated: bool,
            schools: list[tuple[int, int, str]], actors: SentenceActors | None = None) -> Clause:
    """Everything the rules component needs to know about the clause ``text[start:end]``
    (``actors``: those of its sentence, when already searched)."""
    lex = lexicon()
    body = text[start:end].rstrip(",:;。!?")
    clause = Clause(start, end, body, coordinated=coordinated)
    local = [(p - start, w) for p, w in tokens if start <= p < end]   # (callers may pass the clause's own)
    clause.modality = clause_modality(body, local)
    if clause.modality in ("encouragement", "permission") and lex.purpose_clause.match(body):
        clause.modality = None
    clause.descriptive = bool(lex.descriptive.search(body))
    clause.boilerplate = bool(lex.boilerplate.search(body))
    clause.dated = bool(lex.event_date.search(body))
    clause.descriptive = clause.descriptive or clause.dated
    clause.evaluative = bool(lex.evaluative.search(body))
    clause.when = bool(lex.time_clause.search(body))
    clause.reports = bool(lex.reports.match(body))
    clause.mentions = frequency.scan(body)
    clause.responsible = body.startswith("负责") or body.startswith("具体负责")
    clause.per_occurrence = body.startswith(PER_OCCURRENCE)
    clause.assigns_post = bool(ASSIGNS_POST.search(body))
    mentions = actors.find(start, end) if actors else find_actors(text, start, end)
    by = None if clause.assigns_post else BY.search(body)   # 由Y担任 names a holder, not an agent
    subject = None
    if by:
        after = [m for m in mentions if 0 <= m.start - start - by.end() <= BY_MODIFIER]   # 由城区优质学校…
        if after:
            subject = head_actor(_adjacent_run(after[0], mentions, text), text)
        else:
            school = next((s for s in schools if s[0] - start == by.end()), None)
            if school:
                clause.subject_school = school
    if subject is None and clause.subject_school is None:
        lead = SUBJECT_LEAD.match(body).end()
        first = next((m for m in mentions if m.start - start == lead), None)
        if first is not None:
            subject = head_actor(_adjacent_run(first, mentions, text), text)
        else:
            school = next((s for s in schools if s[0] - start == lead), None)
            if school and not _opening_verb(body[lead:], lex.adverbs.match(body, lead).end() - lead):
                clause.subject_school = school      # (a "name" that opens with a verb is a task)
    if clause.subject_school is not None:      # 某某中学教育集团: the group, not the school
        named = GROUP_AFTER_NAME.match(text, clause.subject_school[1])
        if named:
            subject = ActorMention(clause.subject_school[0], named.end(), "group",
                                   text[clause.subject_school[0]:named.end()])
            clause.subject_school = None
    if subject is None:
        resp = RESPONSIBLE.search(body)
        if resp:
            before = [m for m in mentions if 0 <= start + resp.start() - m.end <= 4]
            if before:
                subject = before[-1]
    clause.subject = subject
    head_end = subject.end - start if subject else (clause.subject_school[1] - start if clause.subject_school else 0)
    if by and (subject or clause.subject_school):
        head_end = max(head_end, 0)
    if subject or clause.subject_school:
        head_end += SUBJECT_TAIL.match(body, head_end).end() - head_end
    else:
        head_end = LEAD_ONLY.match(body).end()
    rest = body[head_end:]
    adverbs = lex.adverbs.match(rest).end()
    clause.predicate = head_end + adverbs
    clause.action = bool(lex.action_verbs.match(rest, adverbs))
    opening, after_topic = _opening(rest, adverbs)
    clause.opens = opening is not None
    clause.intent = bool(lex.intent.match(rest))
    if opening is not None and after_topic:
        clause.topic = True             # 海淀区将在…启动…: a topic of its own before the predicate
        clause.intent = clause.intent or bool(lex.intent.search(rest, 0, opening[0]))
        if lex.outcome_end.search(body):
            clause.opens = False        # 全区纳入…的学校占比显著提高: a result, no task
            opening = None
    if opening is not None and opening[1] and not clause.action:
        clause.action = True
    if by and (subject or clause.subject_school) and not clause.assigns_post:
        clause.opens = True             # 由X作为…/由X与Y共建共管: the agent's task
    clause.arranges = bool(opening is not None and lex.frame_as.match(rest, opening[0]))
    clause.task = clause.action or clause.opens or bool(clause.period)
    clause.target = _sets_target(clause)
    clause.purpose = _purpose_opener(rest, adverbs)
    if clause.purpose and clause.modality != "prohibition":
        clause.modality = None          # 为确保…: the aim of what follows, no duty of its own
    if clause.evaluative or clause.purpose or clause.when:
        clause.action = clause.opens = clause.task = clause.target = False
    set_up = lex.set_up.search(body)
    if set_up:      # 组建教师发展中心 / 设立…牵头校校长1名 / 组成评估组: the head of the object
        obj = [m for m in mentions if m.start - start >= set_up.end()]
        head = head_actor(_adjacent_run(obj[0], obj, text), text) if obj else None
        if head is not None and head.concept in SET_UP_ACTORS:
            clause.sets_up = head
    return clause


#: at most this many characters of topic before a predicate (全省重点推进…)
TOPIC_MAX = 16


#: 以托管、领办等方式…: 以 names a manner, the verb comes after
MANNER = re.compile(r"方式|形式|模式|途径|手段|办法")
#: a document's title (《…》): no verb in it is the clause's own
BOOK_TITLE = re.compile(r"《[^》]*》")


def _masked(text: str) -> str:
    """``text`` with every 《…》 blanked out (same length), for verb searches."""
    if "《" not in text:
        return text
    return BOOK_TITLE.sub(lambda m: "\0" * len(m.group()), text)


def _opening_verb(rest: str, adverbs: int, topic: bool = True) -> tuple[int, bool] | None:
    """(offset, is an action verb) of the verb a clause's predicate opens with: right after its
    adverbs (切实推进…), at its start (将集团化办学分为…), or after a frame (在…方面实行…,
    通过…构建…, 与…组建…); 以X为Y (以优质学校为龙头校) is a predicate of its own."""
    return _opening(rest, adverbs, topic)[0]


def _opening(rest: str, adverbs: int, topic: bool = True) -> tuple[tuple[int, bool] | None, bool]:
    """:func:`_opening_verb`, and whether the verb was found only after a topic of its own."""
    lex = lexicon()
    rest = _masked(rest)
    for pos in (adverbs, 0):
        verb = lex.task_verbs.match(rest, pos)
        if verb:
            if lex.prepositions.fullmatch(verb.group()):
                later = lex.task_verbs.search(rest, verb.end() + 1)    # 按照…模式组建 / 对…进行…
                if later is None or lex.prepositions.fullmatch(later.group()):
                    continue
            return (pos, bool(lex.action_verbs.match(rest, pos))), False
    if lex.frame_as.match(rest, adverbs):
        return (adverbs, False), False
    frame = lex.frame.match(rest, adverbs)
    if frame and not lex.comparison.match(rest, adverbs):
        if _purpose_opener(rest, adverbs) or (frame.group() == lex.purpose_link
                                              and lex.task_verbs.match(rest, frame.end())
                                              and not MANNER.search(rest, frame.end())):
            return None, False
        close = lex.frame_close.search(rest, frame.end())
        verb = lex.task_verbs.search(rest, close.end() if close else frame.end())
        if verb:
            return (verb.start(), bool(lex.action_verbs.match(rest, verb.start()))), False
    if topic:
        found = _topic_predicate(rest)
        return found, found is not None
    return None, False


def _topic_predicate(rest: str) -> tuple[int, bool] | None:
    """A predicate after a topic that is no actor: 全省重点推进…, 薄弱学校优先纳入…, 区将在…启动…
    (a topic, then adverbs and a verb), or 考核评价实行一体化管理 (a topic and a verb of rule)."""
    lex = lexicon()
    strong = lex.topic_verbs.search(rest, 1, TOPIC_MAX + 8)
    if strong and not lex.frame.match(rest) and not lex.descriptive.search(rest, 0, strong.start()):
        return strong.start(), True
    last = min(TOPIC_MAX, len(rest))
    for at in lex.adverb_start.finditer(rest, 1):    # only where an adverb run can start
        i = at.start()
        if i >= last:
            break
        run = lex.adverbs.match(rest, i).end()
        if run > i and not lex.adverbs.match(rest, i - 1).end() > i - 1:
            found = _opening_verb(rest, run, topic=False)
            if found is not None and found[0] >= run:
                return found
    return None


def _purpose_opener(rest: str, adverbs: int) -> bool:
    """为 + verb (为加快…, 为进一步推进…): a clause that names the aim of what follows."""
    lex = lexicon()
    frame = lex.frame.match(rest, adverbs)
    if not frame or frame.group() != lex.purpose_frame:
        return False
    after = lex.adverbs.match(rest, frame.end()).end()
    return bool(after > frame.end() or lex.task_verbs.match(rest, after) or lex.purpose_causative.match(rest, after))


#: a quota: a bound (不低于15%, 至少2个, 90%以上, 不超过9所) or a rate reached (覆盖率达到100%)
REACHED_RATE = re.compile(r"(?:率|比例|占比)(?:要|应)?(?:达到?|提高到|提升到)")


def _sets_target(clause: Clause) -> bool:
    """A clause that sets a quota: a bounded count that is no recurrence, or a rate to reach."""
    if not clause.mentions or clause.period is not None or clause.per_occurrence:
        return False
    counts = clause.counts
    if any(m.kind == "count" and m.comparator in ("min", "max") for m in counts):
        return True
    return bool(REACHED_RATE.search(clause.text)) and any(m.unit == "percent" for m in counts)


def _adjacent_run(first: ActorMention, mentions: list[ActorMention], text: str) -> list[ActorMention]:
    """``first`` and the mentions that continue its noun phrase (牵头校学科教研组长或学科带头人)."""
    run = [first]
    for m in mentions:
        if m.start <= run[-1].start:
            continue
        gap = text[run[-1].end:m.start]
        if len(gap) <= 2 and not RUN_BREAK.search(gap):
            run.append(m)
        else:
            break
    return run


@lru_cache(maxsize=1)
def _category_keywords() -> tuple[re.Pattern, dict[str, list[tuple[str, int]]], dict[str, int]]:
    """One regex of every category keyword (longest first); per keyword, the (category, weight)
    of every keyword inside it, itself included (跟班听课 also counts 听课); each category's rank."""
    weights: dict[str, list[tuple[str, int]]] = {}
    for name, words in lexicon().categories.items():
        for word, weight in words.items():
            weights.setdefault(word, []).append((name, weight))
    counted = {word: [entry for w, entries in weights.items() if w in word for entry in entries]
               for word in weights}
    rank = {name: i for i, name in enumerate(lexicon().categories)}
    return re.compile("|".join(map(re.escape, sorted(weights, key=len, reverse=True)))), counted, rank


def category_of(text: str) -> str:
    """The category whose keywords weigh most in ``text`` ("other" when none occurs); a keyword
    inside a longer one counts too (跟班听课 also counts 听课)."""
    pattern, counted, rank = _category_keywords()
    scores: dict[str, int] = {}
    for m in pattern.finditer(text):
        for name, weight in counted[m.group()]:
            scores[name] = scores.get(name, 0) + weight
    if not scores:
        return "other"
    return max(scores, key=lambda name: (scores[name], -rank[name]))
