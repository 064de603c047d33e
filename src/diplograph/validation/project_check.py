"""`diplograph check`: the whole project checked the way ROBOT `report` and `verify`
check an ontology project, for the knowledge engineer who edits `ontology/` and for a
fork's CI.

The ontology keeps to OWL 2 RL and, with the data, is consistent; every class and
property of the project's namespace has a label in each language the ontology declares
(its `dcterms:language`, English if none) and a definition; every class the data uses
is covered by a shape; the whole data conforms to the shapes (pyshacl on the whole
graph, not in context); every quote is in its source's text; the stored queries lint."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES, compact
from diplograph.project import Project
from diplograph.reasoning.profile import profile_problems
from diplograph.sparql.catalog import Catalog
from diplograph.sparql.lint import lint_query
from diplograph.sparql.vocabulary import Vocabulary
from diplograph.store.cache import KnowledgeGraph, Term
from diplograph.validation import provenance
from diplograph.validation.rules import PROJECT_NAMESPACES
from diplograph.validation.rules import Vocabulary as Terms
from diplograph.validation.severity import Severity
from diplograph.validation.shacl import NewFacts

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
DEFINITION = ox.NamedNode(PREFIXES["skos"] + "definition")
LANGUAGE = ox.NamedNode(PREFIXES["dcterms"] + "language")
ONTOLOGY = ox.NamedNode(PREFIXES["owl"] + "Ontology")
CHECKS = {
    "owl-rl-profile": "the ontology keeps to the OWL 2 RL profile",
    "consistency": "ontology and data are consistent (OWL RL)",
    "labels": "every class and property has a label in each declared language",
    "definitions": "every class and property has a definition (skos:definition)",
    "shape-coverage": "every class the data uses is covered by a shape",
    "shapes": "the whole data conforms to the shapes",
    "quotes": "every source text has its SHA-256, every quote is in its source",
    "queries": "the stored queries lint",
}


@dataclass(frozen=True)
class Problem:
    """One thing `check` found, and where."""

    check: str
    severity: Severity
    message: str
    location: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """What checking a project found, by check."""

    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is at the error (violation) level."""
        return all(p.severity < Severity.VIOLATION for p in self.problems)

    def count(self, check: str | None = None) -> Counter[Severity]:
        return Counter(p.severity for p in self.problems if check in (None, p.check))


def inconsistencies(triples: Sequence[ox.Triple]) -> list[tuple[Term, str]]:
    """(focus, message) for each OWL RL contradiction: the one call to the reasoner."""
    from diplograph.reasoning.closure import inconsistencies as contradictions

    return [(c.focus, c.message) for c in contradictions(triples)]


def check_project(project: Project, graph: KnowledgeGraph, catalog: Catalog) -> CheckReport:
    """Run every check of `CHECKS` on the project's sources and its compiled graph."""
    ontology = NewFacts.read(project.ontology_files)
    data = NewFacts.read(project.data_files)
    shapes = graph.shapes()
    terms = Terms.of(ontology.triples, shapes)
    problems: list[Problem] = []

    def found(check: str, message: str, where: str | None = None,
              severity: Severity = Severity.VIOLATION) -> None:
        shown = None if where is None else where.removeprefix(f"{project.root}/")
        problems.append(Problem(check, severity, message, shown))

    for subject, why in profile_problems(ontology.triples):
        found("owl-rl-profile", f"{_shown(subject)}: {why}", ontology.where(subject))
    everything = [*ontology.triples, *data.triples]
    for focus, message in inconsistencies(everything):
        found("consistency", message, data.where(focus) or ontology.where(focus))
    _check_terms(ontology, terms, found)
    used: Counter[str] = Counter(t.object.value for t in data.triples
                                 if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode))
    for cls, members in sorted(used.items()):
        if cls not in terms.covered:
            found("shape-coverage", f"{compact(cls)}: {members} instances in the data, but no "
                                    "shape targets the class (nothing checks them)")
    for severity, focus, path, value, message in _shape_results(everything, shapes):
        found("shapes", f"{_shown(focus)}{' ' + _shown(path) if path else ''}: {message}",
              data.where(focus, path, value) or ontology.where(focus), severity)
    said: defaultdict[tuple[object, object], list[Term]] = defaultdict(list)
    for t in everything:
        if not isinstance(t.object, ox.Triple):
            said[t.subject, t.predicate].append(t.object)
    for t, message, _ in provenance.problems(project.data_dir, data.triples,
                                             lambda s, p: said[s, p]):
        found("quotes", f"{_shown(t.subject)}: {message}", data.where(t.subject, t.predicate,
                                                                       t.object))
    vocabulary = Vocabulary.of(graph)
    for named in catalog.queries.values():
        for message in lint_query(named, vocabulary):
            found("queries", message, project.relative(named.path))
    return CheckReport(tuple(problems))


def _check_terms(ontology: NewFacts, terms: Terms,
                 found: Callable[[str, str, str | None], None]) -> None:
    """Labels in each declared language and a definition for each term of the project."""
    headers = {t.subject for t in ontology.triples if t.predicate == RDF_TYPE
               and t.object == ONTOLOGY}
    languages = sorted({t.object.value.lower() for t in ontology.triples
                        if t.predicate == LANGUAGE and t.subject in headers
                        and isinstance(t.object, ox.Literal)}) or ["en"]
    labels: defaultdict[object, set[str]] = defaultdict(set)
    defined = set()
    for t in ontology.triples:
        if t.predicate == LABEL and isinstance(t.object, ox.Literal) and t.object.language:
            labels[t.subject].add(t.object.language.lower())
        elif t.predicate == DEFINITION:
            defined.add(t.subject)
    for iri in sorted(terms.classes | terms.properties):
        if not iri.startswith(PROJECT_NAMESPACES):
            continue
        node = ox.NamedNode(iri)
        missing = [lang for lang in languages if lang not in labels[node]]
        if missing:
            found("labels", f"{compact(iri)}: no rdfs:label @{', @'.join(missing)}",
                  ontology.where(node))
        if node not in defined:
            found("definitions", f"{compact(iri)}: no skos:definition", ontology.where(node))


def _shape_results(triples: Sequence[ox.Triple], shapes: Sequence[ox.Triple],
                   ) -> list[tuple[Severity, Term, Term | None, Term | None, str]]:
    """pyshacl on the whole graph: (severity, focus, path, value, message) per result."""
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from diplograph.rdf.bridge import rdflib_graph, to_oxigraph

    _, results, _ = pyshacl.validate(rdflib_graph(triples), shacl_graph=rdflib_graph(shapes),
                                     inference="none", advanced=True, allow_warnings=True,
                                     do_owl_imports=False, inplace=True)
    assert isinstance(results, Graph)
    found = []
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for result in results.objects(report, SH.result):
            severity = str(results.value(result, SH.resultSeverity)).rpartition("#")[2]
            focus, path, value = (results.value(result, p)
                                  for p in (SH.focusNode, SH.resultPath, SH.value))
            assert focus is not None
            found.append((Severity[severity.upper()], to_oxigraph(focus),
                          None if path is None else to_oxigraph(path),
                          None if value is None else to_oxigraph(value),
                          str(results.value(result, SH.resultMessage) or "does not conform")))
    return sorted(set(found), key=str)


def _shown(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(getattr(term, "value", term))
