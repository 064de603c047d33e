"""Running named queries (with bound parameters) and ad-hoc SPARQL on the graph; the
examples of the catalog as a self-test; the provenance behind each result row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from diplograph.errors import (
    DiplographError,
    InputError,
    LimitError,
    UsageError,
    syntax_problem,
)
from diplograph.namespaces import DG, PREFIXES, compact
from diplograph.sparql.catalog import Catalog, NamedQuery
from diplograph.sparql.header import Example
from diplograph.sparql.labelling import LabelLookups, label_lookups
from diplograph.sparql.limits import Limits, run_isolated, run_limited
from diplograph.sparql.parameters import Resolver
from diplograph.sparql.placement import check_placement
from diplograph.sparql.safety import check_query, known_safe
from diplograph.sparql.template import Bound
from diplograph.sparql.textsearch import searched
from diplograph.store.cache import KnowledgeGraph, Term, damaged

Row = tuple[Term | None, ...]
Values = Mapping[str, str | Sequence[str] | None]
LocalAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Answer = LocalAnswer | tuple[ox.Triple, ...]  # an endpoint's graph comes parsed
_TSV, _JSON, _NT = ox.QueryResultsFormat.TSV, ox.QueryResultsFormat.JSON, ox.RdfFormat.N_TRIPLES

_T = TypeVar("_T")
_CORRUPTION = "Corruption:"  # how the database reports a page whose checksum is wrong


class Engine(Protocol):
    """What runs SPARQL text: the compiled store, or an endpoint (`remote.Endpoint`)."""

    def query(self, sparql: str, *, inference: bool = True) -> Answer: ...


@dataclass(frozen=True)
class Result:
    """What a query gave: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT), and
    the parameter values it was bound to."""

    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    bound: Bound = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.boolean is not None:
            return "ask"
        return "graph" if self.triples or not self.columns else "select"


def _at_most(items: Iterable[_T], max_rows: int | None) -> tuple[_T, ...]:
    """The items, or a LimitError if there are more than `max_rows` (None: no limit)."""
    if max_rows is None:
        return tuple(items)
    kept = tuple(islice(items, max_rows + 1))
    if len(kept) > max_rows:
        raise LimitError(f"query: the result has more than {max_rows} rows",
                         hint="narrow the query or add LIMIT (and OFFSET to page through it)")
    return kept


def _collect(answer: Answer, hidden: set[str], max_rows: int | None = None) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples | tuple):
        return Result(triples=_at_most(answer, max_rows))
    names = [v.value for v in answer.variables]
    kept = [i for i, name in enumerate(names) if name not in hidden]
    columns = tuple(names[i] for i in kept)
    # by position, in C: looking each term up by its name took 5x as long as the engine
    rows = _at_most(map(_picker(kept, len(names)), answer), max_rows)
    return Result(columns=columns, rows=rows)


def _picker(kept: list[int], width: int) -> Callable[[ox.QuerySolution], Row]:
    """What takes the terms at positions `kept` of a solution `width` terms wide."""
    if len(kept) == width:
        return tuple
    if len(kept) == 1:
        return lambda solution: (solution[kept[0]],)
    return itemgetter(*kept)


def _evaluated(graph: KnowledgeGraph, sparql: str, inference: bool, where: str,
               prefixes: dict[str, str] | None, finish: Callable[[LocalAnswer], _T],
               lookups: LabelLookups | None = None) -> _T:
    """`finish` applied to the engine's answer, `prefixes` predeclared, the engine's
    errors made one line: a syntax error, a function it does not know, a store it cannot
    read (the damage found while evaluating). With `lookups`, its text runs first, and
    `sparql` only if a lookup stepped aside. The error is raised unchained: the
    engine's traceback holds its answer, which must die on the thread that made it."""
    try:
        if lookups is not None:
            done = finish(graph.query(lookups.text, inference=inference, prefixes=prefixes,
                                      functions=lookups.functions))
            if not lookups.stepped_aside:
                return done
        return finish(graph.query(sparql, inference=inference, prefixes=prefixes))
    except SyntaxError as exc:
        error = InputError(f"{where}: {syntax_problem(exc)}", hint="check the SPARQL syntax")
    except OSError as exc:  # the database could not be read
        error = damaged(graph.path, " ".join(str(exc).split()) or type(exc).__name__)
    except (RuntimeError, ValueError) as exc:
        first = " ".join(str(exc).split("\n")[0].split()) or type(exc).__name__
        error = damaged(graph.path, first) if first.startswith(_CORRUPTION) else InputError(
            f"{where}: the query engine cannot run it: {first}",
            hint="use only SPARQL 1.1 functions")
    raise error


