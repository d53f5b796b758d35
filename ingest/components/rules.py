"""``pkb_rules``: obligations, prohibitions, permissions and encouragements with their actor,
action, category, frequency and quantity.

A sentence is cut into clauses; clauses are grouped into statements (units). A new statement
starts at a clause with its own subject, its own count when the current one has a count, its own
modality (可…, 不得…, a second 要…), a quota of its own, or a predicate that opens with a verb
(推进…, 实现…共建共享: a task list states one duty per clause); the others continue the current
statement. A clause with a count but no period takes the period stated earlier in the sentence.
Narration (近年来, 组建了…, dates of events) runs on through the clauses after it until a clause of
its own (a subject, a modal word, an intent such as 著力/将, a report such as 方案明确); an aim
(为加快…) and an evaluation (…是…的重要举措, 有利于…) run on the same way. Narrated, evaluative
and aimed clauses state no duty; the evidence of a statement is its sentence.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from ingest import frequency
from ingest.components.actors import SentenceActors, consortium_lead_pattern, consortium_member_pattern
from ingest.components.spans import make_span, text_of
from ingest.extensions import facts_of
from ingest.triage import triage_pattern
from ingest.components.statements import (SUBJECT_LEAD, Clause, analyse, category_of,
                                          lexicon, split_statement)

#: statements with no subject that are the education authority's work: funding, external
#: supervision, evaluating the groups
#: sending people somewhere: a recurrence without a count then counts persons
SENDS_PEOPLE = re.compile(r"(?:选派|派出|派遣|互派|委派|输送)[^,。;]{0,6}(?:教师|老师|干部|校长|骨干|人员|名师)")
#: periods that state a fact of their own (任期三年, 运行周期为三年), never a mere time phrase
STANDING_PERIODS = frozenset({"term_of_office", "multi_year"})
#: at most this many characters besides the period make a clause a mere time phrase
TIME_PHRASE_REST = 5
#: a share (交流比例): a period before it recurs only with the share stated
RATE = re.compile(r"比例|占比|比率|覆盖率|覆盖面")
#: punctuation that ends a clause, left out of a rule's evidence
CLAUSE_PUNCT = ",:;。!?、"
AUTHORITY_WORK = re.compile(r"经费|资金|预算|督导|督查|对(?:各)?(?:教育)?集团[^,。;]{0,20}(?:评估|考核|评价)")


@dataclass
class Unit:
    clauses: list[Clause] = field(default_factory=list)
    modality: str | None = None
    actor: str | None = None
    actor_text: str | None = None
    explicit: bool = False
    inherited_period: frequency.Mention | None = None
    closed: bool = False

    @property
    def period(self) -> frequency.Mention | None:
        own = next((c.period for c in self.clauses if c.period), None)
        return own or self.inherited_period

    @property
    def counts(self) -> list[frequency.Mention]:
        return [m for c in self.clauses for m in c.counts]

    def frequency_counts(self) -> list[frequency.Mention]:
        """The counts of the recurrence: those stated in the period's clause, and in later clauses
        only with a comparator (设秘书长一名,…,每学期末提交报告 counts no one; 每届任期三年,可连任
        一次 is not once per term)."""
        first = next((i for i, c in enumerate(self.clauses) if c.period), 0)
        own = [m for m in self.clauses[first].counts] if self.clauses else []
        period = self.clauses[first].period if self.clauses else None
        if period is not None and period.period in STANDING_PERIODS:
            own = [m for m in own if m.start >= period.start]   # 五所学校接受为期两年的…: no count
        later = [m for c in self.clauses[first + 1:] for m in c.counts
                 if m.kind == "vague" or m.comparator in ("min", "max", "range", "approx")]
        return own + later

    @property
    def text(self) -> str:
        return ",".join(c.text for c in self.clauses)

    def add(self, clause: Clause) -> None:
        self.clauses.append(clause)
        if self.modality is None and clause.modality and clause.modality not in ("prohibition", "permission"):
            self.modality = clause.modality


@dataclass
class Context:
    """What a sentence knows from the document: the school roles and the default actor."""
    school_roles: dict[str, str]
    default_actor: str
    consortium: bool


def _subject(clause: Clause, ctx: Context) -> tuple[str, str] | None:
    if clause.subject is not None:
        return clause.subject.concept, clause.subject.text
    if clause.subject_school is not None:
        name = clause.subject_school[2]
        role = ctx.school_roles.get(name)
        if role:
            staff = clause.text[clause.subject_school[1] - clause.start:][:4]
            if staff.startswith(("教师", "老师")):
                role += "_staff"
            return role, name
    if ctx.consortium:
        head = clause.text[:8]
        for pattern, role in ((consortium_lead_pattern(), "lead_school"),
                              (consortium_member_pattern(), "member_school")):
            m = pattern.match(head, SUBJECT_LEAD.match(head).end())
            if m:
                return role, m.group()
    return None


def statements(text: str, start: int, end: int, tokens, schools, ctx: Context,
               carried: tuple[str, str] | None) -> list[Unit]:
    """The statements (units) of the sentence ``text[start:end]``."""
    units: list[Unit] = []
    current: Unit | None = None
    sentence_actor = carried
    body_actor = None
    pending: list[Clause] = []      # 每学年开学前, …: a time phrase that opens the next clause
    narrating = False               # after narration (近年来, 组建了…) until a clause of its own
    dated = False                   # after the date of an event (13日,): a subject ends no narration
    aim = False                     # after 为+verb, until the clause that pursues the aim
    offsets = [pos for pos, _ in tokens]
    actors = SentenceActors(text, start, end)
    for s, e, coordinated in split_statement(text, start, end, actors):
        own = tokens[bisect.bisect_left(offsets, s):bisect.bisect_left(offsets, e)]
        clause = analyse(text, s, e, own, coordinated, schools, actors)
        if clause.boilerplate:
            continue
        if _time_only(clause):
            pending.append(clause)
            continue
        subject = _subject(clause, ctx)
        if clause.reports:
            narrating = dated = False   # 据…透露, / 方案明确,: what follows is the plan
        elif clause.descriptive:
            narrating = True
            dated = dated or clause.dated
        elif clause.modality or clause.intent or (subject and not dated):
            narrating = dated = False
        elif narrating:
            clause.descriptive = True
        if clause.purpose or clause.evaluative:
            aim = True          # 为加快…, 积极打造…, 让…: the aim, up to the clause that pursues it
        elif subject or clause.modality or clause.topic or not clause.opens:
            aim = False
        elif aim:
            clause.opens = clause.task = clause.action = False
        if subject is None and body_actor:     # 组建教师发展中心,负责…: the body does what follows
            subject = body_actor
        if clause.sets_up is not None:
            body_actor = (clause.sets_up.concept, clause.sets_up.text)
        if pending:
            clause = _prefixed(pending, clause)
            pending = []
        last = units[-1] if units else None
        if last is not None and last.closed and clause.modality is None and subject is None \
                and not clause.coordinated and not any(_has_verb(c) for c in last.clauses):
            last.clauses.append(clause)     # 可根据需要,商定…方案: the permitted task
            continue
        if clause.modality in ("prohibition", "permission"):
            unit = Unit([clause], clause.modality, closed=True)
            _assign(unit, subject or (current and (current.actor, current.actor_text)) or sentence_actor, subject)
            units.append(unit)
            continue
        new = current is None
        if not new:
            if not clause.descriptive and any(c.descriptive for c in current.clauses):
                new = True      # 此次组建的教共体采取…, 由…牵头: narration glues onto no duty
            elif subject and current.explicit and subject[0] != current.actor:
                new = True
            elif subject and not current.explicit and current.clauses and current.clauses[-1].task:
                new = True
            elif clause.counts and current.counts and any(m.kind == "count" for m in clause.counts) \
                    and (clause.period or current.period):
                new = True
            elif any(m.kind == "count" for m in clause.counts) and any(m.kind == "count" for m in current.counts) \
                    and lexicon().distributive.search(clause.text):
                new = clause.target = True      # 甲区、乙区各培育…9-11个, 丙区各…4-7个: a quota each
            elif clause.period and clause.period.kind == "period" and current.period is not None \
                    and current.period.period != clause.period.period:
                new = True
            elif clause.per_occurrence:
                new = True
            elif clause.opens and all(c.arranges for c in current.clauses):
                new = False     # 以课程建设为撬动点,通过构建课程联盟: the manner and its task
            elif clause.opens and not any(c.task or c.target or c.modality or c.responsible
                                          for c in current.clauses):
                new = True      # 据了解,首批组建…: the task starts a statement of its own
            elif clause.opens and clause.counts and clause.period is None and current.period is None \
                    and any(c.opens for c in current.clauses):
                new = True      # …推进…建设,新增…合计1532家: a second task with an amount of its own
            elif (clause.responsible or clause.action or clause.opens) and not clause.counts \
                    and any(c.action or c.responsible or c.opens for c in current.clauses):
                new = True
            elif clause.target and any(c.target for c in current.clauses):
                new = True
            elif clause.modality == "obligation" and any(c.modality for c in current.clauses):
                new = True
            elif clause.modality == "encouragement" and current.modality != "encouragement" \
                    and (current.modality is not None or any(c.task for c in current.clauses)):
                new = True
        if new:
            unit = Unit(closed=False)
            inherit = current or (units[-1] if units else None)
            if inherit is not None and clause.period is None and inherit.period is not None \
                    and inherit.period.kind == "period" and (clause.counts or clause.coordinated) \
                    and not clause.per_occurrence:
                unit.inherited_period = inherit.period
            if inherit is not None and clause.modality is None and clause.coordinated:
                unit.modality = inherit.modality
            elif current is not None and clause.modality is None and subject is None \
                    and current.modality == "encouragement":
                unit.modality = current.modality     # 鼓励…,推动…: still encouraged
            fallback = (current.actor, current.actor_text) if current and current.actor else sentence_actor
            _assign(unit, subject or fallback, subject)
            unit.add(clause)
            units.append(unit)
            current = unit
        else:
            current.add(clause)
            if subject and not current.explicit:
                _assign(current, subject, subject)
        if subject and sentence_actor is None:
            sentence_actor = subject
    return units


def _has_verb(clause: Clause) -> bool:
    """A clause with a verb of its own (可随时召开), not only a modal and a frame (可根据需要)."""
    lex = lexicon()
    return any(not lex.prepositions.fullmatch(m.group()) for m in lex.task_verbs.finditer(clause.text))


def _time_only(clause: Clause) -> bool:
    """A clause that is only a time phrase (每学年开学前, 每年12月): it belongs to the next one."""
    period = clause.period
    if period is None or period.kind != "period" or clause.subject or clause.action or clause.counts \
            or period.period in STANDING_PERIODS:
        return False
    return len(clause.text) - len(period.text) <= TIME_PHRASE_REST


def _prefixed(times: list[Clause], clause: Clause) -> Clause:
    """``clause`` with the time phrases before it: their span, their recurrence."""
    first = times[0]
    clause.start = first.start
    clause.text = ",".join(c.text for c in times) + "," + clause.text
    clause.predicate += len(clause.text) - len(clause.text.split(",")[-1])
    clause.mentions = [m for c in times for m in c.mentions] + [m for m in clause.mentions if m.kind != "period"] \
        + [m for m in clause.mentions if m.kind == "period"]
    return clause


def _assign(unit: Unit, actor: tuple[str, str] | None, explicit) -> None:
    if actor and actor[0]:
        unit.actor, unit.actor_text = actor
        unit.explicit = bool(explicit)


def is_rule(unit: Unit) -> bool:
    """A statement that states a norm: a modality marker, or a task / recurrence, not a description."""
    if unit.modality:
        return True
    if all(c.assigns_post for c in unit.clauses):
        return True         # 理事长由牵头校校长担任: the holder's duty to take the post
    if any(c.descriptive for c in unit.clauses):
        return False
    if all(lexicon().frame_only.match(c.text) for c in unit.clauses):
        return False        # 在…指导下 alone: a frame whose statement is elsewhere
    return any(c.task or c.period or c.responsible or c.target for c in unit.clauses) or unit.period is not None


#: a heading that names a stage of the work (（一）启动阶段（2024年2-4月）。), no task
STAGE = re.compile(r"阶段|\(\d{4}")


def _heading_states(unit: Unit, piece: str) -> bool:
    """A numbered heading that is a statement of its own: a quota (交流比例不低于15%), a modal
    word or a subject with its task (牵头学校负责制定…。), or a task sentence (确定…名单。)."""
    if _target(unit) or unit.modality or (unit.explicit and any(c.task for c in unit.clauses)):
        return True
    return piece.endswith("。") and unit.clauses[0].action and not STAGE.search(piece)


def _target(unit: Unit) -> bool:
    return any(c.target for c in unit.clauses)


def rule_facts(unit: Unit, ctx: Context, before: str | None = None) -> dict:
    """The contract fields of one statement."""
    period = unit.period
    if period is not None and period.kind == "period" and period.period not in STANDING_PERIODS \
            and not unit.counts and RATE.search(unit.text):
        period = None       # 每年…交流比例 with no share stated (a text cut off): no recurrence
    freq, quantity = frequency.frequency_of(period, unit.frequency_counts() if period else unit.counts)
    if period is not None and period.kind == "unspecified" and freq is not None:
        freq["unit"] = next((c.unit for c in unit.counts if c.unit), "time")
    if freq is not None and freq["unit"] == "time" and not unit.counts and SENDS_PEOPLE.search(unit.text):
        freq["unit"] = "person"      # 每学年选派青年教师…: the recurrence counts people
    text = unit.text
    subject_text = unit.actor_text if unit.explicit else ""
    category = category_of(text.replace(subject_text or "\0", "", 1))
    actor = unit.actor
    if actor is None:
        if AUTHORITY_WORK.search(text):
            actor = "education_authority"
        else:       # …落实经费保障,加大专项资金支持力度: the actor of the statement before
            actor = before or ctx.default_actor
    first = unit.clauses[0]
    action = first.text[first.predicate:] if unit.explicit else first.text
    for clause in unit.clauses[1:]:
        if len(action) >= 40:
            break
        action += "," + clause.text
    return {
        "modality": unit.modality or "obligation",
        "actor": actor,
        "actor_text": unit.actor_text if unit.explicit else None,
        "action": action.strip(",") or text,
        "category": category,
        "frequency": freq,
        "quantity": quantity,
    }


def document_context(doc: Doc) -> Context:
    roles = {}
    for group in doc.spans.get("groups", []):
        for name in group._.lead or []:
            roles[name] = "lead_school"
        for name in group._.members or []:
            roles.setdefault(name, "member_school")
    groups_named = bool(doc.spans.get("groups")) or "集团" in text_of(doc)
    return Context(roles, "group" if groups_named else "education_authority",
                   "junior_senior_consortium" in (doc._.document_models or []))


def _section_default(structure, section: int | None, ctx: Context) -> str:
    if any("保障" in s.heading(structure.text) for s in structure.section_path(section)):
        return "education_authority"
    return ctx.default_actor


#: clause punctuation: a first line without it reads as a title
TITLE_PUNCT = re.compile(r"[,;。:]")


def _title_line(sentence, piece: str) -> bool:
    """The document's first line when it reads as a title (no clause punctuation): no statement."""
    return sentence.paragraph == 0 and not sentence.is_heading and not TITLE_PUNCT.search(piece)


