"""In-context validation gives the answer of pyshacl on the whole merged graph, for
shapes written any way the in-context check claims (named shapes, every target kind,
paths of any length), and falls back to the whole graph outside that subset."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplograph import Graph
from diplograph.validation.reports import path_shown
from diplograph.validation.shacl import NewFacts, ValidationReport
from oracles import validate_merged
from shacl_suite import write_project

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"


def _triples(turtle: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse((HEAD + turtle).encode(), format=ox.RdfFormat.TURTLE)]


def _graph(folder: Path, shapes: str, known: str) -> Graph:
    """A real project of the shapes and the known data, compiled."""
    return Graph.open(write_project(folder / "project", _triples(shapes), _triples(known)),
                      folder / "store")


Key = tuple[str | None, ...]


def _keys(report: ValidationReport) -> set[Key]:
    """The SHACL results (not the rules new facts must follow besides)."""
    return {(str(f.focus), f.path and path_shown(report, f.path), str(f.value),
             f.component.value) for f in report.findings
            if f.component is not None and f.component.value.startswith(SH)}


def both(shapes: str, known: str, new: str) -> tuple[set[Key], set[Key]]:
    """The SHACL results of in-context validation, and what it must report of the whole
    merged graph's: every result about a new subject, and every result the new facts
    bring (not on the graph before them). In-context results are all the whole graph's."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        graph = _graph(folder, shapes, known)
        facts_file = folder / "new.ttl"
        facts_file.write_text(HEAD + new, encoding="utf-8")
        facts = NewFacts.read([facts_file])
        fast = _keys(graph.validate([facts_file]))
        triples = [*graph.compiled.triples(), *facts.as_stored().triples]
        nodes = {t.subject for t in triples} | {t.object for t in triples}
        merged = _keys(validate_merged(graph.compiled, facts, nodes=nodes))
        before = _keys(validate_merged(graph.compiled, NewFacts((), ()), nodes=nodes))
    assert fast <= merged, "in context, a result the whole graph does not give"
    subjects = {str(s) for s in facts.as_stored().subjects}
    return fast, {k for k in merged if k[0] in subjects} | (merged - before)


MAX = "http://www.w3.org/ns/shacl#MaxCountConstraintComponent"
CLASS = "http://www.w3.org/ns/shacl#ClassConstraintComponent"


@pytest.mark.parametrize(("shapes", "known", "new", "component"), [
    # a named property shape
    ("ex:S a sh:NodeShape ; sh:targetClass ex:P ; sh:property ex:Name . "
     "ex:Name sh:path ex:name ; sh:maxCount 1 .",
     "ex:a a ex:P ; ex:name 'A' .", "ex:a ex:name 'B' .", MAX),
    # an implicit class target
    ("ex:P a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .",
     "ex:a a ex:P ; ex:name 'A' .", "ex:a ex:name 'B' .", MAX),
    # sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf
    ("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .",
     "ex:a ex:name 'A' .", "ex:a ex:name 'B' .", MAX),
    ("ex:S sh:targetSubjectsOf ex:name ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .",
     "ex:a ex:name 'A' .", "ex:a ex:name 'B' .", MAX),
    ("ex:S sh:targetObjectsOf ex:knows ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .",
     "ex:b ex:name 'A', 'B' .", "ex:a ex:knows ex:b .", MAX),
    # a two-step path: the city the employer is in is read from the graph
    ("ex:S sh:targetClass ex:P ; sh:property [ sh:path ( ex:worksFor ex:locatedIn ) ; "
     "sh:class ex:City ] .",
     "ex:acme ex:locatedIn ex:baku . ex:baku a ex:City .", "ex:a a ex:P ; ex:worksFor ex:acme .",
     None),
    # a nested node shape reads the value node's own triples
    ("ex:N sh:targetNode ex:a ; sh:property ex:P . ex:P sh:path ex:p ; sh:node ex:M . "
     "ex:M sh:closed true ; sh:ignoredProperties ( ex:p ) .",
     "ex:b ex:q ex:c .", "ex:a ex:p ex:b .", "http://www.w3.org/ns/shacl#NodeConstraintComponent"),
    # a class the data defines a subclass of
    ("ex:S sh:targetClass ex:P ; sh:property [ sh:path ex:city ; sh:class ex:Place ] .",
     "ex:City rdfs:subClassOf ex:Place . ex:baku a ex:City .", "ex:a a ex:P ; ex:city ex:baku .",
     None),
    # an inverse path: the third parent, two already known
    ("ex:S sh:targetClass ex:Child ; sh:property [ sh:path [ sh:inversePath ex:parentOf ] ; "
     "sh:maxCount 2 ] .",
     "ex:c a ex:Child . ex:m ex:parentOf ex:c . ex:f ex:parentOf ex:c .",
     "ex:x ex:parentOf ex:c .", MAX),
])
def test_the_issue_cases_agree_with_the_whole_graph(shapes: str, known: str, new: str,
                                                    component: str | None) -> None:
    fast, must = both(shapes, known, new)
    assert fast >= must
    assert {c for *_, c in fast} == ({component} if component else set())


def test_outside_the_subset_the_whole_graph_is_validated() -> None:
    with tempfile.TemporaryDirectory() as name:
        graph = _graph(Path(name), "ex:S sh:targetClass ex:P ; sh:rule [ a sh:TripleRule ; "
                       "sh:subject sh:this ; sh:predicate ex:q ; sh:object 1 ] .", "")
        path = Path(name) / "new.ttl"
        path.write_text(HEAD + "ex:a a ex:P .", encoding="utf-8")
        report = graph.validate([path])
    assert report.warnings[-1].startswith("validating the whole graph (slower)")
    assert "sh:rule" in report.warnings[-1]


