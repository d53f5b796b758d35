"""The vocabulary (ontology/*.ttl), its generated namespaces (ontology/vocab.py), the label
tables (ontology.labels) and the SHACL shapes, checked against the extraction contract and
docs/rdf-model.md."""
from __future__ import annotations

import hashlib
import importlib
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ODRL2 as ODRL, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, Namespace

# rdflib's XSD namespace warns on unknown attributes, which pytest's collection probes for
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

import ontology
from ontology import (
    ONTOLOGY_TTL, RULE_TYPES_TTL, SCHEMES_TTL, SHAPES_TTL, VOCAB_GRAPH, UnknownConceptError, concept_iri, labels,
    notation_of,
)

ROOT = Path(__file__).resolve().parents[1]

PKB_NS = "https://w3id.org/policykb/ontology#"
VOCAB = "https://w3id.org/policykb/vocab/"
PKBSH = "https://w3id.org/policykb/shapes#"
OA = "http://www.w3.org/ns/oa#"

# ---------------------------------------------------------------------------------------------
# The contract (shared/spec/extraction-contract.md), restated: codes, and the wordings of its
# tables that must be labels of the concept.
# ---------------------------------------------------------------------------------------------

CONTRACT_MODELS = {
    "alliance": ["联盟型", "松散型", "学校联盟", "联盟式"],
    "tight_knit": ["紧密型", "紧密融合型", "一体化管理型"],
    "full_integration": ["全面融合型", "单一法人", "单法人多校区"],
    "helper_league": ["帮扶式联盟校", "帮扶型", "结对帮扶", "强校带弱校"],
    "junior_senior_consortium": ["初高中教育协同发展联合体", "初高中一体化", "贯通式培养"],
    "entrusted_management": ["委托管理", "直管学校+委托管理学校"],
    "multi_legal_person": ["多法人组合"],
    "cooperative": ["合作型", "合作发展型"],
    "urban_rural_community": ["城乡学校共同体", "城乡教育共同体"],
    "school_district": ["学区化", "学区制"],
    "education_group": ["教育集团"],
}
CONTRACT_MODEL_EN = {
    "alliance": "alliance", "tight_knit": "tight-knit", "full_integration": "full integration",
    "helper_league": "helper league", "junior_senior_consortium": "junior-senior consortium",
    "entrusted_management": "entrusted management", "multi_legal_person": "multi-legal-person group",
    "cooperative": "cooperative", "urban_rural_community": "urban-rural community",
    "school_district": "school district", "education_group": "education group",
}
# further wordings the brief asks for
EXTRA_MODEL_WORDINGS = {
    "full_integration": ["单一法人"],
    "entrusted_management": ["托管", "委托管理"],
    "school_district": ["学区制", "学区化"],
    "urban_rural_community": ["城乡教共体", "教共体", "城乡教育共同体", "城乡学校共同体"],
}

# code -> (wordings, broader)
CONTRACT_ACTORS = {
    "education_authority": (["教育局", "教体局", "教育科技局", "教科局", "主管部门"], None),
    "government": (["政府", "编办", "人社", "财政"], None),
    "inspectorate": (["督导室", "评估组", "视导员"], "education_authority"),
    "group": (["教育集团", "集团", "联合体", "联盟校"], None),
    "group_council": (["理事会", "联席会议", "推进组"], "group"),
    "group_head": (["理事长", "总校长", "集团校长", "牵头校校长"], "group_council"),
    "group_office": (["秘书长", "集团办公室", "理事会办公室", "教研中心", "教师发展中心", "学生发展中心"], "group"),
    "lead_school": (["牵头校", "核心校", "龙头学校", "总校", "名校"], "group"),
    "member_school": (["成员校", "成员学校", "分校", "加盟学校", "薄弱学校"], "group"),
    "lead_school_staff": (["牵头校教师", "学科教研组长", "学科带头人", "名师"], "lead_school"),
    "member_school_staff": (["成员校教师", "成员校学科教师"], "member_school"),
    "teachers": (["教师", "骨干教师"], "group"),
    "students": (["学生"], "group"),
}
EXTRA_ACTOR_WORDINGS = {
    "member_school": ["成员校", "成员学校", "分校", "加盟学校", "加盟校", "薄弱学校", "被帮扶学校", "集团成员校"],
    "lead_school": ["牵头校", "牵头学校", "核心校", "核心学校", "龙头学校", "龙头校", "总校", "集团总校",
                    "领航学校", "名校"],
    "teachers": ["教师", "老师", "骨干教师"],
    "students": ["学生"],
    "group_head": ["理事长", "总校长", "集团校长", "牵头校校长"],
    "education_authority": ["教育局", "教体局", "教育科技局", "教科局", "教育和体育局", "主管部门", "教育行政部门"],
    "government": ["政府", "人民政府", "编办", "人社", "财政"],
    "inspectorate": ["督导室", "教育督导室", "督导组", "评估组", "视导员", "督学"],
    "group_council": ["理事会", "联席会议", "推进组", "领导小组"],
    "group_office": ["秘书长", "集团办公室", "理事会办公室", "教研中心", "教师发展中心", "学生发展中心"],
}
EXTRA_ACTOR_EN = {
    "member_school": ["member schools", "member school"],
    "lead_school": ["lead school", "leading school", "core school"],
    "teachers": ["teachers"],
    "students": ["students"],
    "group_council": ["council", "board"],
    "group_head": ["chair", "president"],
    "group_office": ["secretary-general"],
    "education_authority": ["education bureau"],
    "government": ["government"],
    "inspectorate": ["inspectorate", "inspection office"],
    "group": ["the group"],
}

CONTRACT_CATEGORIES = ["meeting", "governance", "teacher_exchange", "training", "joint_research", "curriculum",
                       "student_development", "resource_sharing", "evaluation", "supervision", "reporting",
                       "funding", "culture", "other"]
CATEGORY_EN = {
    "meeting": ["meeting", "meetings"], "teacher_exchange": ["teacher exchange", "teacher rotation"],
    "training": ["training"], "joint_research": ["joint research", "teaching research"],
    "curriculum": ["curriculum", "courses"], "student_development": ["student development", "student activities"],
    "resource_sharing": ["resource sharing"], "evaluation": ["evaluation", "assessment"],
    "supervision": ["supervision", "inspection"], "reporting": ["reporting", "filing"],
    "funding": ["funding", "budget"], "culture": ["culture"], "governance": ["governance", "management"],
    "other": ["other"],
}

