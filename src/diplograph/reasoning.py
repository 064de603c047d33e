"""OWL 2 RL entailments of the asserted graph (the only importer of owlrl)."""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.term import Node

from diplograph.bridge import rdflib_graph, to_oxigraph

_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
              RDFS.subClassOf, RDFS.subPropertyOf}
_TOP = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
_RDFS, _OWL, _TYPE, _FIRST = str(RDFS), str(OWL), str(RDF.type), str(RDF.first)
_DOCUMENTATION = {str(p) for p in (RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso)}
_DECLARATIONS = {f"<{c}>" for c in (OWL.ObjectProperty, OWL.DatatypeProperty,
                                  OWL.AnnotationProperty, RDF.Property)}


def entailments(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples the OWL RL closure adds, less the trivial ones (see `is_trivial`),
    sorted. Literal-valued triples of predicates no axiom mentions (labels, quotes)
    take part in no rule but sameAs copying, and are left out of the reasoner's input."""
    triples = list(triples)
    active = _axiom_terms(triples)
    graph = rdflib_graph(
        t for t in triples if not isinstance(t.object, ox.Literal) or str(t.predicate) in active
    )
    asserted = set(graph)
    owlrl.DeductiveClosure(  # improved_datatypes would swap rdflib's literal parsers globally
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
        improved_datatypes=False,
    ).expand(graph)
    added = (t for t in graph if t not in asserted and not is_trivial(*t))
    return sorted((_triple(*t) for t in added), key=str)


def _triple(s: Node, p: Node, o: Node) -> ox.Triple:
    subject, predicate = to_oxigraph(s), to_oxigraph(p)
    assert not isinstance(subject, ox.Literal) and isinstance(predicate, ox.NamedNode)
    return ox.Triple(subject, predicate, to_oxigraph(o))


def _axiom_terms(triples: Iterable[ox.Triple]) -> set[str]:
    """Every term (in N-Triples form) an RDFS/OWL axiom mentions, beyond declaring and
    documenting it."""
    active: set[str] = set()
    for t in triples:
        p, s, o = t.predicate.value, str(t.subject), str(t.object)
        if p == _TYPE:
            if o not in _DECLARATIONS and o.startswith(f"<{_OWL}"):
                active.add(s)
        elif p == _FIRST or (p.startswith((_RDFS, _OWL)) and p not in _DOCUMENTATION):
            active.update((s, o))
    return active


def is_trivial(s: Node, p: Node, o: Node) -> bool:
    """True for entailments that hold of everything and so say nothing: reflexive
    sameAs/subClassOf/..., membership of the top classes, statements about the
    RDF/OWL vocabularies themselves, and anything on blank nodes or literal subjects."""
    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):
        return True
    if p in _REFLEXIVE and s == o:
        return True
    if p in (RDF.type, RDFS.subClassOf) and o in _TOP:
        return True
    return isinstance(s, URIRef) and str(s).startswith(_VOCABULARIES)
