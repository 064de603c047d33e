"""RDF dumps of the graph: every common format, deterministic, with a VoID description
and an optional JSON manifest. A dump is written as its lines are read (`lines`): at
ten million triples it holds about a frame of each graph, not the graphs."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

import pyoxigraph as ox

from diplograph.dumps import workers, writers
from diplograph.dumps.lines import (
    Runs,
    first_not_below,
    graph_runs,
    last_line,
    merged,
    read_runs,
    relabelled,
    spill_file,
    spilled,
)
from diplograph.dumps.output import Output
from diplograph.dumps.scope import Scope
from diplograph.errors import DiplographError
from diplograph.project import Project
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.folder import ASSERTED_BASE, GRAPH_BASE, INFERRED, ONTOLOGY_BASE, SHAPES_BASE
from diplograph.store.void import Profile

QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}
_TEXT_FORMATS = {ox.RdfFormat.TURTLE: "ttl", ox.RdfFormat.TRIG: "ttl",
                 ox.RdfFormat.JSON_LD: "jsonld", ox.RdfFormat.RDF_XML: "xml"}
DATASET = ox.NamedNode("https://w3id.org/diplograph/dataset")
VOID_GRAPH = ox.NamedNode(GRAPH_BASE + "void")
_VOID_FROM = f"<{DATASET.value}".encode()  # the VoID description's lines all start so
_VOID = "http://rdfs.org/ns/void#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_BATCH = 1 << 25  # bytes of lines written into a text format at a time (cut between subjects)


class ExportError(DiplographError):
    """A dump that cannot be written in the asked format."""


Section = tuple[ox.NamedNode | None, Runs]  # a graph (None: the default) and its lines


@dataclass(frozen=True)
class Written:
    """What a dump wrote: its format, triples per named graph (the VoID description's
    too), triples (or quads) in all, and the sha256 and length of the bytes written
    (gzipped, if they were)."""

    format: ox.RdfFormat
    counts: dict[str, int]
    triples: int
    sha256: str
    size: int


@dataclass
class _Tally:
    """What a dump holds, counted as its sections are read."""

    counts: dict[str, int]
    triples: int = 0


def select_graphs(graph: KnowledgeGraph, scope: Scope, *, ontology: bool = False,
                  shapes: bool = False) -> list[ox.NamedNode]:
    """The named graphs a dump holds, in order: data files (unless --inferred), then the
    ontology and shapes files if asked for, then the inferred graph (--inferred, --all)."""
    names = sorted((g for g in graph.store.named_graphs() if isinstance(g, ox.NamedNode)),
                   key=lambda g: g.value)
    asserted = [g for g in names if g.value.startswith(ASSERTED_BASE)]
    chosen = [g for g in asserted if not g.value.startswith(ONTOLOGY_BASE)]
    if scope is Scope.INFERRED:
        chosen = []
    chosen += [g for g in asserted if ontology and g.value.startswith(ONTOLOGY_BASE)]
    chosen += [g for g in names if shapes and g.value.startswith(SHAPES_BASE)]
    return chosen + ([INFERRED] if scope is not Scope.ASSERTED else [])


def write(graph: KnowledgeGraph, fmt: ox.RdfFormat, graphs: Iterable[ox.NamedNode],
          sink: BinaryIO, *, compressed: bool = False) -> Written:
    """Write the graphs and their VoID description to `sink` in the format, gzipped (with
    no timestamp) if asked. Quad formats keep each named graph (VoID in its own); triple
    formats merge them, each triple once. The same store always gives the same bytes,
    and blank nodes are canonically labelled, so a recompiled store too."""
    names = list(graphs)
    profiles = [graph.profile(g) for g in names]
    tally = _Tally({g.value: p.triples for g, p in zip(names, profiles, strict=True)})
    kind = _TEXT_FORMATS.get(fmt, "")
    shared = workers.CORES > 1 and sum(p.triples for p in profiles) >= workers.SHARE_FROM
    with workers.Pool(kind) if kind and shared else contextlib.nullcontext() as pool, \
            Output(sink, compressed) as out:
        _serialise(_sections(graph, fmt, names, profiles, tally), fmt, out, pool)
    return Written(fmt, tally.counts, tally.triples, out.sha256, out.size)


def graph_texts(graph: KnowledgeGraph,
                graphs: Iterable[ox.NamedNode]) -> list[tuple[ox.NamedNode, bytes]]:
    """Each graph's N-Triples as a quad dump holds it, then the VoID description's graph."""
    names = list(graphs)
    profiles = [graph.profile(g) for g in names]
    sections = _sections(graph, ox.RdfFormat.N_QUADS, names, profiles, _Tally({}))
    return [(name, b"".join(runs)) for name, runs in sections if name is not None]


def _sections(graph: KnowledgeGraph, fmt: ox.RdfFormat, names: list[ox.NamedNode],
              profiles: list[Profile], tally: _Tally) -> Iterator[Section]:
    """The dump's lines: for a quad format each graph's, then the VoID description's; for
    a triple format all of them merged in one section."""
    blank = relabelled(graph, [g for g, p in zip(names, profiles, strict=True) if p.blank])
    runs = [graph_runs(graph, g, blank.get(g.value, ())) for g in names]
    if fmt in QUAD_FORMATS:
        void = _void_lines(Profile.total(profiles))
        tally.counts[VOID_GRAPH.value] = len(void)
        tally.triples = sum(p.triples for p in profiles) + len(void)
        yield from zip(names, runs, strict=True)
        yield VOID_GRAPH, iter([b"".join(void)])
    else:
        yield None, _merged_with_void(runs, profiles, tally)


def _merged_with_void(runs: list[Runs], profiles: list[Profile], tally: _Tally) -> Runs:
    """The graphs' lines merged, each once, and the VoID description's among them. What
    it counts is known once the rest is merged, so the lines that sort from where it
    starts wait in a temporary file."""
    repeated: list[bytes] = []
    with spill_file() as spill:
        yield from spilled(merged(runs, repeated), _VOID_FROM, spill)
        profile = Profile.total(profiles, repeated)
        void = _void_lines(profile)
        again: list[bytes] = []  # a line of the description among the graphs' own
        yield from merged([read_runs(spill), iter([b"".join(void)])], again)
    tally.counts[VOID_GRAPH.value] = len(void)
    tally.triples = profile.triples + len(void) - len(again)


def _void_lines(profile: Profile) -> list[bytes]:
    """The VoID description of the profiled lines, as sorted N-Triples lines."""
    return sorted(f"{t.subject} {t.predicate} {t.object} .\n".encode()
                  for t in void_description(profile))


def _serialise(sections: Iterator[Section], fmt: ox.RdfFormat, out: Output,
               pool: workers.Pool | None) -> None:
    """The sections written in the format: N-Triples and N-Quads as they are, the others
    by `writers` (on every core for a large dump: `workers`)."""
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        for name, runs in sections:
            suffix = f" {name} .\n".encode()
            for text in runs:
                out.write(text if name is None else text.replace(b" .\n", suffix))
    elif fmt is ox.RdfFormat.TRIG:
        out.write(writers.PREFIX_LINES)
        for name, runs in sections:
            start, end = writers.trig_block(name.value if name else "")
            out.write(start)
            for part in writers.between(_bodies(fmt, runs, pool), b"\n"):
                out.write(part)
            out.write(end)
    else:
        document = writers.FORMATS[_TEXT_FORMATS[fmt]]
        out.write(document.head)
        for _, runs in sections:
            for part in writers.between(_bodies(fmt, runs, pool), document.separator):
                out.write(part)
        out.write(document.foot)


def _bodies(fmt: ox.RdfFormat, runs: Runs, pool: workers.Pool | None) -> Iterator[bytes]:
    """The lines written by the format's writer, `_BATCH` bytes of them at a time: by
    the `pool`'s workers while the next batch is read, if there is one."""
    body = writers.FORMATS[_TEXT_FORMATS[fmt]].body
    try:
        if pool is None:
            yield from map(body, _batches(runs))
            return
        waiting: deque[workers.Piece] = deque()
        for batch in _batches(runs):
            waiting.extend(map(pool.submit, workers.pieces(batch)))
            while len(waiting) > 2 * workers.PIECES:  # the workers hold two batches at most
                yield waiting.popleft().result(body)
        while waiting:
            yield waiting.popleft().result(body)
    except ValueError as exc:
        raise ExportError(f"cannot write {fmt.name}: {exc}",
                          hint="choose N-Triples or Turtle") from exc


