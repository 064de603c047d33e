"""The W3C SHACL test suite through the product's validation path: a tiny project per
test (its shapes in ontology/shapes.ttl), its data given to `Graph.validate` as new
facts (a) all at once to an otherwise empty project and (b) one subject's triples new,
the rest of the data already in the compiled graph. The verdict and the results
(focus node, path, value, severity, source constraint component) must be the suite's,
in (b) those about the nodes the new facts name, which is what validation reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplograph import Graph
from diplograph.errors import InputError
from diplograph.validation.reach import PYSHACL_UNSUPPORTED
from diplograph.validation.rules import LEXICAL_FORM
from diplograph.validation.shacl import NewFacts, ValidationReport
from oracles import validate_merged
from shacl_suite import (
    SuiteTest,
    finding_key,
    one_subject,
    shown,
    suite_tests,
    write,
    write_project,
)

TESTS = suite_tests()
DIPLOGRAPH = "https://w3id.org/diplograph/"  #: the components of the rules for new facts
#: Tests of ill-typed literals, which the product reports by its own rule for new facts
#: (dgsh:LexicalForm) in place of SHACL's sh:datatype result.
ILL_TYPED = {"core/node/datatype-001", "core/property/datatype-001",
             "core/property/datatype-ill-formed", "core/property/or-datatypes-001"}
#: Tests the product answers otherwise than the suite, and why.
DIFFERENT = {
    "core/property/uniqueLang-002": "the compiled store holds \"1\"^^xsd:boolean as true "
                                    "(its value), so sh:uniqueLang is switched on",
    "sparql/pre-binding/shapesGraph-001": PYSHACL_UNSUPPORTED["$shapesGraph"],
}


def test_the_manifests_hold_the_whole_suite() -> None:
    names = {t.name for t in TESTS}
    assert len(TESTS) == 120 and len(names) == 120
    assert sum(t.conforms is None for t in TESTS) == 7  # the queries SHACL forbids
    assert {n.split("/")[0] for n in names} == {"core", "sparql"}


def _validate(tmp_path: Path, test: SuiteTest, new: list, known: list) -> Graph:
    root = write_project(tmp_path / "project", test.shapes, known)
    return Graph.open(root, tmp_path / "store")


def _check(report: ValidationReport, test: SuiteTest, scope: set[str] | None) -> None:
    got = {finding_key(f, report.shapes) for f in report.findings
           if f.component is not None and not f.component.value.startswith(DIPLOGRAPH)}
    expected = set(test.results)
    if scope is not None:
        expected = {k for k in expected if k[0] in scope}
        got = {k for k in got if k[0] in scope}
    assert got == expected
    assert (not got) == (test.conforms or (scope is not None and not expected))


def _run(tmp_path: Path, test: SuiteTest, one: bool) -> None:
    new, known = one_subject(test) if one else (test.data, [])
    graph = _validate(tmp_path, test, new, known)
    facts = write(tmp_path / "facts.ttl", new)
    if test.conforms is None:
        with pytest.raises(InputError, match=r"SPARQL constraint may not|nested SELECT|shapes:"):
            graph.validate([facts])
        return
    report = graph.validate([facts])
    if test.name in ILL_TYPED:  # the rule reports the literal, instead of sh:datatype
        assert any(f.component == LEXICAL_FORM.component for f in report.findings)
        assert not report.conforms()
        return
    if test.name in DIFFERENT:  # as pyshacl on the whole graph answers, not the suite
        whole = validate_merged(graph.compiled, NewFacts.read([facts]))
        assert report.findings == whole.findings
        assert {finding_key(f, report.shapes) for f in report.findings} != set(test.results)
        return
    scope = {shown(n) or "" for n in NewFacts.read([facts]).as_stored().subjects} if one else None
    _check(report, test, scope)


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_all_data_as_new_facts(tmp_path: Path, test: SuiteTest) -> None:
    _run(tmp_path, test, one=False)


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_one_subject_new_and_the_rest_known(tmp_path: Path, test: SuiteTest) -> None:
    _run(tmp_path, test, one=True)


@pytest.mark.slow
@pytest.mark.parametrize("test", [t for t in TESTS if t.conforms is not None
                                  and t.name not in ILL_TYPED | set(DIFFERENT)
                                  and t.name != "sparql/node/prefixes-001"],
                         ids=lambda t: t.name)
def test_in_context_equals_the_whole_graph(tmp_path: Path, test: SuiteTest) -> None:
    """Every in-context result is the whole graph's, and every whole-graph result about
    a new subject is reported."""
    new, known = one_subject(test)
    graph = _validate(tmp_path, test, new, known)
    facts = write(tmp_path / "facts.ttl", new)
    report = graph.validate([facts])
    fast = {finding_key(f, report.shapes) for f in report.findings}
    triples = [*graph.compiled.triples(), *NewFacts.read([facts]).as_stored().triples]
    nodes = {t.subject for t in triples} | {t.object for t in triples}
    whole = validate_merged(graph.compiled, NewFacts.read([facts]), nodes=nodes)
    assert fast <= {finding_key(f, whole.shapes) for f in whole.findings}
    subjects = {shown(s) for s in NewFacts.read([facts]).as_stored().subjects}
    assert {finding_key(f, whole.shapes) for f in whole.findings
            if shown(f.focus) in subjects} <= fast


def test_the_product_warns_about_what_pyshacl_does_not_support(tmp_path: Path) -> None:
    [test] = [t for t in TESTS if t.name == "sparql/pre-binding/shapesGraph-001"]
    graph = _validate(tmp_path, test, test.data, [])
    report = graph.validate([write(tmp_path / "facts.ttl", test.data)])
    assert report.warnings == (
        f"the shapes use $shapesGraph, which pyshacl does not support: "
        f"{PYSHACL_UNSUPPORTED['$shapesGraph']}",)
