"""The front door: `Graph.open(project, store)` and what a user does with a graph,
named queries, ad-hoc SPARQL, validation, additions and dumps, in one object.

The command line and the server call only this API:

    >>> from diplograph import Graph
    >>> graph = Graph.open()                      # the bundled graph, compiled once
    >>> result = graph.query("timeline", a="AZ", b="UZ")
    >>> [row[0].value for row in result.rows][:2]
    ['1930', '1995-10-02']

`graph.at(Endpoint(url))` runs the same queries at a SPARQL endpoint, and
`graph.push(endpoint)` loads the graph into a triple store first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from diplograph.dumps.scope import Scope
from diplograph.project import Project
from diplograph.sparql.catalog import Catalog, NamedQuery
from diplograph.sparql.limits import Limits
from diplograph.sparql.parameters import CountryName, Resolver
from diplograph.sparql.running import (
    Engine,
    ExampleRun,
    Result,
    Row,
    Support,
    Values,
    explain,
    run_examples,
    run_named,
    run_sparql,
)
from diplograph.store.cache import (
    KnowledgeGraph,
    clear,
    default_cache_dir,
    disk_use,
    open_graph,
    rebuild,
)
from diplograph.store.folder import COMPLETE, GRAPH_BASE, INFERRED
from diplograph.validation.severity import Severity

# what a query does not need is imported where it is used, so that a query starts fast
if TYPE_CHECKING:
    from diplograph.dumps.export import Written
    from diplograph.reasoning.consistency import Consistency
    from diplograph.sparql.endpoints import Endpoint, Pushed
    from diplograph.store.compiler import Progress
    from diplograph.validation.additions import Addition
    from diplograph.validation.project_check import CheckReport
    from diplograph.validation.shacl import ValidationReport


@dataclass(frozen=True)
class StoreInfo:
    """Where a graph's compiled store is and what it holds."""

    path: Path
    #: bytes the store takes on disk
    size: int
    #: compiled stores in the cache folder, and the bytes they take together
    stores: int
    cache_size: int
    #: triples per named graph
    counts: dict[ox.NamedNode, int]
    consistency: Consistency


