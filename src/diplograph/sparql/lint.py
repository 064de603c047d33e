"""Lint of the stored queries against the graph: parameters placed where values can
stand, IRIs of the project's namespaces present, properties known."""

from __future__ import annotations

from diplograph.errors import InputError
from diplograph.namespaces import PREFIXES, compact
from diplograph.sparql.catalog import NamedQuery
from diplograph.sparql.placement import check_placement
from diplograph.sparql.vocabulary import Vocabulary, iris_and_predicates

# namespaces the project defines: their terms must be declared or present in the graph
OWN_PREFIXES = ("dg", "dgv", "dgr", "country", "dgsh")


def lint_query(named: NamedQuery, vocabulary: Vocabulary) -> list[str]:
    """Problems of one stored query: a parameter where a value cannot stand (see
    `check_placement`), an IRI of the project's own namespaces that the ontology does
    not declare (or, for resources, the graph does not hold), or a triple pattern whose
    property is unknown."""
    try:
        check_placement(named)
    except InputError as exc:
        return [exc.message]
    try:
        iris, predicates = iris_and_predicates(named.text)
    except Exception as exc:  # rdflib's parser raises pyparsing errors of many kinds
        return [f"{named.path.name}: does not parse: {exc}"]
    own = {PREFIXES[p]: p for p in OWN_PREFIXES}
    reused = {iri for p, iri in PREFIXES.items() if p not in OWN_PREFIXES}
    problems = []
    for iri in sorted(iris):
        base = next((b for b in own if iri.startswith(b)), None)
        if iri in own or iri in reused:
            continue  # a namespace itself, as in STRSTARTS(STR(?c), STR(dg:))
        if base is None and not any(iri.startswith(b) for b in reused):
            problems.append(f"{named.path.name}: {iri} is in no known vocabulary")
        elif base is not None and iri not in vocabulary.declared | vocabulary.present:
            problems.append(f"{named.path.name}: {compact(iri)} is not in the ontology")
    problems += [f"{named.path.name}: property {compact(p)} is used by no fact and "
                 "declared by no ontology" for p in sorted(predicates - vocabulary.properties)]
    return problems
