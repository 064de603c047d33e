"""The project's source files as a compile reads them, each with its named graph and
digest, and the key of the store compiled from them (what every command computes
before it opens a store: kept apart from the compiler, which loads the reasoner)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from diplograph.atomic import write_atomically
from diplograph.project import Project
from diplograph.reasoning.engines import default_engine
from diplograph.store.folder import SHAPES_BASE, STORE_FORMAT, asserted_graph, shapes_graph, stamp

BUILD_PREFIX = ".build-"  # a store being compiled, beside the finished ones


@dataclass(frozen=True)
class Source:
    """One source file and the named graph it compiles into."""

    path: Path
    shown_as: str
    graph: ox.NamedNode
    digest: str
    size: int

    @property
    def reasoned(self) -> bool:
        """Ontology and data feed the reasoner and the union; shapes do neither."""
        return not self.graph.value.startswith(SHAPES_BASE)


def project_sources(project: Project, cache: Path) -> list[Source]:
    """Every source file of the project with its graph and digest. Digests are
    remembered by size, modification and change time and inode, so an unchanged file
    is not read again."""
    memo_path = cache / "digests.json"
    try:
        memo: dict[str, list[str]] = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    if not isinstance(memo, dict):  # damaged: every source is read again
        memo = {}
    sources, changed = [], False
    for path in project.source_files:
        stat = path.stat()
        entry = memo.get(str(path))
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != stamp(stat):
            entry = [stamp(stat), hashlib.sha256(path.read_bytes()).hexdigest()]
            memo[str(path)] = entry
            changed = True
        shown_as = project.relative(path)
        graph = shapes_graph(shown_as) if path in project.shapes_files else asserted_graph(shown_as)
        sources.append(Source(path, shown_as, graph, entry[1], stat.st_size))
    if changed:
        cache.mkdir(parents=True, exist_ok=True)
        write_atomically(memo_path, json.dumps(memo, indent=0, sort_keys=True).encode())
    return sources


def store_key(sources: list[Source]) -> str:
    """A digest of every source's graph and bytes (and of the store format and the
    reasoner asked for)."""
    digest = hashlib.sha256(f"{STORE_FORMAT}\n{default_engine().value}\n".encode())
    for source in sources:
        digest.update(f"{source.graph.value}\0{source.digest}\n".encode())
    return digest.hexdigest()[:32]
