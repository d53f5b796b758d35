"""Distributed ingest: extraction on a Dask cluster (two worker processes), one writer in this process.

The graph must be the one a local ingest of the same corpus makes: the N-Quads exports are equal
once the per-ingest timestamp (``prov:endedAtTime``) is left out, and every named graph is
isomorphic (rdflib) to its local twin.
"""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from ingest.runner import ingest
from kb.errors import ExtractionError
from kb.store.oxigraph import OxigraphStore

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"
ENDED = b"<http://www.w3.org/ns/prov#endedAtTime>"

pytestmark = pytest.mark.slow


def without_timestamps(nquads: bytes) -> set[bytes]:
    return {line for line in nquads.splitlines() if line.strip() and ENDED not in line}


def graphs_of(nquads: bytes) -> dict[str, rdflib.Graph]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = rdflib.Dataset()
        ds.parse(data=b"\n".join(without_timestamps(nquads)) + b"\n", format="nquads")
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """source_docs plus a file that cannot be read (empty) and one in a sub-folder."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in SOURCE_DOCS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def local_export(corpus) -> bytes:
    with OxigraphStore(None) as store:
        summary = ingest(store, [str(corpus)], workers=1)
        assert [r.path for r in summary.errors] == [str(corpus / "empty.txt")]
        return store.export("nquads")


def test_cluster_ingest_is_isomorphic_to_a_local_ingest(client, corpus, local_export):
    seen = []
    with OxigraphStore(None) as store:
        summary = ingest(store, [str(corpus)], scheduler=client, on_result=seen.append)
        exported = store.export("nquads")
    files = sorted(str(p) for p in corpus.glob("*.txt"))
    assert sorted(r.path for r in summary.results) == files == sorted(r.path for r in seen)
    assert summary.count("added") == len(files) - 1
    assert without_timestamps(exported) == without_timestamps(local_export)
    ours, theirs = graphs_of(exported), graphs_of(local_export)
    assert ours.keys() == theirs.keys() and len(ours) == len(files) - 1
    for name, graph in ours.items():
        assert isomorphic(graph, theirs[name]), name
    # the per-ingest timestamps are the only difference, one per document
    assert len(exported.splitlines()) - len(without_timestamps(exported)) == len(files) - 1


def test_a_file_that_fails_on_a_worker_is_reported_against_its_path(client, corpus):
    with OxigraphStore(None) as store:
        summary = ingest(store, [str(corpus / "empty.txt"), str(corpus / "luohe-shiyan-group.txt")],
                         scheduler=client)
    error = summary.errors[0].error
    # planning reads the file in this process already, so the empty file never reaches the cluster
    assert error.code == "PKB-READ-EMPTY" and error.path == str(corpus / "empty.txt")
    assert summary.count("added") == 1


def test_worker_side_errors_keep_the_original_path(client, tmp_path):
    """A file that reads fine but fails on the worker: the error names the submitting path."""
    from ingest.distributed import extract_bytes

    kind, value = client.submit(extract_bytes, str(tmp_path / "weird.txt"), b"\x00\x01\x02\x03" * 64,
                                [str(tmp_path / "weird.txt")], "1", pure=False).result()
    assert kind == "error" and value.path == str(tmp_path / "weird.txt")
    assert "policykb-extract-" not in str(value)


def test_rerun_on_the_cluster_changes_nothing(client, corpus):
    with OxigraphStore(None) as store:
        ingest(store, [str(corpus)], scheduler=client)
        before = store.export("nquads")
        again = ingest(store, [str(corpus)], scheduler=client)
        assert again.count("unchanged") == len(list(corpus.glob("*.txt"))) - 1
        assert store.export("nquads") == before


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    import ingest.distributed as dist

    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", 2)
    with OxigraphStore(None) as store:
        with pytest.raises(ExtractionError) as err:
            ingest(store, [str(SOURCE_DOCS / "luohe-shiyan-group.txt")], scheduler="tcp://127.0.0.1:9")
    assert err.value.code == "PKB-EXTRACT-SCHEDULER" and "tcp://127.0.0.1:9" in str(err.value)


def test_mismatched_worker_versions_are_refused(client, monkeypatch):
    import ingest.distributed as dist

    monkeypatch.setattr(dist, "versions", lambda: {"policykb": "0.0.0-other", "pipeline": "?"})
    with OxigraphStore(None) as store:
        with pytest.raises(ExtractionError) as err:
            ingest(store, [str(SOURCE_DOCS / "luohe-shiyan-group.txt")], scheduler=client)
    assert err.value.code == "PKB-EXTRACT-CLUSTER"
