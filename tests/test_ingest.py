"""Ingest into a real Oxigraph store on disk: idempotence, replacement, names, errors, offsets."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from ingest.normalize import normalize
from ingest.offsets import OffsetMap
from ingest.runner import ingest
from tests.conftest import live_children
from kb import queries
from kb.store import open_store
from kb.store.base import IRI
from ontology.vocab import PERIOD

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DOCS = ROOT / "source_docs"
ZHANGYE = SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_reingest_changes_nothing(tmp_path):
    with open_store(str(tmp_path / "kb")) as store:
        first = ingest(store, [str(SOURCE_DOCS)], workers=1)
        before = store.triple_count()
        second = ingest(store, [str(SOURCE_DOCS)], workers=1)
        assert store.triple_count() == before
    assert first.count("added") == 5
    assert second.count("unchanged") == 5 and not second.errors


def test_changed_file_replaces_its_graph(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(ZHANGYE.read_text(encoding="utf-8"), encoding="utf-8")
    with open_store(str(tmp_path / "kb")) as store:
        ingest(store, [str(doc)], workers=1)
        [old] = store.graphs()
        doc.write_text(ZHANGYE.read_text(encoding="utf-8").replace("每月至少召开1次", "每月至少召开2次"),
                       encoding="utf-8")
        result = ingest(store, [str(doc)], workers=1)
        [new] = store.graphs()
        assert result.results[0].status == "replaced"
        assert new != old
        rows = queries.run(store, "obligation_constraints", doc=IRI(new)).rows
        monthly = {r["rule"] for r in rows if r["term"] == "period" and r["value"] == IRI(str(PERIOD.month))}
        assert 2 in {r["value"] for r in rows if r["term"] == "min" and r["rule"] in monthly}   # 每月至少召开2次 → ≥2


def test_same_text_under_two_names_is_stored_once(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "copy-of-a.txt"
    shutil.copy(ZHANGYE, a)
    b.write_bytes(ZHANGYE.read_text(encoding="utf-8").encode("gb18030"))   # another encoding too
    with open_store(str(tmp_path / "kb")) as store:
        summary = ingest(store, [str(a), str(b)], workers=1)
        [graph] = store.graphs()
        info = store.graph_info(graph)
    assert sorted(info["sources"]) == sorted([str(a), str(b)])
    assert {r.status for r in summary.results} == {"added", "renamed"}


def test_bad_file_is_reported_and_the_others_go_on(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with open_store(str(tmp_path / "kb")) as store:
        summary = ingest(store, [str(junk), str(empty), str(ZHANGYE)], workers=1)
        assert len(store.graphs()) == 1
    errors = {Path(r.path).name: r.error for r in summary.errors}
    assert set(errors) == {"junk.txt", "empty.txt"}
    assert errors["junk.txt"].code == "PKB-READ-BINARY" and errors["empty.txt"].code == "PKB-READ-EMPTY"


def test_extract_prints_an_error_object_and_exits_1(tmp_path):
    missing = tmp_path / "missing.txt"
    out = run_cli("extract", str(missing), str(ZHANGYE), "--workers", "1")
    assert out.returncode == 1
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(missing), str(ZHANGYE)]
    assert "error" in lines[0] and "missing.txt" not in lines[0]["error"] or lines[0]["error"]
    assert lines[1]["document"]["district"] == "张掖市"


def test_ingest_cli_summary_and_exit_status(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a docx")
    out = run_cli("ingest", "--store", str(tmp_path / "kb"), "--quiet", str(ZHANGYE), str(bad))
    assert out.returncode == 1
    assert "bad.docx" in out.stderr and "2 documents" in out.stderr and "1 added" in out.stderr


def test_extract_with_store_keeps_the_graph(tmp_path):
    store_dir = tmp_path / "kb"
    out = run_cli("extract", str(ZHANGYE), "--store", str(store_dir), "--workers", "1")
    assert out.returncode == 0
    with open_store(str(store_dir), read_only=True) as store:
        assert len(store.graphs()) == 1


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_every_span_points_at_its_sentence_in_the_original_file(corpus_store):
    """Evidence offsets (a fact's pkb:evidence, a rule's the clause its IRI extends): the normalized
    span is the sentence; the original span, mapped back through the document's pkb:offsetMap
    (identity when absent), normalizes to it."""
    spans = corpus_store.query("""
        PREFIX pkb: <https://w3id.org/policykb/ontology#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT DISTINCT ?doc ?path ?start ?end ?map ?rule WHERE {
          GRAPH ?doc { ?doc pkb:sourcePath ?path .
                       { ?fact pkb:evidence ?ev }
                       UNION { ?rule pkb:ruleType ?type BIND (IRI(STRBEFORE(STR(?rule), "/rule/")) AS ?ev) }
                       OPTIONAL { ?doc pkb:offsetMap ?map } }
          BIND (xsd:integer(STRBEFORE(STRAFTER(STR(?ev), "/span/"), "-")) AS ?start)
          BIND (xsd:integer(STRAFTER(STRAFTER(STR(?ev), "/span/"), "-")) AS ?end) }
    """).rows
    assert len(spans) > 100 and sum(1 for row in spans if row.get("rule")) > 50
    assert any(row.get("map") for row in spans)        # the seeds' normalization moves some text
    originals = {}
    for row in spans:
        offsets = OffsetMap.from_segments(json.loads(row["map"])) if row.get("map") else None
        row["s0"], row["e0"] = offsets.span_to_original(row["start"], row["end"]) if offsets \
            else (row["start"], row["end"])
        if row["path"] not in originals:
            from ingest.reader import read_document

            source = read_document(row["path"])
            originals[row["path"]] = (source.text, normalize(source.text).text)
        original, normalized = originals[row["path"]]
        sentence = normalized[row["start"]:row["end"]]
        assert sentence.strip()
        back = normalize(original[row["s0"]:row["e0"]]).text
        assert _fold(back) == _fold(sentence) or _fold(sentence) in _fold(back), (row, sentence, back)


def test_graph_names_are_content_hashes(corpus_store):
    for graph in corpus_store.graphs():
        info = corpus_store.graph_info(graph)
        assert graph.endswith(info["content_hash"][:16])


@pytest.mark.parametrize("stem", ["zhangye-zhongxue-group-2024", "baota-groups-report"])
def test_document_metadata_in_the_graph(corpus_store, stem):
    rows = queries.run(corpus_store, "documents").rows
    by_source = {r["sources"]: r for r in rows}
    [row] = [r for s, r in by_source.items() if stem in s]
    assert row["rules"] > 5


def test_recycled_workers_give_the_same_graphs(tmp_path, monkeypatch):
    """Two workers replaced after every document (POLICYKB_WORKER_DOCUMENTS=1: a fresh pool per two
    documents) store exactly what one in-process extraction stores."""
    def quads(store) -> set[str]:
        return {line for line in store.export("nquads").decode("utf-8").splitlines()
                if "endedAtTime" not in line}

    with open_store(str(tmp_path / "one")) as store:
        single = ingest(store, [str(SOURCE_DOCS)], workers=1)
        expected = quads(store)
    monkeypatch.setenv("POLICYKB_WORKER_DOCUMENTS", "1")
    with open_store(str(tmp_path / "recycled")) as store:
        recycled = ingest(store, [str(SOURCE_DOCS)], workers=2)
        assert quads(store) == expected
    assert recycled.count("added") == single.count("added") == 5 and not recycled.errors


def test_the_fork_server_ends_with_the_extraction(tmp_path):
    """The fork server holds the pipeline's modules: once an ingest's workers are done it is
    stopped, not kept for the rest of the process (compaction, the answers, the app)."""
    before = live_children(b"multiprocessing.forkserver")
    with open_store(str(tmp_path / "kb")) as store:
        summary = ingest(store, [str(SOURCE_DOCS)], workers=2)
    assert summary.count("added") == 5 and not summary.errors
    assert live_children(b"multiprocessing.forkserver") <= before
    with open_store(str(tmp_path / "kb2")) as store:        # and the next ingest starts it again
        assert ingest(store, [str(SOURCE_DOCS)], workers=2).count("added") == 5


def test_the_writer_of_a_parallel_ingest_does_not_load_the_pipeline(tmp_path):
    """Planning and writing need the documents' names, not spaCy: the process that writes leaves
    the pipeline (and its memory) to the workers."""
    script = ("import sys\nfrom kb.store import open_store\nfrom ingest.runner import ingest\n"
              f"with open_store({str(tmp_path / 'kb')!r}) as store:\n"
              f"    summary = ingest(store, [{str(SOURCE_DOCS)!r}], workers=2)\n"
              "print(summary.count('added'), len(summary.errors), 'spacy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "0", "False"]


def test_a_store_that_fails_mid_ingest_stops_it_and_a_rerun_completes(tmp_path, monkeypatch):
    """A failure of the store itself (here: closed after the first committed batch) ends the ingest
    with that error instead of one error per remaining file; a rerun stores the rest once."""
    from kb.errors import StoreError

    monkeypatch.setenv("POLICYKB_BATCH_DOCUMENTS", "1")
    store = open_store(str(tmp_path / "kb"))
    with pytest.raises(StoreError) as err:
        ingest(store, [str(SOURCE_DOCS)], workers=1, on_result=lambda r: store.close())
    assert err.value.code == "PKB-STORE-CLOSED"
    with open_store(str(tmp_path / "kb")) as store:
        assert len(store.graphs()) == 1
        rerun = ingest(store, [str(SOURCE_DOCS)], workers=1)
        assert rerun.count("unchanged") == 1 and rerun.count("added") == 4 and not rerun.errors
        assert len(store.graphs()) == 5


def test_span_facts_are_read_where_spacy_keeps_the_doc_extension():
    """The hot paths read ``doc._.facts`` and ``doc._.token_starts`` from ``Doc.user_data``
    directly: they must be the very values spaCy's ``doc._`` shows (a spaCy that stored extension
    values elsewhere would fail here, not extract nothing)."""
    from ingest.extensions import doc_value, facts_of
    from ingest.pipeline import annotate
    from ingest.reader import read_document

    doc = annotate(read_document(str(SOURCE_DOCS / "zhangye-zhongxue-group-2024.txt")))
    rules = doc.spans["rules"]
    assert rules and all(facts_of(span) is doc._.facts[(span.label_, span.id)] for span in rules)
    assert rules[0]._.modality == facts_of(rules[0])["modality"]
    assert doc_value(doc, "token_starts") is doc._.token_starts and doc_value(doc, "segments") is doc._.segments
