"""What new facts must be besides conforming to the shapes: instance data, in the
ontology's closed vocabulary, typed by a class the shapes cover, leaving the reference
data alone, with literals in their datatype's lexical form.

SHACL shapes target classes, so they cannot see a misspelt class or an untyped
subject, and cannot refuse a statement that changes what the shapes and the ontology
mean. Each rule here is reported like a shape: its node (`dgsh:...Rule`) is the
result's source shape and its constraint component (`dgsh:...ConstraintComponent`)
says which rule it is."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from diplograph.namespaces import DG, PREFIXES, compact
from diplograph.rdf.literals import term_problems
from diplograph.store.cache import KnowledgeGraph, Term
from diplograph.store.folder import ONTOLOGY_BASE
from diplograph.validation import provenance
from diplograph.validation.severity import Severity
from diplograph.validation.shacl import (
    Finding,
    NewFacts,
    ValidationReport,
    sorted_findings,
)

DGSH, DGV = PREFIXES["dgsh"], PREFIXES["dgv"]
OWL, RDF, RDFS, SH, SKOS = (PREFIXES[p] for p in ("owl", "rdf", "rdfs", "sh", "skos"))
RDF_TYPE = ox.NamedNode(RDF + "type")
COUNTRY = ox.NamedNode(DG + "Country")
PROJECT_NAMESPACES = (DG, DGV)
# namespaces of instances (facts, states, Wikidata items): any IRI may be a value there
INSTANCE_NAMESPACES = tuple(PREFIXES[p] for p in ("dgr", "country", "wd"))
SCHEMA_NAMESPACES = (OWL, SH)
SCHEMA_PREDICATES = {RDFS + n for n in ("subClassOf", "subPropertyOf", "domain", "range")}
IDENTITY_PREDICATES = {OWL + n for n in ("sameAs", "equivalentClass", "equivalentProperty")}
REFERENCE_PREDICATES = {RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "exactMatch",
                        PREFIXES["prov"] + "wasDerivedFrom"}
CODE_PREDICATES = {DG + n for n in ("alpha2", "alpha3", "numericCode")}
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}


def _iri(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode) else ""


@dataclass(frozen=True)
class Rule:
    """A rule new facts must follow, named as a shape and a constraint component."""

    name: str

    @property
    def shape(self) -> ox.NamedNode:
        return ox.NamedNode(f"{DGSH}{self.name}Rule")

    @property
    def component(self) -> ox.NamedNode:
        return ox.NamedNode(f"{DGSH}{self.name}ConstraintComponent")


CLOSED_VOCABULARY = Rule("ClosedVocabulary")
EXPLICIT_TYPE = Rule("ExplicitType")
INSTANCE_DATA = Rule("InstanceData")
REFERENCE_DATA = Rule("ReferenceData")
LEXICAL_FORM = Rule("LexicalForm")
QUOTE_IN_SOURCE = Rule("QuoteInSource")
SOURCE_TEXT = Rule("SourceText")
Found = Callable[["Rule", ox.Triple | None, ox.NamedNode | ox.BlankNode, str], None]
RULES = (CLOSED_VOCABULARY, EXPLICIT_TYPE, INSTANCE_DATA, REFERENCE_DATA, LEXICAL_FORM,
         QUOTE_IN_SOURCE, SOURCE_TEXT)


@dataclass(frozen=True)
class Vocabulary:
    """The terms new facts may use: the ontology's classes and properties, the IRIs
    the ontology or the shapes mention, the classes the shapes cover."""

    classes: frozenset[str]
    properties: frozenset[str]
    mentioned: frozenset[str]
    covered: frozenset[str]
    domains: dict[str, frozenset[str]]

    @classmethod
    def of(cls, ontology: Sequence[ox.Triple], shapes: Sequence[ox.Triple]) -> Vocabulary:
        types = [(_iri(t.subject), _iri(t.object)) for t in ontology if t.predicate == RDF_TYPE]
        classes = {s for s, o in types if o in _CLASS_TYPES}
        properties = {s for s, o in types if o.endswith("Property")
                      and o.startswith((OWL, RDF))}
        mentioned = {term.value for t in [*ontology, *shapes]
                     for term in (t.subject, t.predicate, t.object)
                     if isinstance(term, ox.NamedNode)}
        targeted = {_iri(t.object) for t in shapes if t.predicate.value == SH + "targetClass"}
        below: dict[str, set[str]] = {}
        for t in ontology:
            if t.predicate.value == RDFS + "subClassOf":
                below.setdefault(_iri(t.object), set()).add(_iri(t.subject))
        covered, todo = set(targeted), list(targeted)
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in covered:
                    covered.add(sub)
                    todo.append(sub)
        domains: defaultdict[str, set[str]] = defaultdict(set)  # from the ontology and shapes
        for t in ontology:
            if t.predicate.value == RDFS + "domain" and _iri(t.object) in covered:
                domains[_iri(t.subject)].add(_iri(t.object))
        paths: dict[object, str] = {t.subject: _iri(t.object) for t in shapes
                                    if t.predicate.value == SH + "path"}
        targets: defaultdict[object, set[str]] = defaultdict(set)
        for t in shapes:
            if t.predicate.value == SH + "targetClass":
                targets[t.subject].add(_iri(t.object))
        for t in shapes:
            if t.predicate.value == SH + "property" and t.object in paths:
                domains[paths[t.object]].update(targets[t.subject])
        return cls(frozenset(classes), frozenset(properties), frozenset(mentioned),
                   frozenset(covered), {p: frozenset(c) for p, c in domains.items()})

    def guess(self, properties: Iterable[str]) -> str:
        """`a dg:Embassy`: the classes whose domain or shape holds the most of the
        properties, or a generic example."""
        score: Counter[str] = Counter(c for p in properties for c in self.domains.get(p, ()))
        best = max(score.values(), default=0)
        names = sorted(compact(c) for c, n in score.items() if n == best)
        return f"a {' or a '.join(names)}" if names else "a dg:Visit, or the class it is"

    def problem(self, term: ox.NamedNode, role: str, open_namespaces: Sequence[str]) -> str | None:
        """Why `term`, used as a class or a property, is not in the vocabulary."""
        iri = term.value
        if iri.startswith(tuple(open_namespaces)):
            return None
        known = self.classes if role == "class" else self.properties
        if iri.startswith(PROJECT_NAMESPACES):
            if iri in known:
                return None
            return f"{compact(iri)}: not a {role} of the ontology{self.hint(iri, known)}"
        if iri in self.mentioned:
            return None
        reused = [base for base in PREFIXES.values() if iri.startswith(base)]
        where = "the ontology and its shapes do not use it" if reused else \
            "not a vocabulary the ontology reuses"
        return (f"{compact(iri)}: not a {role} new facts may use ({where})"
                f"{self.hint(iri, self.mentioned if reused else known)}")

    @staticmethod
    def hint(iri: str, known: Iterable[str]) -> str:
        by_folded = {compact(k).casefold(): compact(k) for k in known}
        close = difflib.get_close_matches(compact(iri).casefold(), by_folded, n=2, cutoff=0.75)
        return f" (did you mean {' or '.join(by_folded[c] for c in close)}?)" if close else ""


def vocabulary(graph: KnowledgeGraph, shapes: Sequence[ox.Triple]) -> Vocabulary:
    """The vocabulary of the graph's ontology and shapes."""
    ontology = [q.triple for g in graph.graphs() if g.value.startswith(ONTOLOGY_BASE)
                for q in graph.store.quads_for_pattern(None, None, None, g)]
    return Vocabulary.of(ontology, shapes)