CONTRACT_PERIODS = ["day", "week", "month", "semester", "school_year", "year", "multi_year", "term_of_office",
                    "unspecified"]
PERIOD_WORDINGS = {
    "semester": (["学期", "每学期"], ["semester", "term"]),
    "school_year": (["学年", "学年度"], ["school year", "academic year"]),
    "year": (["每年", "年度"], ["year", "annual", "yearly"]),
    "multi_year": (["每三年", "周期"], []),
    "term_of_office": (["聘期", "任期"], []),
    "unspecified": (["定期", "常态化", "适时"], []),
    "day": ([], ["day", "daily"]),
    "week": ([], ["week", "weekly"]),
    "month": ([], ["month", "monthly"]),
}
ICAL = {"day": ("DAILY", 1), "week": ("WEEKLY", 1), "month": ("MONTHLY", 1), "semester": ("MONTHLY", 6),
        "school_year": ("YEARLY", 1), "year": ("YEARLY", 1)}

CONTRACT_UNITS = ["time", "day", "person", "topic", "percent", "item"]
CONTRACT_KINDS = {
    "legal_person_unchanged": ["法人资格不变"],
    "affiliation_unchanged": ["隶属关系不变"],
    "finance_unchanged": ["财务管理不变", "经费不变"],
    "assets_unchanged": ["资产归属不变"],
    "personnel_unchanged": ["人事关系不变", "编制不变"],
    "enrollment_unchanged": ["招生政策不变"],
    "legal_compliance": ["依法办学", "符合法律法规"],
    "other": ["其他"],
}
CONTRACT_MODALITIES = {
    "obligation": (["应", "要", "须", "必须", "负责"], ODRL.Duty),
    "prohibition": (["不得", "严禁", "禁止", "不准"], ODRL.Prohibition),
    "permission": (["可", "可以", "允许"], ODRL.Permission),
    "encouragement": (["鼓励", "支持", "倡导", "原则上"], URIRef(PKB_NS + "Encouragement")),
}

ALL_CODES = {
    "model": list(CONTRACT_MODELS),
    "actor": list(CONTRACT_ACTORS),
    "category": CONTRACT_CATEGORIES,
    "period": CONTRACT_PERIODS,
    "unit": CONTRACT_UNITS,
    "kind": list(CONTRACT_KINDS),
    "modality": list(CONTRACT_MODALITIES),
}
SCHEME_PATHS = {"model": "model", "actor": "actor", "category": "category", "period": "period",
                "unit": "unit", "kind": "constraint-kind", "modality": "modality"}


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def schemes_graph() -> Graph:
    return Graph().parse(SCHEMES_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.fixture(scope="module")
def vocabulary(ontology_graph: Graph, schemes_graph: Graph) -> Graph:
    g = Graph()
    for triple in ontology_graph:
        g.add(triple)
    for triple in schemes_graph:
        g.add(triple)
    g.parse(RULE_TYPES_TTL, format="turtle")
    return g


def zh_labels(item: dict) -> set[str]:
    return {item["prefLabel"]["zh"], *item["altLabel"]["zh"]}


def en_labels(item: dict) -> set[str]:
    return {item["prefLabel"]["en"], *item["altLabel"]["en"]}


# ---------------------------------------------------------------------------------------------
# the files parse; paths and constants
# ---------------------------------------------------------------------------------------------

def test_paths_and_constants():
    for path in (ONTOLOGY_TTL, SCHEMES_TTL, SHAPES_TTL, RULE_TYPES_TTL):
        assert isinstance(path, Path) and path.is_file()
        assert path.parent == ROOT / "ontology"
    assert VOCAB_GRAPH == "https://w3id.org/policykb/graph/vocabulary"
    assert ontology.VOCAB_FILES == (ONTOLOGY_TTL, SCHEMES_TTL, RULE_TYPES_TTL)
    assert re.fullmatch(r"[0-9a-f]{64}", ontology.vocabulary_digest())


@pytest.mark.parametrize("path", [ONTOLOGY_TTL, SCHEMES_TTL, SHAPES_TTL, RULE_TYPES_TTL], ids=lambda p: p.name)
def test_turtle_parses_with_rdflib_and_oxigraph(path: Path):
    import pyoxigraph as ox

    g = Graph().parse(path, format="turtle")
    assert len(g) > 100
    assert sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)) == len(g)


# ---------------------------------------------------------------------------------------------
# the OWL vocabulary
# ---------------------------------------------------------------------------------------------

EXPECTED_CLASSES = {
    "PolicyDocument": [PROV.Entity, FOAF.Document],
    "Clause": [URIRef(OA + "SpecificResource")],
    "SchoolGroup": [ORG.OrganizationalCollaboration],
    "School": [ORG.Organization],
    "GovernanceBody": [ORG.OrganizationalUnit],
    "Encouragement": [ODRL.Rule],
    "RuleType": [],
    "InstitutionalConstraint": [],
}
EXPECTED_OBJECT_PROPERTIES = ["actor", "evidence", "documentModel", "model", "ruleType", "modality", "category", "period",
                              "countUnit", "quantityUnit", "quantityOperator", "constraintKind", "ruleClass"]
EXPECTED_DATATYPE_PROPERTIES = ["sourcePath", "contentHash", "text", "docNumber", "issuer", "district", "province",
                                "script", "format", "encoding", "heldByText",
                                "minCount", "maxCount", "quantityValue", "pipelineVersion",
                                "icalFrequency", "icalInterval", "kindText"]
JSON_PROPERTIES = ["ruleTally", "ruleTexts", "outline", "offsetMap", "nameIndex", "comparisonTally"]   # rdfs:range rdf:JSON
# a document's version facts and the hand unlinks of the versions graph (kb/versions.py)
EXPECTED_OBJECT_PROPERTIES += ["doesNotReplace"]
EXPECTED_DATATYPE_PROPERTIES += ["versionStatus", "inForceFrom", "inForceUntil", "repealsTitle"]


