"""Answer policy staff's questions from the graph: ``ask(store, question) -> Answer``.

The public API of the question side (``ask``, ``interpret``, ``Answer``, ``Interpretation``,
``Result`` …), for questions in Chinese (simplified or traditional) or English. The API, an
example and how the submodules share the work: docs/query-side.md.
"""
from kb.ask.answer import answer, ask
from kb.ask.interpret import interpret, suggestions
from kb.ask.model import Answer, Filters, Interpretation, Note, Result
from kb.ask.store_vocabulary import clear_cache, vocabulary_for

__all__ = ["Answer", "Filters", "Interpretation", "Note", "Result", "answer", "ask", "clear_cache",
           "interpret", "suggestions", "vocabulary_for"]
