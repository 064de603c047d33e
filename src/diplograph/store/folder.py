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
#: or the N-Triples lines (parsing, blank node labels, derived time bounds) change.
STORE_FORMAT = f"diplograph {__version__} store 10, pyoxigraph {ox.__version__}"
COMPLETE = "COMPLETE"  # written last: the folder holds a whole store
LINES = "lines"  # each graph's sorted N-Triples lines and VoID profile, read by export
TRIVIAL = "trivial"  # what `trivial_file` holds, among an update's earlier lines
SOURCES = "sources.json"  # the digest of the source each asserted graph was parsed from
REASONING = "reasoning.json"  # the reasoner asked for and used, and the contradictions found
INTEGRITY = "integrity.json"  # each file's size (and each lines file's line count)
# the database's files that never change once it is built (its logs may)
_DATABASE_FILES = ("*.sst", "CURRENT", "MANIFEST-*", "OPTIONS-*")


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


def _recorded_files(folder: Path) -> list[Path]:
    database = [f for pattern in _DATABASE_FILES for f in folder.glob(pattern)]
    return sorted(database + list((folder / LINES).iterdir()))


def write_integrity(folder: Path) -> None:
    """Record the size of every file of a finished store, and the line count of each
    lines file, so that a damaged store is found before it is trusted."""
    files = _recorded_files(folder)
    record = {
        "sizes": {f.relative_to(folder).as_posix(): f.stat().st_size for f in files},
        "lines": {f.relative_to(folder).as_posix(): f.read_bytes().count(b"\n")
                  for f in files if f.suffix == ".nt"},
    }
    write_atomically(folder / INTEGRITY, json.dumps(record, indent=0).encode())


def integrity_problem(folder: Path) -> str | None:
    """What is wrong with a store's files against what its compile recorded (a file
    missing, added, or of another size), or None; a few stat calls."""
    try:
        record = json.loads((folder / INTEGRITY).read_text())
        sizes: dict[str, int] = record["sizes"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{INTEGRITY} is missing or unreadable"
    for name, size in sizes.items():
        try:
            found = (folder / name).stat().st_size
        except OSError:
            return f"{name} is missing"
        if found != size:
            return f"{name} has {found} bytes, not {size}"
    extra = {f.relative_to(folder).as_posix() for f in _recorded_files(folder)} - set(sizes)
    return f"{sorted(extra)[0]} was not part of it" if extra else None


def recorded_lines(folder: Path, file: Path) -> int | None:
    """How many lines a lines file had when the store was compiled."""
    try:
        count = json.loads((folder / INTEGRITY).read_text())["lines"][
            file.relative_to(folder).as_posix()]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(count)
