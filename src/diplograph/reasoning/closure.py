"""OWL 2 RL entailments and inconsistencies of the asserted graph.

Two engines give the same non-trivial entailments: `native`, a semi-naive forward
chainer over the OWL 2 RL rules of the constructs in `NATIVE_CONSTRUCTS` (the
default, fast at scale), and `owlrl`, the reference implementation (this module is
its only importer). An input using a construct the native engine lacks is reasoned
with owlrl. `$DIPLOGRAPH_REASONER` (or the `engine` argument) picks the engine.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import permutations, product
from sys import intern
from typing import TypeVar

import pyoxigraph as ox

from diplograph.namespaces import compact
from diplograph.rdf.ntriples import lines_with
from diplograph.reasoning.engines import Engine, default_engine
from diplograph.reasoning.intervals import PREDICATES as INTERVAL_PREDICATES

_LOG = logging.getLogger(__name__)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _nt(namespace: str, name: str) -> str:
    return f"<{namespace}{name}>"


TYPE, FIRST, REST, NIL = (_nt(_RDF, n) for n in ("type", "first", "rest", "nil"))
SCO, SPO, DOMAIN, RANGE = (_nt(_RDFS, n) for n in ("subClassOf", "subPropertyOf", "domain",
                                                   "range"))
(EQC, EQP, INV, SAME, DIFF, HAS_VALUE, ON_PROPERTY, INTERSECTION, UNION, DISJOINT_WITH,
 COMPLEMENT, PROPERTY_DISJOINT, MEMBERS, DISTINCT_MEMBERS, NOTHING, THING) = (
    _nt(_OWL, n) for n in (
        "equivalentClass", "equivalentProperty", "inverseOf", "sameAs", "differentFrom",
        "hasValue", "onProperty", "intersectionOf", "unionOf", "disjointWith",
        "complementOf", "propertyDisjointWith", "members", "distinctMembers", "Nothing",
        "Thing"))
(MAX_CARDINALITY, MAX_QUALIFIED, ON_CLASS) = (
    _nt(_OWL, n) for n in ("maxCardinality", "maxQualifiedCardinality", "onClass"))
(NPA, SOURCE, ASSERTION_PROPERTY, TARGET_INDIVIDUAL, TARGET_VALUE, CLASS, OBJECT_PROPERTY,
 DATATYPE_PROPERTY) = (_nt(_OWL, n) for n in (
    "NegativePropertyAssertion", "sourceIndividual", "assertionProperty", "targetIndividual",
    "targetValue", "Class", "ObjectProperty", "DatatypeProperty"))
(SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVERSE_FUNCTIONAL, IRREFLEXIVE, ASYMMETRIC,
 ALL_DISJOINT_CLASSES, ALL_DISJOINT_PROPERTIES, ALL_DIFFERENT) = (
    _nt(_OWL, n) for n in (
        "SymmetricProperty", "TransitiveProperty", "FunctionalProperty",
        "InverseFunctionalProperty", "IrreflexiveProperty", "AsymmetricProperty",
        "AllDisjointClasses", "AllDisjointProperties", "AllDifferent"))

#: OWL constructs the native engine implements; any other OWL term sends the input to owlrl.
NATIVE_CONSTRUCTS = frozenset(_nt(_OWL, n) for n in (
    "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual",
    "Ontology", "Restriction", "Thing", "Nothing", "versionInfo", "versionIRI", "imports",
    "equivalentClass", "equivalentProperty", "inverseOf", "sameAs", "differentFrom",
    "hasValue", "onProperty", "intersectionOf", "unionOf", "disjointWith", "complementOf",
    "propertyDisjointWith", "members", "distinctMembers", "SymmetricProperty",
    "TransitiveProperty", "FunctionalProperty", "InverseFunctionalProperty",
    "IrreflexiveProperty", "AsymmetricProperty", "AllDisjointClasses",
    "AllDisjointProperties", "AllDifferent", "deprecated", "priorVersion",
    "backwardCompatibleWith", "incompatibleWith", "DeprecatedClass", "DeprecatedProperty",
    "NegativePropertyAssertion", "sourceIndividual", "assertionProperty", "targetIndividual",
    "targetValue"))

_REFLEXIVE = {SAME, EQC, EQP, SCO, SPO}
_TOP = {THING, _nt(_RDFS, "Resource"), _nt(_OWL, "NamedIndividual"), _nt(_RDFS, "Class"),
        _nt(_OWL, "Class")}
_TOP_VALUED = {TYPE, SCO, DOMAIN, RANGE}
_VOCABULARIES = tuple(f"<{ns}" for ns in (_RDF, _RDFS, _OWL, _XSD))
_DOCUMENTATION = {_nt(_RDFS, n) for n in ("label", "comment", "isDefinedBy", "seeAlso")}
_DECLARATIONS = {_nt(_OWL, "ObjectProperty"), _nt(_OWL, "DatatypeProperty"),
                 _nt(_OWL, "AnnotationProperty"), _nt(_RDF, "Property")}
_EQUALITY = {FUNCTIONAL, INVERSE_FUNCTIONAL}
_DECLARED = {CLASS, OBJECT_PROPERTY, DATATYPE_PROPERTY}
#: The datatypes of OWL 2 RL (as owlrl lists them), each an rdfs:Datatype (dt-type1).
_DATATYPES = (*(_nt(_RDF, n) for n in ("HTML", "PlainLiteral", "XMLLiteral", "langString")),
              _nt(_RDFS, "Literal"), *(_nt(_XSD, n) for n in (
                  "NCName", "NMTOKEN", "Name", "anyURI", "base64Binary", "boolean", "byte",
                  "date", "dateTime", "dateTimeStamp", "decimal", "double", "float",
                  "hexBinary", "int", "integer", "language", "long", "negativeInteger",
                  "nonNegativeInteger", "nonPositiveInteger", "normalizedString",
                  "positiveInteger", "short", "string", "time", "token", "unsignedByte",
                  "unsignedInt", "unsignedLong", "unsignedShort")))
_COMPILED = {HAS_VALUE, ON_PROPERTY, INTERSECTION, UNION, FIRST, REST}  # before rules run

Key = tuple[str, str, str]
_NO_OBJECTS: dict[str, set[str]] = {}
_NONE: set[str] = set()


@dataclass(frozen=True)
class Inconsistency:
    """A contradiction the OWL RL closure exposes: the node it is about, the OWL 2 RL
    rule that finds it, why, and the triples of the closure it rests on."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    rule: str
    message: str
    triples: tuple[ox.Triple, ...] = ()


