"""What a compiled store's folder holds beside the Oxigraph database: the names of its
graphs, each graph's triples as sorted N-Triples lines, and the sources it was built
from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox

from diplograph import __version__
from diplograph.atomic import write_atomically

GRAPH_BASE = "https://w3id.org/diplograph/graph/"
ASSERTED_BASE = GRAPH_BASE + "asserted/"
ONTOLOGY_BASE = ASSERTED_BASE + "ontology/"
SHAPES_BASE = GRAPH_BASE + "shapes/"
INFERRED = ox.NamedNode(GRAPH_BASE + "inferred")
#: Stores of another format are neither opened nor updated: change it when the layout
#: or the N-Triples lines (parsing, blank node labels) change.
STORE_FORMAT = f"diplograph {__version__} store 7, pyoxigraph {ox.__version__}"
COMPLETE = "COMPLETE"  # written last: the folder holds a whole store
LINES = "lines"  # each graph's sorted N-Triples lines and VoID profile, read by export
TRIVIAL = "trivial"  # what `trivial_file` holds, among an update's earlier lines
SOURCES = "sources.json"  # the digest of the source each asserted graph was parsed from


def asserted_graph(relative_path: str) -> ox.NamedNode:
    """The named graph holding one ontology or data file."""
    return ox.NamedNode(ASSERTED_BASE + relative_path)


def shapes_graph(relative_path: str) -> ox.NamedNode:
    """The named graph holding one SHACL shapes file (never queried by default)."""
    return ox.NamedNode(SHAPES_BASE + relative_path)


def lines_file(folder: Path, graph: ox.NamedNode) -> Path:
    """Where a store keeps a graph's sorted N-Triples lines: reading them back is far
    faster than dumping the on-disk store (9 s for 1M triples)."""
    return folder / LINES / (hashlib.sha256(graph.value.encode()).hexdigest()[:32] + ".nt")


def trivial_file(folder: Path) -> Path:
    """Where a store keeps the trivial entailments, which no graph holds: an update that
    only adds facts extends the closure from them and the inferred graph (kept only
    when the native engine found them)."""
    return folder / LINES / "trivial-entailments.nt"


def profile_file(folder: Path, graph: ox.NamedNode) -> Path:
    """Where a store keeps the VoID profile of a graph's lines (see `profile`)."""
    return lines_file(folder, graph).with_suffix(".void.json")


def sorted_lines(ntriples: bytes) -> bytes:
    """An N-Triples document as Oxigraph writes it, each line once, in byte order."""
    return b"".join(sorted(set(ntriples.splitlines(True))))


def read_sources(folder: Path) -> dict[str, tuple[str, int]]:
    """Graph name -> (digest, size) of the source it was parsed from, for a complete
    store of this format ({} otherwise)."""
    try:
        manifest = json.loads((folder / SOURCES).read_text())
    except (OSError, ValueError):
        return {}
    ok = (folder / COMPLETE).is_file() and manifest.get("format") == STORE_FORMAT
    return {name: (digest, size) for name, (digest, size) in manifest["graphs"].items()} \
        if ok else {}


def write_sources(folder: Path, graphs: dict[str, tuple[str, int]]) -> None:
    """Record the digest and size of the source each asserted or shapes graph was
    parsed from."""
    manifest = {"format": STORE_FORMAT, "graphs": dict(sorted(graphs.items()))}
    write_atomically(folder / SOURCES, json.dumps(manifest, indent=1).encode())