def test_ontology_header(ontology_graph: Graph):
    onto = URIRef("https://w3id.org/policykb/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology_graph
    assert ontology_graph.value(onto, OWL.versionInfo) is not None


@pytest.mark.parametrize("name", sorted(EXPECTED_CLASSES))
def test_classes_and_alignment(ontology_graph: Graph, name: str):
    term = URIRef(PKB_NS + name)
    assert (term, RDF.type, OWL.Class) in ontology_graph
    for parent in EXPECTED_CLASSES[name]:
        assert (term, RDFS.subClassOf, parent) in ontology_graph


def test_properties_declared_with_ranges(ontology_graph: Graph):
    for name in EXPECTED_OBJECT_PROPERTIES:
        term = URIRef(PKB_NS + name)
        assert (term, RDF.type, OWL.ObjectProperty) in ontology_graph, name
        assert ontology_graph.value(term, RDFS.range) is not None, name
    for name in EXPECTED_DATATYPE_PROPERTIES:
        term = URIRef(PKB_NS + name)
        assert (term, RDF.type, OWL.DatatypeProperty) in ontology_graph, name
        assert str(ontology_graph.value(term, RDFS.range)).startswith(str(XSD)), name
    for name in JSON_PROPERTIES:
        term = URIRef(PKB_NS + name)
        assert (term, RDF.type, OWL.DatatypeProperty) in ontology_graph, name
        assert ontology_graph.value(term, RDFS.range) == RDF.JSON, name
    assert (URIRef(PKB_NS + "actor"), RDFS.subPropertyOf, ODRL.assignee) in ontology_graph
    assert (URIRef(PKB_NS + "evidence"), RDFS.subPropertyOf, PROV.wasDerivedFrom) in ontology_graph
    assert (URIRef(PKB_NS + "approx"), RDF.type, ODRL.Operator) in ontology_graph


def test_every_pkb_term_has_bilingual_label_and_comment(ontology_graph: Graph):
    terms = {s for s in ontology_graph.subjects() if isinstance(s, URIRef) and str(s).startswith(PKB_NS)}
    expected = {URIRef(PKB_NS + n) for n in
                [*EXPECTED_CLASSES, *EXPECTED_OBJECT_PROPERTIES, *EXPECTED_DATATYPE_PROPERTIES, *JSON_PROPERTIES,
                 "approx"]}
    assert terms == expected
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment):
            langs = [v.language for v in ontology_graph.objects(term, predicate)]
            assert sorted(langs) == ["en", "zh"], (term, predicate, langs)


def test_w3c_terms_declared_minimally(ontology_graph: Graph):
    """Reused W3C terms are declared (typed, rdfs:isDefinedBy), not copied with their definitions."""
    foreign = {s for s in ontology_graph.subjects() if isinstance(s, URIRef)
               and not str(s).startswith("https://w3id.org/policykb/")}
    assert foreign
    for term in foreign:
        predicates = set(ontology_graph.predicates(term))
        assert predicates <= {RDF.type, RDFS.isDefinedBy, RDFS.subClassOf}, term
        assert RDFS.label not in predicates and RDFS.comment not in predicates


# ---------------------------------------------------------------------------------------------
# the SKOS schemes against the contract
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", sorted(ALL_CODES))
def test_scheme_has_exactly_the_contract_codes(schemes_graph: Graph, scheme: str):
    scheme_iri = URIRef(VOCAB + SCHEME_PATHS[scheme])
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in schemes_graph
    concepts = set(schemes_graph.subjects(SKOS.inScheme, scheme_iri))
    notations = {}
    for concept in concepts:
        values = list(schemes_graph.objects(concept, SKOS.notation))
        assert len(values) == 1, concept
        notation = values[0]
        assert notation.datatype is None and notation.language is None, "notation must be a plain string"
        notations[str(notation)] = concept
        assert str(concept) == f"{scheme_iri}/{notation}"
        assert (concept, RDF.type, SKOS.Concept) in schemes_graph
        langs = sorted(v.language for v in schemes_graph.objects(concept, SKOS.prefLabel))
        assert langs == ["en", "zh"], concept
        assert any(v.language == "en" for v in schemes_graph.objects(concept, SKOS.definition)), concept
    assert set(notations) == set(ALL_CODES[scheme])


def test_model_labels_follow_contract():
    table = labels("model")
    for code, wordings in CONTRACT_MODELS.items():
        assert table[code]["prefLabel"]["zh"] == wordings[0], code     # "pref first"
        assert table[code]["prefLabel"]["en"] == CONTRACT_MODEL_EN[code]
        assert set(wordings[1:]) <= set(table[code]["altLabel"]["zh"]), code
    for code, wordings in EXTRA_MODEL_WORDINGS.items():
        assert set(wordings) <= zh_labels(table[code]), code
    assert not any("名校+" in zh_labels(item) for item in table.values())


def test_actor_labels_and_broader_chain(schemes_graph: Graph):
    table = labels("actor")
    for code, (wordings, broader) in CONTRACT_ACTORS.items():
        assert set(wordings) <= zh_labels(table[code]), (code, set(wordings) - zh_labels(table[code]))
        assert table[code]["broader"] == ([broader] if broader else []), code
        concept = URIRef(VOCAB + "actor/" + code)
        assert (concept, RDF.type, ORG.Role) in schemes_graph
        expected = {URIRef(VOCAB + "actor/" + broader)} if broader else set()
        assert set(schemes_graph.objects(concept, SKOS.broader)) == expected
    for code, wordings in EXTRA_ACTOR_WORDINGS.items():
        assert set(wordings) <= zh_labels(table[code]), (code, set(wordings) - zh_labels(table[code]))
    for code, wordings in EXTRA_ACTOR_EN.items():
        assert set(wordings) <= en_labels(table[code]), (code, set(wordings) - en_labels(table[code]))
    assert table["member_school_staff"]["ancestors"] == ["member_school", "group"]
    assert table["group_head"]["ancestors"] == ["group_council", "group"]
    assert table["inspectorate"]["ancestors"] == ["education_authority"]
    assert not list(schemes_graph.subject_objects(SKOS.narrower))