def _answer(graph: KnowledgeGraph, sparql: str, hidden: set[str], *, inference: bool,
            where: str, limits: Limits | None, isolated: bool,
            max_rows: int | None = None, prefixes: dict[str, str] | None = None,
            lookups: LabelLookups | None = None) -> Result:
    """Run a checked query text (or its form with `lookups`) under `limits` (none: in
    this thread, unbounded); `isolated`: in a child process, whose answer comes back
    serialised by Oxigraph. More than `max_rows` rows or triples is a LimitError."""

    def collected() -> Result:
        return _evaluated(graph, sparql, inference, where, prefixes,
                          lambda answer: _collect(answer, hidden, max_rows), lookups)

    if limits is None:
        return collected()
    if not isolated:
        return run_limited(collected, limits)

    def serialised(answer: LocalAnswer) -> bytes:
        if isinstance(answer, ox.QueryTriples):
            return b"t" + (answer.serialize(format=_NT) or b"")
        return (b"b" if isinstance(answer, ox.QueryBoolean) else b"s") + (
            answer.serialize(format=_JSON if isinstance(answer, ox.QueryBoolean) else _TSV)
            or b"")

    payload = run_isolated(
        lambda: _evaluated(graph, sparql, inference, where, prefixes, serialised, lookups),
        limits)
    kind, body = payload[:1], payload[1:]
    if kind == b"t":
        return Result(triples=_at_most((q.triple for q in ox.parse(body, format=_NT)), max_rows))
    return _collect(ox.parse_query_results(body, format=_JSON if kind == b"b" else _TSV), hidden,
                    max_rows)


def _remote(engine: Engine, sparql: str, hidden: set[str], inference: bool,
            limits: Limits | None, max_rows: int | None = None) -> Result:
    """Run a checked query text at an endpoint, waiting no longer than `limits` allow."""

    def task() -> Result:
        return _collect(engine.query(sparql, inference=inference), hidden, max_rows)

    return task() if limits is None else run_limited(task, limits)


def bind_parameters(graph: KnowledgeGraph, query: NamedQuery, values: Values) -> Bound:
    """Check and type every given value (and defaults); refuse unknown or missing
    parameters, and several values for a single-valued one."""
    unknown = set(values) - {p.name for p in query.parameters}
    if unknown:
        raise UsageError(f"query {query.name!r} has no parameter {sorted(unknown)[0]!r}",
                         hint=f"`diplograph query {query.name} --help` lists them")
    resolver = Resolver(graph)
    bound: Bound = {}
    for p in query.parameters:
        given = values.get(p.name)
        texts = (given,) if isinstance(given, str) else tuple(given or ())
        if not texts and p.default is not None:
            texts = (p.default,)
        if not texts:
            if p.required:
                raise UsageError(f"query {query.name!r} needs --{p.name}",
                                 hint=f"e.g. --{p.name} {p.example or '...'}")
            continue
        if len(texts) > 1 and not p.multi:
            several = [f"--{q.name}" for q in query.parameters if q.multi]
            raise UsageError(f"--{p.name} takes one value, {len(texts)} were given "
                             f"({', '.join(texts)})", hint="give it once" + (
                                 f"; {', '.join(several)} may be repeated" if several else ""))
        bound[p.name] = tuple(dict.fromkeys(resolver.bind(p, text) for text in texts))
    return bound


def run_named(
    graph: KnowledgeGraph,
    query: NamedQuery,
    values: Values,
    *,
    inference: bool = True,
    limits: Limits | None = None,
    isolated: bool = False,
    max_rows: int | None = None,
    engine: Engine | None = None,
) -> Result:
    """Run a stored query with its parameters bound (see `Template.bind`) under `limits`,
    on the graph or on `engine` (an endpoint: values are resolved against the graph all
    the same); parameter columns are left out. The template is checked (see
    `check_query`) once: values are written in as terms, which cannot add syntax. More
    than `max_rows` rows is a LimitError. A name search runs on the labels the store's
    label index finds (see `textsearch`), and a name in one language is looked up in it
    (`labelling`)."""
    check_query(query.text, where=str(query.path), cache=graph.path.parent,
                code=query.template.code)
    check_placement(query)
    bound = bind_parameters(graph, query, values)
    hidden = {p.name for p in query.parameters if not p.column}
    if engine is not None:
        result = _remote(engine, query.bind(bound), hidden, inference, limits, max_rows)
    else:
        labels = searched(graph.path, query.template, bound) if inference else None
        lookups = label_lookups(graph.path, query.template, bound) \
            if inference and labels is None else None
        result = _answer(graph if labels is None else KnowledgeGraph(labels, graph.path),
                         query.bind(bound), hidden, inference=inference,
                         where=f"{query.path} (its parameters bound)", limits=limits,
                         isolated=isolated, max_rows=max_rows, lookups=lookups)
    rows = result.rows
    if query.template.distinct:
        rows = tuple(dict.fromkeys(rows))  # hidden parameter columns do not defeat DISTINCT
    return Result(result.columns, rows, result.boolean, result.triples, bound)


def predeclared() -> dict[str, str]:
    """The prefixes an ad-hoc query may use undeclared, as the Wikidata Query Service
    predeclares its own: the project's (dg, dgr, country, dgv, dgsh) and those of the
    vocabularies it reuses. A query's own PREFIX declaration wins."""
    return dict(PREFIXES)


