"""Conversion between Oxigraph terms and rdflib terms (pyshacl and owlrl speak rdflib)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from diplograph.rdf import quiet_rdflib

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

quiet_rdflib()


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """An Oxigraph term as the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language, normalize=False)
        datatype = term.datatype.value
        return rdflib.Literal(
            term.value,
            datatype=None if datatype == XSD_STRING else datatype,
            normalize=False,
        )
    raise TypeError(f"no rdflib form for {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal Oxigraph term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"no Oxigraph form for {term!r}")


def rdflib_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """An in-memory rdflib graph holding the triples, each term converted once (a
    validation context repeats its terms: 2x faster)."""
    graph = rdflib.Graph()
    converted: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_rdflib(node)
        return found

    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))  # type: ignore[arg-type]
    return graph
