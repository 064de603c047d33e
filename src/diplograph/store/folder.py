"""What a compiled store's folder holds beside the Oxigraph database: the names of its
graphs, each graph's triples as sorted N-Triples lines, and the sources it was built
from. The lines, their VoID profiles and the trivial entailments are kept compressed
(Zstandard: N-Triples shrinks 10-30x, and comes back at about 1 GB/s): the lines and
profiles in frames (see `frames`), the other kept files through `read_kept` and
`write_kept`."""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from contextlib import suppress
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from diplograph import __version__
from diplograph.atomic import write_atomically
from diplograph.errors import DiplographError

GRAPH_BASE = "https://w3id.org/diplograph/graph/"
ASSERTED_BASE = GRAPH_BASE + "asserted/"
ONTOLOGY_BASE = ASSERTED_BASE + "ontology/"
SHAPES_BASE = GRAPH_BASE + "shapes/"
INFERRED = ox.NamedNode(GRAPH_BASE + "inferred")
#: Stores of another format are neither opened nor updated: change it when the layout
#: or the N-Triples lines (parsing, blank node labels, derived time bounds) change.
STORE_FORMAT = f"diplograph {__version__} store 19, pyoxigraph {ox.__version__}"
COMPLETE = "COMPLETE"  # written last: the folder holds a whole store
LINES = "lines"  # each graph's sorted N-Triples lines and VoID profile, read by export
SOURCES = "sources.json"  # the digest of the source each asserted graph was parsed from
REASONING = "reasoning.json"  # the reasoner asked for and used, and the contradictions found
INTEGRITY = "integrity.json"  # each file's checksum and stamp
_KEPT = ".zst"  # the suffix of a file `write_kept` writes
COMPRESSION_LEVEL = 3  # as small as level 6 within 10%, five times faster to write
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
    return _graph_file(folder, graph, ".nt")


def ends_file(folder: Path, graph: ox.NamedNode) -> Path:
    """Where a store keeps the prefixes and base a Turtle or N-Triples source declared by
    its end (see `compiler.declarations`)."""
    return lines_file(folder, graph).with_suffix(".ends.json")


def trivial_file(folder: Path) -> Path:
    """Where a store keeps the trivial entailments, which no graph holds: an update that
    only adds facts extends the closure from them and the inferred graph (kept only
    when the native engine found them)."""
    return folder / LINES / ("trivial-entailments.nt" + _KEPT)


def written_file(folder: Path) -> Path:
    """Where a store keeps each source document's written day (`intervals.Written`), as
    JSON: an update that only adds facts reads the facts taken from a document only
    when that day may change."""
    return folder / LINES / ("written-days.json" + _KEPT)


def profile_file(folder: Path, graph: ox.NamedNode) -> Path:
    """Where a store keeps the VoID profile of a graph's lines (see `void`)."""
    return _graph_file(folder, graph, ".void")


def _graph_file(folder: Path, graph: ox.NamedNode, kind: str) -> Path:
    return folder / LINES / (hashlib.sha256(graph.value.encode()).hexdigest()[:32] + kind + _KEPT)


class DamagedFile(OSError):
    """A kept file whose bytes do not decompress to what was written."""


def compressed(data: bytes) -> bytes:
    """`data` compressed (on every core), with its checksum and size."""
    import zstandard  # here: a query never reads kept files, nor this import

    compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL, write_checksum=True, threads=-1)
    return compressor.compress(data)


def decompressed(data: bytes, name: str) -> bytes:
    """What `compressed` gave `data` of (DamagedFile, naming `name`, if it changed since)."""
    import zstandard

    try:
        return zstandard.ZstdDecompressor().decompress(data)
    except zstandard.ZstdError as exc:
        raise DamagedFile(f"{name} does not decompress ({exc})") from exc


def write_kept(file: Path, data: bytes) -> None:
    """Keep `data` (a graph's lines, a profile, the trivial entailments) in `file`,
    compressed, with the checksum and size of what it holds."""
    file.write_bytes(compressed(data))


def read_kept(file: Path) -> bytes:
    """What `write_kept` kept in `file` (DamagedFile if its bytes changed since)."""
    return decompressed(file.read_bytes(), file.name)


def sorted_lines(ntriples: bytes) -> bytes:
    """An N-Triples document as Oxigraph writes it, each line once, in byte order."""
    return joined_sorted(ntriples.splitlines(True))


def joined_sorted(lines: list[bytes]) -> bytes:
    """N-Triples lines (sorted in place) as one document, each line once, in byte order.
    Sorted before the repeats go: a parser's lines come in runs that the sort takes
    whole, which a set would scatter (half the time at 1M)."""
    lines.sort()
    return b"".join(line for line, _ in groupby(lines))


