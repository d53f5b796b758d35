"""What the graph stores as offsets in a document's text instead of copies of it — the rules'
wordings (``pkb:ruleTexts``, ingest/rule_texts.py) and the outline of its headings
(``pkb:outline``): every rule of the real documents reads back the actor and action the extraction
found, every heading its text, and ``policykb validate`` reports a value that does not fit."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import rule_texts
from ingest.components.spans import text_of
from ingest.extensions import facts_of
from ingest.identity import string_literal
from ingest.pipeline import annotate
from ingest.rdf_writer import document_graph
from ingest.reader import read_document
from kb.store import open_store
from kb.store.base import DocumentWrite
from kb.validate import validate_store

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "source_docs").glob("*.txt"))
PKB = "https://w3id.org/policykb/ontology#"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"


def _stored(nquads: bytes, prop: str):
    """The JSON value of ``pkb:<prop>`` in a document's N-Quads, as the writer stored it."""
    from rdflib import Dataset, URIRef

    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    return json.loads(str(next(o for _, _, o, _ in ds.quads((None, URIRef(PKB + prop), None, None)))))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_every_wording_reads_back_as_extracted(path):
    doc = annotate(read_document(str(path)))
    text = text_of(doc)
    rules = [facts_of(span) for span in doc.spans.get("rules", [])]
    value = json.dumps(_stored(document_graph(doc, [str(path)], version="test").nquads, "ruleTexts"))
    entries = rule_texts.parse(value)
    assert [rule_texts.wording_at(text, entries, order) for order in range(1, len(rules) + 1)] == \
        [(f.get("actor_text") or None, f.get("action") or None) for f in rules]
    assert rule_texts.wording_at(text, entries, len(rules) + 1) == (None, None)
    offsets = [part for entry in json.loads(value) for part in entry if isinstance(part, list)]
    assert len(offsets) > len(rules)          # most wordings are offsets, not copies of the text
    assert rule_texts.problems(value, len(text), len(rules)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_every_heading_reads_back(path):
    doc = annotate(read_document(str(path)))
    text, sections = text_of(doc), doc._.structure.sections
    entries = _stored(document_graph(doc, [str(path)], version="test").nquads, "outline")
    assert [[text[start:end], level, parent] for start, end, level, parent in entries] == \
        [[s.heading(text).strip("* "), s.level, s.parent] for s in sections]


BREAKS = {
    "rule texts one entry short": ("ruleTexts", lambda entries: entries[:-1], "entries for"),
    "rule texts past the text": ("ruleTexts", lambda entries: [[[0, 10 ** 7], None], *entries[1:]], "within the text"),
    "outline past the text": ("outline", lambda entries: [[0, 10 ** 7, 1, None], *entries[1:]], "entry 0"),
    "outline parent after its child": ("outline", lambda entries: [[*entries[0][:3], 5], *entries[1:]], "entry 0"),
}


@pytest.mark.parametrize("how", BREAKS)
def test_validate_reports_values_that_do_not_fit(tmp_path, how):
    prop, breaking, expected = BREAKS[how]
    source = next(p for p in SOURCES if annotate(read_document(str(p)))._.structure.sections)
    doc = annotate(read_document(str(source)))
    graph = document_graph(doc, [str(source)], version="test")
    entries = breaking(_stored(graph.nquads, prop))
    broken = (f"<{graph.iri}> <{PKB}{prop}> {string_literal(json.dumps(entries, ensure_ascii=False))}"
              f"^^<{RDF_JSON}> <{graph.iri}> .\n")
    lines = [line for line in graph.nquads.decode().splitlines(keepends=True) if f"<{PKB}{prop}>" not in line]
    assert len(lines) == graph.triples - 1
    with open_store(str(tmp_path / "kb")) as store:
        store.ensure_vocabulary()
        store.write_documents([DocumentWrite(graph.iri, ("".join(lines) + broken).encode())])
        report = validate_store(store)
    assert not report.conforms
    messages = [i.message for i in report.issues if f"pkb:{prop}" in i.message]
    assert messages and expected in messages[0], [i.message for i in report.issues]