# Random shapes from the constructs the in-context check claims, and random data.
NODES = [f"ex:n{i}" for i in range(5)]
PROPS = ["ex:p", "ex:q"]
CLASSES = ["ex:A", "ex:B"]


def _path(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["iri", "iri", "iri", "inverse", "sequence", "alternative",
                                 "zeroOrMore", "oneOrMore", "zeroOrOne"]
                                if depth < 2 else ["iri"]))
    if kind == "iri":
        return draw(st.sampled_from(PROPS))
    if kind == "sequence":
        return f"( {_path(draw, depth + 1)} {_path(draw, depth + 1)} )"
    if kind == "alternative":
        return f"[ sh:alternativePath ( {_path(draw, depth + 1)} {_path(draw, depth + 1)} ) ]"
    return f"[ sh:{kind}Path {_path(draw, depth + 1)} ]"


#: The shapes, in an order each refers only to later ones (SHACL leaves recursion
#: undefined): a targeted node shape, then property shapes (P) and nested node shapes (M).
SHAPES = ["ex:N0", "ex:P1", "ex:M1", "ex:P2", "ex:M2"]


def _constraints(draw: st.DrawFn, later: list[str], on_path: bool) -> str:
    """One to three different constraints; counts only on a property shape, references
    only to later shapes of the right kind."""
    nodes, properties = [n for n in later if "M" in n], [n for n in later if "P" in n]
    options = ["class", "hasValue", "nodeKind", "in", "equals", "disjoint", "closed"]
    options += ["node", "not", "or", "xone", "and"] if nodes else []
    options += ["property"] if properties else []
    options += ["minCount", "maxCount"] if on_path else []
    options += ["qualified"] if on_path and nodes else []
    kinds = draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
    return " ; ".join(_constraint(draw, nodes, properties, kind) for kind in kinds)


def _constraint(draw: st.DrawFn, nodes: list[str], properties: list[str], kind: str) -> str:
    node = draw(st.sampled_from(NODES))
    if kind in ("minCount", "maxCount"):
        return f"sh:{kind} {draw(st.integers(0, 2))}"
    if kind == "class":
        return f"sh:class {draw(st.sampled_from(CLASSES))}"
    if kind == "hasValue":
        return f"sh:hasValue {node}"
    if kind == "nodeKind":
        return f"sh:nodeKind {draw(st.sampled_from(['sh:IRI', 'sh:Literal']))}"
    if kind == "in":
        return f"sh:in ( {node} 1 )"
    if kind in ("equals", "disjoint"):
        return f"sh:{kind} {draw(st.sampled_from(PROPS))}"
    if kind == "closed":
        return "sh:closed true ; sh:ignoredProperties ( ex:p )"
    if kind in ("node", "not"):
        return f"sh:{kind} {draw(st.sampled_from(nodes))}"
    if kind == "property":
        return f"sh:property {draw(st.sampled_from(properties))}"
    if kind == "qualified":
        return (f"sh:qualifiedValueShape {draw(st.sampled_from(nodes))} ; "
                f"sh:qualifiedMinCount {draw(st.integers(0, 2))}")
    members = " ".join(draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2)))
    return f"sh:{kind} ( {members} )"


@st.composite
def shapes_and_data(draw: st.DrawFn) -> tuple[str, str, str]:
    shapes = []
    for n, name in enumerate(SHAPES):
        target = draw(st.sampled_from([
            f"sh:targetClass {draw(st.sampled_from(CLASSES))}",
            f"sh:targetNode {draw(st.sampled_from(NODES))}",
            f"sh:targetSubjectsOf {draw(st.sampled_from(PROPS))}",
            f"sh:targetObjectsOf {draw(st.sampled_from(PROPS))}", *([""] if n else [])]))
        on_path = "P" in name
        path = f"sh:path {_path(draw)} ;" if on_path else ""
        body = _constraints(draw, SHAPES[n + 1:], on_path)
        shapes.append(f"{name} {path} {body} {';' if target else ''} {target} .")
    triples = draw(st.lists(st.tuples(
        st.sampled_from(NODES), st.sampled_from([*PROPS, "a"]),
        st.sampled_from([*NODES, *CLASSES, "1"])), min_size=3, max_size=14, unique=True))
    data = ["ex:A rdfs:subClassOf ex:B ."] + [f"{s} {p} {o} ." for s, p, o in triples
                                              if (p == "a") == (o in CLASSES)]
    subject = draw(st.sampled_from(NODES))
    known = "\n".join(t for t in data if not t.startswith(subject + " "))
    new = "\n".join(t for t in data if t.startswith(subject + " ")) or f"{subject} ex:p 1 ."
    return " ".join(shapes), known, new


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(shapes_and_data())
def test_in_context_equals_the_whole_graph_on_random_shapes(case: tuple[str, str, str]) -> None:
    shapes, known, new = case
    fast, must = both(shapes, known, new)
    assert fast >= must


@pytest.mark.parametrize("constraint", [
    "sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:severity ex:Critical ]",
    "sh:severity ex:Critical ; sh:sparql [ sh:select "
    "\"SELECT $this WHERE { $this <http://example.org/name> ?a, ?b FILTER(?a != ?b) }\" ]",
])
def test_a_custom_severity_is_a_violation_kept_as_written(constraint: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        graph = _graph(Path(name), f"ex:S sh:targetClass ex:P ; {constraint} .", "")
        path = Path(name) / "new.ttl"
        path.write_text(HEAD + "ex:a a ex:P ; ex:name 'A', 'B' .", encoding="utf-8")
        report = graph.validate([path])
    [finding] = [f for f in report.findings if f.severity_iri is not None]
    assert finding.severity_iri == ox.NamedNode(EX + "Critical")
    assert finding.focus == ox.NamedNode(EX + "a") and not report.conforms()
