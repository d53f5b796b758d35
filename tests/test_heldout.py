"""Documents the rules were not written from: tests/heldout and tests/heldout2, each with
hand-made answers (see their READMEs). The gold files must check out against their texts, and
extraction must keep scoring on them as on the source documents."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SETS = ["heldout", "heldout2"]


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", SETS)
def test_gold_files_check_out(name, capsys):
    assert _module(TESTS / "validate_heldout.py", "validate_heldout").validate(TESTS / name) == 0, \
        capsys.readouterr().out


@pytest.mark.parametrize("name", SETS)
def test_extraction_scores_on_unseen_documents(name):
    docs = sorted(str(p) for p in (TESTS / name / "docs").glob("*.txt"))
    out = subprocess.run([sys.executable, "-m", "kb.cli", "extract", *docs, "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    preds = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    result = _module(TESTS / "fixtures" / "score.py", "score").score(TESTS / name / "gold", preds, verbose=True)
    misses = {k: v for k, v in result["per_document"].items() if v}
    assert result["extraction_f1"] >= 0.9, (result["parts"], misses)
    assert not result["missing_predictions"]
