"""A document's rule wordings stored as offsets (``pkb:ruleTexts``, ingest/rule_texts.py): every
rule of the real documents reads back the actor and action the extraction found, and
``policykb validate`` reports a value that does not fit the document's rules or text."""
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


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_every_wording_reads_back_as_extracted(path):
    doc = annotate(read_document(str(path)))
    text = text_of(doc)
    rules = [facts_of(span) for span in doc.spans.get("rules", [])]
    value = _wordings(doc)
    decoded = rule_texts.decode(value, text)
    assert decoded == [(f.get("actor_text") or None, f.get("action") or None) for f in rules]
    entries = json.loads(value)
    offsets = [part for entry in entries for part in entry if isinstance(part, list)]
    assert len(offsets) > len(rules)          # most wordings are offsets, not copies of the text
    assert rule_texts.problems(value, len(text)) == []


def _wordings(doc) -> str:
    text = text_of(doc)
    rules = [facts_of(span) for span in doc.spans.get("rules", [])]
    return rule_texts.encode(text, [(f.get("actor_text"), f.get("action"), *f["evidence"]) for f in rules])


@pytest.mark.parametrize("how", ["one entry short", "offsets past the text"])
def test_validate_reports_rule_texts_that_do_not_fit(tmp_path, how):
    doc = annotate(read_document(str(SOURCES[0])))
    graph = document_graph(doc, [str(SOURCES[0])], version="test")
    entries = json.loads(_wordings(doc))
    entries = entries[:-1] if how == "one entry short" else [[[0, 10 ** 7], None], *entries[1:]]
    broken = (f"<{graph.iri}> <{PKB}ruleTexts> {string_literal(json.dumps(entries, ensure_ascii=False))}"
              f"^^<{RDF_JSON}> <{graph.iri}> .\n")
    lines = [line for line in graph.nquads.decode().splitlines(keepends=True) if f"<{PKB}ruleTexts>" not in line]
    assert len(lines) == graph.triples - 1
    with open_store(str(tmp_path / "kb")) as store:
        store.ensure_vocabulary()
        store.write_documents([DocumentWrite(graph.iri, ("".join(lines) + broken).encode())])
        report = validate_store(store)
    assert not report.conforms
    messages = [i.message for i in report.issues if "pkb:ruleTexts" in i.message]
    assert messages, [i.message for i in report.issues]
    assert ("entries for" in messages[0]) == (how == "one entry short")
