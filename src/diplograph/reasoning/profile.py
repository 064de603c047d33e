"""Whether an ontology keeps to the OWL 2 RL profile (OWL 2 Profiles, section 4.2),
read from its RDF: the class expressions allowed on each side of rdfs:subClassOf and
owl:equivalentClass, and the axioms and constructs RL leaves out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES, compact

OWL, RDF, RDFS = PREFIXES["owl"], PREFIXES["rdf"], PREFIXES["rdfs"]
# constructs no OWL 2 RL ontology may use, wherever they stand
OUTSIDE_RL = {OWL + n: why for n, why in {
    "minCardinality": "a minimum cardinality",
    "minQualifiedCardinality": "a minimum cardinality",
    "cardinality": "an exact cardinality",
    "qualifiedCardinality": "an exact cardinality",
    "hasSelf": "a self restriction",
    "disjointUnionOf": "a disjoint union",
    "withRestrictions": "a datatype restriction",
    "ReflexiveProperty": "a reflexive property",
}.items()}


class _Expressions:
    """The ontology's triples by subject, to read its class expressions."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.by[t.subject][t.predicate.value].append(t.object)

    def one(self, node: object, predicate: str) -> object | None:
        values = self.by[node].get(OWL + predicate) or []
        return values[0] if values else None

    def members(self, head: object) -> list[object]:
        found = []
        while isinstance(head, ox.BlankNode) and self.by[head].get(RDF + "first"):
            found.append(self.by[head][RDF + "first"][0])
            head = (self.by[head].get(RDF + "rest") or [None])[0]
        return found

    def problem(self, node: object, kind: str) -> str | None:
        """Why the class expression cannot stand as a `kind` expression in RL."""
        if isinstance(node, ox.NamedNode):
            return "owl:Thing" if kind == "subclass" and node.value == OWL + "Thing" else None
        for name in ("intersectionOf", "unionOf"):
            head = self.one(node, name)
            if head is not None:
                if name == "unionOf" and kind != "subclass":
                    return f"a union as a {kind} expression"
                return next((p for m in self.members(head) if (p := self.problem(m, kind))),
                            None)
        if self.one(node, "oneOf") is not None:
            return None if kind == "subclass" else f"an enumeration as a {kind} expression"
        if self.one(node, "complementOf") is not None:
            return None if kind == "superclass" else f"a complement as a {kind} expression"
        if self.one(node, "hasValue") is not None:
            return None
        filler = self.one(node, "someValuesFrom")
        if filler is not None:
            return (self.problem(filler, kind) if kind == "subclass"
                    else f"an existential restriction as a {kind} expression")
        filler = self.one(node, "allValuesFrom")
        if filler is not None:
            return (self.problem(filler, kind) if kind == "superclass"
                    else f"a universal restriction as a {kind} expression")
        for name in ("maxCardinality", "maxQualifiedCardinality"):
            bound = self.one(node, name)
            if bound is not None:
                if kind != "superclass":
                    return f"a maximum cardinality as a {kind} expression"
                if not isinstance(bound, ox.Literal) or bound.value not in ("0", "1"):
                    return "a maximum cardinality above 1"
                return None
        return None


def profile_problems(triples: Iterable[ox.Triple]) -> list[tuple[ox.NamedNode | ox.BlankNode,
                                                                   str]]:
    """(subject, why) for every axiom of the triples outside OWL 2 RL."""
    triples = list(triples)
    read = _Expressions(triples)
    parents = {t.object: t.subject for t in triples if isinstance(t.object, ox.BlankNode)}

    def owner(node: ox.NamedNode | ox.BlankNode) -> ox.NamedNode | ox.BlankNode:
        """The named term whose axiom holds an anonymous expression."""
        seen = set()
        while isinstance(node, ox.BlankNode) and node in parents and node not in seen:
            seen.add(node)
            parent = parents[node]
            if isinstance(parent, ox.Triple):
                break
            node = parent
        return node

    problems: list[tuple[ox.NamedNode | ox.BlankNode, str]] = []
    for t in triples:
        if isinstance(t.subject, ox.Triple):
            continue
        p, o = t.predicate.value, t.object
        construct = p if p in OUTSIDE_RL else (
            o.value if p == RDF + "type" and isinstance(o, ox.NamedNode) else None)
        if construct in OUTSIDE_RL:
            problems.append((owner(t.subject), f"{OUTSIDE_RL[construct]} "
                                               f"({compact(construct)}) is outside OWL 2 RL"))
            continue
        if p == RDFS + "subClassOf":
            sides = [(t.subject, "subclass"), (o, "superclass")]
        elif p == OWL + "equivalentClass":
            sides = [(t.subject, "equivalent"), (o, "equivalent")]
        else:
            continue
        for node, kind in sides:
            why = read.problem(node, kind)
            if why is not None:
                problems.append((owner(t.subject), f"{why} is outside OWL 2 RL ({compact(p)})"))
    return problems