def test_category_period_unit_kind_modality_labels(schemes_graph: Graph):
    categories = labels("category")
    for code, words in CATEGORY_EN.items():
        assert set(words) <= en_labels(categories[code]), code
    periods = labels("period")
    for code, (zh, en) in PERIOD_WORDINGS.items():
        assert set(zh) <= zh_labels(periods[code]), code
        assert set(en) <= en_labels(periods[code]), code
    for code, item in periods.items():
        if code in ICAL:
            assert (item["icalFrequency"], item["icalInterval"]) == ICAL[code]
            concept = URIRef(item["iri"])
            assert schemes_graph.value(concept, URIRef(PKB_NS + "icalInterval")).datatype == XSD.integer
        else:
            assert "icalFrequency" not in item and "icalInterval" not in item
    kinds = labels("kind")
    for code, wordings in CONTRACT_KINDS.items():
        assert set(wordings) <= zh_labels(kinds[code]), code
    modalities = labels("modality")
    for code, (wordings, rule_class) in CONTRACT_MODALITIES.items():
        assert set(wordings) <= zh_labels(modalities[code]), code
        assert modalities[code]["ruleClass"] == str(rule_class)
    assert labels("unit")["percent"]["prefLabel"]["en"] == "percent"


@pytest.mark.parametrize("scheme", sorted(ALL_CODES))
def test_labels_are_unambiguous_within_a_scheme(scheme: str):
    """A wording names one concept of a scheme, so a lookup by label is unambiguous; and a
    concept's prefLabel is not also its altLabel (SKOS S13)."""
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, item in labels(scheme).items():
        for lang in ("zh", "en"):
            assert item["prefLabel"][lang] not in item["altLabel"][lang], (code, item["prefLabel"][lang])
            assert len(item["altLabel"][lang]) == len(set(item["altLabel"][lang])), code
            for label in {item["prefLabel"][lang], *item["altLabel"][lang]}:
                owners[(lang, label.lower())].add(code)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes


# ---------------------------------------------------------------------------------------------
# ontology.labels / concept_iri / notation_of
# ---------------------------------------------------------------------------------------------

def test_labels_returns_alt_labels_and_is_cached():
    actors = labels("actor")
    assert list(actors) == list(CONTRACT_ACTORS)             # document order = contract order
    member = actors["member_school"]
    assert member["iri"] == VOCAB + "actor/member_school"
    assert member["notation"] == "member_school"
    assert member["prefLabel"] == {"zh": "成员学校", "en": "member school"}
    assert {"成员校", "分校", "加盟学校", "薄弱学校"} <= set(member["altLabel"]["zh"])
    assert {"member schools"} <= set(member["altLabel"]["en"])
    assert member["broader"] == ["group"]
    assert labels("actor") is actors                           # lru_cache
    assert labels("constraint_kind") is labels("kind")
    with pytest.raises(UnknownConceptError):
        labels("colour")


def test_concept_iri_and_notation_of():
    from rdflib import URIRef as R
    import pyoxigraph as ox

    assert concept_iri("actor", "member_school") == VOCAB + "actor/member_school"
    assert concept_iri("kind", "legal_person_unchanged") == VOCAB + "constraint-kind/legal_person_unchanged"
    assert notation_of(VOCAB + "period/semester") == ("period", "semester")
    assert notation_of(R(VOCAB + "model/alliance")) == ("model", "alliance")
    assert notation_of(ox.NamedNode(VOCAB + "constraint-kind/other")) == ("kind", "other")
    for scheme, codes in ALL_CODES.items():
        for code in codes:
            assert notation_of(concept_iri(scheme, code)) == (scheme, code)
    with pytest.raises(UnknownConceptError) as info:
        concept_iri("actor", "principal")
    assert isinstance(info.value, ValueError) and info.value.code == "PKB-VOCAB-UNKNOWN"
    assert "member_school" in str(info.value)
    for bad in (VOCAB + "actor/principal", VOCAB + "actor", "http://example.org/x", VOCAB + "modelx/alliance"):
        with pytest.raises(UnknownConceptError):
            notation_of(bad)


def test_labels_is_fast_after_first_call():
    import time

    labels("category")
    start = time.perf_counter()
    for _ in range(10000):
        labels("category")
    assert time.perf_counter() - start < 0.5


# ---------------------------------------------------------------------------------------------
# generated namespaces
# ---------------------------------------------------------------------------------------------

