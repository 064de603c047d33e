"""An index of the labels a query sees, built beside the store when it compiles (SQLite):
a full-text table, FTS5 with trigrams over each label in lower case, so that the labels
containing a text are found without reading every label (`sparql.textsearch` answers a
name search from them); each thing's labels by language, so that a thing's name in
one language is one lookup, not a read of its names in every language (a state has
145; `sparql.labelling`); and its other names (skos:prefLabel, skos:altLabel,
dcterms:title) by their lower case, so that a typed name is looked up in both, not
read from every name (`sparql.parameters`)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterable
from contextlib import closing, suppress
from functools import lru_cache
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from diplograph.namespaces import NAME_PROPERTIES
from diplograph.rdf.ntriples import lines_with, predicates_pattern
from diplograph.store.folder import lines_file
from diplograph.store.frames import graphs_runs

NAMES = tuple(ox.NamedNode(iri) for iri in NAME_PROPERTIES)
LABEL = NAMES[0]  # rdfs:label
_MARKERS = tuple(f" {name} ".encode() for name in NAMES)  # a name's line holds one
_NAME_LINES = predicates_pattern(str(name) for name in NAMES)
INDEX = "labels.sqlite"  # in the store's lines folder, whose files the integrity record covers
ADDED = "labels-added.sqlite"  # the labels updates added since INDEX was written
MAX_LABELS = 50000  # more labels than this containing a text: the engine scans them all
_TRIGRAM = 3  # a shorter text has no trigram to look up
_FOLD = 8  # the added labels join the index when their file is over 1/_FOLD of its size
APART_FROM = 1 << 20  # compressed bytes of lines (a tenth of 1M triples) indexed apart


def index_file(folder: Path) -> Path:
    """Where a compiled store keeps its label index."""
    return folder / "lines" / INDEX


def added_file(folder: Path) -> Path:
    """Where a store keeps the labels updates added to its label index, apart: each update
    copies them, not the whole index (418 MB at 10M), which it shares with the store it
    was copied from."""
    return folder / "lines" / ADDED


def _indexes(folder: Path) -> list[Path] | None:
    """A store's label index and, if it has some, its added labels; None if the store
    has no index."""
    index, added = index_file(folder), added_file(folder)
    if not index.is_file():
        return None
    return [index, added] if added.is_file() else [index]


def holds_names(lines: bytes) -> bool:
    """Whether N-Triples lines may hold a name the index keeps."""
    return any(marker in lines for marker in _MARKERS)


def _names(lines: bytes) -> set[tuple[str, str, ox.Literal]]:
    """(thing, name property, name) of every line of N-Triples `lines` giving a thing a
    literal name (`NAMES`)."""
    named = b"\n".join(lines_with(lines, _NAME_LINES))
    return {(str(t.subject), str(t.predicate), t.object)
            for t in ox.parse(named, format=ox.RdfFormat.N_TRIPLES)
            if isinstance(t.object, ox.Literal)}


def _fill(db: sqlite3.Connection, documents: Iterable[bytes]) -> None:
    """Add the name lines of `documents` to the tables, a document at a time (a name
    indexed twice changes no answer: every table's rows are a set once read)."""
    label = str(LABEL)
    for document in documents:
        names = _names(document)
        labels = [(thing, name) for thing, predicate, name in names if predicate == label]
        db.executemany("INSERT INTO label VALUES (?, ?, ?)",
                       sorted((thing, str(name), name.value.lower()) for thing, name in labels))
        db.executemany("INSERT OR IGNORE INTO name VALUES (?, ?, ?)",
                       sorted((thing, name.language, name.value) for thing, name in labels
                              if name.language))
        db.executemany("INSERT OR IGNORE INTO named VALUES (?, ?, ?, ?)",
                       sorted((name.value.lower(), thing, predicate, str(name))
                              for thing, predicate, name in names if predicate != label))
    db.commit()


def _create(db: sqlite3.Connection) -> None:
    """The index's three tables, empty."""
    db.execute("CREATE VIRTUAL TABLE label USING fts5(thing UNINDEXED, literal UNINDEXED, "
               "folded, tokenize='trigram case_sensitive 1', detail=none)")
    db.execute("CREATE TABLE name (thing TEXT, lang TEXT, label TEXT, "
               "PRIMARY KEY (thing, lang, label)) WITHOUT ROWID")
    db.execute("CREATE TABLE named (folded TEXT, thing TEXT, property TEXT, literal TEXT, "
               "PRIMARY KEY (folded, thing, property, literal)) WITHOUT ROWID")


def write_index(folder: Path, documents: Iterable[bytes]) -> None:
    """Index every name line of the N-Triples `documents` (those the union graph is made
    of: asserted and inferred)."""
    target = index_file(folder)
    work = target.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    with closing(sqlite3.connect(work)) as db:
        _create(db)
        _fill(db, documents)
    target.unlink(missing_ok=True)  # it may be a link to an earlier store's index
    added_file(folder).unlink(missing_ok=True)
    os.replace(work, target)


class IndexBuild:
    """A fresh store's label index. For large graphs their names are indexed in a process
    of its own while the build goes on (its Python then holds no GIL the build needs);
    what that process leaves undone (it could not start, or failed) this one does,
    reporting its errors. The process is stopped if the build fails."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.graphs: list[ox.NamedNode] = []
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IndexBuild:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def start(self, graphs: list[ox.NamedNode]) -> None:
        """Start indexing the names of the lines the store keeps of `graphs`, apart if
        they are large."""
        from diplograph.processes import start_module

        self.graphs = graphs
        if sum(lines_file(self.folder, g).stat().st_size for g in graphs) >= APART_FROM:
            with suppress(OSError):
                self.process = start_module(__name__, str(self.folder), *(g.value for g in graphs),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self, documents: Iterable[bytes]) -> None:
        """Index the names of the graphs' lines and of the N-Triples `documents`."""
        if self.process is not None and self.process.wait() == 0:
            with closing(sqlite3.connect(index_file(self.folder))) as db:
                _fill(db, documents)
        else:
            write_index(self.folder, chain(graphs_runs(self.folder, self.graphs), documents))


def extend_index(folder: Path, documents: Iterable[bytes]) -> None:
    """Add the name lines of `documents` to the names added to an index shared with an
    earlier store; once they outgrow a share of the index, to a copy of the
    index with them. Either file is copied before it is written: the earlier store keeps
    its own."""
    import shutil  # a query, which reads the index, never loads it

    index, added = index_file(folder), added_file(folder)
    fold = added.is_file() and added.stat().st_size * _FOLD > index.stat().st_size
    target = index if fold else added
    work = target.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    copied = target.is_file()
    if copied:
        shutil.copyfile(target, work)
    with closing(sqlite3.connect(work.absolute().as_uri(), uri=True)) as db:
        if not copied:
            _create(db)
        if fold:  # the added labels shared with the earlier store, read only
            db.execute("ATTACH DATABASE ? AS added", (f"{added.absolute().as_uri()}?mode=ro",))
            db.execute("INSERT INTO main.label SELECT c0, c1, c2 FROM added.label_content")
            db.execute("INSERT OR IGNORE INTO main.name SELECT * FROM added.name")
            db.execute("INSERT OR IGNORE INTO main.named SELECT * FROM added.named")
            db.commit()
            db.execute("DETACH DATABASE added")
        _fill(db, documents)
    os.replace(work, target)
    if fold:
        added.unlink()


def labels_containing(folder: Path, text: str) -> bytes | None:
    """The rdfs:label triples (N-Triples) whose label contains `text` ignoring case (in
    lower case, as Python and SPARQL's LCASE write it), each once; None where the index
    cannot answer: no index, a text shorter than a trigram, a blank node among the
    things, or more than `MAX_LABELS` labels."""
    folded, files = text.lower(), _indexes(folder)
    if len(folded) < _TRIGRAM or files is None:
        return None
    pattern = "*" + "".join(f"[{c}]" if c in "*?[" else c for c in folded) + "*"
    rows: dict[tuple[str, str], None] = {}
    try:
        for file in files:
            # the labels holding a few trigrams that cover the text, then those holding the
            # text, read from the table's content itself: 1.5x faster than the same GLOB on
            # the full-text table, which looks up every trigram and reads each row through it
            rows.update(dict.fromkeys(_reader(file).execute(
                "SELECT DISTINCT c0, c1 FROM label_content WHERE id IN "
                "(SELECT rowid FROM label WHERE label MATCH ?) AND c2 GLOB ? LIMIT ?",
                (_covering(folded), pattern, MAX_LABELS + 1)).fetchall()))
    except sqlite3.Error:  # an index from before it held the labels themselves
        return None
    if len(rows) > MAX_LABELS or any(not thing.startswith("<") for thing, _ in rows):
        return None
    return "".join(f"{thing} {LABEL} {literal} .\n" for thing, literal in rows).encode()


def names_equal(folder: Path, text: str) -> ox.Store | None:
    """The triples of the names other than labels (`NAMES`) whose name is `text` in
    lower case (as Python and SPARQL's LCASE write it), in a store in memory for a query
    to decide each (the index only narrows); None if the store has no index."""
    files = _indexes(folder)
    if files is None:
        return None
    try:
        rows = {row for file in files for row in _reader(file).execute(
            "SELECT thing, property, literal FROM named WHERE folded = ?", (text.lower(),))}
    except sqlite3.Error:
        return None
    found = ox.Store()
    found.load("".join(f"{thing} {name} {literal} .\n" for thing, name, literal in rows
                       ).encode(), format=ox.RdfFormat.N_TRIPLES)
    return found


def labels_found(folder: Path, text: str) -> ox.Store | None:
    """The rdfs:label triples `labels_containing` gives, in a store in memory for a
    query to decide each (its own filter: the index only narrows); None where the index
    cannot tell."""
    lines = labels_containing(folder, text)
    if lines is None:
        return None
    found = ox.Store()
    found.load(lines, format=ox.RdfFormat.N_TRIPLES)  # in memory: faster than bulk_load
    return found


def _covering(folded: str) -> str:
    """A full-text query for the labels holding trigrams that together cover `folded`
    (every third one and the last), each quoted as a string: every label containing
    `folded` matches it."""
    starts = dict.fromkeys([*range(0, len(folded) - _TRIGRAM + 1, _TRIGRAM),
                            len(folded) - _TRIGRAM])
    trigrams = dict.fromkeys(folded[at:at + _TRIGRAM] for at in starts)
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


_readers = threading.local()  # a connection per thread and process: SQLite's own rule


def _reader(file: Path) -> sqlite3.Connection:
    """This thread's read-only connection to a label index (a published store's index
    never changes)."""
    opened: dict[tuple[int, Path], sqlite3.Connection] = _readers.__dict__.setdefault("db", {})
    key = (os.getpid(), file)
    if key not in opened:
        opened[key] = sqlite3.connect(f"{file.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    return opened[key]


def holds_language(folder: Path, language: str) -> bool | None:
    """Whether any label of the store in `folder` is tagged `language` (lower case, as
    the store holds tags); None if the store has no index of names."""
    files = _indexes(folder)
    if files is None:
        return None
    try:
        return any(_reader(file).execute("SELECT 1 FROM name WHERE lang = ? LIMIT 1",
                                         (language,)).fetchone() is not None for file in files)
    except sqlite3.Error:
        return None


@lru_cache(maxsize=65536)
def names_in(folder: Path, thing: str, language: str) -> tuple[str, ...] | None:
    """The labels of `thing` (as N-Triples writes it: `<iri>`) tagged `language` exactly
    (as the store holds tags: lower case), sorted; None if the store has no index of
    names (one compiled before it had)."""
    files = _indexes(folder)
    if files is None:
        return None
    try:
        labels = {label for file in files for label, in _reader(file).execute(
            "SELECT label FROM name WHERE thing = ? AND lang = ?", (thing, language))}
    except sqlite3.Error:
        return None
    return tuple(sorted(labels))


if __name__ == "__main__":  # an `IndexBuild`'s process: FOLDER GRAPH...
    os.nice(10)  # the build's own work, which it waits for, comes first
    write_index(Path(sys.argv[1]), graphs_runs(Path(sys.argv[1]),
                                               [ox.NamedNode(g) for g in sys.argv[2:]]))
