"""Running named queries (with bound parameters) and ad-hoc SPARQL on the graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from diplograph.catalog import NamedQuery, forbidden_keyword
from diplograph.errors import InputError, UsageError
from diplograph.store import KnowledgeGraph, Term
from diplograph.terms import Resolver

Row = tuple[Term | None, ...]


@dataclass(frozen=True)
class Result:
    """What a query gave: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT)."""

    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    bound: dict[str, Term] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.boolean is not None:
            return "ask"
        return "graph" if self.triples or not self.columns else "select"


def _collect(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, hidden: set[str]
) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result(triples=tuple(answer))
    columns = tuple(v.value for v in answer.variables if v.value not in hidden)
    rows = tuple(tuple(solution[c] for c in columns) for solution in answer)
    return Result(columns=columns, rows=rows)


def bind_parameters(
    graph: KnowledgeGraph, query: NamedQuery, values: Mapping[str, str | None]
) -> dict[str, Term]:
    """Check and type every given value (and defaults); refuse unknown or missing ones."""
    unknown = set(values) - {p.name for p in query.parameters}
    if unknown:
        raise UsageError(f"query {query.name!r} has no parameter {sorted(unknown)[0]!r}",
                         hint=f"`diplograph query {query.name} --help` lists them")
    resolver = Resolver(graph)
    bound: dict[str, Term] = {}
    for p in query.parameters:
        text = values.get(p.name)
        if text is None:
            text = p.default
        if text is None:
            if p.required:
                raise UsageError(f"query {query.name!r} needs --{p.name}",
                                 hint=f"e.g. --{p.name} {p.example or '...'}")
            continue
        bound[p.name] = resolver.bind(p, text)
    return bound


def run_named(
    graph: KnowledgeGraph,
    query: NamedQuery,
    values: Mapping[str, str | None],
    *,
    inference: bool = True,
) -> Result:
    """Run a stored query with its parameters bound by the engine (SEP-0007
    substitution); parameter columns are left out of the result."""
    bound = bind_parameters(graph, query, values)
    answer = graph.query(query.text, bound, inference=inference)
    result = _collect(answer, {p.name for p in query.parameters if not p.column})
    return Result(result.columns, result.rows, result.boolean, result.triples, bound)


def run_sparql(graph: KnowledgeGraph, text: str, *, inference: bool = True) -> Result:
    """Run an ad-hoc read-only query (SELECT, ASK, CONSTRUCT or DESCRIBE)."""
    keyword = forbidden_keyword(text)
    if keyword:
        raise InputError(f"query: {keyword} is not allowed: queries only read the local graph",
                         hint="SELECT, ASK, CONSTRUCT or DESCRIBE without SERVICE, LOAD or FROM")
    try:
        return _collect(graph.query(text, inference=inference), set())
    except SyntaxError as exc:
        raise InputError(f"query: {exc.msg}", hint="check the SPARQL syntax") from exc