@dataclass(frozen=True)
class Reasoning:
    """The result of reasoning: non-trivial entailments (sorted), contradictions, engine."""

    entailments: list[ox.Triple]
    inconsistencies: list[Inconsistency]
    engine: Engine


def inconsistencies(triples: Iterable[ox.Triple],
                    engine: Engine | None = None) -> list[Inconsistency]:
    """Every contradiction in the OWL RL closure of the triples (owl:Nothing members,
    members of disjoint or complementary classes, sameAs against differentFrom,
    irreflexive/asymmetric/disjoint property violations), sorted by focus node."""
    return reason(triples, engine).inconsistencies


def reason(triples: Iterable[ox.Triple], engine: Engine | None = None) -> Reasoning:
    """Compute the OWL RL closure of the triples with the chosen engine (default:
    `default_engine()`; the native one hands inputs it cannot handle to owlrl).
    Literal-valued triples of predicates no axiom mentions (labels, quotes) take part
    in no rule but sameAs copying: they are left out of either engine's input, and
    copied to the equals of their subject afterwards."""
    terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
    closure, chosen = _close(_keys(triples, terms), terms, engine)
    return Reasoning(
        entailments=[ox.Triple(*(_term(x, terms) for x in k))  # type: ignore[arg-type]
                     for k in _nontrivial(closure)],
        inconsistencies=[Inconsistency(_term(c.focus, terms), c.rule, c.message, tuple(
            ox.Triple(*(_term(x, terms) for x in k)) for k in c.triples))  # type: ignore[arg-type]
            for c in clashes(closure)],
        engine=chosen,
    )


@dataclass(frozen=True)
class Entailed:
    """Entailments as N-Triples documents: the non-trivial ones, and the trivial ones
    (kept to extend the closure later, see `extended_ntriples`), and the engine."""

    nontrivial: bytes
    trivial: bytes
    engine: Engine = Engine.NATIVE
    clashes: tuple[Clash, ...] = ()


def entailed_ntriples(documents: Iterable[bytes], engine: Engine | None = None) -> Entailed:
    """The entailments of the triples of N-Triples documents as Oxigraph writes them (one
    triple a line, single spaces): no term objects are made. Documents given as a
    collection (a list, or files read when asked for) are read twice, so that the
    triples no rule reads are never held (see `_rule_keys`)."""
    keys = _rule_keys(documents) if isinstance(documents, Collection) else None
    closure, chosen = _close(_line_keys(documents) if keys is None else keys, {}, engine)
    del keys  # the closure holds what it needs
    return _entailed(closure, chosen)


# the predicates of the lines `_axiom_terms` and `_unsupported` read: RDFS and OWL but
# documentation, rdf:first, and rdf:type with an OWL class
_AXIOM_PREDICATE = re.compile(
    rb" (<http://www\.w3\.org/(?:2000/01/rdf-schema#(?!(?:label|comment|isDefinedBy|seeAlso)>)"
    rb"[^>]*|2002/07/owl#[^>]*|1999/02/22-rdf-syntax-ns#first"
    rb"|1999/02/22-rdf-syntax-ns#type(?=> <http://www\.w3\.org/2002/07/owl#))>) ")


def _axiom_lines(document: bytes) -> Iterator[Key]:
    """The triples of an N-Triples document with an `_AXIOM_PREDICATE` (10x faster than
    a look at every line)."""
    for line in lines_with(document, _AXIOM_PREDICATE):
        s, p, o = line.decode().split(" ", 2)
        yield intern(s), intern(p), intern(o.removesuffix(" ."))


def _rule_keys(documents: Collection[bytes]) -> list[Key] | None:
    """The keys of the triples the rules read (those `_split` calls relevant), the
    documents read twice: first for the axioms' terms, then keeping only those triples,
    so that labels, quotes and other literal values of properties no axiom mentions are
    never held (at 10M triples, gigabytes). None where an equality could copy those
    values (`copy_to_equals` then needs them all)."""
    axioms = [key for document in documents for key in _axiom_lines(document)]
    active = _axiom_terms(axioms)
    owl = f"<{_OWL}"
    used = {p for _, p, _ in axioms if p.startswith(owl)}
    used |= {o for _, p, o in axioms if p == TYPE and o.startswith(owl)}
    if SAME in active or used & {SAME, *_EQUALITY} or used - NATIVE_CONSTRUCTS:
        return None
    keys: list[Key] = []
    for document in documents:
        for line in document.decode().split("\n"):  # not splitlines: U+2028 is no break
            if line:
                s, p, o = line.split(" ", 2)
                o = o[:-2]
                if o[0] != '"' or p in active or (p.startswith(_VOCABULARIES)
                                                  and p not in _DOCUMENTATION):
                    keys.append((intern(s), intern(p), intern(o)))
    return keys


def extended_ntriples(documents: Iterable[bytes], additions: Iterable[bytes],
                      earlier: Entailed) -> Entailed | None:
    """The entailments of `documents` and `additions` given `earlier`, those of
    `documents` alone by the native engine: the earlier closure is indexed as it is and
    only the additions fire the rules. None where that could differ from a full run: the
    additions bring restrictions or lists (compiled before the rules start), terms no
    earlier axiom mentioned or new equalities, or another engine ran or would run."""
    added = _line_keys(additions)
    if {earlier.engine, default_engine()} != {Engine.NATIVE} or _unsupported(added):
        return None
    keys = _line_keys(documents)
    active = _axiom_terms(keys)
    if _unsupported(keys) or not _axiom_terms(added) <= active or any(
            k[1] in _COMPILED for k in added):
        return None
    known = [*_split(keys, active)[0], *_line_keys([earlier.nontrivial, earlier.trivial])]
    relevant, literals = _split(added, active)
    closure = _Closure(relevant, known=known)
    if any(p == SAME for _, p, _ in closure.added):  # earlier literals may copy over
        return None
    closure.copy_to_equals(literals)
    return joined(earlier, _entailed(closure, Engine.NATIVE), additions)


