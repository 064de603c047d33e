"""`diplograph check`: the whole project, as ROBOT report/verify check one; the bundled
project passes, and a fork that breaks each rule fails at the right place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Run, copy_graph, invoke
from diplograph import Graph
from diplograph.rdf.reading import parse_turtle
from diplograph.reasoning.profile import profile_problems

HEAD = """@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.slow
def test_the_bundled_project_passes_every_check(run: Run) -> None:
    result = run("check", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] and len(doc["checks"]) == 8
    assert all(c["errors"] == 0 for c in doc["checks"].values())


@pytest.mark.slow
def test_a_fork_that_breaks_the_rules_fails_where_it_breaks_them(tmp_path: Path) -> None:
    project = copy_graph(tmp_path)
    ontology = project / "ontology" / "diplograph.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + """
dg:Consulate a owl:Class ;
    rdfs:label "consulate"@en ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty dg:hostState ;
                      owl:minCardinality "1"^^xsd:nonNegativeInteger ] .
""", encoding="utf-8")
    data = project / "data" / "consulates.ttl"
    data.write_text(HEAD + """@prefix dgr: <https://w3id.org/diplograph/resource/> .
dgr:consulate-KZ-in-Baku a dg:Consulate ;
    rdfs:label "Consulate of Kazakhstan in Baku"@en .
""", encoding="utf-8")
    sources = project / "data" / "sources.ttl"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        '"6bb2f5fc', '"7bb2f5fc'), encoding="utf-8")
    result = invoke(project, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    consulate = next(n for n, line in enumerate(
        ontology.read_text(encoding="utf-8").splitlines(), start=1)
        if line.startswith("dg:Consulate"))
    assert (f"ontology/diplograph.ttl:{consulate}: error: [owl-rl-profile] dg:Consulate: a "
            "minimum cardinality (owl:minCardinality) is outside OWL 2 RL") in lines
    assert (f"ontology/diplograph.ttl:{consulate}: error: [labels] dg:Consulate: no "
            "rdfs:label @az, @ru") in lines
    assert (f"ontology/diplograph.ttl:{consulate}: error: [definitions] dg:Consulate: no "
            "skos:definition") in lines
    assert ("error: [shape-coverage] dg:Consulate: 1 instances in the data, but no shape "
            "targets the class (nothing checks them)") in lines
    assert any(line.startswith("data/sources.ttl:") and "[quotes]" in line
               and "the SHA-256 of sources/000_83205e02681364cb.txt is" in line
               for line in lines)
    failed = {line.split()[1].rstrip(":") for line in lines if line.startswith("FAIL ")}
    assert failed == {"owl-rl-profile", "labels", "definitions", "shape-coverage", "quotes"}
    report = Graph.open(project, tmp_path / "store").check()
    assert not report.ok and report.count("quotes")


@pytest.mark.parametrize("axiom,outside", [
    ("dg:A rdfs:subClassOf [ owl:unionOf ( dg:B dg:C ) ] .", "a union as a superclass"),
    ("dg:A rdfs:subClassOf [ owl:onProperty dg:p ; owl:someValuesFrom dg:B ] .",
     "an existential restriction as a superclass"),
    ("[ owl:onProperty dg:p ; owl:allValuesFrom dg:B ] rdfs:subClassOf dg:A .",
     "a universal restriction as a subclass"),
    ("dg:A rdfs:subClassOf [ owl:onProperty dg:p ; owl:maxCardinality 2 ] .",
     "a maximum cardinality above 1"),
    ("dg:A owl:equivalentClass [ owl:complementOf dg:B ] .", "a complement as a equivalent"),
    ("dg:p a owl:ReflexiveProperty .", "a reflexive property"),
])
def test_constructs_outside_owl_2_rl_are_found(axiom: str, outside: str) -> None:
    problems = profile_problems(parse_turtle((HEAD + axiom).encode(), "axiom.ttl"))
    assert len(problems) == 1 and outside in problems[0][1]


@pytest.mark.parametrize("axiom", [
    "dg:A rdfs:subClassOf [ owl:onProperty dg:p ; owl:maxCardinality 1 ] .",
    "[ owl:onProperty dg:p ; owl:someValuesFrom dg:B ] rdfs:subClassOf dg:A .",
    "[ owl:unionOf ( dg:B dg:C ) ] rdfs:subClassOf dg:A .",
    "dg:A rdfs:subClassOf [ owl:onProperty dg:p ; owl:allValuesFrom dg:B ] .",
    "dg:A owl:equivalentClass [ owl:intersectionOf ( dg:B [ owl:onProperty dg:p ; "
    "owl:hasValue dg:c ] ) ] .",
])
def test_owl_2_rl_constructs_pass(axiom: str) -> None:
    assert profile_problems(parse_turtle((HEAD + axiom).encode(), "axiom.ttl")) == []