def check_facts(graph: KnowledgeGraph, facts: NewFacts, shapes: Sequence[ox.Triple],
                data: Path | None, open_namespaces: Sequence[str] = ()) -> list[Finding]:
    """Every breach of the rules by the new facts, at the line of its triple; with the
    project's data folder, their provenance is checked against the source texts."""
    words = vocabulary(graph, shapes)
    findings: list[Finding] = []

    def found(rule: Rule, t: ox.Triple | None, focus: ox.NamedNode | ox.BlankNode,
              message: str) -> None:
        findings.append(Finding(
            Severity.VIOLATION, focus, None if t is None else t.predicate,
            None if t is None or isinstance(t.object, ox.Triple) else t.object, message,
            compact(rule.shape.value),
            facts.where(focus, *(() if t is None else (t.predicate, t.object))),
            rule.shape, rule.component))

    refused: set[ox.Triple] = set()
    for t in facts.triples:
        subject = t.subject
        if isinstance(subject, ox.Triple):
            continue
        schema = _schema_problem(t, words)
        if schema is not None:
            refused.add(t)
            found(INSTANCE_DATA, t, subject, schema)
            continue
        problems = [words.problem(t.predicate, "property", open_namespaces)]
        if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            problems.append(words.problem(t.object, "class", open_namespaces))
        elif isinstance(t.object, ox.NamedNode) and t.object.value.startswith(DGV) \
                and t.object.value not in words.mentioned:
            problems.append(f"{compact(t.object.value)}: not a concept of the vocabularies"
                            f"{words.hint(t.object.value, words.mentioned)}")
        for problem in filter(None, problems):
            refused.add(t)
            found(CLOSED_VOCABULARY, t, subject, problem)
    _check_types(graph, facts, words, refused, found)
    _check_reference_data(graph, facts, refused, found)
    if data is not None:
        for t, message, of_text in provenance.problems(data, facts.triples,
                                                       lookup(graph, facts)):
            if isinstance(t.subject, ox.NamedNode | ox.BlankNode):
                found(SOURCE_TEXT if of_text else QUOTE_IN_SOURCE, t, t.subject, message)
    for ill_typed in term_problems(facts.triples):
        for t in facts.triples:
            if t.object == ill_typed.literal and not isinstance(t.subject, ox.Triple):
                found(LEXICAL_FORM, t, t.subject, ill_typed.problem)
    return findings