def joined(earlier: Entailed, new: Entailed, stated: Iterable[bytes]) -> Entailed:
    """The earlier entailments less those now `stated`, and the `new` ones."""
    lines = {line for document in stated for line in document.splitlines(True)}

    def still(entailed: bytes) -> bytes:  # an entailment now stated is no longer one
        return b"".join(line for line in entailed.splitlines(True) if line not in lines)

    return Entailed(still(earlier.nontrivial) + new.nontrivial,
                    still(earlier.trivial) + new.trivial, Engine.NATIVE, new.clashes)


def extended_in_store(store: ox.Store, additions: Iterable[bytes],
                      earlier: Entailed) -> Entailed | None:
    """As `extended_ntriples`, for a consistent earlier closure whose triples (asserted
    and non-trivial entailments) the default graph of `store` holds: only the additions
    fire, and every join looks the other triples up in the store, so nothing is indexed
    in full. None where that could differ from a full run: the additions bring axioms,
    reach an equality or a contradiction other than class disjointness, or another
    engine ran."""
    found = extension_in_store(store, additions, earlier)
    if found is None:
        return None
    new, held = found
    # only additions the closure held already can have been entailments
    return joined(earlier, new, [] if not held else additions)


def extension_in_store(store: ox.Store, additions: Iterable[bytes],
                       earlier: Entailed) -> tuple[Entailed, bool] | None:
    """What `extended_in_store` adds to the earlier entailments (reading only their
    engine and trivial ones), and whether an addition was one of them (it then leaves
    them); None where it declines."""
    added = _line_keys(additions)
    if {earlier.engine, default_engine()} != {Engine.NATIVE} or _unsupported(added) \
            or _axiom_terms(added) or any(k[1] in _COMPILED for k in added):
        return None
    try:
        closure = _StoredClosure(store, added, _line_keys([earlier.trivial]))
        return _entailed(closure, Engine.NATIVE), closure.held
    except _NotLocal:
        return None


def _line_keys(documents: Iterable[bytes]) -> list[Key]:
    keys: list[Key] = []
    for document in documents:
        for line in document.decode().split("\n"):  # not splitlines: U+2028 is no break
            if line:
                s, p, o = line.split(" ", 2)
                keys.append((intern(s), intern(p), intern(o[:-2])))
    return keys


def _entailed(closure: _Closure | _OwlrlClosure, engine: Engine) -> Entailed:
    found = tuple(clashes(closure))
    closure.spo.clear()  # the index is done with: freed before the lines are made
    closure.pos.clear()
    lines: tuple[list[str], list[str]] = ([], [])
    for s, p, o in closure.derived():
        lines[_trivial(s, p, o)].append(f"{s} {p} {o} .\n")
    nontrivial, trivial = ("".join(sorted(part)).encode() for part in lines)
    return Entailed(nontrivial, trivial, engine, found)


def clashes(closure: _Index) -> list[Clash]:
    """The closure's contradictions, each once (by the first triples found for it), by
    focus then rule."""
    once = {(c.focus, c.rule, c.message): c for c in reversed(list(closure.contradictions()))}
    return [once[k] for k in sorted(once)]


def _close(keys: list[Key], terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal],
           engine: Engine | None) -> tuple[_Closure | _OwlrlClosure, Engine]:
    """The closure of the keys by the chosen engine, and that engine."""
    chosen = engine or default_engine()
    relevant, literals = _split(keys)
    if chosen is Engine.NATIVE and (unsupported := _unsupported(relevant)):
        _LOG.info("reasoning with owlrl: the native engine does not implement %s",
                  ", ".join(sorted(unsupported)))
        chosen = Engine.OWLRL
    closure = _Closure(relevant) if chosen is Engine.NATIVE else _owlrl_closure(relevant, terms)
    closure.copy_to_equals(literals)
    return closure, chosen


def _nontrivial(closure: _Closure | _OwlrlClosure) -> list[Key]:
    return sorted(k for k in closure.derived() if not _trivial(*k))


def is_trivial(triple: ox.Triple) -> bool:
    """True for entailments that hold of everything and so say nothing: reflexive
    sameAs/subClassOf/..., membership of (and domains and ranges in) the top classes,
    statements about the RDF/OWL vocabularies themselves, and anything on blank nodes or
    literal subjects."""
    return _trivial(str(triple.subject), str(triple.predicate), str(triple.object))


def _trivial(s: str, p: str, o: str) -> bool:
    if s[0] in '_"' or o.startswith("_:"):
        return True
    if p in _REFLEXIVE and s == o:
        return True
    if p in _TOP_VALUED and o in _TOP:
        return True
    return s.startswith(_VOCABULARIES)


