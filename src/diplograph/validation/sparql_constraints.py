"""SHACL-SPARQL constraints (sh:sparql / sh:select) evaluated by Oxigraph.

pyshacl re-parses a constraint's SPARQL with rdflib for every focus node (80 ms
each); here each constraint runs on an in-memory Oxigraph store with `$this`
bound by the engine. Covered: node shapes with sh:targetClass and SELECT
constraints, as the project's shapes use them; a test holds the results equal to
pyshacl's on the whole merged graph."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES
from diplograph.store.cache import Term

SH = PREFIXES["sh"]
_SEVERITIES = {SH + "Violation": "VIOLATION", SH + "Warning": "WARNING", SH + "Info": "INFO"}


@dataclass(frozen=True)
class SparqlResult:
    """One solution of a constraint: a SHACL validation result."""

    shape: ox.NamedNode | ox.BlankNode
    severity: str
    focus: ox.NamedNode
    path: ox.NamedNode | None
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    message: str


def _select(store: ox.Store, sparql: str, this: ox.NamedNode | None = None) -> ox.QuerySolutions:
    bound: dict[ox.Variable, Term | ox.Triple] | None = (
        None if this is None else {ox.Variable("this"): this})
    answer = store.query(sparql, substitutions=bound)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _store(triples: Iterable[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def is_sparql_triple(t: ox.Triple) -> bool:
    """True for the sh:sparql links that attach constraints to shapes."""
    return t.predicate.value == SH + "sparql"


def _constraints(shapes: ox.Store) -> tuple[str, list[ox.QuerySolution]]:
    """The PREFIX declarations of the shapes, and each active SELECT constraint."""
    header = "".join(
        f"PREFIX {s['p'].value}: <{s['ns'].value}>\n"
        for s in _select(shapes,
                         f"SELECT ?p ?ns WHERE {{ ?d <{SH}prefix> ?p ; <{SH}namespace> ?ns }}")
    )
    constraints = list(_select(shapes, f"""
        PREFIX sh: <{SH}>
        SELECT ?shape ?select ?message ?severity WHERE {{
          ?shape sh:sparql ?constraint . ?constraint sh:select ?select .
          FILTER NOT EXISTS {{ ?constraint sh:deactivated true }}
          OPTIONAL {{ ?constraint sh:message ?message }}
          OPTIONAL {{ ?shape sh:severity ?severity }}
        }}"""))
    return header, constraints


def queries(shapes: Iterable[ox.Triple]) -> list[str]:
    """Every SPARQL constraint's query text as `evaluate` runs it (to be checked first)."""
    header, constraints = _constraints(_store(shapes))
    return [header + str(row["select"].value) for row in constraints]


def evaluate(
    shapes: Iterable[ox.Triple], data: Iterable[ox.Triple], focus: Iterable[ox.NamedNode]
) -> list[SparqlResult]:
    """The results of every SPARQL constraint on the given focus nodes."""
    shapes_store, data_store = _store(shapes), _store(data)
    header, constraints = _constraints(shapes_store)
    results: set[SparqlResult] = set()
    members: dict[ox.NamedNode | ox.BlankNode, set[object]] = {}
    for node in focus:
        for row in constraints:
            shape = row["shape"]
            assert isinstance(shape, ox.NamedNode | ox.BlankNode)
            if shape not in members:
                members[shape] = _targets(shapes_store, data_store, shape)
            if node not in members[shape]:
                continue
            level = row["severity"]
            severity = _SEVERITIES[level.value if level else SH + "Violation"]
            answer = _select(data_store, header + str(row["select"].value), node)
            names = {v.value for v in answer.variables}
            for solution in answer:
                path = solution["path"] if "path" in names else None
                value = solution["value"] if "value" in names else None
                results.add(SparqlResult(
                    shape=shape, severity=severity, focus=node,
                    path=path if isinstance(path, ox.NamedNode) else None,
                    value=None if isinstance(value, ox.Triple) else value,
                    message=_message(row["message"], solution, names),
                ))
    return sorted(results, key=str)


def _message(template: ox.Literal | None, solution: ox.QuerySolution, names: set[str]) -> str:
    """sh:message with {?var} / {$var} replaced by the solution's values."""
    if template is None:
        return "does not conform"

    def value(match: re.Match[str]) -> str:
        term = solution[match[1]] if match[1] in names else None
        return "" if term is None else str(term.value)

    return re.sub(r"\{[?$](\w+)\}", value, template.value)


def _targets(shapes: ox.Store, data: ox.Store,
             shape: ox.NamedNode | ox.BlankNode) -> set[object]:
    """The nodes in the shape's sh:targetClass classes (with rdfs:subClassOf in the
    data): one query per class, not one per node."""
    members: set[object] = set()
    for q in shapes.quads_for_pattern(shape, ox.NamedNode(SH + "targetClass"), None):
        members.update(row["this"] for row in _select(
            data, "SELECT DISTINCT ?this WHERE { ?this a/<http://www.w3.org/2000/01/"
            f"rdf-schema#subClassOf>* {q.object} }}"))
    return members