def lookup(graph: KnowledgeGraph, facts: NewFacts) -> provenance.Lookup:
    """What the new facts say of a node, else what the graph says."""
    said: dict[tuple[object, object], list[Term]] = {}
    for t in facts.triples:
        if not isinstance(t.object, ox.Triple):
            said.setdefault((t.subject, t.predicate), []).append(t.object)

    def values(subject: ox.NamedNode, predicate: ox.NamedNode) -> list[Term]:
        return said.get((subject, predicate)) or [
            q.object for q in graph.store.quads_for_pattern(subject, predicate, None,
                                                            ox.DefaultGraph())
            if not isinstance(q.object, ox.Triple)]

    return values


def _schema_problem(t: ox.Triple, words: Vocabulary) -> str | None:
    """Why a triple changes the schema or identity rather than stating a fact."""
    p, o = t.predicate.value, t.object
    if p == OWL + "sameAs":
        return ("owl:sameAs merges two things and everything said of them; new facts "
                "cannot make identities (for an outside resource, use skos:exactMatch)")
    if p in IDENTITY_PREDICATES | SCHEMA_PREDICATES or p.startswith(SCHEMA_NAMESPACES):
        return (f"{compact(p)} changes the schema; new facts are instance data (schema "
                "changes belong in ontology/, checked with `diplograph check`)")
    if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value.startswith((OWL, RDFS, SH)):
        return (f"typing a node {compact(o.value)} declares schema; new facts are instance "
                "data (schema changes belong in ontology/)")
    if isinstance(t.subject, ox.NamedNode) and (
            t.subject.value in words.classes or t.subject.value in words.properties):
        return (f"{compact(t.subject.value)} is a class or property of the ontology; "
                "statements about it belong in ontology/")
    return None


def _check_types(graph: KnowledgeGraph, facts: NewFacts, words: Vocabulary,
                 refused: set[ox.Triple], found: Found) -> None:
    """Every subject has a type the shapes cover, or is already in the graph."""
    types: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for t in facts.triples:
        if not isinstance(t.subject, ox.Triple):
            types.setdefault(t.subject, [])
            if t.predicate == RDF_TYPE:
                types[t.subject].append(t)
    used: defaultdict[object, set[str]] = defaultdict(set)
    for t in facts.triples:
        used[t.subject].add(t.predicate.value)
    for subject, typing in types.items():
        if typing:
            if any(_iri(t.object) in words.covered or t in refused for t in typing):
                continue
            names = ", ".join(sorted(compact(_iri(t.object)) for t in typing))
            found(EXPLICIT_TYPE, typing[0], subject,
                  f"{names}: no shape covers this class, so nothing would check the "
                  "facts about it (hint: type it with a class of the ontology the "
                  "shapes target)")
        elif next(graph.store.quads_for_pattern(subject, RDF_TYPE, None, ox.DefaultGraph()),
                  None) is None:
            found(EXPLICIT_TYPE, None, subject,
                  "no rdf:type: the shapes check facts by their class, so an untyped "
                  f"subject would escape them (hint: add `{words.guess(used[subject])}`)")


def _check_reference_data(graph: KnowledgeGraph, facts: NewFacts, refused: set[ox.Triple],
                          found: Found) -> None:
    """The ISO states are reference data: not created, retyped, relabelled or recoded."""
    states: dict[object, bool] = {}
    for t in facts.triples:
        subject = t.subject
        if t in refused or isinstance(subject, ox.Triple):
            continue
        if subject not in states:
            states[subject] = next(graph.store.quads_for_pattern(
                subject, RDF_TYPE, COUNTRY, ox.DefaultGraph()), None) is not None
        p = t.predicate.value
        if p in CODE_PREDICATES or (t.predicate == RDF_TYPE and t.object == COUNTRY):
            found(REFERENCE_DATA, t, subject,
                  f"{compact(p) if p != RDF_TYPE.value else 'a dg:Country'}: states and "
                  "their codes are ISO 3166-1 reference data (data/countries.ttl is "
                  "generated: python -m diplograph.refdata)")
        elif states[subject] and p in REFERENCE_PREDICATES:
            found(REFERENCE_DATA, t, subject,
                  f"{compact(subject.value)} is an ISO 3166-1 state: its {compact(p)} is "
                  "reference data (other names go in skos:altLabel)")


def with_rules(graph: KnowledgeGraph, facts: NewFacts, shapes: Sequence[ox.Triple],
               data: Path | None, report: ValidationReport,
               open_namespaces: Sequence[str] = ()) -> ValidationReport:
    """The report with the rules' findings added; a shape's finding on an ill-typed
    literal is left out, the rules report it once."""
    rules = check_facts(graph, facts, shapes, data, open_namespaces)
    ill_typed = {f.value for f in rules if f.component == LEXICAL_FORM.component}
    kept = [f for f in report.findings if f.value is None or f.value not in ill_typed]
    return replace(report, findings=tuple(sorted_findings([*rules, *kept])))