def _keys(triples: Iterable[ox.Triple],
          terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> list[Key]:
    """The triples in N-Triples form, remembering each term."""
    keys: list[Key] = []
    for t in triples:
        key = (str(t.subject), str(t.predicate), str(t.object))
        for text, term in zip(key, (t.subject, t.predicate, t.object), strict=True):
            if text not in terms:
                terms[text] = term  # type: ignore[assignment]
        keys.append(key)
    return keys


def _split(keys: list[Key], active: set[str] | None = None) -> tuple[list[Key], list[Key]]:
    """The keys the rules read, and the literal-valued triples of predicates neither
    an axiom mentions (of `active`, the terms axioms mention, if given) nor the RDF, RDFS
    and OWL vocabularies hold (axioms with literal values: cardinalities, hasValue)."""
    active = _axiom_terms(keys) if active is None else active
    relevant: list[Key] = []
    literals: list[Key] = []
    for k in keys:
        p = k[1]
        if k[2][0] != '"' or p in active or (p.startswith(_VOCABULARIES)
                                             and p not in _DOCUMENTATION):
            relevant.append(k)
        else:
            literals.append(k)
    return relevant, literals


def _axiom_terms(keys: Iterable[Key]) -> set[str]:
    """Every term an RDFS/OWL axiom mentions, beyond declaring and documenting it."""
    active: set[str] = set()
    for s, p, o in keys:
        if p == TYPE:
            if o not in _DECLARATIONS and o.startswith(f"<{_OWL}"):
                active.add(s)
        elif p == FIRST or (p.startswith((f"<{_RDFS}", f"<{_OWL}")) and p not in _DOCUMENTATION):
            active.update((s, o))
    return active


def _unsupported(keys: Iterable[Key]) -> set[str]:
    """The OWL terms used (as predicate or class) that the native engine lacks, and
    literal values of properties that are symmetric or inverse (or below one): owlrl
    turns those into triples with a literal subject, which entail more."""
    keys = list(keys)
    owl = f"<{_OWL}"
    used = {p for _, p, _ in keys if p.startswith(owl)}
    used |= {o for _, p, o in keys if p == TYPE and o.startswith(owl)}
    reversing = {s for s, p, o in keys if p == TYPE and o == SYMMETRIC}
    reversing |= {x for s, p, o in keys if p == INV for x in (s, o)}
    if reversing:
        above: defaultdict[str, set[str]] = defaultdict(set)
        for s, p, o in keys:
            if p in (SPO, EQP):
                above[s].add(o)
                if p == EQP:
                    above[o].add(s)
        for prop in {p for _, p, o in keys if o[0] == '"'}:
            seen, todo = {prop}, [prop]
            while todo:
                for q in above[todo.pop()] - seen:
                    seen.add(q)
                    todo.append(q)
            if seen & reversing:
                used.add("literal values of symmetric or inverse properties")
                break
    return used - NATIVE_CONSTRUCTS


def _term(text: str, terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal],
          ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if text not in terms:  # a term of N-Triples input, or a vocabulary term no input holds
        line = f"<x:s> <x:p> {text} .".encode()
        terms[text] = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object
    return terms[text]


@dataclass
class _Index:
    """Triples in N-Triples form, indexed by predicate then subject, and predicate then object."""

    spo: defaultdict[str, defaultdict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    pos: defaultdict[str, defaultdict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    added: list[Key] = field(default_factory=list)  # the derived triples, in order

    def insert(self, s: str, p: str, o: str) -> bool:
        """Add a triple; False if it was there already."""
        objects = self.spo[p][s]
        if o in objects:
            return False
        objects.add(o)
        self.pos[p][o].add(s)
        return True

    def has(self, s: str, p: str, o: str) -> bool:
        return o in self.spo.get(p, _NO_OBJECTS).get(s, _NONE)

    def objects(self, s: str, p: str) -> set[str]:
        return self.spo.get(p, _NO_OBJECTS).get(s, _NONE)

    def subjects(self, p: str, o: str) -> set[str]:
        return self.pos.get(p, _NO_OBJECTS).get(o, _NONE)

    def pairs(self, p: str) -> list[tuple[str, str]]:
        """A snapshot of every (subject, object) of a predicate."""
        return [(s, o) for s, os in self.spo.get(p, _NO_OBJECTS).items() for o in os]

    def items(self, head: str) -> list[str]:
        """The members of an RDF list."""
        members: list[str] = []
        while head != NIL and len(members) < 100_000:
            firsts, rests = self.objects(head, FIRST), self.objects(head, REST)
            if not firsts or not rests:
                break
            members.append(min(firsts))
            head = min(rests)
        return members

    def contradictions(self) -> Iterator[Clash]:
        """Each contradiction the indexed closure holds, with the triples it rests on."""
        typed = self.pos.get(TYPE, _NO_OBJECTS)
        nothing = typed.get(NOTHING, _NONE)  # owlrl makes these members of every class
        for x in nothing:
            yield Clash(x, "cls-nothing2", f"{_show(x)} is a member of owl:Nothing",
                        ((x, TYPE, NOTHING),))
        pairs = [(c1, c2, rule, (c1, p, c2))
                 for rule, p in (("cax-dw", DISJOINT_WITH), ("cls-com", COMPLEMENT))
                 for c1, c2 in self.pairs(p)]
        found = [(x, c1, c2, rule, axiom) for c1, c2, rule, axiom in pairs
                 for x in typed.get(c1, _NONE) & typed.get(c2, _NONE) - nothing]
        for node, head in self._lists(ALL_DISJOINT_CLASSES, MEMBERS):
            found += [(x, c1, c2, "cax-adc", (node, MEMBERS, head)) for c1, c2, x in
                      _overlaps(self.items(head), lambda c: typed.get(c, _NONE) - nothing)]
        for x, c1, c2, rule, axiom in found:
            yield Clash(x, rule, f"{_show(x)} is both a {_show(c1)} and a {_show(c2)}, "
                                 "which are disjoint", (axiom, (x, TYPE, c1), (x, TYPE, c2)))
        different = [(x, y, "eq-diff1", (x, DIFF, y)) for x, y in self.pairs(DIFF)]
        for rule, members in (("eq-diff2", MEMBERS), ("eq-diff3", DISTINCT_MEMBERS)):
            for node, head in self._lists(ALL_DIFFERENT, members):
                different += [(x, y, rule, (node, members, head)) for x, y, _ in
                              _overlaps(self.items(head), self._identity)]
        for x, y, rule, stated in different:
            if x == y or self.has(x, SAME, y):
                yield Clash(x, rule, f"{_show(x)} is owl:sameAs {_show(y)} and "
                                     "owl:differentFrom it", (stated, (x, SAME, y)))
        yield from self._property_contradictions()

    def _identity(self, x: str) -> set[str]:
        """One name for `x` and every node the closure makes owl:sameAs it."""
        return {min(self.objects(x, SAME) | {x})}

    def _lists(self, kind: str, members: str) -> list[tuple[str, str]]:
        """(node, list head) of each `node a kind ; members (...)`."""
        return [(node, head) for node in self.subjects(TYPE, kind)
                for head in self.objects(node, members)]

    def _property_contradictions(self) -> Iterator[Clash]:
        for p in self.subjects(TYPE, IRREFLEXIVE):
            for x, y in self.pairs(p):
                if x == y:
                    yield Clash(x, "prp-irp", f"{_show(x)} {_show(p)} itself, an irreflexive "
                                "property", ((p, TYPE, IRREFLEXIVE), (x, p, x)))
        for p in self.subjects(TYPE, ASYMMETRIC):
            for x, y in self.pairs(p):
                if self.has(y, p, x):
                    yield Clash(x, "prp-asyp", f"{_show(x)} and {_show(y)} are {_show(p)} each "
                                "other, an asymmetric property",
                                ((p, TYPE, ASYMMETRIC), (x, p, y), (y, p, x)))
        disjoint = [(p1, p2, "prp-pdw", (p1, PROPERTY_DISJOINT, p2))
                    for p1, p2 in self.pairs(PROPERTY_DISJOINT)]
        linked = [(x, y, p1, p2, rule, axiom) for p1, p2, rule, axiom in disjoint
                  for x, y in self.pairs(p1) if self.has(x, p2, y)]
        for node, head in self._lists(ALL_DISJOINT_PROPERTIES, MEMBERS):
            linked += [(x, y, p1, p2, "prp-adp", (node, MEMBERS, head))
                       for p1, p2, (x, y) in _overlaps(self.items(head), self.pairs)]
        for x, y, p1, p2, rule, axiom in linked:
            yield Clash(x, rule, f"{_show(x)} is linked to {_show(y)} by both {_show(p1)} and "
                                 f"{_show(p2)}, disjoint properties",
                        (axiom, (x, p1, y), (x, p2, y)))
        for node, i1 in self.pairs(SOURCE):
            for p in self.objects(node, ASSERTION_PROPERTY):
                for rule, target in (("prp-npa1", TARGET_INDIVIDUAL), ("prp-npa2", TARGET_VALUE)):
                    for i2 in self.objects(node, target):
                        if self.has(i1, p, i2):
                            yield Clash(i1, rule, f"{_show(i1)} {_show(p)} {_show(i2)}, which "
                                        "a negative property assertion denies",
                                        ((node, SOURCE, i1), (i1, p, i2)))

        for r, n in self.pairs(MAX_CARDINALITY):
            if _is_zero(n):
                for p in self.objects(r, ON_PROPERTY):
                    for u in self.subjects(TYPE, r):
                        for y in self.objects(u, p):
                            yield Clash(u, "cls-maxc1", f"{_show(u)} {_show(p)} {_show(y)}, "
                                        "though a maximum cardinality of 0 allows none",
                                        ((r, MAX_CARDINALITY, n), (u, TYPE, r), (u, p, y)))
        for r, n in self.pairs(MAX_QUALIFIED):
            if _is_zero(n):
                for p, c in product(self.objects(r, ON_PROPERTY), self.objects(r, ON_CLASS)):
                    for u in self.subjects(TYPE, r):
                        for y in self.objects(u, p):
                            if c == THING or self.has(y, TYPE, c):
                                yield Clash(u, "cls-maxqc2" if c == THING else "cls-maxqc1",
                                            f"{_show(u)} {_show(p)} {_show(y)}, though a maximum "
                                            f"qualified cardinality of 0 allows no {_show(c)}",
                                            ((r, MAX_QUALIFIED, n), (u, TYPE, r), (u, p, y)))

    def copy_to_equals(self, literals: Iterable[Key]) -> None:
        """eq-rep-s for literal-valued triples kept out of the rules (see `_split`)."""
        same = {s: {o for o in os if o != s} for s, os in self.spo.get(SAME, _NO_OBJECTS).items()}
        if not any(same.values()):
            return
        for k in literals:  # stated, so not entailed
            self.insert(*k)
        for s, p, o in literals:
            for s2 in same.get(s, ()):
                if self.insert(s2, p, o):
                    self.added.append((s2, p, o))


_Item = TypeVar("_Item", bound=Hashable)


def _overlaps(members: list[str], extent: Callable[[str], Iterable[_Item]]
              ) -> Iterator[tuple[str, str, _Item]]:
    """(first, later, x) for each x in the extents of two or more members of a list: the
    first member whose extent holds x, and each later one (a member listed twice is
    paired with itself). Its time is linear in the extents, where trying every two
    members is quadratic in the list (50k members: 1.25e9 pairs); every x shared is
    still found."""
    first: dict[_Item, str] = {}
    for member in members:
        for x in extent(member):
            if x in first:
                yield first[x], member, x
            else:
                first[x] = member


@dataclass(frozen=True)
class Clash:
    """A contradiction in N-Triples terms: its focus, rule, message and the triples of
    the closure it rests on."""

    focus: str
    rule: str
    message: str
    triples: tuple[Key, ...]


def _is_zero(literal: str) -> bool:
    lexical = literal[1:].partition('"')[0].strip() if literal.startswith('"') else ""
    return lexical.lstrip("+0") == "" and lexical.lstrip("+") != ""


def _show(text: str) -> str:
    return compact(text[1:-1]) if text.startswith("<") else text


class _Closure(_Index):
    """The native engine: every input triple is indexed, then each triple (input or
    derived) is taken off a queue once and joined, in every rule-body position it can
    fill, with the indexed triples; derivations not yet indexed join the queue."""

    def __init__(self, keys: list[Key], known: Iterable[Key] = ()) -> None:
        """Close `keys`; `known` triples (an earlier closure) are indexed, not fired."""
        super().__init__()
        for k in known:
            _Index.insert(self, *k)
        self.queue = [k for k in keys if self.insert(*k)]
        for datatype in _DATATYPES:
            self.add(datatype, TYPE, _nt(_RDFS, "Datatype"))  # dt-type1
        self._compile_restrictions()
        self.equality = bool(self.pairs(SAME)) or any(
            self.subjects(TYPE, c) for c in _EQUALITY)
        while self.queue:
            self._fire(*self.queue.pop())

    def derived(self) -> Iterator[Key]:
        return iter(self.added)

    def add(self, s: str, p: str, o: str) -> None:
        if s[0] != '"' and self.insert(s, p, o):
            self.queue.append((s, p, o))
            self.added.append((s, p, o))

    def _compile_restrictions(self) -> None:
        """hasValue restrictions and intersections, looked up by property and member."""
        self.has_value: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self.restricting: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for r, v in self.pairs(HAS_VALUE):
            for p in self.objects(r, ON_PROPERTY):
                self.has_value[r].append((p, v))
                self.restricting[p, v].append(r)
        self.intersections: defaultdict[str, list[tuple[str, list[str]]]] = defaultdict(list)
        for c, head in self.pairs(INTERSECTION):
            members = self.items(head)
            for m in members:
                self.intersections[m].append((c, members))
                self.add(c, SCO, m)  # scm-int
        for c, head in self.pairs(UNION):
            for m in self.items(head):
                self.add(m, SCO, c)  # scm-uni

    def _fire(self, s: str, p: str, o: str) -> None:
        add, literal = self.add, o[0] == '"'
        if self.equality:
            self._replace_equals(s, p, o)
        for c in self.objects(p, DOMAIN):
            add(s, TYPE, c)  # prp-dom
        for q in self.objects(p, SPO):
            add(s, q, o)  # prp-spo1
        for r in self.restricting.get((p, o), ()):
            add(s, TYPE, r)  # cls-hv2
        if not literal:
            for c in self.objects(p, RANGE):
                add(o, TYPE, c)  # prp-rng
            for q in self.objects(p, INV) | self.subjects(INV, p):
                add(o, q, s)  # prp-inv1, prp-inv2
        characteristics = self.objects(p, TYPE)
        if characteristics:
            self._characteristics(s, p, o, characteristics)
        if p == TYPE:
            self._typed(s, o)
        elif p.startswith((f"<{_RDFS}", f"<{_OWL}")):
            self._axiom(s, p, o)

    def _characteristics(self, s: str, p: str, o: str, kinds: set[str]) -> None:
        if o[0] != '"':
            if SYMMETRIC in kinds:
                self.add(o, p, s)  # prp-symp
            if TRANSITIVE in kinds:  # prp-trp
                for z in list(self.objects(o, p)):
                    self.add(s, p, z)
                for w in list(self.subjects(p, s)):
                    self.add(w, p, o)
            if FUNCTIONAL in kinds:  # prp-fp
                for other in list(self.objects(s, p)):
                    if other != o and other[0] != '"':
                        self.add(o, SAME, other)
        if INVERSE_FUNCTIONAL in kinds:  # prp-ifp
            for other in list(self.subjects(p, o)):
                if other != s:
                    self.add(s, SAME, other)

    def _typed(self, x: str, c: str) -> None:
        for d in self.objects(c, SCO):
            self.add(x, TYPE, d)  # cax-sco (cax-eqc via scm-eqc1, cls-int2 via scm-int)
        for p, v in self.has_value.get(c, ()):
            self.add(x, p, v)  # cls-hv1
        for whole, members in self.intersections.get(c, ()):
            if all(m == THING or self.has(x, TYPE, m) for m in members):
                self.add(x, TYPE, whole)  # cls-int1
        if c in _DECLARED and self.objects(x, SAME):
            self._reflexive(x)
        if c in (OBJECT_PROPERTY, DATATYPE_PROPERTY):  # x rdfs:subPropertyOf x (scm-op/dp),
            for (p, _), rs in self.restricting.items():  # so scm-hv with p1 = p2 = x
                if p == x:
                    for r1, r2 in permutations(rs, 2):
                        self.add(r1, SCO, r2)
        if c in (SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVERSE_FUNCTIONAL):
            for s, o in self.pairs(x):
                self._characteristics(s, x, o, {c})

    def _axiom(self, s: str, p: str, o: str) -> None:
        """Schema rules (scm-*) and the instance rules seen from the axiom's side."""
        add = self.add
        if p == SCO:
            for d in list(self.objects(o, SCO)):
                add(s, SCO, d)  # scm-sco
            for b in list(self.subjects(SCO, s)):
                add(b, SCO, o)
            for x in list(self.subjects(TYPE, s)):
                add(x, TYPE, o)  # cax-sco
            for q in list(self.subjects(DOMAIN, s)):
                add(q, DOMAIN, o)  # scm-dom1
            for q in list(self.subjects(RANGE, s)):
                add(q, RANGE, o)  # scm-rng1
            if self.has(o, SCO, s):  # scm-eqc2
                add(s, EQC, o)
                add(o, EQC, s)
        elif p == SPO:
            self._subproperty(s, o)
        elif p in (EQC, EQP):
            sub = SCO if p == EQC else SPO
            add(s, sub, o)  # scm-eqc1, scm-eqp1
            add(o, sub, s)
        elif p == DOMAIN:
            for x in list(self.spo.get(s, _NO_OBJECTS)):
                add(x, TYPE, o)  # prp-dom
            for d in list(self.objects(o, SCO)):
                add(s, DOMAIN, d)  # scm-dom1
            for q in list(self.subjects(SPO, s)):
                add(q, DOMAIN, o)  # scm-dom2
        elif p == RANGE:
            for y in list(self.pos.get(s, _NO_OBJECTS)):
                if y[0] != '"':
                    add(y, TYPE, o)  # prp-rng
            for d in list(self.objects(o, SCO)):
                add(s, RANGE, d)  # scm-rng1
            for q in list(self.subjects(SPO, s)):
                add(q, RANGE, o)  # scm-rng2
        elif p == INV:
            for x, y in self.pairs(s):
                if y[0] != '"':
                    add(y, o, x)  # prp-inv1
            for x, y in self.pairs(o):
                if y[0] != '"':
                    add(y, s, x)  # prp-inv2
        elif p == SAME:
            self._same(s, o)

    def _subproperty(self, p1: str, p2: str) -> None:
        add = self.add
        for p3 in list(self.objects(p2, SPO)):
            add(p1, SPO, p3)  # scm-spo
        for p0 in list(self.subjects(SPO, p1)):
            add(p0, SPO, p2)
        for x, y in self.pairs(p1):
            add(x, p2, y)  # prp-spo1
        for c in list(self.objects(p2, DOMAIN)):
            add(p1, DOMAIN, c)  # scm-dom2
        for c in list(self.objects(p2, RANGE)):
            add(p1, RANGE, c)  # scm-rng2
        if self.has(p2, SPO, p1):  # scm-eqp2
            add(p1, EQP, p2)
            add(p2, EQP, p1)
        for r1, v in [(r, v) for r, pvs in self.has_value.items() for p, v in pvs if p == p1]:
            for r2 in self.restricting.get((p2, v), ()):
                add(r1, SCO, r2)  # scm-hv

    def _same(self, x: str, y: str) -> None:
        """eq-sym, eq-trans and eq-rep-s/p/o for a new x owl:sameAs y."""
        self.equality = True  # from now on every fired triple is copied to its equals
        add = self.add
        self._reflexive(x)
        add(y, SAME, x)
        for z in list(self.objects(y, SAME)):
            add(x, SAME, z)
        for w in list(self.subjects(SAME, x)):
            add(w, SAME, y)
        for p in list(self.spo):
            for o in list(self.objects(x, p)):
                add(y, p, o)
            for s in list(self.subjects(p, x)):
                add(s, p, y)
        for s, o in self.pairs(x):
            add(s, y, o)

    def _reflexive(self, x: str) -> None:
        """scm-cls, scm-op and scm-dp, whose trivial entailments matter only when a class
        or property has an equal (eq-rep-s/o then copy them over)."""
        kinds = self.objects(x, TYPE)
        if CLASS in kinds:
            self.add(x, SCO, x)
            self.add(x, EQC, x)
        if OBJECT_PROPERTY in kinds or DATATYPE_PROPERTY in kinds:
            self.add(x, SPO, x)
            self.add(x, EQP, x)

    def _replace_equals(self, s: str, p: str, o: str) -> None:
        for s2 in list(self.objects(s, SAME)):
            self.add(s2, p, o)  # eq-rep-s
        for p2 in list(self.objects(p, SAME)):
            self.add(s, p2, o)  # eq-rep-p
        for o2 in list(self.objects(o, SAME)):
            self.add(s, p, o2)  # eq-rep-o


class _NotLocal(Exception):
    """The additions reach beyond what `_StoredClosure` extends exactly."""


class _StoredClosure(_Closure):
    """The native engine extending a consistent closure held in a store's default graph
    (its trivial entailments `known`): lookups read the store and the triples derived
    here, and only the added triples fire. An addition or derivation that is an axiom
    or an equality, or that touches a contradiction other than class disjointness,
    raises `_NotLocal`. The store does not change meanwhile, so each pattern is looked up
    once (the rules ask the same ontology patterns for every added triple: 12,700
    lookups of 3,000 patterns for 1,200 triples)."""

    def __init__(self, store: ox.Store, keys: list[Key], known: Iterable[Key]) -> None:
        self.store = store
        self.terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        self.looked_up: dict[tuple[str | None, str | None, str | None], list[ox.Quad]] = {}
        self.fresh: list[Key] = []  # what the closure gains: additions and derivations
        self.held = False  # whether an addition was in the closure already
        super().__init__(keys, known)
        self.held = len(self.fresh) - len(self.added) < len(set(keys))

    def _stored(self, s: str | None, p: str | None, o: str | None) -> Iterator[ox.Quad]:
        if p in INTERVAL_PREDICATES:  # the store also holds time bounds, which are no entailments
            raise _NotLocal(p)
        if (s is not None and s[0] == '"') or (p is not None and p[0] != "<"):
            return iter(())
        found = self.looked_up.get((s, p, o))
        if found is None:
            subject, predicate, value = (None if x is None else _term(x, self.terms)
                                         for x in (s, p, o))
            found = self.looked_up[s, p, o] = list(self.store.quads_for_pattern(
                subject, predicate, value, ox.DefaultGraph()))  # type: ignore[arg-type]
        return iter(found)

    def insert(self, s: str, p: str, o: str) -> bool:
        if self.has(s, p, o):
            return False
        if p == SAME or p in (DIFF, *_COMPILED) or _axiom_terms([(s, p, o)]):
            raise _NotLocal(p)
        self.fresh.append((s, p, o))
        return super().insert(s, p, o)

    def has(self, s: str, p: str, o: str) -> bool:
        return super().has(s, p, o) or next(self._stored(s, p, o), None) is not None

    def objects(self, s: str, p: str) -> set[str]:
        return {str(q.object) for q in self._stored(s, p, None)} | super().objects(s, p)

    def subjects(self, p: str, o: str) -> set[str]:
        return {str(q.subject) for q in self._stored(None, p, o)} | super().subjects(p, o)

    def pairs(self, p: str) -> list[tuple[str, str]]:
        stored = {(str(q.subject), str(q.object)) for q in self._stored(None, p, None)}
        return sorted(stored.union(super().pairs(p)))

    def contradictions(self) -> Iterator[Clash]:
        """The contradictions the fresh triples make: class disjointness is checked for
        each newly typed node; a fresh triple that any other check reads raises."""
        watched = set(self.subjects(TYPE, IRREFLEXIVE)) | self.subjects(TYPE, ASYMMETRIC)
        watched |= {p for pair in self.pairs(PROPERTY_DISJOINT) for p in pair}
        watched |= {p for _, head in self._lists(ALL_DISJOINT_PROPERTIES, MEMBERS)
                    for p in self.items(head)}
        watched |= {p for _, p in self.pairs(ASSERTION_PROPERTY)}
        restricted = {r for r, _ in [*self.pairs(MAX_CARDINALITY), *self.pairs(MAX_QUALIFIED)]}
        watched |= {p for r in restricted for p in self.objects(r, ON_PROPERTY)}
        restricted |= {c for r in restricted for c in self.objects(r, ON_CLASS)}
        typed = set()
        for s, p, o in self.fresh:
            if p in watched or (p == TYPE and o in restricted):
                raise _NotLocal(p)
            if p == TYPE:
                typed.add(s)
        for x in sorted(typed):
            if self.has(x, TYPE, NOTHING):
                yield Clash(x, "cls-nothing2", f"{_show(x)} is a member of owl:Nothing",
                            ((x, TYPE, NOTHING),))
        pairs = [(c1, c2, "cax-dw", ((c1, DISJOINT_WITH, c2),))
                 for c1, c2 in self.pairs(DISJOINT_WITH)]
        pairs += [(c1, c2, "cls-com", ((c1, COMPLEMENT, c2),)) for c1, c2 in self.pairs(COMPLEMENT)]
        candidates = [x for x in sorted(typed) if not self.has(x, TYPE, NOTHING)]
        found = [(x, c1, c2, rule, axiom) for c1, c2, rule, axiom in pairs for x in candidates
                 if self.has(x, TYPE, c1) and self.has(x, TYPE, c2)]
        for node, head in self._lists(ALL_DISJOINT_CLASSES, MEMBERS):
            found += [(x, c1, c2, "cax-adc", ((node, MEMBERS, head),)) for c1, c2, x in
                      _overlaps(self.items(head),
                                lambda c: [x for x in candidates if self.has(x, TYPE, c)])]
        for x, c1, c2, rule, axiom in found:
            yield Clash(x, rule, f"{_show(x)} is both a {_show(c1)} and a {_show(c2)}, "
                                 "which are disjoint", (*axiom, (x, TYPE, c1), (x, TYPE, c2)))


class _OwlrlClosure(_Index):
    """owlrl's closure, indexed for the contradiction checks."""

    def __init__(self, keys: list[Key], added: list[Key], errors: list[Clash]) -> None:
        super().__init__()
        self.added = added
        self.errors = errors
        for k in (*keys, *added):
            self.insert(*k)

    def derived(self) -> Iterator[Key]:
        return iter(self.added)

    def contradictions(self) -> Iterator[Clash]:
        """The checks on owlrl's closure, and each inconsistency owlrl reported that
        they do not name (same rule, a node in common; any clash of a member of
        owl:Nothing, which owlrl makes a member of every class), in owlrl's words."""
        found = list(super().contradictions())
        yield from found
        named = {(_SAME_RULE.get(c.rule, c.rule), term) for c in found
                 for term in (c.focus, *(x for k in c.triples for x in k))}
        nothing = self.subjects(TYPE, NOTHING)
        for error in self.errors:
            if error.focus not in nothing and (_SAME_RULE.get(error.rule, error.rule),
                                               error.focus) not in named:
                yield error


def _owlrl_closure(keys: list[Key],
                   terms: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> _OwlrlClosure:
    import owlrl  # the reference engine, loaded only when chosen: it pulls in rdflib

    from diplograph.rdf.bridge import rdflib_graph, to_oxigraph

    graph = rdflib_graph(ox.Triple(*(_term(x, terms) for x in k)) for k in keys)  # type: ignore[arg-type]
    asserted = set(graph)
    named = {str(node): str(to_oxigraph(node)) for t in graph for node in t}
    rules = owlrl.OWLRL_Semantics(graph, axioms=False, daxioms=False, destination=graph)
    rules.closure()  # as owlrl.DeductiveClosure(...).expand, keeping the messages apart
    errors = [_owlrl_error(message, named) for message in rules.error_messages]
    added: list[Key] = []
    for t in graph:
        if t not in asserted:
            key = tuple(str(to_oxigraph(x)) for x in t)
            for text, node in zip(key, t, strict=True):
                terms.setdefault(text, to_oxigraph(node))
            added.append(key)  # type: ignore[arg-type]
    return _OwlrlClosure(keys, added, errors)


#: owlrl's inconsistency messages: the rule each reports, and which of its terms is the focus.
_OWLRL_ERRORS = [(re.compile(pattern), rule, focus) for pattern, rule, focus in (
    (r"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
     r"\((.+), (.+)\)$", "eq-diff1", 0),
    (r"'sameAs' and 'AllDifferent' cannot be used on the same subject-object pair: "
     r"\((.+), (.+)\)$", "eq-diff2", 0),
    (r"Irreflexive property used on (.+) with (.+)$", "prp-irp", 0),
    (r"Erroneous usage of asymmetric property (.+) on (.+) and (.+)$", "prp-asyp", 1),
    (r"Disjoint properties in an 'AllDisjointProperties' are not really disjoint: "
     r"\((.+), (.+),(.+)\) and", "prp-adp", 0),
    (r"Erroneous usage of disjoint properties (.+) and (.+) on (.+) and (.+)$", "prp-pdw", 2),
    (r"Negative \(object\) property assertion violated for: \((.+), (.+), (.+)\)$",
     "prp-npa1", 0),
    (r"Negative \(datatype\) property assertion violated for: \((.+), (.+), (.+)\)$",
     "prp-npa2", 0),
    (r"(.+) is defined of type 'Nothing'$", "cls-nothing2", 0),
    (r"Violation of complementarity for classes (.+) and (.+) on element (.+)$", "cls-com", 2),
    (r"Violation of type restriction for allValuesFrom in (.+) for datatype (.+) on value "
     r"(.+)$", "cls-avf", 2),
    (r"Erroneous usage of maximum cardinality with (.+) and (.+)$", "cls-maxc1", 1),
    (r"Erroneous usage of maximum qualified cardinality with (.+), (.+) and (.+)$",
     "cls-maxqc1", 2),
    (r"Disjoint classes (.+) and (.+) have a common individual (.+)$", "cax-dw", 2),
    (r"Lexical value of the literal '(.+)' does not match its datatype \((.+)\)$",
     "dt-not-type", 0),
    (r"(.+)$", "owlrl", 0),
)]
#: Rules that owlrl reports under one message.
_SAME_RULE = {"cax-adc": "cax-dw", "eq-diff3": "eq-diff2", "cls-maxqc2": "cls-maxqc1"}


def _owlrl_error(message: str, named: dict[str, str]) -> Clash:
    """One of owlrl's messages as a clash, its focus as the term it names."""
    for pattern, rule, focus in _OWLRL_ERRORS:
        if matched := pattern.match(message):
            text = matched.group(focus + 1)
            return Clash(named.get(text, json.dumps(text)), rule, message, ())
    raise AssertionError("the last pattern matches any message")
