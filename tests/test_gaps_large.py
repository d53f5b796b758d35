"""What a district lacks on a generated corpus (``benchmarks.corpus``, 60 documents) ingested into a
store on disk: the duties ``kb.gaps`` counts from the documents' rule tallies are exactly those
``district_duties`` lists rule by rule, for every district and at two dates; the gaps and their
sentences equal the ones a listing of every peer's rules gives; sentences are read only for the
gaps and peers asked for, in the CLI (``--source-peers``) and on the app's page. Every expectation
is derived from the listing path, none is written here. (The generated documents carry no dates:
tests/test_versions.py checks the same on the versions store at several dates.)
"""
from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb import gaps as gaps_module
from kb import scopes

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "webapp" / "pages" / "gaps.py"


# --------------------------------------------------------------------------- the store


def listing_gaps(store, district: str, against: list[str] | None = None, as_of: str | None = None,
                 min_peers: int | None = None) -> list[tuple]:
    """The gaps as a listing of every peer's rules gives them (``district_duties`` per district):
    (key, peers, total, the sentences' rules), most-shared first."""
    peers = against or [d for d in scopes.districts(store) if d != district]
    least = min_peers or max(1, (len(peers) + 1) // 2)
    per_peer = gaps_module.config()["sources_per_peer"]
    own = gaps_module.district_duties(store, district, as_of)
    having: dict[tuple, dict[str, list]] = {}
    for peer in peers:
        for key, obs in gaps_module.district_duties(store, peer, as_of).items():
            having.setdefault(key, {})[peer] = obs
    out = [(key, [p for p in peers if p in by_peer], len(peers),
            [ob.to_dict() for p in peers if p in by_peer for ob in by_peer[p][:per_peer]])
           for key, by_peer in having.items() if key not in own and len(by_peer) >= least]
    return sorted(out, key=lambda g: (-len(g[1]), *g[0]))


def most_gaps(store) -> str:
    """The district with the most gaps against every other one (its sentences are not read)."""
    return min(scopes.districts(store), key=lambda d: (-len(gaps_module.gaps(store, d, sources=0).gaps), d))


def found(result) -> list[tuple]:
    return [(g.key, g.peers, g.total, [ob.to_dict() for ob in g.sources]) for g in result.gaps]


# --------------------------------------------------------------------------- tallies = listing


def assert_duties_are_listed(store, as_of: str | None = None) -> None:
    """Every district's duties from the tallies are the keys of its listing (``district_duties``)."""
    counted = gaps_module.required_duties(store, as_of=as_of)
    every = scopes.districts(store)
    for district in every:
        assert counted.get(district, frozenset()) == set(gaps_module.district_duties(store, district, as_of)), district
    assert gaps_module.required_duties(store, every[:2], as_of) == {d: counted.get(d, frozenset()) for d in every[:2]}


def test_the_tallies_give_the_duties_the_rules_list(big):
    assert len(scopes.districts(big)) >= 5
    assert_duties_are_listed(big)


@pytest.mark.parametrize("which", [0, -1, "largest"])
def test_gaps_equal_the_listing_of_every_peer(big, which):
    as_of = None          # the generated documents have no dates: tests/test_versions.py checks as_of
    every = scopes.districts(big)
    sizes = {d: len(scopes.documents(big, d)) for d in every}
    district = max(every, key=lambda d: (sizes[d], d)) if which == "largest" else every[which]
    whole = gaps_module.gaps(big, district, as_of=as_of)
    assert found(whole) == listing_gaps(big, district, as_of=as_of)
    assert whole.gaps or which != "largest", "the corpus should leave some district a gap"
    against = [d for d in every if d != district][:3]
    some = gaps_module.gaps(big, district, against, as_of=as_of, min_peers=1)
    assert found(some) == listing_gaps(big, district, against, as_of, min_peers=1)


def test_sentences_are_read_for_the_gaps_and_peers_asked_only(big):
    district = most_gaps(big)
    whole = gaps_module.gaps(big, district)
    assert len(whole.gaps) >= 2 and max(g.count for g in whole.gaps) >= 2
    part = gaps_module.gaps(big, district, sources=1, source_peers=1)
    first, *rest = part.gaps
    assert first.source_peers == first.peers[:1]
    assert [ob.to_dict() for ob in first.sources] == [ob.to_dict() for ob in whole.gaps[0].sources
                                                       if ob.district == first.peers[0]]
    assert all(g.source_peers is None and not g.sources for g in rest)
    gaps_module.read_sources(big, part)                  # every gap, every peer: the whole answer
    assert found(part) == found(whole) and all(g.source_peers == g.peers for g in part.gaps)


# --------------------------------------------------------------------------- CLI and page


def test_the_cli_reads_the_sentences_of_the_first_peers(big, big_store_path):
    from kb.cli import app as cli

    district = most_gaps(big)
    run = CliRunner().invoke
    one = run(cli, ["gaps", "--store", str(big_store_path), district, "--format", "json", "--source-peers", "1"])
    assert one.exit_code == 0, one.output
    every_peer = run(cli, ["gaps", "--store", str(big_store_path), district, "--format", "json",
                           "--source-peers", "0"])
    whole, limited = json.loads(every_peer.output), json.loads(one.output)
    assert [(g["label"], g["peers"]) for g in whole["gaps"]] == [(g["label"], g["peers"]) for g in limited["gaps"]]
    for full, few in zip(whole["gaps"], limited["gaps"]):
        assert full["source_peers"] == full["peers"] and few["source_peers"] == few["peers"][:1]
        assert few["sources"] == [s for s in full["sources"] if s["district"] == few["peers"][0]]
    shown = run(cli, ["gaps", "--store", str(big_store_path), district, "--source-peers", "1"])
    assert shown.exit_code == 0 and "--source-peers 0" in " ".join(shown.output.split())


def _constant(name: str) -> int:
    """A constant of the page's module (the page runs inside the app, it cannot be imported)."""
    tree = ast.parse(PAGE.read_text(encoding="utf-8"))
    return next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                and any(getattr(t, "id", None) == name for t in n.targets))


def test_the_page_lists_the_first_peers_sentences_of_the_first_gaps(big, big_store_path, monkeypatch, media):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from tests.test_app import download

    monkeypatch.setenv("POLICYKB_STORE", str(big_store_path))
    district = most_gaps(big)
    shown, per_gap = _constant("SHOWN"), _constant("SOURCE_PEERS")
    expected = gaps_module.gaps(big, district, source_peers=per_gap)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["page"] = "gaps"
    at.query_params["district"] = district
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sorted(at.multiselect(key="gap_peers").value) == sorted(expected.against)
    table = at.dataframe[0].value
    assert list(table.iloc[:, 3]) == [f"{g.count}/{g.total}" for g in expected.gaps]
    assert len(at.expander) == min(shown, len(expected.gaps))
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")
    for g in expected.gaps[:shown]:
        assert all(ob.sentence[:10] in text for ob in g.sources)
    more = [c.value for c in at.caption if "未列出原文" in c.value]
    assert len(more) == sum(g.count > per_gap for g in expected.gaps[:shown])
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(download(at, media, "gap_xlsx")))
    assert wb.worksheets[1].max_row == 1 + sum(len(g.sources) for g in expected.gaps)