def test_vocab_py_is_up_to_date():
    result = subprocess.run([sys.executable, "-m", "ontology.generate", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generate_check_fails_on_stale_file(tmp_path: Path):
    from ontology import generate

    stale = tmp_path / "vocab.py"
    stale.write_text("# stale\n", encoding="utf-8")
    assert generate.main(["--check", "--output", str(stale)]) == 1
    assert generate.main(["--output", str(stale)]) == 0
    assert generate.main(["--check", "--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == (ROOT / "ontology" / "vocab.py").read_text(encoding="utf-8")


def test_vocab_namespaces(ontology_graph: Graph):
    vocab = importlib.import_module("ontology.vocab")
    assert vocab.PKB.PolicyDocument == URIRef(PKB_NS + "PolicyDocument")
    assert vocab.PKB.approx == URIRef(PKB_NS + "approx")
    assert vocab.ACTOR.member_school == URIRef(VOCAB + "actor/member_school")
    assert vocab.KIND.legal_person_unchanged == URIRef(VOCAB + "constraint-kind/legal_person_unchanged")
    assert vocab.PERIOD.semester == URIRef(VOCAB + "period/semester")
    assert vocab.PKBID["doc/abc"] == URIRef("https://w3id.org/policykb/id/doc/abc")
    assert vocab.OA.TextPositionSelector == URIRef(OA + "TextPositionSelector")
    assert vocab.ODRL.timeInterval == URIRef("http://www.w3.org/ns/odrl/2/timeInterval")
    assert vocab.SCHEMES["kind"] == URIRef(VOCAB + "constraint-kind")
    for name in ("ORG", "PROV", "SKOS", "DCTERMS", "SH", "XSD", "RDF", "RDFS"):
        assert getattr(vocab, name) is not None
    with pytest.raises(AttributeError):
        vocab.PKB.Polcydocument  # noqa: B018 - misspelt on purpose
    with pytest.raises(AttributeError):
        vocab.ACTOR.principal  # noqa: B018
    # every pkb: term of the ontology is in PKB, and nothing else is
    pkb_terms = {str(s)[len(PKB_NS):] for s in ontology_graph.subjects()
                 if isinstance(s, URIRef) and str(s).startswith(PKB_NS)}
    assert pkb_terms == set(vocab.PKB.__annotations__)
    for cls, scheme in (("MODEL", "model"), ("ACTOR", "actor"), ("CATEGORY", "category"), ("PERIOD", "period"),
                        ("UNIT", "unit"), ("KIND", "kind"), ("MODALITY", "modality")):
        ns = getattr(vocab, cls)
        assert list(ns.__annotations__) == ALL_CODES[scheme]
        for code in ALL_CODES[scheme]:
            assert str(getattr(ns, code)) == concept_iri(scheme, code)


# ---------------------------------------------------------------------------------------------
# SHACL: a valid graph and broken variants
# ---------------------------------------------------------------------------------------------

P = lambda name: URIRef(PKB_NS + name)  # noqa: E731
A = lambda code: URIRef(VOCAB + "actor/" + code)  # noqa: E731
PKBID = "https://w3id.org/policykb/id/"

TEXT = ("张掖中学集团化办学工作方案\n"
        "一、组织架构\n"
        "张掖中学教育集团由张掖中学牵头，市实验中学、肃南一中为成员学校。"
        "理事长由牵头校校长担任。"
        "集团联席会议由集团牵头校校长召集，每月至少召开1次。"
        "每学期确定1-2个主题。"
        "集团内成员学校法人资格不变。"
        "成员学校教师流动比例约5%。")


class Doc:
    """A small, valid document graph built the way docs/rdf-model.md describes."""

    def __init__(self) -> None:
        self.text = TEXT
        self.hash = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
        self.iri = URIRef(PKBID + "doc/" + self.hash[:16])
        self.g = Graph()
        self.rules: dict[int, URIRef] = {}      # rank → rule IRI (…/span/<start>-<end>/rule/<rank>)

    def node(self, path: str) -> URIRef:
        return URIRef(f"{self.iri}/{path}")

    def span(self, phrase: str) -> URIRef:
        start = self.text.index(phrase)
        end = start + len(phrase)
        return self.node(f"span/{start}-{end}")


def build_valid() -> Doc:
    d = Doc()
    g, doc = d.g, d.iri
    g.add((doc, RDF.type, P("PolicyDocument")))
    g.add((doc, DCTERMS.title, Literal("张掖中学集团化办学工作方案")))
    g.add((doc, P("issuer"), Literal("张掖市教育局")))
    g.add((doc, P("docNumber"), Literal("张教发〔2024〕79号")))
    g.add((doc, P("district"), Literal("张掖市")))
    g.add((doc, P("province"), Literal("甘肃省")))
    g.add((doc, DCTERMS.issued, Literal("2024-03-01", datatype=XSD.date)))
    g.add((doc, P("script"), Literal("simplified")))
    g.add((doc, P("contentHash"), Literal(d.hash)))
    g.add((doc, P("sourcePath"), Literal("source_docs/zhangye-zhongxue-group-2024.txt")))
    g.add((doc, P("format"), Literal("txt")))
    g.add((doc, P("encoding"), Literal("utf-8")))
    g.add((doc, P("text"), Literal(d.text)))
    g.add((doc, P("offsetMap"), Literal("[[5,7,0],[40,40,1]]", datatype=RDF.JSON)))
    g.add((doc, P("documentModel"), URIRef(VOCAB + "model/alliance")))
    ingest = d.node("ingest")
    g.add((doc, PROV.wasGeneratedBy, ingest))
    g.add((ingest, RDF.type, PROV.Activity))
    g.add((ingest, PROV.wasAssociatedWith, URIRef("https://w3id.org/policykb/agent/policykb")))
    g.add((ingest, P("pipelineVersion"), Literal("0.1.0")))
    g.add((ingest, PROV.endedAtTime, Literal("2024-05-01T10:00:00", datatype=XSD.dateTime)))

    heading = d.text.index("一、组织架构")
    g.add((doc, P("outline"), Literal(json.dumps([[heading, heading + 6, 1, None]]), datatype=RDF.JSON)))
    clause = d.span("理事长由牵头校校长担任。")

    group = d.node("group/1")
    g.add((group, RDF.type, P("SchoolGroup")))
    g.add((group, RDFS.label, Literal("张掖中学教育集团")))
    g.add((group, P("model"), URIRef(VOCAB + "model/alliance")))
    g.add((group, P("evidence"), d.span("张掖中学教育集团由张掖中学牵头")))
    for i, (name, role) in enumerate([("张掖中学", "lead_school"), ("市实验中学", "member_school"),
                                      ("肃南一中", "member_school")], start=1):
        member = d.node(f"group/1/member/{i}")
        school = URIRef(PKBID + "school/" + hashlib.sha1(f"张掖市/{name}".encode()).hexdigest()[:12])
        g.add((group, ORG.hasMembership, member))
        g.add((member, ORG.member, school))
        g.add((member, ORG.role, A(role)))
        g.add((school, RDFS.label, Literal(name)))

    post = d.node("post/1")
    g.add((post, RDF.type, ORG.Post))
    g.add((post, RDFS.label, Literal("理事长")))
    g.add((post, ORG.role, A("group_head")))
    g.add((post, P("heldByText"), Literal("牵头校校长")))
    g.add((post, ORG.postIn, group))
    g.add((post, P("evidence"), clause))
    body = d.node("body/1")
    g.add((body, RDF.type, P("GovernanceBody")))
    g.add((body, RDFS.label, Literal("联席会议")))
    g.add((body, P("actor"), A("group_council")))
    g.add((body, ORG.unitOf, group))
    g.add((body, P("evidence"), d.span("集团联席会议由集团牵头校校长召集")))

    def rule(n: int, modality: str, actor: str, category: str, phrase: str) -> URIRef:
        r = d.rules[n] = URIRef(f"{d.span(phrase)}/rule/{n}")     # the rule's clause is its IRI's
        g.add((r, P("ruleType"), URIRef(VOCAB + f"rule-type/{modality}.{category}")))
        g.add((r, P("actor"), A(actor)))
        return r

    r1 = rule(1, "obligation", "group_head", "meeting", "集团联席会议由集团牵头校校长召集，每月至少召开1次。")
    g.add((r1, P("period"), URIRef(VOCAB + "period/month")))
    g.add((r1, P("minCount"), Literal(1)))
    r2 = rule(2, "obligation", "group", "joint_research", "每学期确定1-2个主题。")
    g.add((r2, P("period"), URIRef(VOCAB + "period/semester")))
    g.add((r2, P("countUnit"), URIRef(VOCAB + "unit/topic")))
    g.add((r2, P("minCount"), Literal(1)))
    g.add((r2, P("maxCount"), Literal(2)))
    r3 = rule(3, "encouragement", "member_school_staff", "teacher_exchange", "成员学校教师流动比例约5%。")
    g.add((r3, P("quantityValue"), Literal("5", datatype=XSD.decimal)))
    g.add((r3, P("quantityUnit"), URIRef(VOCAB + "unit/percent")))
    g.add((r3, P("quantityOperator"), P("approx")))

    tally = [["group", "joint_research", "obligation", "semester", 1],
             ["group_head", "meeting", "obligation", "month", 1],
             ["member_school_staff", "teacher_exchange", "encouragement", "none", 1]]
    g.add((doc, P("ruleTally"), Literal(json.dumps(tally), datatype=RDF.JSON)))
    g.add((doc, P("nameIndex"), Literal(json.dumps({"district": "张掖市", "groups": []}), datatype=RDF.JSON)))
    at = d.text.index("集团牵头校校长")           # rule 1's actor as offsets; rule 2's action is not in the text
    wordings = [[[at, at + len("集团牵头校校长")], None], [None, "确定研究主题"], [None, None]]
    g.add((doc, P("ruleTexts"), Literal(json.dumps(wordings), datatype=RDF.JSON)))
    compared = {"frequencies": [["group", "joint_research", "obligation", "semester", None, None, "time"],
                                ["group_head", "meeting", "obligation", "month", 1, 2, "time"]],
                "parts": [["constraint", "legal_person_unchanged", 1]], "schools": []}
    g.add((doc, P("comparisonTally"), Literal(json.dumps(compared), datatype=RDF.JSON)))

    c = d.node("constraint/1")
    g.add((c, RDF.type, P("InstitutionalConstraint")))
    g.add((c, P("constraintKind"), URIRef(VOCAB + "constraint-kind/legal_person_unchanged")))
    g.add((c, P("kindText"), Literal("法人资格不变")))
    g.add((c, P("evidence"), d.span("集团内成员学校法人资格不变。")))
    return d


def shacl(data: Graph, vocabulary: Graph, shapes: Graph, *, mix: str = "union") -> tuple[bool, Graph]:
    """Validate ``data`` with the vocabulary graph alongside: ``mix="union"`` adds the vocabulary
    triples to the data graph; ``mix="ont_graph"`` passes it as pySHACL's ``ont_graph`` (as
    kb/validate.py does), which copies only RDFS/OWL axioms and named individuals."""
    if mix == "ont_graph":
        conforms, report, _ = validate(data, shacl_graph=shapes, ont_graph=vocabulary, inference="none",
                                       advanced=True, allow_warnings=True)
        return conforms, report
    if mix == "none":
        conforms, report, _ = validate(data, shacl_graph=shapes, inference="none")
        return conforms, report
    combined = Graph()
    for triple in data:
        combined.add(triple)
    for triple in vocabulary:
        combined.add(triple)
    conforms, report, _ = validate(combined, shacl_graph=shapes, inference="none", allow_warnings=False)
    return conforms, report


def activated(shapes: Graph) -> Graph:
    """The shapes with pkbsh:VocabularyShape (deactivated in the file) switched on."""
    out = Graph()
    for triple in shapes:
        out.add(triple)
    out.remove((URIRef(PKBSH + "VocabularyShape"), SH.deactivated, None))
    return out


def failing_shapes(report: Graph) -> set[str]:
    """The shapes of the top-level results (not of the sh:detail results nested in them)."""
    out = set()
    for result in report.objects(None, SH.result):
        # a SPARQL-based check is named by its constraint (they all hang on pkbsh:GraphShape)
        shape = report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceShape)
        if isinstance(shape, URIRef) and str(shape).startswith(PKBSH):
            out.add(str(shape)[len(PKBSH):])
        else:
            out.add(repr(shape))
    return out


@pytest.mark.parametrize("mix", ["union", "ont_graph", "none"])
def test_valid_graph_conforms(vocabulary: Graph, shapes_graph: Graph, mix: str):
    conforms, report = shacl(build_valid().g, vocabulary, shapes_graph, mix=mix)
    assert conforms, report.serialize(format="turtle")


@pytest.mark.parametrize("mix", ["ont_graph", "none"])
def test_scheme_checks_do_not_need_the_schemes_mixed_in(vocabulary: Graph, shapes_graph: Graph, mix: str):
    """pySHACL's ont_graph= (used by kb/validate.py) copies no SKOS concepts: scheme membership
    is checked against static lists."""
    d = build_valid()
    d.g.set((_rule(d), P("actor"), URIRef(VOCAB + "actor/principal")))
    conforms, report = shacl(d.g, vocabulary, shapes_graph, mix=mix)
    assert not conforms and failing_shapes(report) == {"RuleShape-actor"}


@pytest.mark.parametrize("scheme", sorted(ALL_CODES))
def test_shape_concept_lists_equal_the_schemes(shapes_graph: Graph, scheme: str):
    from rdflib.collection import Collection

    shape = URIRef(PKBSH + scheme.capitalize() + "Concept")
    members = [str(m) for m in Collection(shapes_graph, shapes_graph.value(shape, SH["in"]))]
    assert members == [item["iri"] for item in labels(scheme).values()]


def test_vocabulary_graph_alone_conforms(vocabulary: Graph, shapes_graph: Graph):
    conforms, report = shacl(Graph(), vocabulary, activated(shapes_graph))
    assert conforms, report.serialize(format="turtle")


def test_vocabulary_shape_is_deactivated_by_default(shapes_graph: Graph):
    assert shapes_graph.value(URIRef(PKBSH + "VocabularyShape"), SH.deactivated).toPython() is True
    assert shapes_graph.value(URIRef(PKBSH + "GraphShape"), SH.deactivated) is None


def test_sparql_results_name_the_offending_node(vocabulary: Graph, shapes_graph: Graph):
    d = build_valid()
    d.g.set((d.iri, P("text"), Literal(d.text + "。")))
    conforms, report = shacl(d.g, vocabulary, shapes_graph)
    assert not conforms
    (result,) = list(report.objects(None, SH.result))
    assert report.value(result, SH.focusNode) == URIRef(PKBSH + "graph")
    assert report.value(result, SH.value) == d.iri
    message = str(report.value(result, SH.resultMessage))
    assert str(d.iri) in message and "SHA-256" in message


def _rule(d: Doc, n: int = 1) -> URIRef:
    return d.rules[n]


def _rename_rule(d: Doc, n: int, iri: URIRef) -> None:
    """Give rule ``n`` another IRI, keeping what it states."""
    for _, p, o in list(d.g.triples((_rule(d, n), None, None))):
        d.g.remove((_rule(d, n), p, o))
        d.g.add((iri, p, o))
    d.rules[n] = iri


def _remove(d: Doc, s, p, o=None) -> None:
    d.g.remove((s, p, o))


def _set(d: Doc, s, p, o) -> None:
    d.g.set((s, p, o))


BROKEN: dict[str, tuple[Callable[[Doc], None], set[str]]] = {
    # documents
    "two titles": (lambda d: d.g.add((d.iri, DCTERMS.title, Literal("另一个标题"))), {"PolicyDocumentShape-title"}),
    "no content hash": (lambda d: _remove(d, d.iri, P("contentHash")),
                        {"PolicyDocumentShape-contentHash"}),
    "no rule tally": (lambda d: _remove(d, d.iri, P("ruleTally")), {"PolicyDocumentShape-ruleTally"}),
    "no comparison tally": (lambda d: _remove(d, d.iri, P("comparisonTally")),
                            {"PolicyDocumentShape-comparisonTally"}),
    "hash not of text": (lambda d: _set(d, d.iri, P("text"), Literal(d.text + "。")),
                         {"PolicyDocumentShape-identity"}),
    "document IRI not from hash": (lambda d: _set(d, d.iri, P("contentHash"),
                                                  Literal(hashlib.sha256(b"x").hexdigest())),
                                   {"PolicyDocumentShape-identity"}),
    "bad script": (lambda d: _set(d, d.iri, P("script"), Literal("zh-Hans")), {"PolicyDocumentShape-script"}),
    "no source path": (lambda d: _remove(d, d.iri, P("sourcePath")), {"PolicyDocumentShape-sourcePath"}),
    "two districts": (lambda d: d.g.add((d.iri, P("district"), Literal("甘州区"))), {"PolicyDocumentShape-district"}),
    "document model not a model": (lambda d: d.g.add((d.iri, P("documentModel"), A("group"))),
                                   {"PolicyDocumentShape-documentModel"}),
    # rules
    "rule without actor": (lambda d: _remove(d, _rule(d), P("actor")), {"RuleShape-actor"}),
    "rule with two actors": (lambda d: d.g.add((_rule(d), P("actor"), A("group"))), {"RuleShape-actor"}),
    "actor not in scheme": (lambda d: _set(d, _rule(d), P("actor"), URIRef(VOCAB + "actor/principal")),
                            {"RuleShape-actor"}),
    "actor from another scheme": (lambda d: _set(d, _rule(d), P("actor"), URIRef(VOCAB + "category/meeting")),
                                  {"RuleShape-actor"}),
    "rule type not a rule type": (lambda d: _set(d, _rule(d), P("ruleType"), URIRef(VOCAB + "category/meeting")),
                                  {"RuleShape-ruleType"}),
    "rule IRI without its clause": (lambda d: _rename_rule(d, 1, d.node("rule/1")), {"RuleShape"}),
    "rule clause beyond text": (lambda d: _rename_rule(d, 1, d.node(f"span/0-{len(d.text) + 5}/rule/1")),
                                {"EvidenceShape-text"}),
    "rule clause start > end": (lambda d: _rename_rule(d, 1, d.node("span/200-20/rule/1")), {"EvidenceShape-text"}),
    "rule with two types": (lambda d: d.g.add((_rule(d), P("ruleType"), URIRef(VOCAB + "rule-type/permission.meeting"))),
                            {"RuleShape-ruleType"}),
    "rule type a literal": (lambda d: _set(d, _rule(d), P("ruleType"), Literal("obligation.meeting")),
                            {"RuleShape-ruleType"}),
    "no rule texts": (lambda d: _remove(d, d.iri, P("ruleTexts")), {"PolicyDocumentShape-ruleTexts"}),
    "no outline": (lambda d: _remove(d, d.iri, P("outline")), {"PolicyDocumentShape-outline"}),
    # frequencies and quantities
    "count min > max": (lambda d: _set(d, _rule(d, 2), P("minCount"), Literal(3)), {"RuleShape-minCount"}),
    "negative count": (lambda d: _set(d, _rule(d), P("minCount"), Literal(-1)), {"RuleShape-minCount"}),
    "count not an integer": (lambda d: _set(d, _rule(d), P("minCount"), Literal("1")), {"RuleShape-minCount"}),
    "period not a period": (lambda d: _set(d, _rule(d), P("period"), URIRef(VOCAB + "unit/day")),
                            {"RuleShape-period"}),
    "count without period": (lambda d: _remove(d, _rule(d), P("period")), {"RuleShape-countNeedsPeriod"}),
    "two periods": (lambda d: d.g.add((_rule(d), P("period"), URIRef(VOCAB + "period/semester"))),
                    {"RuleShape-period"}),
    "unit not a unit": (lambda d: _set(d, _rule(d, 2), P("countUnit"), URIRef(VOCAB + "unit/hour")),
                        {"RuleShape-countUnit"}),
    "quantity not decimal": (lambda d: _set(d, _rule(d, 3), P("quantityValue"), Literal(5)),
                             {"RuleShape-quantityValue"}),
    "quantity bad operator": (lambda d: _set(d, _rule(d, 3), P("quantityOperator"), ODRL.neq),
                              {"RuleShape-quantityOperator"}),
    "quantity without unit": (lambda d: _remove(d, _rule(d, 3), P("quantityUnit")), {"RuleShape-quantityComplete"}),
    # evidence
    "evidence start > end": (lambda d: _set(d, d.node("constraint/1"), P("evidence"), d.node("span/200-20")),
                             {"EvidenceShape-text"}),
    "evidence IRI without offsets": (lambda d: _set(d, d.node("constraint/1"), P("evidence"), d.node("clause/1")),
                                     {"EvidenceShape"}),
    "evidence a literal": (lambda d: _set(d, d.node("constraint/1"), P("evidence"), Literal("集团联席会议")),
                           {"EvidenceShape"}),
    "offset map not JSON": (lambda d: _set(d, d.iri, P("offsetMap"), Literal("[[5,7,0]]")),
                            {"PolicyDocumentShape-offsetMap"}),
    "evidence beyond text": (lambda d: _set(d, d.node("constraint/1"), P("evidence"),
                                            d.node(f"span/0-{len(d.text) + 5}")),
                             {"EvidenceShape-text"}),
    # groups
    "membership with a bad role": (lambda d: _set(d, d.node("group/1/member/2"), ORG.role, A("group_head")),
                                   {"MembershipShape-role"}),
    "membership without member": (lambda d: _remove(d, d.node("group/1/member/2"), ORG.member),
                                  {"MembershipShape-member"}),
    "member not a school": (lambda d: _set(d, d.node("group/1/member/2"), ORG.member, Literal("市实验中学")),
                            {"MembershipShape-member", "SchoolShape", "SchoolShape-label"}),
    "membership of two groups": (lambda d: d.g.add((d.node("post/1"), ORG.hasMembership, d.node("group/1/member/2"))),
                                 {"MembershipShape-group"}),
    "school without label": (lambda d: d.g.remove((d.g.value(d.node("group/1/member/1"), ORG.member),
                                                   RDFS.label, None)), {"SchoolShape-label"}),
    "group without name or lead school": (
        lambda d: (_remove(d, d.node("group/1"), RDFS.label),
                   _set(d, d.node("group/1/member/1"), ORG.role, A("member_school"))),
        {"SchoolGroupIdentityShape"}),
    "group model not a model": (lambda d: _set(d, d.node("group/1"), P("model"), URIRef(VOCAB + "model/名校+")),
                                {"SchoolGroupShape-model"}),
    # posts, bodies, constraints
    "post without role": (lambda d: _remove(d, d.node("post/1"), ORG.role), {"PostShape-role"}),
    "post without label": (lambda d: _remove(d, d.node("post/1"), RDFS.label), {"PostShape-label"}),
    "post without evidence": (lambda d: _remove(d, d.node("post/1"), P("evidence")), {"PostShape-evidence"}),
    "body actor not in scheme": (lambda d: _set(d, d.node("body/1"), P("actor"), URIRef(VOCAB + "model/alliance")),
                                 {"GovernanceBodyShape-actor"}),
    "constraint kind not a kind": (lambda d: _set(d, d.node("constraint/1"), P("constraintKind"),
                                                  URIRef(VOCAB + "category/other")),
                                   {"InstitutionalConstraintShape-kind"}),
    "constraint without evidence": (lambda d: _remove(d, d.node("constraint/1"), P("evidence")),
                                    {"InstitutionalConstraintShape-evidence"}),
    "constraint with two kinds": (lambda d: d.g.add((d.node("constraint/1"), P("constraintKind"),
                                                     URIRef(VOCAB + "constraint-kind/other"))),
                                  {"InstitutionalConstraintShape-kind"}),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_variant_fails_with_expected_shape(case: str, vocabulary: Graph, shapes_graph: Graph):
    mutate, expected = BROKEN[case]
    d = build_valid()
    mutate(d)
    conforms, report = shacl(d.g, vocabulary, shapes_graph)
    assert not conforms
    assert failing_shapes(report) == expected, report.serialize(format="turtle")


@pytest.mark.parametrize("case", ["concept without notation", "actor not a role", "broader across schemes",
                                  "prefLabel clash", "modality without rule class",
                                  "rule type of an actor", "rule type without modality"])
def test_broken_vocabulary_fails(case: str, vocabulary: Graph, shapes_graph: Graph):
    vocab = Graph()
    for triple in vocabulary:
        vocab.add(triple)
    member = URIRef(VOCAB + "actor/member_school")
    expected = {
        "concept without notation": "ConceptShape-notation",
        "actor not a role": "ConceptShape-actorRole",
        "broader across schemes": "ConceptShape-broaderInScheme",
        "prefLabel clash": "ConceptShape-uniquePrefLabel",
        "modality without rule class": "ConceptShape-modalityRuleClass",
        "rule type of an actor": "RuleTypeShape-category",
        "rule type without modality": "RuleTypeShape-modality",
    }[case]
    if case == "concept without notation":
        vocab.remove((member, SKOS.notation, None))
    elif case == "actor not a role":
        vocab.remove((member, RDF.type, ORG.Role))
    elif case == "broader across schemes":
        vocab.add((member, SKOS.broader, URIRef(VOCAB + "model/alliance")))
    elif case == "prefLabel clash":
        vocab.set((member, SKOS.prefLabel, Literal("牵头学校", lang="zh")))
    elif case == "modality without rule class":
        vocab.remove((URIRef(VOCAB + "modality/permission"), P("ruleClass"), None))
    elif case == "rule type of an actor":
        vocab.set((URIRef(VOCAB + "rule-type/obligation.meeting"), P("category"), member))
    elif case == "rule type without modality":
        vocab.remove((URIRef(VOCAB + "rule-type/obligation.meeting"), P("modality"), None))
    conforms, report = shacl(Graph(), vocab, activated(shapes_graph))
    assert not conforms
    assert expected in failing_shapes(report)


def test_shapes_have_iris_and_messages(shapes_graph: Graph):
    """Every property shape and SPARQL constraint is named in pkbsh: and says what is wrong, and
    is used: referenced by a node shape or targeting nodes itself."""
    declared = set(shapes_graph.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes_graph.subjects(RDF.type, SH.SPARQLConstraint))
    for node in declared:
        assert isinstance(node, URIRef) and str(node).startswith(PKBSH), node
        assert shapes_graph.value(node, SH.message) is not None, node
    referenced = set(shapes_graph.objects(None, SH.property)) | set(shapes_graph.objects(None, SH.sparql))
    targeting = {n for n in declared if shapes_graph.value(n, SH.targetClass) is not None}
    assert {n for n in referenced if isinstance(n, URIRef)} | targeting == declared
    # the SPARQL checks hang on the two whole-graph shapes only
    owners = {s for s, _ in shapes_graph.subject_objects(SH.sparql)}
    assert owners == {URIRef(PKBSH + "GraphShape"), URIRef(PKBSH + "VocabularyShape")}


def test_rdf_model_doc_names_the_namespaces():
    doc = (ROOT / "docs" / "rdf-model.md").read_text(encoding="utf-8")
    for ns in ontology.SCHEMES.values():
        assert ns in doc
    assert VOCAB_GRAPH in doc
    assert "pkb:kindText" in doc
