"""What the graph's vocabulary holds, and which IRIs a query mentions: what lint
compares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES
from diplograph.rdf import quiet_rdflib
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.folder import ONTOLOGY_BASE

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_PROPERTY_CLASSES = tuple(
    ox.NamedNode(iri) for iri in (
        PREFIXES["rdf"] + "Property", PREFIXES["owl"] + "ObjectProperty",
        PREFIXES["owl"] + "DatatypeProperty", PREFIXES["owl"] + "AnnotationProperty")
)


@dataclass(frozen=True)
class Vocabulary:
    """What the graph knows: terms its ontology declares, properties, and every IRI."""

    declared: frozenset[str]
    properties: frozenset[str]
    present: frozenset[str]

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> Vocabulary:
        """Read the vocabulary from the compiled graph (asserted and inferred)."""
        declared: set[str] = set()
        properties: set[str] = set()
        present: set[str] = set()
        for name in graph.graphs():
            for quad in graph.store.quads_for_pattern(None, None, None, name):
                properties.add(quad.predicate.value)
                for term in (quad.subject, quad.object):
                    if isinstance(term, ox.NamedNode):
                        present.add(term.value)
                if name.value.startswith(ONTOLOGY_BASE) and isinstance(quad.subject, ox.NamedNode):
                    declared.add(quad.subject.value)
                    if quad.predicate == RDF_TYPE and quad.object in _PROPERTY_CLASSES:
                        properties.add(quad.subject.value)
        return cls(frozenset(declared), frozenset(properties), frozenset(present))


def iris_and_predicates(sparql: str) -> tuple[set[str], set[str]]:
    """Every IRI a query mentions, and those in a triple pattern's predicate position."""
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.paths import Path as RdfPath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    quiet_rdflib()
    iris: set[str] = set()
    predicates: set[str] = set()

    def path_iris(path: Any) -> Iterator[str]:
        if isinstance(path, URIRef):
            yield str(path)
        elif isinstance(path, SequencePath | AlternativePath | NegatedPath):
            for part in path.args:
                yield from path_iris(part)
        elif isinstance(path, InvPath):
            yield from path_iris(path.arg)
        elif isinstance(path, MulPath):
            yield from path_iris(path.path)

    def walk(node: Any) -> None:
        if isinstance(node, URIRef):
            iris.add(str(node))
        elif isinstance(node, RdfPath):
            found = set(path_iris(node))
            iris.update(found)
            predicates.update(found)
        elif isinstance(node, dict):
            if "triples" in node and isinstance(node["triples"], list):
                for triple in node["triples"]:
                    if isinstance(triple, tuple | list) and len(triple) == 3:
                        predicates.update(path_iris(triple[1]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple | set):
            for value in node:
                walk(value)

    walk(translateQuery(parseQuery(sparql)).algebra)
    return iris, predicates


