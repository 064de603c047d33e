"""The W3C Turtle and N-Triples test suites, read from their manifests: every bad
file is refused, every good one accepted, every evaluation test gives its graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import W3C
from diplograph.errors import InputError
from diplograph.rdf.literals import term_problems
from diplograph.rdf.reading import read_triples

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUITES = {"rdf-turtle": "Turtle", "rdf-n-triples": "NTriples"}


def manifest_tests(suite: str) -> list[tuple[str, str, Path, Path | None, str]]:
    """(name, kind, action, result, base IRI) of every test in a suite's manifest."""
    folder = W3C / suite
    base = f"https://w3c.github.io/rdf-tests/rdf/rdf11/{suite}/"
    quads = list(ox.parse(path=folder / "manifest.ttl", format=ox.RdfFormat.TURTLE,
                          base_iri=base + "manifest.ttl"))

    def value(subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str | None:
        found = [q.object for q in quads
                 if q.subject == subject and q.predicate.value == predicate]
        return str(found[0].value) if found else None

    tests = []
    for q in quads:
        if q.predicate == RDF_TYPE and q.object.value.startswith(RDFT + "Test"):
            action = value(q.subject, MF + "action")
            result = value(q.subject, MF + "result")
            assert action is not None
            name = str(q.subject.value).rpartition("#")[2]
            tests.append((
                name,
                q.object.value.removeprefix(RDFT + "Test"),
                folder / action.removeprefix(base),
                None if result is None else folder / result.removeprefix(base),
                action,
            ))
    return sorted(tests)


def accepted(path: Path, base: str) -> list[ox.Triple] | None:
    """The file's triples if it passes the strict parser and the term checks."""
    try:
        triples = read_triples(path, base_iri=base)
    except InputError:
        return None
    return None if term_problems(triples) else triples


def canonical(triples: list[ox.Triple]) -> ox.Dataset:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


ALL = [(suite, *test) for suite in SUITES for test in manifest_tests(suite)]


def test_the_manifests_hold_the_whole_suites() -> None:
    kinds = [(suite, kind) for suite, _, kind, *_ in ALL]
    assert kinds.count(("rdf-turtle", "TurtleNegativeSyntax")) == 94
    assert kinds.count(("rdf-n-triples", "NTriplesNegativeSyntax")) == 29
    assert kinds.count(("rdf-turtle", "TurtleEval")) > 100


@pytest.mark.parametrize("suite,name,kind,action,result,base", ALL,
                         ids=[f"{s}:{n}" for s, n, *_ in ALL])
def test_w3c(suite: str, name: str, kind: str, action: Path, result: Path | None,
             base: str) -> None:
    triples = accepted(action, base)
    if "Negative" in kind:
        assert triples is None, f"{name} should be refused"
        return
    assert triples is not None, f"{name} should be accepted"
    if result is not None:
        expected = read_triples(result, base_iri=base)
        assert canonical(triples) == canonical(expected)