def read_sources(folder: Path) -> dict[str, tuple[str, int]]:
    """Graph name -> (digest, size) of the source it was parsed from, for a complete
    store of this format ({} otherwise)."""
    try:
        manifest = json.loads((folder / SOURCES).read_text())
        ok = (folder / COMPLETE).is_file() and manifest.get("format") == STORE_FORMAT
        return {name: (digest, size) for name, (digest, size) in manifest["graphs"].items()} \
            if ok else {}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):  # absent or damaged
        return {}


def write_sources(folder: Path, graphs: dict[str, tuple[str, int]]) -> None:
    """Record the digest and size of the source each asserted or shapes graph was
    parsed from."""
    manifest = {"format": STORE_FORMAT, "graphs": dict(sorted(graphs.items()))}
    write_atomically(folder / SOURCES, json.dumps(manifest, indent=1).encode())


def _recorded_files(folder: Path) -> list[Path]:
    database = [f for pattern in _DATABASE_FILES for f in folder.glob(pattern)]
    return sorted(database + list((folder / LINES).iterdir()))


def stamp(found: os.stat_result) -> str:
    """What changes whenever a file is written, replaced or copied: its size, times of
    modification and change, and inode. Any write sets the change time, which `cp -p`,
    `rsync -t` or `touch -d` cannot set back as they can the modification time."""
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}"


def checksum(file: Path) -> str:
    """The CRC-32 of a file's bytes (1.3 GB/s: a damaged page, not an attacker, is what
    it finds)."""
    crc = 0
    with file.open("rb") as data:
        while chunk := data.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def write_integrity(folder: Path, copied_from: Path | None = None) -> None:
    """Record the size, checksum and stamp of every file of a finished store, so that a
    damaged store is found before it is trusted (a kept file damaged later, while open,
    no longer decompresses: see `read_kept`). A file hard-linked from the store it was
    `copied_from` (whose files were checked against its record when it was chosen)
    keeps that record's checksum: only the files an update wrote are read."""
    known = _linked_records(copied_from) if copied_from is not None else {}
    files: dict[str, list[str]] = {}
    for file in _recorded_files(folder):
        stamped = stamp(file.stat())
        files[file.relative_to(folder).as_posix()] = [
            known.get(_same_file(stamped)) or checksum(file), stamped]
    write_atomically(folder / INTEGRITY, json.dumps({"files": files}, indent=0).encode())
    if copied_from is not None:
        _restamp_linked(copied_from)


def _restamp_linked(folder: Path) -> None:
    """Record the change time that linking gave a store's files (an update copying it
    links them): otherwise the next command opening it reads them all again to check
    them (0.6 s at 1M). Only a file of the recorded inode, size and modification time
    is restamped, the trust `write_integrity` already gives its link."""
    try:
        record = json.loads((folder / INTEGRITY).read_text())
        files: dict[str, list[str]] = record["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    restamped = False
    for name, (crc, stamped) in files.items():
        with suppress(OSError):
            found = stamp((folder / name).stat())
            if found != stamped and _same_file(found) == _same_file(stamped):
                files[name], restamped = [crc, found], True
    if restamped:
        with suppress(OSError, DiplographError):  # a read-only cache: checked again next time
            write_atomically(folder / INTEGRITY, json.dumps(record, indent=0).encode())


def _same_file(stamped: str) -> str:
    """A stamp less its change time, which linking a file sets: the same inode, size and
    modification time."""
    size, modified, _, inode = stamped.split(":")
    return f"{size}:{modified}:{inode}"


def _linked_records(folder: Path) -> dict[str, str]:
    """The checksum a store's record gives each of its files, by `_same_file` stamp ({}
    if the record is unreadable)."""
    try:
        record = json.loads((folder / INTEGRITY).read_text())
        return {_same_file(stamped): crc for crc, stamped in record["files"].values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def integrity_problem(folder: Path) -> str | None:
    """What is wrong with a store's files against what its compile recorded (a file
    missing, added, of another size, or whose bytes changed), or None. A file whose stamp
    is the recorded one is trusted on a stat call; any other is read and its checksum
    compared (then its new stamp recorded, when the folder is writable: a copied or
    hard-linked store is read once)."""
    try:
        record = json.loads((folder / INTEGRITY).read_text())
        files: dict[str, list[str]] = record["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{INTEGRITY} is missing or unreadable"
    restamped = False
    for name, (crc, stamped) in files.items():
        try:
            found = (folder / name).stat()
        except OSError:
            return f"{name} is missing"
        if stamp(found) == stamped:
            continue
        if found.st_size != int(stamped.split(":")[0]):
            return f"{name} has {found.st_size} bytes, not {stamped.split(':')[0]}"
        if checksum(folder / name) != crc:
            return f"{name} holds other bytes than were compiled (its checksum differs)"
        files[name], restamped = [crc, stamp(found)], True
    extra = {f.relative_to(folder).as_posix() for f in _recorded_files(folder)} - set(files)
    if extra:
        return f"{sorted(extra)[0]} was not part of it"
    if restamped:
        with suppress(OSError, DiplographError):  # a read-only cache: checked again next time
            write_atomically(folder / INTEGRITY, json.dumps(record, indent=0).encode())
    return None