def _with_prologue(text: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX lines for the prefixes it does not declare itself, for an
    endpoint, which predeclares none of ours."""
    own = set(re.findall(r"\bPREFIX\s+([^\s:]*):", text, re.I))
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in own]
    return "\n".join([*lines, text])


def run_sparql(source: KnowledgeGraph | Engine, text: str, *, inference: bool = True,
               limits: Limits | None = None, isolated: bool = False,
               max_rows: int | None = None) -> Result:
    """Run an ad-hoc read-only query (SELECT, ASK, CONSTRUCT or DESCRIBE) under `limits`
    on the graph or an endpoint, once `check_query` has found it reaches nothing beyond
    the graph; more than `max_rows` rows or triples is a LimitError; the `predeclared`
    prefixes need no PREFIX line."""
    local = source if isinstance(source, KnowledgeGraph) else None
    _checked(text, local.path.parent if local is not None else None, limits, isolated)
    if local is None:
        return _remote(source, _with_prologue(text, predeclared()), set(), inference, limits,
                       max_rows)
    return _answer(local, text, set(), inference=inference, where="query", limits=limits,
                   isolated=isolated, max_rows=max_rows, prefixes=predeclared())


def _checked(text: str, cache: Path | None, limits: Limits | None, isolated: bool) -> None:
    """`check_query` under the query's own limits, for a text not found safe before: the
    parser takes minutes over some long texts (a sum of 100k terms)."""

    def check() -> bytes:
        check_query(text, cache=cache)
        return b""

    if limits is None or known_safe(text, cache):
        check()
    elif isolated:
        run_isolated(check, limits)
    else:
        run_limited(check, limits)


@dataclass(frozen=True)
class ExampleRun:
    """One documented example run: how many rows it gave, whether the row it promises
    is among them (or why it could not run)."""

    query: str
    example: Example
    rows: int | None
    has_row: bool = True
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.rows is not None and \
            self.rows >= self.example.min_rows and self.has_row


def run_examples(graph: KnowledgeGraph, catalog: Catalog,
                 limits: Limits | None = None, engine: Engine | None = None,
                 ) -> list[ExampleRun]:
    """Run every example of every stored query (each under `limits`, on `engine` if
    given) and check what it promises."""
    runs = []
    for named in catalog.queries.values():
        for example in named.examples:
            try:
                result = run_named(graph, named, example.params, limits=limits,
                                   engine=engine)
            except DiplographError as exc:
                runs.append(ExampleRun(named.name, example, None, False, exc.message))
                continue
            wanted = example.row or {}
            unknown = sorted(set(wanted) - set(result.columns))
            if unknown:
                runs.append(ExampleRun(named.name, example, len(result.rows), False,
                                       f"no column {', '.join(unknown)}"))
                continue
            at = [result.columns.index(c) for c in wanted]
            has_row = not wanted or any(
                all(_shows(row[i], value) for i, value in zip(at, wanted.values(), strict=True))
                for row in result.rows)
            runs.append(ExampleRun(named.name, example, len(result.rows), has_row))
    return runs


def _shows(term: Term | None, value: str) -> bool:
    """Whether a result term is written `value`: its lexical form, or its IRI in full
    or with a known prefix."""
    if term is None:
        return value == ""
    return value == term.value or (isinstance(term, ox.NamedNode) and value == compact(term.value))


@dataclass(frozen=True)
class Support:
    """A node of a result row and where the graph says it comes from."""

    node: ox.NamedNode
    quotes: tuple[ox.Literal, ...]
    sources: tuple[str, ...]


def _explain_query(nodes: list[ox.NamedNode]) -> str:
    return (f"PREFIX dg: <{DG}>\nPREFIX prov: <{PREFIXES['prov']}>\n"
            f"PREFIX dcterms: <{PREFIXES['dcterms']}>\n"
            "SELECT ?node ?source ?source_id ?quote WHERE {\n"
            f"  VALUES ?node {{ {' '.join(str(n) for n in nodes)} }}\n"
            "  ?node prov:wasDerivedFrom ?source .\n"
            "  OPTIONAL { ?source dcterms:identifier ?source_id }\n"
            "  OPTIONAL { ?node dg:quote ?quote }\n}")


def explain(engine: Engine, row: Row) -> list[Support]:
    """The facts of a row that carry provenance: their quoted sentences and sources (by
    identifier), in the order of the row, found by one query, so at an endpoint too."""
    nodes = list(dict.fromkeys(t for t in row if isinstance(t, ox.NamedNode)))
    if not nodes:
        return []
    answer = engine.query(_explain_query(nodes))
    assert isinstance(answer, ox.QuerySolutions)
    sources: dict[Term | None, dict[Term | None, str]] = {}
    quotes: dict[Term | None, dict[ox.Literal, None]] = {}
    for s in sorted(answer, key=lambda s: [str(s[v]) for v in ("source", "source_id", "quote")]):
        node, source, name, quote = s["node"], s["source"], s["source_id"], s["quote"]
        named = name.value if name is not None else source.value if source is not None else ""
        sources.setdefault(node, {}).setdefault(source, named)
        if isinstance(quote, ox.Literal):
            quotes.setdefault(node, {})[quote] = None
    return [Support(node, tuple(quotes.get(node, ())), tuple(sources[node].values()))
            for node in nodes if node in sources]