@dataclass
class Graph:
    """A project's knowledge graph: its sources, its stored queries and its compiled
    store (opened, and compiled if the sources changed, on first use). With an
    `endpoint`, queries run there instead (see `at`)."""

    project: Project
    store_dir: Path | None = None
    progress: Progress | None = field(default=None, repr=False)
    #: every query's time limit and memory ceiling (None: unbounded, in this thread)
    limits: Limits | None = field(default_factory=Limits)
    #: run queries in a child process killed at a limit, so that this process stays
    #: usable (a server); otherwise a query stopped at a limit runs on in its thread
    isolated: bool = False
    endpoint: Endpoint | None = None
    _compiled: KnowledgeGraph | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)

    @classmethod
    def open(cls, project: Path | str | None = None, store: Path | str | None = None, *,
             progress: Progress | None = None) -> Graph:
        """The graph of the project folder (default: $DIPLOGRAPH_PROJECT, the working
        directory if it is a project, else the bundled graph), with its compiled stores
        cached in `store` (default: $DIPLOGRAPH_STORE or the XDG cache)."""
        return cls(Project.locate(Path(project) if project is not None else None),
                   Path(store) if store is not None else None, progress)

    @property
    def compiled(self) -> KnowledgeGraph:
        """The compiled store of the current sources."""
        if self._compiled is None:
            self._compiled = open_graph(self.project, self.store_dir, progress=self.progress)
        return self._compiled

    @property
    def is_open(self) -> bool:
        """Whether the compiled store has been opened (`compile`, or a first query)."""
        return self._compiled is not None

    def compile(self, progress: Progress | None = None) -> Path:
        """Open the compiled store now, compiling it first if the sources changed
        (`progress` hears how far the compile is); its folder."""
        if self._compiled is None:
            self._compiled = open_graph(self.project, self.store_dir,
                                        progress=progress or self.progress)
        return self._compiled.path

    def rebuild(self, progress: Progress | None = None) -> Path:
        """Compile the store again from the sources, even if they did not change; its
        folder."""
        self._compiled = rebuild(self.project, self.store_dir, progress=progress)
        return self._compiled.path

    def clear_cache(self) -> list[Path]:
        """Remove every compiled store from the cache folder; the folders removed."""
        self._compiled = None
        return clear(self.store_dir or default_cache_dir())

    def store_info(self) -> StoreInfo:
        """Where the compiled store is, its size and that of the cache, its triples."""
        path = self.compile()
        stores = [p for p in path.parent.iterdir() if (p / COMPLETE).is_file()]
        return StoreInfo(path, disk_use([path]), len(stores), disk_use(stores),
                         self.compiled.counts(), self.consistency)

    def inferred(self) -> Counter[str]:
        """How many triples the OWL RL closure adds, by property IRI."""
        store = self.compiled.store
        return Counter(q.predicate.value
                       for q in store.quads_for_pattern(None, None, None, INFERRED))

    def limited(self, limits: Limits | None) -> Graph:
        """The graph with its queries run under other limits (None: unbounded)."""
        return replace(self, limits=limits)

    @property
    def engine(self) -> Engine:
        """What runs the queries: the endpoint if there is one, else the compiled store."""
        return self.endpoint if self.endpoint is not None else self.compiled

    def at(self, endpoint: Endpoint) -> Graph:
        """The graph with its queries run at a SPARQL endpoint, which should hold it (see
        `push`): the query text is the same, and parameter values (country names ...)
        are still resolved against the local graph."""
        return replace(self, endpoint=endpoint)

    @property
    def catalog(self) -> Catalog:
        """The stored queries, by name."""
        if self._catalog is None:
            self._catalog = Catalog.load(self.project.queries_dir,
                                         self.store_dir or default_cache_dir())
        return self._catalog

    @property
    def consistency(self) -> Consistency:
        """Whether the OWL RL closure of the ontology and data is consistent: every
        contradiction with its rule and source lines, and the reasoner that found them."""
        from diplograph.reasoning.consistency import read

        return read(self.compiled.path)

    def named(self, name: str) -> NamedQuery:
        """A stored query by name (an unknown name is an error with the closest names)."""
        return self.catalog.get(name)

    def query(self, name: str, /, *, inference: bool = True,
              **params: str | Sequence[str] | None) -> Result:
        """Run a stored query, its parameters given as text (`a="AZ"`) and bound as
        typed terms, as on the command line; several values of a repeatable one as a list."""
        return self.run(self.named(name), params, inference=inference)

    def run(self, named: NamedQuery, values: Values, *, inference: bool = True,
            max_rows: int | None = None) -> Result:
        """Run a stored query with the parameter values given by name (more than
        `max_rows` rows is a LimitError)."""
        return run_named(self.compiled, named, values, inference=inference, limits=self.limits,
                         isolated=self.isolated, max_rows=max_rows, engine=self.endpoint)

    def sparql_of(self, named: NamedQuery, result: Result) -> str:
        """The query text exactly as it ran for `result`, its values written in."""
        return named.bind(result.bound)

    def sparql(self, text: str, *, inference: bool = True, max_rows: int | None = None) -> Result:
        """Run a read-only SELECT, ASK, CONSTRUCT or DESCRIBE on the graph (more than
        `max_rows` rows or triples is a LimitError)."""
        return run_sparql(self.engine, text, inference=inference, limits=self.limits,
                          isolated=self.isolated, max_rows=max_rows)

    def country_names(self, text: str, limit: int = 20) -> list[CountryName]:
        """States whose code, or a name in any language, begins with `text` (completion)."""
        return Resolver(self.compiled).country_names(text, limit)

    def country_codes(self) -> list[str]:
        """The ISO codes of every state of the graph (completion)."""
        return Resolver(self.compiled).country_codes()

    def lint(self) -> list[str]:
        """Problems of the stored queries against the graph: IRIs of the project's
        namespaces that are nowhere in it, unknown properties, misplaced parameters."""
        from diplograph.sparql.lint import lint_query
        from diplograph.sparql.vocabulary import Vocabulary

        vocabulary = Vocabulary.of(self.compiled)
        return [p for q in self.catalog.queries.values() for p in lint_query(q, vocabulary)]

    def explain(self, row: Row) -> list[Support]:
        """The facts of a result row that carry provenance, with their sentences."""
        return explain(self.engine, row)

    def examples(self) -> list[ExampleRun]:
        """Every documented example of the stored queries run, with its row count."""
        return run_examples(self.compiled, self.catalog, self.limits, self.endpoint)

    def validate(self, paths: Sequence[Path | str], *,
                 open_namespaces: Sequence[str] = ()) -> ValidationReport:
        """Check new facts against the shapes in the context of the graph; nothing changes.
        Terms of `open_namespaces` pass the closed vocabulary."""
        from diplograph.validation.shacl import NewFacts, validate_facts

        return validate_facts(self.compiled, self.project,
                              NewFacts.read([Path(p) for p in paths]), open_namespaces)

    def check(self) -> CheckReport:
        """Check the whole project (ontology, shapes, data, sources, stored queries) as
        `diplograph check` does."""
        from diplograph.validation.project_check import check_project

        return check_project(self.project, self.compiled, self.catalog)

    def add(self, paths: Sequence[Path | str], *, to: Path | str | None = None,
            dry_run: bool = False, fail_on: Severity = Severity.VIOLATION,
            open_namespaces: Sequence[str] = ()) -> Addition:
        """Validate new facts and, if they conform, append them to a data file."""
        from diplograph.validation.additions import add_files

        addition = add_files(self.project, [Path(p) for p in paths],
                             to=Path(to) if to is not None else None,
                             store_dir=self.store_dir, dry_run=dry_run, fail_on=fail_on,
                             open_namespaces=open_namespaces)
        if addition.added and not dry_run:
            self._compiled = None  # the sources changed: the next use opens their store
        return addition

    def graphs(self, scope: Scope = Scope.ASSERTED, *, ontology: bool = False,
               shapes: bool = False) -> list[ox.NamedNode]:
        """The named graphs a dump of `scope` holds."""
        from diplograph.dumps.export import select_graphs

        return select_graphs(self.compiled, scope, ontology=ontology, shapes=shapes)

    def export(self, sink: BinaryIO, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE, *,
               scope: Scope = Scope.ASSERTED, ontology: bool = False, shapes: bool = False,
               compressed: bool = False) -> Written:
        """Write an RDF dump of the graph with its VoID description to `sink` (gzipped if
        `compressed`), a frame of each graph at a time: what it wrote."""
        from diplograph.dumps.export import write

        return write(self.compiled, fmt, self.graphs(scope, ontology=ontology, shapes=shapes),
                     sink, compressed=compressed)

    def manifest(self, written: Written) -> dict[str, Any]:
        """The JSON manifest of a dump: triples per graph, sha256s of the bytes written
        and of each source file, the date."""
        from diplograph.dumps.export import manifest

        return manifest(written, self.project)

    def push(self, endpoint: Endpoint, scope: Scope = Scope.ALL, *, ontology: bool = True,
             shapes: bool = False, prune: bool = False) -> Pushed:
        """Load the graph into a triple store: each named graph of a dump (by default what
        queries see: data, ontology and entailments), with its VoID description, replaces
        the store's graph of that name (Graph Store Protocol PUT); with `prune`, the
        store's other graphs of the project's namespace go; then the triples of each are
        counted there."""
        from diplograph.dumps.export import graph_texts
        from diplograph.sparql.endpoints import push

        texts = graph_texts(self.compiled, self.graphs(scope, ontology=ontology, shapes=shapes))
        return push(endpoint, [(g.value, text) for g, text in texts],
                    prune=GRAPH_BASE if prune else None)
