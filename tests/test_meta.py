"""Meta-tests: every pipeline component, CLI command, named query and setting is tested and documented.

A new component, command, query or setting that nobody tests or documents fails here, naming it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from spacy.language import Language

from ingest.pipeline import COMPONENTS, build_nlp, make_doc
from ingest.reader import read_document
from kb import queries, settings
from kb.cli import app

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = sorted((ROOT / "source_docs").glob("*.txt"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
TEST_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.glob("test_*.py"))
                      if p.name != Path(__file__).name)


# --------------------------------------------------------------------------- components

def _span_state(doc) -> dict[str, tuple]:
    return {key: tuple((s.start_char, s.end_char, s.label_) for s in group) for key, group in doc.spans.items()}


def _extension_values(span, names: list[str]) -> dict[str, object]:
    return {n: getattr(span._, n) for n in names}


@pytest.fixture(scope="module")
def stepwise() -> dict[str, list[tuple]]:
    """For every source document, the Doc's span groups and doc._ values before and after each
    component — the components run one by one, exactly as ``annotate`` runs them."""
    from ingest.normalize import normalize
    from ingest.structure import segment

    nlp = build_nlp()
    steps: dict[str, list[tuple]] = {name: [] for name in COMPONENTS}
    for path in SOURCE_DOCS:
        source = read_document(str(path))
        normalized = normalize(source.text)
        doc = make_doc(nlp, normalized.text, segment(normalized.text))
        doc._.source, doc._.normalized = source, normalized
        for name, component in nlp.pipeline:
            meta = nlp.get_pipe_meta(name)
            doc_attrs = [a.split(".", 2)[2] for a in meta.assigns if a.startswith("doc._.")]
            before = (_span_state(doc), {a: repr(getattr(doc._, a)) for a in doc_attrs})
            doc = component(doc)
            after = (_span_state(doc), {a: repr(getattr(doc._, a)) for a in doc_attrs})
            steps[name].append((doc, before, after))
    return steps


def test_every_component_is_registered_with_its_contract():
    nlp = build_nlp()
    assert nlp.pipe_names == COMPONENTS
    for name in COMPONENTS:
        assert Language.has_factory(name), name
        meta = nlp.get_pipe_meta(name)
        assert meta.assigns, f"{name} declares nothing it assigns"
        assert (nlp.get_pipe(name).__doc__ or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_assigns_what_it_declares(stepwise, name):
    """On the corpus, the component changes its declared span groups / doc._ attributes, and the
    spans it adds carry the span._ attributes it declares."""
    meta = build_nlp().get_pipe_meta(name)
    span_attrs = [a.split(".", 2)[2] for a in meta.assigns if a.startswith("span._.")]
    changed_doc_attrs: set[str] = set()
    new_groups: set[str] = set()
    set_attrs: set[str] = set()
    for doc, (spans_before, attrs_before), (spans_after, attrs_after) in stepwise[name]:
        changed_doc_attrs |= {a for a in attrs_after if attrs_after[a] != attrs_before.get(a)}
        for key, state in spans_after.items():
            if spans_before.get(key) != state:
                new_groups.add(key)
                for span in doc.spans[key]:
                    values = _extension_values(span, span_attrs)
                    set_attrs |= {a for a, v in values.items() if v not in (None, "", [], (), {})}
    if "doc.spans" in meta.assigns:
        assert new_groups, f"{name} added no spans to any document of the corpus"
    for attr in (a.split(".", 2)[2] for a in meta.assigns if a.startswith("doc._.")):
        assert attr in changed_doc_attrs, f"{name} never set doc._.{attr}"
    missing = set(span_attrs) - set_attrs
    assert not missing, f"{name} never set span._.{', span._.'.join(sorted(missing))} on its spans"


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_is_documented(name):
    assert f"`{name}`" in ARCHITECTURE, f"docs/architecture.md does not describe {name}"


# --------------------------------------------------------------------------- CLI commands

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_the_cli_has_its_commands():
    assert {"ingest", "extract", "ask", "compare", "matrix", "export", "query", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_is_documented_and_tested(command):
    click_command = typer.main.get_command(app).commands[command]
    assert (click_command.help or "").strip(), f"`policykb {command}` has no help text"
    assert f"`policykb {command}" in README, f"README.md's command table lacks `policykb {command}`"
    invoked = re.search(rf"""["']{re.escape(command)}["']\s*[,\]\)]""", TEST_TEXT)
    assert invoked, f"no test invokes `policykb {command}`"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_flows_at_the_terminals_width(command):
    """A prose paragraph of a command's help is one line on a wide terminal (the terminal wraps
    it, not the docstring's line breaks); examples keep their lines."""
    import inspect

    from typer.testing import CliRunner

    from kb import cli

    shown = CliRunner().invoke(app, [command, "--help"], terminal_width=1000, env={"COLUMNS": "1000"}).output
    lines = [" ".join(line.split()) for line in shown.splitlines()]
    function = dict(cli.COMMANDS)[command]
    for paragraph in inspect.getdoc(function).split("\n\n"):
        words = paragraph.split()
        if words and not words[0].startswith("Example") and "\n " not in paragraph:
            assert " ".join(words) in lines, f"`policykb {command} --help` breaks the paragraph {words[:4]}…"


# --------------------------------------------------------------------------- named queries, settings

@pytest.mark.parametrize("query", [q.name for q in queries.list_queries()])
def test_each_named_query_is_documented_and_used(query):
    named = queries.get_query(query)
    assert named.title and named.description, f"{query}.rq lacks a title or description comment"
    for param, help_text in named.params.items():
        assert help_text.strip(), f"{query}.rq does not describe its parameter ?{param}"
    users = [p for p in (ROOT / "kb").rglob("*.py") if f'"{query}"' in p.read_text(encoding="utf-8")]
    assert users or f'"{query}"' in TEST_TEXT, f"nothing runs the named query {query}"


@pytest.mark.parametrize("setting", sorted(settings.SETTINGS))
def test_each_setting_has_help_and_is_in_the_readme(setting):
    declared = settings.SETTINGS[setting]
    assert len(declared.help) > 20, f"{setting} has no real help text"
    assert declared.env in README, f"README.md's settings table lacks {declared.env}"
