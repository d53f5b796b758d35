"""The error catalogue (``kb/errors.py``): every code used is declared there once, in one format,
documented in docs/robustness.md, and raised by a test. Codes that other tests raise are found in
their files; the rest are raised here, each through the command or function a user would call."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.errors import CATALOGUE, CODE_FORMAT, PolicyKBError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *[p for d in ("kb", "ingest", "ontology", "webapp") for p in (ROOT / d).rglob("*.py")]]
#: codes no test can raise without breaking the installation or the program itself
UNREACHABLE = {
    "PKB-CORE-ERROR": "the base class's default: every raise names an area",
    "PKB-EXTRACT-FAILED": "an unexpected exception inside the pipeline (a bug), caught per file",
    "PKB-EXTRACT-GAZETTEER": "the cpca package's table missing from the installation",
    "PKB-ASK-LEXICON": "kb/ask/lexicon.toml broken in the installation",
    "PKB-CONFIG-APP": "app.py missing from the checkout",
    "PKB-VALIDATE-FAILED": "pySHACL failing inside validation",
    "PKB-EXTRACT-WORKER": "a Dask worker dying in the middle of a task",
}
#: the defaults of the error classes, taken by raise sites that name no code of their own
CLASS_DEFAULTS = {code for code in CATALOGUE if code.endswith("-ERROR")}


def codes_in(paths) -> set[str]:
    return {c for p in paths for c in re.findall(r"PKB-[A-Z0-9]+(?:-[A-Z0-9]+)+", p.read_text(encoding="utf-8"))}


def test_every_code_used_is_declared_once_in_the_catalogue():
    used = codes_in(SOURCES)
    assert used - set(CATALOGUE) == set(), "codes raised but not in kb/errors.py's CATALOGUE"
    assert set(CATALOGUE) - used == set(), "catalogue entries no code raises"
    assert all(CODE_FORMAT.fullmatch(code) for code in CATALOGUE)
    assert all(meaning for meaning, _ in CATALOGUE.values())


def test_the_catalogue_is_documented_in_robustness_md():
    table = dict(re.findall(r"^\| `(PKB-[A-Z-]+)` \| ([^|]+) \|", (ROOT / "docs" / "robustness.md").read_text(
        encoding="utf-8"), re.M))
    assert {code: meaning.strip() for code, meaning in table.items()} == \
        {code: meaning for code, (meaning, _) in CATALOGUE.items()}


def test_an_error_without_a_hint_takes_its_catalogue_hint():
    from kb.errors import ReadError

    assert ReadError("x", code="PKB-READ-EMPTY").hint == CATALOGUE["PKB-READ-EMPTY"][1]
    assert ReadError("x", code="PKB-READ-EMPTY", hint="own").hint == "own"


runner = CliRunner()


def cli(*args: str) -> str:
    from kb.cli import app

    result = runner.invoke(app, list(args))
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def _raised(fn) -> str:
    with pytest.raises(PolicyKBError) as err:
        fn()
    return err.value.code


CASES = {
    "PKB-CLI-FORMAT": lambda store, tmp: cli("extract", str(ROOT / "source_docs"), "--format", "xml"),
    "PKB-CLI-PARAM": lambda store, tmp: cli("query", "documents", "--store", str(store), "--param", "district"),
    "PKB-CLI-FILE": lambda store, tmp: cli("query", str(tmp / "none.rq"), "--store", str(store)),
    "PKB-CLI-LANG": lambda store, tmp: cli("ask", "--store", str(store), "--lang", "fr", "成员校要做什么"),
    "PKB-CLI-ARGS": lambda store, tmp: cli("compare", "--store", str(store), "张掖市"),
    "PKB-CLI-OUT": lambda store, tmp: cli("matrix", "--store", str(store), "--format", "xlsx"),
    "PKB-ASK-EMPTY": lambda store, tmp: cli("ask", "--store", str(store), " "),
    "PKB-ASK-TOO-LONG": lambda store, tmp: cli("ask", "--store", str(store), "成员校" * 200),
    "PKB-CONFIG-UNKNOWN": lambda store, tmp: _raised(lambda: __import__("kb.settings").settings.get("no_such")),
    "PKB-VOCAB-SCHEME": lambda store, tmp: _raised(lambda: __import__("ontology").concept_iri("no_such", "x")),
    "PKB-COMPARE-ARGS": lambda store, tmp: _raised(lambda: _compare(store, [])),
    "PKB-COMPARE-SCOPE": lambda store, tmp: _raised(lambda: _compare(store, ["张掖市", "田家庵区"]).index("临县")),
    "PKB-QUERY-NODOC": lambda store, tmp: _raised(lambda: _view(store, "https://w3id.org/policykb/id/doc/0")),
    "PKB-EXPORT-EMPTY": lambda store, tmp: _raised(lambda: _export(store, "张掖市", "multi_legal_person")),
    "PKB-ASK-TOO-BROAD": lambda store, tmp: cli(
        "ask", "--store", str(store), "张掖市、田家庵区、宝塔区、临县、源汇区的牵头校、成员校、教师、学生在会议、培训、"
        "教研、课程、评估、督导、经费、文化、交流方面每年、每月、每学期要做什么"),
}


def _compare(store_path, scopes):
    from kb.compare import compare
    from kb.store import open_store

    with open_store(str(store_path), read_only=True) as store:
        return compare(store, scopes)


def _view(store_path, doc):
    from kb.extract_view import document_view
    from kb.store import open_store

    with open_store(str(store_path), read_only=True) as store:
        return document_view(store, doc, "x.txt")


def _export(store_path, district, model):
    from kb.exports import export_rdf
    from kb.store import open_store

    with open_store(str(store_path), read_only=True) as store:
        return export_rdf(store, "turtle", district, model=model)


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_code_is_raised_where_a_user_meets_it(code, store_path, tmp_path):
    assert code in CASES[code](store_path, tmp_path)


def test_every_code_is_raised_by_some_test():
    others = codes_in(p for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_errors.py")
    not_raised = set(CATALOGUE) - others - set(CASES) - set(UNREACHABLE) - CLASS_DEFAULTS
    assert not not_raised, sorted(not_raised)
