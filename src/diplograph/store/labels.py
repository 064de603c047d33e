"""A full-text index of the labels a query sees, built beside the store when it compiles:
SQLite FTS5 with trigrams over each label in lower case, so that a text is found inside
a name without reading every label. It only narrows: a query whose shape it fits gets
the things the index finds as a VALUES block, and the query's own filter still decides
each row, so the answer is the scan's (see `sparql.running`)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
INDEX = "labels.sqlite"  # in the store's lines folder, whose files the integrity record covers
MAX_THINGS = 5000  # more things than this are matched faster by the scan than by a VALUES block
_TRIGRAM = 3  # a shorter text has no trigram to look up


def index_file(folder: Path) -> Path:
    """Where a compiled store keeps its label index."""
    return folder / "lines" / INDEX


def _rows(documents: Iterable[bytes]) -> list[tuple[str, str]]:
    """(thing, label in lower case) of every rdfs:label line of N-Triples documents, once."""
    marker = f" {LABEL} ".encode()
    lines = b"".join(line for document in documents for line in document.splitlines(True)
                     if marker in line)
    return sorted({(str(t.subject), t.object.value.lower())
                   for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
                   if isinstance(t.object, ox.Literal)})


def write_index(folder: Path, documents: Iterable[bytes]) -> None:
    """Index every rdfs:label line of the N-Triples `documents` (those the union graph
    is made of: asserted and inferred)."""
    target = index_file(folder)
    work = target.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    with closing(sqlite3.connect(work)) as db:
        db.execute("CREATE VIRTUAL TABLE label USING fts5(thing UNINDEXED, folded, "
                   "tokenize='trigram case_sensitive 1', detail=none)")
        db.executemany("INSERT INTO label VALUES (?, ?)", _rows(documents))
        db.commit()
    target.unlink(missing_ok=True)  # it may be a link to an earlier store's index
    os.replace(work, target)


def extend_index(folder: Path, documents: Iterable[bytes]) -> None:
    """Add the rdfs:label lines of `documents` to an index copied from an earlier store
    (a label indexed twice changes no answer: the index only narrows)."""
    target = index_file(folder)
    work = target.with_suffix(".tmp")
    shutil.copyfile(target, work)  # the earlier store keeps its own
    with closing(sqlite3.connect(work)) as db:
        db.executemany("INSERT INTO label VALUES (?, ?)", _rows(documents))
        db.commit()
    os.replace(work, target)


def things_labelled(folder: Path, text: str) -> list[ox.NamedNode] | None:
    """The things with a label containing `text` (ignoring case), or None where the index
    cannot answer: no index, a text shorter than a trigram, a blank node among them, or
    more than `MAX_THINGS`."""
    folded, file = text.lower(), index_file(folder)
    if len(folded) < _TRIGRAM or not file.is_file():
        return None
    pattern = "*" + "".join(f"[{c}]" if c in "*?[" else c for c in folded) + "*"
    with closing(sqlite3.connect(f"{file.as_uri()}?mode=ro&immutable=1", uri=True)) as db:
        rows = db.execute("SELECT DISTINCT thing FROM label WHERE folded GLOB ? LIMIT ?",
                          (pattern, MAX_THINGS + 1)).fetchall()
    if len(rows) > MAX_THINGS or any(not thing.startswith("<") for thing, in rows):
        return None
    return [ox.NamedNode(thing[1:-1]) for thing, in sorted(rows)]
