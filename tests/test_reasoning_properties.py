"""Property-based: on small random ontologies and data built from the constructs the
native engine claims, it derives what owlrl derives on the whole input (literal-valued
facts included) and finds the same contradictions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplograph.rdf.bridge import rdflib_graph, to_oxigraph
from diplograph.reasoning.closure import is_trivial, reason
from diplograph.reasoning.engines import Engine

EX, RDF, RDFS, OWL = ("http://example.org/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                      "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#")
CLASSES = [ox.NamedNode(f"{EX}C{i}") for i in range(4)]
PROPERTIES = [ox.NamedNode(f"{EX}p{i}") for i in range(4)]
INDIVIDUALS = [ox.NamedNode(f"{EX}a{i}") for i in range(5)]
LITERALS = [ox.Literal("v0"), ox.Literal("v1")]
TYPE = ox.NamedNode(RDF + "type")


def rdf(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDF + name)


def rdfs(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDFS + name)


def owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL + name)


def rdf_list(items: list[ox.NamedNode]) -> tuple[ox.BlankNode | ox.NamedNode, list[ox.Triple]]:
    head: ox.BlankNode | ox.NamedNode = rdf("nil")
    triples = []
    for item in reversed(items):
        node = ox.BlankNode()
        triples += [ox.Triple(node, rdf("first"), item), ox.Triple(node, rdf("rest"), head)]
        head = node
    return head, triples


classes, properties = st.sampled_from(CLASSES), st.sampled_from(PROPERTIES)
individuals = st.sampled_from(INDIVIDUALS)
values = st.one_of(individuals, st.sampled_from(LITERALS))


@st.composite
def axiom(draw: st.DrawFn) -> list[ox.Triple]:
    """One schema axiom of a kind the native engine implements."""
    kind = draw(st.integers(0, 11))
    if kind == 0:
        predicate = draw(st.sampled_from(["subClassOf", "disjointWith", "complementOf"]))
        c1 = draw(classes)
        return [ox.Triple(c1, rdfs(predicate) if predicate == "subClassOf" else owl(predicate),
                          draw(classes))]
    if kind == 1:
        return [ox.Triple(draw(classes), owl("equivalentClass"), draw(classes))]
    if kind == 2:
        predicate = draw(st.sampled_from(["subPropertyOf", "domain", "range"]))
        other = draw(properties) if predicate == "subPropertyOf" else draw(classes)
        return [ox.Triple(draw(properties), rdfs(predicate), other)]
    if kind == 3:
        predicate = draw(st.sampled_from(["equivalentProperty", "inverseOf",
                                          "propertyDisjointWith"]))
        return [ox.Triple(draw(properties), owl(predicate), draw(properties))]
    if kind == 4:
        characteristic = draw(st.sampled_from([
            "SymmetricProperty", "TransitiveProperty", "FunctionalProperty",
            "InverseFunctionalProperty", "IrreflexiveProperty", "AsymmetricProperty"]))
        return [ox.Triple(draw(properties), TYPE, owl(characteristic))]
    if kind in (5, 6):  # a hasValue restriction, object or literal valued
        restriction = ox.BlankNode()
        link = draw(st.sampled_from(["equivalentClass", "subClassOf"]))
        return [ox.Triple(restriction, TYPE, owl("Restriction")),
                ox.Triple(restriction, owl("onProperty"), draw(properties)),
                ox.Triple(restriction, owl("hasValue"), draw(values)),
                ox.Triple(draw(classes), owl(link) if link == "equivalentClass" else rdfs(link),
                          restriction)]
    if kind == 7:
        members = draw(st.lists(classes, min_size=1, max_size=3, unique=True))
        head, triples = rdf_list(members)
        operator = draw(st.sampled_from(["intersectionOf", "unionOf"]))
        return [*triples, ox.Triple(draw(classes), owl(operator), head)]
    if kind == 8:
        return [ox.Triple(draw(individuals), owl(draw(st.sampled_from(
            ["sameAs", "differentFrom"]))), draw(individuals))]
    if kind == 9:
        members = draw(st.lists(st.one_of(classes, individuals), min_size=2, max_size=3,
                                unique=True))
        head, triples = rdf_list(members)
        node = ox.BlankNode()
        kind_of = "AllDisjointClasses" if members[0] in CLASSES else "AllDifferent"
        return [*triples, ox.Triple(node, TYPE, owl(kind_of)),
                ox.Triple(node, owl("members"), head)]
    if kind == 10:
        node, value = ox.BlankNode(), draw(values)
        target = "targetValue" if isinstance(value, ox.Literal) else "targetIndividual"
        return [ox.Triple(node, TYPE, owl("NegativePropertyAssertion")),
                ox.Triple(node, owl("sourceIndividual"), draw(individuals)),
                ox.Triple(node, owl("assertionProperty"), draw(properties)),
                ox.Triple(node, owl(target), value)]
    return [ox.Triple(draw(classes), owl("sameAs"), draw(classes)),
            *(ox.Triple(c, TYPE, owl("Class")) for c in CLASSES)]


@st.composite
def fact(draw: st.DrawFn) -> list[ox.Triple]:
    """One fact: a link, a literal value, a membership or a label."""
    kind = draw(st.integers(0, 3))
    subject = draw(individuals)
    if kind == 0:
        return [ox.Triple(subject, draw(properties), draw(individuals))]
    if kind == 1:
        return [ox.Triple(subject, draw(properties), draw(st.sampled_from(LITERALS)))]
    if kind == 2:
        return [ox.Triple(subject, TYPE, draw(classes))]
    return [ox.Triple(subject, rdfs("label"), draw(st.sampled_from(LITERALS)))]


graphs = st.tuples(st.lists(axiom(), max_size=6), st.lists(fact(), min_size=1, max_size=8)
                   ).map(lambda parts: [t for group in (*parts[0], *parts[1]) for t in group])


def owlrl_entailments(triples: list[ox.Triple]) -> set[ox.Triple]:
    """owlrl's own non-trivial entailments of the whole input, nothing set aside."""
    import owlrl

    graph = rdflib_graph(triples)
    stated = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False, improved_datatypes=False).expand(graph)
    found = set()
    for t in set(graph) - stated:
        subject, predicate, obj = (to_oxigraph(x) for x in t)
        if isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode):
            triple = ox.Triple(subject, predicate, obj)
            if not is_trivial(triple):
                found.add(triple)
    return found


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs)
def test_the_native_engine_equals_owlrl(triples: list[ox.Triple]) -> None:
    native = reason(triples, Engine.NATIVE)  # or owlrl, where the input is outside its subset
    assert set(native.entailments) == owlrl_entailments(triples)
    reference = reason(triples, Engine.OWLRL)
    assert {(i.rule, i.focus) for i in native.inconsistencies} == \
        {(i.rule, i.focus) for i in reference.inconsistencies}
