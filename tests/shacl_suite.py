"""The W3C SHACL test suite (core/ and sparql/), read from its manifests, and a tiny
project folder per test to drive through the product's validation path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from conftest import CORPUS
from diplograph.validation.reach import path_text
from diplograph.validation.shacl import Finding

SUITE = CORPUS / "w3c-shacl-tests"
BASE = "http://datashapes.org/sh/tests/"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

Node = ox.NamedNode | ox.BlankNode | ox.Literal
#: (focus, path, value, severity, source constraint component), blank nodes as "_"
Key = tuple[str, str | None, str | None, str, str]


@dataclass(frozen=True)
class SuiteTest:
    """One sht:Validate entry: its data and shapes, and the expected report (None when
    the shapes must be refused: sht:Failure)."""

    name: str
    data: list[ox.Triple]
    shapes: list[ox.Triple]
    conforms: bool | None
    results: frozenset[Key]


def _parse(path: Path) -> list[ox.Triple]:
    """A file's triples as a store holds them (Oxigraph writes some literals in a
    canonical form, "4.0"^^xsd:decimal as "4", and so does validation)."""
    iri = BASE + path.relative_to(SUITE).as_posix()
    store = ox.Store()
    store.extend(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=iri))
    return [q.triple for q in store]


def _one(triples: list[ox.Triple], subject: object, predicate: str) -> Node | None:
    found = [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]
    return found[0] if found else None  # type: ignore[return-value]


def _all(triples: list[ox.Triple], subject: object, predicate: str) -> list[Node]:
    return [t.object for t in triples  # type: ignore[misc]
            if t.subject == subject and t.predicate.value == predicate]


def _members(triples: list[ox.Triple], head: Node | None) -> list[Node]:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    items = []
    while head is not None and head.value != rdf + "nil":
        first = _one(triples, head, rdf + "first")
        if first is None:
            break
        items.append(first)
        head = _one(triples, head, rdf + "rest")
    return items


def shown(term: Node | None) -> str | None:
    """A term as compared: blank nodes are all "_" (their labels differ between parses)."""
    if term is None:
        return None
    return "_" if isinstance(term, ox.BlankNode) else str(term)


def expected_key(triples: list[ox.Triple], result: Node) -> Key:
    focus = _one(triples, result, SH + "focusNode")
    path = _one(triples, result, SH + "resultPath")
    return (shown(focus) or "", _shown_path(triples, path),
            shown(_one(triples, result, SH + "value")),
            str(_one(triples, result, SH + "resultSeverity")),
            str(_one(triples, result, SH + "sourceConstraintComponent")))


def _shown_path(triples: list[ox.Triple], path: Node | None) -> str | None:
    if isinstance(path, ox.BlankNode):
        return path_text(triples, path)
    return shown(path)


def finding_key(finding: Finding, shapes: Iterable[ox.Triple]) -> Key:
    """A product finding as compared with the suite's results (`shapes`: the report's
    description of its anonymous shapes, where a complex path is written)."""
    path = (path_text(list(shapes), finding.path) if isinstance(finding.path, ox.BlankNode)
            else shown(finding.path))
    severity = finding.severity_iri or ox.NamedNode(SH + finding.severity.name.title())
    return (shown(finding.focus) or "", path, shown(finding.value), str(severity),
            str(finding.component))


def suite_tests() -> list[SuiteTest]:
    """Every sht:Validate test of core/ and sparql/, sorted by name."""
    tests: list[SuiteTest] = []
    for manifest in _manifests(SUITE / "manifest.ttl"):
        triples = _parse(manifest)
        for entry in (e for t in triples if t.predicate.value == MF + "entries"
                      for e in _members(triples, t.object)):
            if _one(triples, entry, str(RDF_TYPE.value)) != ox.NamedNode(SHT + "Validate"):
                continue
            action = _one(triples, entry, MF + "action")
            result = _one(triples, entry, MF + "result")
            data, shapes = (_graph(manifest, _one(triples, action, SHT + g))
                            for g in ("dataGraph", "shapesGraph"))
            folder = manifest.relative_to(SUITE).parent.as_posix()
            name = f"{folder}/{str(entry.value).rpartition('/')[2]}"
            if result == ox.NamedNode(SHT + "Failure"):
                tests.append(SuiteTest(name, data, shapes, None, frozenset()))
                continue
            conforms = _one(triples, result, SH + "conforms")
            keys = frozenset(expected_key(triples, r) for r in _all(triples, result, SH + "result"))
            tests.append(SuiteTest(name, data, shapes, conforms is not None
                                   and conforms.value == "true", keys))
    return sorted(tests, key=lambda t: t.name)


def _manifests(path: Path) -> Iterable[Path]:
    triples = _parse(path)
    includes = [SUITE / str(t.object.value).removeprefix(BASE) for t in triples
                if t.predicate.value == MF + "include"]
    if not includes:
        yield path
    for include in includes:
        yield from _manifests(include)


def _graph(manifest: Path, iri: Node | None) -> list[ox.Triple]:
    assert isinstance(iri, ox.NamedNode) and iri.value.startswith(BASE)
    return _parse(SUITE / iri.value.removeprefix(BASE).partition("#")[0])


def write_project(root: Path, shapes: list[ox.Triple], data: list[ox.Triple]) -> Path:
    """A project folder: the shapes in ontology/shapes.ttl, `data` in data/, no queries."""
    for part in ("ontology", "data", "queries"):
        (root / part).mkdir(parents=True)
    write(root / "ontology" / "shapes.ttl", shapes)
    if data:
        write(root / "data" / "known.ttl", data)
    return root


def write(path: Path, triples: Iterable[ox.Triple]) -> Path:
    path.write_bytes(ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"")
    return path


def one_subject(test: SuiteTest) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """The data split into one subject's triples (with the blank nodes they lead to) and
    the rest: the focus node of the first expected result if it is a named subject of
    the data, else the first named subject that is not a shape."""
    subjects = {t.subject for t in test.data if isinstance(t.subject, ox.NamedNode)}
    shape_nodes = {t.subject for t in test.shapes}
    focus = sorted(k[0] for k in test.results if k[0] in {str(s) for s in subjects})
    candidates = sorted((s for s in subjects if s not in shape_nodes), key=str) or sorted(
        subjects, key=str)
    chosen = next((s for s in subjects if str(s) == focus[0]), None) if focus else None
    chosen = chosen or candidates[0]
    taken: set[object] = {chosen}
    new: list[ox.Triple] = []
    frontier = [chosen]
    while frontier:
        node = frontier.pop()
        for t in test.data:
            if t.subject == node:
                new.append(t)
                if isinstance(t.object, ox.BlankNode) and t.object not in taken:
                    taken.add(t.object)
                    frontier.append(t.object)
    rest = [t for t in test.data if t not in set(new)]
    return new, rest
