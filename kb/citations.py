"""Where a fact comes from: a :class:`Citation` (document, title, district, sentence, offsets),
:class:`DocumentTexts`, which reads each document's title, district, text and rule wordings once
to cut citations out of it, and :func:`fill_quotes`, which cuts the quotes of many facts and the
actor and action wordings of rules (the graph stores offsets, not copies of the text)."""
from __future__ import annotations

from dataclasses import dataclass

from ingest import rule_texts
from kb import queries
from kb.store.base import IRI, Store


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from: the document, its title and district, the sentence and its
    ``[start, end)`` offsets in the document's normalized text (``span`` is None for facts the
    graph holds without evidence, e.g. a document's models when no sentence names them)."""

    doc: str
    title: str | None
    district: str | None
    sentence: str
    span: tuple[int, int] | None

    def short(self) -> str:
        """《张掖中学集团化办学工作方案》(张掖市) [1034–1071]"""
        where = f" [{self.span[0]}–{self.span[1]}]" if self.span else ""
        return f"《{self.title or '未命名文件'}》({self.district or '地区不详'}){where}"

    def to_dict(self) -> dict:
        return {"doc": self.doc, "title": self.title, "district": self.district,
                "sentence": self.sentence, "span": list(self.span) if self.span else None}


class DocumentTexts:
    """Titles, districts and normalized texts of documents, read once per document
    (``document_texts`` query) — to cut a fact's sentence out of its document by offsets.
    :meth:`load` reads many documents at once: one request per :data:`BATCH` documents on a store
    that binds several values (a SPARQL server), one query each on the embedded store (no round
    trips there)."""

    BATCH = 64

    def __init__(self, store: Store) -> None:
        self.store = store
        self._meta: dict[str, dict] = {}

    def load(self, docs) -> None:
        """Read the documents of ``docs`` not read yet."""
        missing = [d for d in dict.fromkeys(str(d) for d in docs) if d not in self._meta]
        if getattr(self.store, "binds_many", False):
            rows = []
            for i in range(0, len(missing), self.BATCH):
                chunk = tuple(IRI(d) for d in missing[i:i + self.BATCH])
                rows += queries.run(self.store, "document_texts", doc=chunk).rows
        else:
            rows = [r for d in missing for r in queries.run(self.store, "document_texts", doc=IRI(d)).rows]
        parts: dict[str, dict] = {}
        for row in rows:
            doc = parts.setdefault(str(row["doc"]), {"source": []})
            if row["part"] == "source":
                doc["source"].append(str(row["value"]))
            else:
                doc[row["part"]] = row["value"]
        for iri, p in parts.items():
            title = p.get("title")
            if not title and p["source"]:       # untitled: the file name it was read from
                title = sorted(p["source"])[0].rsplit("/", 1)[-1]
            self._meta.setdefault(iri, {"title": title, "district": p.get("district") or None,
                                        "text": p.get("text") or "", "ruleTexts": p.get("ruleTexts")})
        for doc in missing:
            self._meta.setdefault(doc, {"title": None, "district": None, "text": "", "ruleTexts": None})

    def meta(self, doc: str) -> dict:
        if doc not in self._meta:
            self.load([doc])
        return self._meta[doc]

    def text(self, doc: str) -> str:
        return self.meta(doc)["text"]

    def wording(self, doc: str, order: int) -> tuple[str | None, str | None]:
        """``(actor text, action)`` of the rule of rank ``order`` in ``doc`` (``pkb:ruleTexts``;
        None, None: no such rule). The value is parsed once; a rule's words are cut when asked for."""
        m = self.meta(doc)
        if "entries" not in m:
            m["entries"] = rule_texts.parse(m["ruleTexts"])
        return rule_texts.wording_at(m["text"], m["entries"], order)

    def citation(self, doc: str, start: int | None = None, end: int | None = None) -> Citation:
        """The citation of ``[start, end)`` in ``doc`` (no span: the document alone)."""
        m = self.meta(doc)
        if start is None or end is None:
            return Citation(doc, m["title"], m["district"], "", None)
        return Citation(doc, m["title"], m["district"], m["text"][start:end], (int(start), int(end)))

    def find_sentence(self, doc: str, needles: list[str]) -> Citation:
        """The first sentence of ``doc`` containing one of ``needles`` (longest needles tried
        first), as a citation; the document alone when none occurs."""
        text = self.text(doc)
        hits = [(text.find(n), n) for n in sorted(set(filter(None, needles)), key=len, reverse=True)]
        hits = [h for h in hits if h[0] >= 0]
        if not hits:
            return self.citation(doc)
        pos = min(hits)[0]
        return self.sentence_around(doc, pos, pos)

    def sentence_around(self, doc: str, start: int, end: int) -> Citation:
        """The sentence of ``doc`` that holds ``[start, end)`` (a clause's context), as a citation."""
        text = self.text(doc)
        while start > 0 and text[start - 1] not in SENTENCE_ENDS:
            start -= 1
        end = max(end, start)
        while end < len(text) and text[end] not in SENTENCE_ENDS:
            end += 1
        if end < len(text) and text[end] != "\n":
            end += 1
        while start < end and text[start].isspace():
            start += 1
        return self.citation(doc, start, end)

SENTENCE_ENDS = "。！？!?；;\n"


def fill_quotes(store: Store, facts, texts: DocumentTexts | None = None) -> None:
    """Set the ``sentence`` of each fact (with ``doc`` and ``span`` = ``[start, end)``) to its
    document's text at those offsets, and of each rule (a fact with ``action`` and ``order``) its
    ``actor_text`` and ``action`` from the document's rule wordings. With ``texts``, the documents are read into it (and kept
    there for the caller's citations); without, each document's text is read once,
    :attr:`DocumentTexts.BATCH` documents at a time, and not kept: a listing of a whole corpus
    holds one batch of texts."""
    by_doc: dict[str, list] = {}
    for fact in facts:
        by_doc.setdefault(str(fact.doc), []).append(fact)
    docs = list(by_doc)
    for i in range(0, len(docs), DocumentTexts.BATCH):
        batch = texts if texts is not None else DocumentTexts(store)
        batch.load(docs[i:i + DocumentTexts.BATCH])
        for doc in docs[i:i + DocumentTexts.BATCH]:
            text = batch.text(doc)
            for fact in by_doc[doc]:
                fact.sentence = text[fact.span[0]:fact.span[1]]
                if hasattr(fact, "action"):       # a rule: its wordings, by its rank
                    fact.actor_text, fact.action = batch.wording(doc, fact.order)
