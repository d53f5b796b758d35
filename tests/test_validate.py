"""`policykb validate`: the ingested corpus conforms to the SHACL shapes; violations are found."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kb.store import open_store
from kb.store.base import DocumentWrite
from kb.validate import validate_store

ROOT = Path(__file__).resolve().parent.parent


def test_the_corpus_conforms(corpus_store):
    report = validate_store(corpus_store)
    assert report.graphs == 5
    assert report.conforms, report.issues[:5]


def test_cli_exit_status(corpus_store_path, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "kb.cli", "validate", "--store", str(corpus_store_path)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "conforms" in ok.stdout


def test_a_broken_graph_is_reported(tmp_path):
    graph = "https://w3id.org/policykb/id/doc/0000000000000000"
    rule = "https://w3id.org/policykb/id/doc/0000000000000000/rule/1"
    nquads = (f'<{graph}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
              f'<https://w3id.org/policykb/ontology#PolicyDocument> <{graph}> .\n'
              f'<{rule}> <https://w3id.org/policykb/ontology#ruleType> '
              f'<https://w3id.org/policykb/vocab/rule-type/obligation.meeting> <{graph}> .\n'
              f'<{rule}> <https://w3id.org/policykb/ontology#order> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <{graph}> .\n')
    with open_store(str(tmp_path / "kb")) as store:
        store.ensure_vocabulary()
        store.write_documents([DocumentWrite(graph, nquads.encode())])
        report = validate_store(store)
    assert not report.conforms
    assert any(i.focus == rule for i in report.issues)          # a rule without actor or evidence
    assert any(i.source == "integrity" for i in report.issues)   # a fact without evidence
    out = subprocess.run([sys.executable, "-m", "kb.cli", "validate", "--store", str(tmp_path / "kb")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
