"""Golden tests: each source document in, its facts out (tests/golden/<stem>.json).

The golden files hold the facts a reader checks — metadata, models, groups, constraint kinds, and
every obligation as "modality actor category frequency | sentence" — so a change shows up as a
readable diff. Regenerate after a deliberate change with ``pytest tests/test_golden.py
--update-golden`` and review the diff before committing.

The hand-made answers of tests/fixtures/gold are checked with the contract's scorer.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
from pathlib import Path

import pytest

from kb.obligations import frequency_text

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
STEMS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "source_docs").glob("*.txt"))


def facts(view: dict) -> dict:
    """The reviewable facts of one extract view."""
    return {
        "document": view["document"],
        "document_models": view["document_models"],
        "groups": view["groups"],
        "constraints": sorted({c["kind"] for c in view["constraints"]}),
        "obligations": [
            f"{o['modality']} {o['actor']} {o['category']} {frequency_text(o['frequency']) or '-'}"
            f" | {o['sentence'][:80]}" for o in view["obligations"]],
    }


@pytest.mark.parametrize("stem", STEMS)
def test_golden(stem, extracted, request):
    got = facts(extracted[stem])
    path = GOLDEN / f"{stem}.json"
    text = json.dumps(got, ensure_ascii=False, indent=1) + "\n"
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
        pytest.skip("golden file rewritten")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), text.splitlines(),
                                              "expected", "extracted", lineterm="", n=1))
        pytest.fail(f"{stem}: extraction differs from tests/golden/{stem}.json\n{diff}")


def _scorer():
    spec = importlib.util.spec_from_file_location("score", FIXTURES / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_contract_scores_on_hand_made_answers(extracted):
    result = _scorer().score(FIXTURES / "gold", list(extracted.values()), verbose=True)
    misses = {k: v for k, v in result["per_document"].items() if v}
    assert result["extraction_f1"] >= 0.9, misses
    assert result["parts"]["freq"]["f1"] >= 0.9, misses
    assert not result["missing_predictions"]


def test_every_view_follows_the_contract(extracted):
    modalities = {"obligation", "prohibition", "permission", "encouragement"}
    for stem, view in extracted.items():
        assert view["schema"] == "policykb-extract/1"
        assert view["document"]["script"] in ("simplified", "traditional")
        for o in view["obligations"]:
            assert o["modality"] in modalities
            assert view_text_contains(o)
            if o["frequency"]:
                f = o["frequency"]
                assert f["unit"] in {"time", "day", "person", "topic", "percent", "item"}
                assert f["min_count"] is None or f["max_count"] is None or f["min_count"] <= f["max_count"]


def view_text_contains(o: dict) -> bool:
    start, end = o["span"]
    return end - start == len(o["sentence"]) and o["sentence"].strip() != ""


def test_traditional_input_is_reported_and_output_simplified(extracted):
    view = extracted["baota-groups-report"]
    assert view["document"]["script"] == "traditional"
    text = json.dumps(view, ensure_ascii=False)
    assert "寶" not in text and "團" not in text and "宝塔区" in text
