"""Answer policy staff's questions from the graph: ``ask(store, question) -> Answer``.

Questions may be in Chinese (simplified or traditional) or English::

    from kb.ask import ask, interpret
    from kb.store import open_store

    with open_store("./kb", read_only=True) as store:
        answer = ask(store, "张掖中学教育集团的联席会议多久召开一次？")
        print(answer.interpretation.describe("zh"))     # 查找义务条款；集团：张掖中学教育集团（张掖市）；…
        for result in answer.results:                    # Result objects
            print(result.source, result.frequency_text, result.sentence)
        answer.to_dict()                                 # JSON-ready, as `policykb ask --format json`

Public API
----------
``ask(store, question, *, raise_errors=False) -> Answer``
    Interpret and answer one question. Never raises for a question it cannot read: the
    :class:`Answer` then has ``error`` (an :class:`kb.errors.InterpretationError` with a
    ``PKB-ASK-*`` code) and ``interpretation.suggestions``; ``raise_errors=True`` raises the error.
``interpret(store, question) -> Interpretation``
    Only the reading of the question, without querying for results.
``Answer``
    ``.question``, ``.interpretation``, ``.results`` (list of :class:`Result`), ``.message``
    (``"no matching clauses"`` when understood but nothing matched), ``.error``, ``.ok``,
    ``.raise_for_error()``, ``.to_dict()``.
``Interpretation``
    ``.kind`` (``"obligation" | "constraint" | "group"``; None when not understood),
    ``.filters`` (:class:`Filters`: ``actors``, ``districts``, ``groups``, ``schools``,
    ``documents``, ``models``, ``periods``, ``categories``, ``modalities``, ``constraint_kinds``,
    ``frequency``, ``places``, ``mentions``), ``.understood``, ``.describe(lang="zh" | "en")`` (a one-line summary to show
    back), ``.notes`` (how ambiguous words were read), ``.matched`` (the wordings recognised),
    ``.suggestions`` (what is understood, with examples; set when not understood), ``.error``,
    ``.to_dict()``.
``Result``
    ``.kind``, ``.document`` (graph IRI), ``.title``, ``.district``, ``.sentence``, ``.span``;
    obligations: ``.actor``, ``.actor_text``, ``.modality``, ``.categories``, ``.frequency``,
    ``.frequency_text`` (每月≥1次), ``.clause_frequency`` (for a rule without its own recurrence,
    the one another rule of the same clause states), ``.inherited``, ``.rules``; constraints:
    ``.constraint_kinds``; groups: ``.name``, ``.models``, ``.lead_schools``,
    ``.member_schools``; ``.source`` (title and district for display); ``.to_dict()``.

How it works: :mod:`kb.ask.text` (normal form), :mod:`kb.ask.vocabulary` (labels and store names,
cached per store), :mod:`kb.ask.places` (the forms of a district name and the cities and provinces
around it: 雁塔 / 西安市雁塔区, 莞城 for 莞城街道), :mod:`kb.ask.matcher` (longest match), :mod:`kb.ask.interpret` (senses → filters;
read its docstring for the rules), :mod:`kb.ask.answer` (named queries → results). The question
words are data in ``kb/ask/lexicon.toml``.
"""
from kb.ask.answer import answer, ask
from kb.ask.interpret import interpret, suggestions
from kb.ask.model import Answer, Filters, Interpretation, Note, Result
from kb.ask.vocabulary import clear_cache, vocabulary_for
from kb.ask.vocabulary import warm as warm_vocabulary

__all__ = ["Answer", "Filters", "Interpretation", "Note", "Result", "answer", "ask", "clear_cache",
           "interpret", "suggestions", "vocabulary_for", "warm_vocabulary"]