def _in_principles(structure, section: int | None) -> bool:
    """True for a sentence under a heading of principles or goals (总体要求, 基本原则 …)."""
    pattern = lexicon().principle_sections
    return any(pattern.search(s.heading(structure.text)) for s in structure.section_path(section))


@Language.factory("pkb_rules", requires=["doc.spans"],
                  assigns=["doc.spans", "span._.modality", "span._.actor", "span._.actor_text",
                           "span._.action", "span._.category", "span._.frequency",
                           "span._.quantity", "span._.evidence"])
def create_rules_component(nlp: Language, name: str):
    return rules_component


def rules_component(doc: Doc) -> Doc:
    """Add a ``rules`` span per statement with modality, actor, action, category, frequency and quantity."""
    structure = doc._.structure
    text = structure.text
    ctx = document_context(doc)
    schools_by_start = sorted((*f["exact"], f.get("name")) for f in map(facts_of, doc.spans.get("schools", [])))
    segments = doc._.segments or {}
    triage = triage_pattern()
    lex = lexicon()
    spans = []
    carried = None
    paragraph = None
    by_section: dict[int | None, tuple[bool, Context]] = {}   # what a sentence knows from its section
    for sentence in structure.sentences:
        if sentence.paragraph != paragraph:
            carried, paragraph = None, sentence.paragraph
        piece = text[sentence.start:sentence.end]
        if lex.preamble.search(piece) or lex.ideology.search(piece) or lex.reported.search(piece) \
                or lex.evaluative_sentence.search(piece) or lex.question.search(piece) \
                or _title_line(sentence, piece) or not triage.search(piece):
            continue
        section = by_section.get(sentence.section)
        if section is None:
            section = by_section[sentence.section] = (
                _in_principles(structure, sentence.section),
                Context(ctx.school_roles, _section_default(structure, sentence.section, ctx), ctx.consortium))
        principles, sctx = section
        sent_tokens = segments.get(sentence.index, [])
        lo = bisect.bisect_left(schools_by_start, (sentence.start,))
        hi = bisect.bisect_left(schools_by_start, (sentence.end,))
        schools = schools_by_start[lo:hi]
        units = statements(text, sentence.start, sentence.end, sent_tokens, schools, sctx,
                           carried if piece.startswith("负责") else None)
        before = None       # the actor of the sentence's statement before
        for unit in units:
            if unit.explicit:
                carried = (unit.actor, unit.actor_text)
            if not is_rule(unit) or (principles and not (unit.modality or unit.period or _target(unit))):
                continue
            if sentence.is_heading and not _heading_states(unit, piece):
                continue
            span = make_span(doc, unit.clauses[0].start, unit.clauses[-1].end, "rule", len(spans))
            facts = rule_facts(unit, sctx, before)
            before = facts["actor"]
            # the clauses that state it, without the punctuation that closes the last one
            end = unit.clauses[-1].end
            while end > unit.clauses[0].start and text[end - 1] in CLAUSE_PUNCT:
                end -= 1
            facts_of(span).update(facts, evidence=(unit.clauses[0].start, end))
            spans.append(span)
    doc.spans["rules"] = spans
    return doc
