"""The compiled store: ontology, shapes and data parsed once into an on-disk Oxigraph
store with the OWL RL entailments in their own graph, rebuilt when a source changes."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from diplograph import __version__
from diplograph.project import Project
from diplograph.rdfio import read_triples
from diplograph.reasoning import entailments

STORE_ENV = "DIPLOGRAPH_STORE"
GRAPH_BASE = "https://w3id.org/diplograph/graph/"
INFERRED = ox.NamedNode(GRAPH_BASE + "inferred")
_FORMAT = "1"  # bump when the store's layout changes

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def asserted_graph(relative_path: str) -> ox.NamedNode:
    """The named graph holding one ontology or data file."""
    return ox.NamedNode(GRAPH_BASE + "asserted/" + relative_path)


def shapes_graph(relative_path: str) -> ox.NamedNode:
    """The named graph holding one SHACL shapes file (never queried by default)."""
    return ox.NamedNode(GRAPH_BASE + "shapes/" + relative_path)


def default_cache_dir() -> Path:
    """$DIPLOGRAPH_STORE, else the XDG cache folder."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "diplograph"


def source_key(project: Project) -> str:
    """A digest of every source file's name and bytes (and of the store format)."""
    digest = hashlib.sha256(f"diplograph {__version__} store {_FORMAT}\n".encode())
    for path in project.source_files:
        digest.update(project.relative(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


@dataclass
class KnowledgeGraph:
    """An opened compiled store and which of its graphs hold what."""

    store: ox.Store
    path: Path

    def graphs(self, *, inference: bool = True) -> list[ox.NamedNode]:
        """The named graphs a query sees: every asserted graph, and the inferred one."""
        names = sorted(
            (g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)),
            key=lambda g: g.value,
        )
        keep = [g for g in names if g.value.startswith(GRAPH_BASE + "asserted/")]
        return keep + ([INFERRED] if inference else [])

    def shapes(self) -> list[ox.Triple]:
        """The triples of every shapes graph."""
        prefix = GRAPH_BASE + "shapes/"
        return [
            q.triple
            for g in self.store.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
            for q in self.store.quads_for_pattern(None, None, None, g)
        ]

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
        *,
        inference: bool = True,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL over asserted (+ inferred) facts; values are bound, never pasted."""
        return self.store.query(
            sparql,
            default_graph=list(self.graphs(inference=inference)),
            substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()},
        )

    def triples(self, *, inference: bool = True) -> Iterator[ox.Triple]:
        """Every triple a query sees (a triple in two graphs comes twice)."""
        for graph in self.graphs(inference=inference):
            for quad in self.store.quads_for_pattern(None, None, None, graph):
                yield quad.triple


def open_graph(project: Project, cache_dir: Path | None = None) -> KnowledgeGraph:
    """Open the compiled store for the project's current sources, compiling it first
    if no store matches them."""
    cache = cache_dir or default_cache_dir()
    target = cache / source_key(project)
    if not (target / "COMPLETE").is_file():
        compile_store(project, target)
    return KnowledgeGraph(ox.Store.read_only(str(target)), target)


def compile_store(project: Project, target: Path) -> None:
    """Parse every source, add the entailments and publish the store at `target`
    atomically: a reader never sees a half-built store."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        store = ox.Store(str(work / "store"))
        reasoner_input: list[ox.Triple] = []
        for path in project.source_files:
            rel = project.relative(path)
            triples = read_triples(path, rel)
            is_shapes = path in project.shapes_files
            graph = shapes_graph(rel) if is_shapes else asserted_graph(rel)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            if not is_shapes:
                reasoner_input.extend(triples)
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, INFERRED)
            for t in entailments(reasoner_input)
        )
        store.flush()
        del store
        (work / "store" / "COMPLETE").write_text(source_key(project) + "\n")
        with suppress(OSError):  # another process published the same store first
            os.replace(work / "store", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
