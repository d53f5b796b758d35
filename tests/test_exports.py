"""RDF exports by scope and the iCalendar of an actor's duties, on a real store.

The .ics must parse with ``icalendar`` and each RRULE must match its rule's period as the
vocabulary defines it (ontology/schemes.ttl, read here through ``ontology.labels``, independently
of the ``export_periods`` query the exporter uses). JSON-LD must round-trip to graphs isomorphic
to the N-Quads export of the same scope.
"""
from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest
import rdflib
from icalendar import Calendar
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kb import obligations, queries
from kb.errors import InterpretationError, StoreError
from kb.exports import csv_bytes, export_ics, export_rdf, ical_periods, rule_uid, school_year_start
from kb.store import VOCABULARY_GRAPH
from ontology import labels

ROOT = Path(__file__).resolve().parents[1]
START = date(2024, 9, 1)




def docs_of(store, district: str) -> set[str]:
    return {str(r["doc"]) for r in queries.run(store, "cmp_documents", district=district).rows}


def dataset(data: bytes, fmt: str) -> rdflib.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = rdflib.Dataset()
        ds.parse(data=data, format=fmt)
    return ds


def named_graphs(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


# ----------------------------------------------------------------------------- iCalendar


def expected_rrule(period: str) -> tuple[str, int] | None:
    concept = labels("period")[period]
    if "icalFrequency" not in concept:
        return None
    return concept["icalFrequency"], concept.get("icalInterval", 1)


@pytest.mark.parametrize("actor, district", [("member_school", "张掖市"), ("成员学校", "田家庵区"),
                                             ("group_head", None)])
def test_ics_parses_and_rrules_match_the_periods(store, actor, district):
    cal = Calendar.from_ical(export_ics(store, actor, district, start=START))
    events = cal.walk("VEVENT")
    code = "member_school" if actor == "成员学校" else actor
    rules = {ob.rule: ob for ob in obligations.find(store, actor=code, district=district)}
    recurring = {r for r, ob in rules.items() if ob.frequency and expected_rrule(ob.frequency["period"])}
    assert recurring, "the documents state recurring duties for this actor"
    assert {str(e["URL"]) for e in events} == recurring          # one event per expressible rule
    for event in events:
        ob = rules[str(event["URL"])]
        freq, interval = expected_rrule(ob.frequency["period"])
        rrule = event["RRULE"]
        assert rrule["FREQ"] == [freq]
        assert rrule.get("INTERVAL", [1]) == [interval]
        assert "COUNT" not in rrule and "UNTIL" not in rrule
        assert event.decoded("DTSTART") == START
        assert str(event["UID"]) == rule_uid(ob.rule)
        description = str(event["DESCRIPTION"])
        assert ob.sentence in description and f"{ob.span[0]}–{ob.span[1]}" in description
        assert (ob.title or "未命名文件") in description and (ob.district or "地区不详") in description
        assert str(event["SUMMARY"]).startswith(ob.action or ob.sentence)
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_ics_semester_and_monthly_duties(store):
    zhangye = Calendar.from_ical(export_ics(store, "member_school", "张掖市", start=START)).walk("VEVENT")
    semester = [e for e in zhangye if "每学期至少开展1次联合教学质量检测分析" in str(e["DESCRIPTION"])]
    assert semester and semester[0]["RRULE"]["FREQ"] == ["MONTHLY"] and semester[0]["RRULE"]["INTERVAL"] == [6]
    tianjiaan = Calendar.from_ical(export_ics(store, "member_school", "田家庵区", start=START)).walk("VEVENT")
    monthly = [e for e in tianjiaan if "每月到牵头校跟班听课不少于1天" in str(e["DESCRIPTION"])]
    assert monthly and monthly[0]["RRULE"]["FREQ"] == ["MONTHLY"] and "INTERVAL" not in monthly[0]["RRULE"]


def test_ics_periods_come_from_the_vocabulary(store):
    assert ical_periods(store) == {code: expected_rrule(code) for code in labels("period")
                                   if expected_rrule(code)}


def test_reference_start_is_the_next_first_of_september():
    assert school_year_start(date(2025, 3, 1)) == date(2025, 9, 1)
    assert school_year_start(date(2025, 9, 1)) == date(2025, 9, 1)
    assert school_year_start(date(2025, 9, 2)) == date(2026, 9, 1)


def test_ics_unknown_actor(store):
    with pytest.raises(InterpretationError) as err:
        export_ics(store, "校长们", "张掖市")
    assert err.value.code == "PKB-SCOPE-CONCEPT"


# ----------------------------------------------------------------------------- RDF


@pytest.mark.parametrize("scope", [{"district": "张掖市"}, {"model": "alliance"}])
def test_jsonld_round_trips_to_isomorphic_graphs(store, scope):
    from_jsonld = named_graphs(dataset(export_rdf(store, "jsonld", **scope), "json-ld"))
    from_nquads = named_graphs(dataset(export_rdf(store, "nquads", **scope), "nquads"))
    assert set(from_jsonld) == set(from_nquads)
    for name, graph in from_nquads.items():
        assert isomorphic(graph, from_jsonld[name]), name


def test_district_export_holds_only_that_district(store):
    zhangye = docs_of(store, "张掖市")
    nquads = named_graphs(dataset(export_rdf(store, "nquads", "张掖"), "nquads"))
    assert set(nquads) == zhangye
    turtle = rdflib.Graph().parse(data=export_rdf(store, "turtle", "张掖市"), format="turtle")
    (doc,) = zhangye
    assert len(turtle) == store.triple_count(doc)
    subjects = {str(s) for s in turtle.subjects()}
    assert all(s.startswith(doc) or s.startswith("https://w3id.org/policykb/id/school/") for s in subjects)
    nt = rdflib.Graph().parse(data=export_rdf(store, "ntriples", district="张掖市"), format="nt")
    assert isomorphic(nt, turtle)


def test_multi_document_scope_and_vocabulary(store):
    alliance = named_graphs(dataset(export_rdf(store, "trig", model="联盟型", include_vocabulary=True), "trig"))
    assert set(alliance) == docs_of(store, "张掖市") | docs_of(store, "田家庵区") | {VOCABULARY_GRAPH}
    merged = rdflib.Graph().parse(data=export_rdf(store, "ntriples", model="alliance"), format="nt")
    assert len(merged) == len({t for name, g in alliance.items() if name != VOCABULARY_GRAPH for t in g})
    everything = named_graphs(dataset(export_rdf(store, "nquads"), "nquads"))
    assert set(everything) == set(store.graphs())


def test_rdf_errors(store):
    with pytest.raises(StoreError) as err:
        export_rdf(store, "rdfxml", "张掖市")
    assert err.value.code == "PKB-STORE-FORMAT"
    with pytest.raises(InterpretationError):
        export_rdf(store, "turtle", "北京市")


def test_csv_bytes_start_with_a_bom():
    raw = csv_bytes(["地区", "备注"], [["张掖市", None], ["田家庵区", "一,二"]])
    assert raw == "\ufeff地区,备注\r\n张掖市,\r\n田家庵区,\"一,二\"\r\n".encode("utf-8")


# ----------------------------------------------------------------------------- CLI


def run_cli(*args):
    from kb.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_export(store_path, tmp_path):
    ttl = tmp_path / "zhangye.ttl"
    ok = run_cli("export", "--format", "ttl", "--district", "张掖", "--out", str(ttl), "--store", str(store_path))
    assert ok.exit_code == 0, ok.output
    assert len(rdflib.Graph().parse(ttl, format="turtle")) > 100
    ics = run_cli("export", "--format", "ics", "--actor", "成员学校", "--district", "张掖市", "--start", "2025-09-01",
                  "--store", str(store_path))
    assert ics.exit_code == 0, ics.output
    events = Calendar.from_ical(ics.stdout_bytes).walk("VEVENT")
    assert events and all(e.decoded("DTSTART") == date(2025, 9, 1) for e in events)
    assert run_cli("export", "--format", "ics", "--store", str(store_path)).exit_code == 2       # no actor
    assert run_cli("export", "--format", "ics", "--actor", "成员学校", "--start", "9/1",
                   "--store", str(store_path)).exit_code == 2
    assert run_cli("export", "--format", "turtle", "--actor", "成员学校", "--store", str(store_path)).exit_code == 2
    assert run_cli("export", "--format", "xml", "--store", str(store_path)).exit_code == 2