def _batches(runs: Runs) -> Iterator[bytes]:
    """The lines again, in batches cut between subjects once they reach `_BATCH` bytes:
    a writer gives each subject one block, so a subject's lines stay together."""
    held: list[bytes] = []
    size = 0
    for text in filter(None, runs):
        if size + len(text) >= _BATCH:
            last = last_line(text)
            subject = last[:last.index(b" ") + 1]
            cut = first_not_below(text, subject)  # where the run's last subject starts
            if cut or (held and not last_line(held[-1]).startswith(subject)):
                yield b"".join([*held, text[:cut]])
                held, size, text = [], 0, text[cut:]
        held.append(text)
        size += len(text)
    if held:
        yield b"".join(held)


def void_description(profile: Profile) -> list[ox.Triple]:
    """A VoID description of the profiled lines as one dataset: triples, and class and
    property partitions (void:entities per class, void:triples per property)."""
    void = {n: ox.NamedNode(_VOID + n) for n in (
        "Dataset", "triples", "entities", "classes", "properties", "distinctSubjects",
        "classPartition", "propertyPartition", "class", "property")}
    members = profile.members()

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))

    triples = [ox.Triple(DATASET, _TYPE, void["Dataset"]),
               ox.Triple(DATASET, void["triples"], integer(profile.triples)),
               ox.Triple(DATASET, void["distinctSubjects"], integer(len(profile.subjects))),
               ox.Triple(DATASET, void["classes"], integer(len(members))),
               ox.Triple(DATASET, void["properties"], integer(len(profile.predicates)))]
    for kind, counts in (("class", members), ("property", profile.predicates)):
        measure = void["entities"] if kind == "class" else void["triples"]
        for iri, n in sorted((k[1:-1], n) for k, n in counts.items()):
            term = ox.NamedNode(iri)
            digest = hashlib.sha256(term.value.encode()).hexdigest()[:16]
            part = ox.NamedNode(f"{DATASET.value}#{kind}-{digest}")
            triples += [ox.Triple(DATASET, void[f"{kind}Partition"], part),
                        ox.Triple(part, void[kind], term),
                        ox.Triple(part, measure, integer(n))]
    return triples


def manifest(written: Written, project: Project) -> dict[str, Any]:
    """The JSON sidecar of a dump: triples per graph, the written bytes' sha256, each
    source file's sha256, and the date ($SOURCE_DATE_EPOCH if set, else today, UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return {
        "format": written.format.file_extension,
        "media_type": written.format.media_type,
        "sha256": written.sha256,
        "bytes": written.size,
        "triples": written.triples,
        "graphs": dict(written.counts),
        "sources": {project.relative(p): hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in project.source_files},
        "date": when.date().isoformat(),
    }
