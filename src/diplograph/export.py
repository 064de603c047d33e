"""RDF dumps of the graph: deterministic, in every common format."""

from __future__ import annotations

from enum import Enum

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES
from diplograph.store import INFERRED, KnowledgeGraph

QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


class Scope(Enum):
    """Which facts a dump holds."""

    ASSERTED = "asserted"
    INFERRED = "inferred"
    ALL = "all"


def dump(graph: KnowledgeGraph, fmt: ox.RdfFormat, scope: Scope = Scope.ASSERTED) -> bytes:
    """The chosen facts serialised; quad formats keep one named graph per source file
    (and one for the inferred facts). The same graph always gives the same bytes."""
    names = graph.graphs(inference=scope is not Scope.ASSERTED)
    if scope is Scope.INFERRED:
        names = [INFERRED]
    quads = [q for name in names for q in graph.store.quads_for_pattern(None, None, None, name)]
    items: list[ox.Quad] | list[ox.Triple]
    if fmt in QUAD_FORMATS:
        items = sorted(set(quads), key=_quad_key)
    else:
        items = sorted({q.triple for q in quads}, key=_triple_key)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=fmt, prefixes=prefixes) or b""


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
