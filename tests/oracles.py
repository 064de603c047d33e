"""Reference answers the tests hold the product's fast paths to: slow, simple, whole-graph."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from diplograph.dumps.export import QUAD_FORMATS, Written, write
from diplograph.project import Project
from diplograph.reasoning.closure import reason
from diplograph.reasoning.engines import Engine
from diplograph.store.cache import KnowledgeGraph, Term
from diplograph.validation import sparql_constraints
from diplograph.validation.rules import with_rules
from diplograph.validation.shacl import (
    NewFacts,
    Shapes,
    ValidationReport,
    _known_clashes,
    _report,
    unsupported_warnings,
)


def validate_merged(graph: KnowledgeGraph, facts: NewFacts, project: Project | None = None,
                    nodes: Iterable[Term] | None = None) -> ValidationReport:
    """pyshacl alone on the whole graph merged with the new facts, keeping the results
    about `nodes` (by default the new facts' subjects), and the quotes checked against
    the sources of `project`: what `validate_facts` must answer."""
    shapes, facts = Shapes(graph.shapes()), facts.as_stored()
    sparql_constraints.constraints(shapes)  # a forbidden query is an error on both ways
    report = _report(shapes, facts, [*graph.triples(), *facts.triples], _known_clashes(graph),
                     keep=None if nodes is None else set(nodes),
                     warnings=unsupported_warnings(shapes))
    return with_rules(graph, facts, shapes.triples,
                      None if project is None else project.data_dir, report)


def entailments(triples: Iterable[ox.Triple], engine: Engine | None = None) -> list[ox.Triple]:
    """The triples the OWL RL closure adds, less the trivial ones, sorted."""
    return reason(triples, engine).entailments


@dataclass(frozen=True)
class Dump:
    """A dump written into memory: its bytes, and what they hold."""

    data: bytes
    written: Written


def dump(graph: KnowledgeGraph, fmt: ox.RdfFormat, graphs: Iterable[ox.NamedNode]) -> Dump:
    """`export.write` into memory."""
    sink = io.BytesIO()
    written = write(graph, fmt, graphs, sink)
    return Dump(sink.getvalue(), written)


def dumped_quads(graph: KnowledgeGraph, fmt: ox.RdfFormat,
                 graphs: list[ox.NamedNode]) -> list[ox.Quad]:
    """What a dump of the graphs in `fmt` holds, as quads (in the default graph for the
    triple formats): its line-based twin, N-Quads or N-Triples, as Oxigraph reads it."""
    lines = ox.RdfFormat.N_QUADS if fmt in QUAD_FORMATS else ox.RdfFormat.N_TRIPLES
    return list(ox.parse(dump(graph, lines, graphs).data, format=lines))
