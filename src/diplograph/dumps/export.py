"""RDF dumps of the graph: every common format, deterministic, with a VoID description
and an optional JSON manifest."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby, pairwise
from typing import Any

import pyoxigraph as ox

from diplograph.dumps import workers, writers
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
_VOID = "http://rdfs.org/ns/void#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_GZIP_LEVEL = 6


class ExportError(DiplographError):
    """A dump that cannot be written in the asked format."""


Section = tuple[ox.NamedNode | None, bytes]  # a graph (None: the default) and its lines


@dataclass(frozen=True)
class Dump:
    """A serialised dump: its bytes, what went into it as N-Triples documents by named
    graph (unnamed for the triple formats), and triples per graph."""

    data: bytes
    format: ox.RdfFormat
    sections: list[Section]
    counts: dict[str, int]

    @property
    def triples(self) -> int:
        """How many triples (or quads) the dump holds."""
        return sum(text.count(b"\n") for _, text in self.sections)

    def encoded(self, *, compressed: bool = False) -> bytes:
        """The bytes to write: the dump, gzipped (without a timestamp) if asked."""
        return gzip.compress(self.data, _GZIP_LEVEL, mtime=0) if compressed else self.data


def _nquads(sections: list[Section]) -> bytes:
    """The sections as one N-Quads document. An N-Triples line ends with the only " .\n"
    it holds (a literal's line break is escaped), so the graph goes in by one replace."""
    if len(sections) == 1 and sections[0][0] is None:
        return sections[0][1]  # a triple format's one section: no copy
    return b"".join(text if name is None else text.replace(b" .\n", f" {name} .\n".encode())
                    for name, text in sections)


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


def dump(graph: KnowledgeGraph, fmt: ox.RdfFormat, graphs: Iterable[ox.NamedNode]) -> Dump:
    """The graphs and their VoID description serialised. Quad formats keep each named
    graph (VoID in its own); triple formats merge them, each triple once. The same store
    always gives the same bytes, and blank nodes are canonically labelled, so a
    recompiled store too."""
    names = list(graphs)
    profiles = [graph.profile(g) for g in names]
    kind = _TEXT_FORMATS.get(fmt, "")
    shared = workers.CORES > 1 and sum(p.triples for p in profiles) >= workers.SHARE_FROM
    with workers.Worker(kind) if kind and shared else contextlib.nullcontext() as worker:
        return _dump(graph, fmt, names, profiles, worker)  # the worker starts meanwhile


def _dump(graph: KnowledgeGraph, fmt: ox.RdfFormat, names: list[ox.NamedNode],
          profiles: list[Profile], worker: workers.Worker | None) -> Dump:
    """`dump`, with `worker` (if any) writing pieces of a text format."""
    ordered = _ordered(graph, names)
    counts = {g.value: ordered[g].count(b"\n") for g in names}
    sections: list[Section]
    void: list[bytes]
    if fmt in QUAD_FORMATS:
        profile = Profile.total(profiles)
        void = _void_lines(profile)
        sections = [*((g, ordered[g]) for g in names), (VOID_GRAPH, b"".join(void))]
    else:
        # each graph's lines are freed once merged, the merge once the VoID joined it:
        # one copy of the dump fewer (at 10M triples, 1.8 GB)
        text, repeated = _merged([ordered.pop(g) for g in names])
        profile = Profile.total(profiles, repeated)
        void = _void_lines(profile)
        sections = [(None, _merged([text, b"".join(void)])[0])]  # a few runs to join
        del text
    counts[VOID_GRAPH.value] = len(void)
    return Dump(_serialised(sections, fmt, worker), fmt, sections, counts)


def _void_lines(profile: Profile) -> list[bytes]:
    """The VoID description of the profiled lines, as sorted N-Triples lines."""
    return sorted(f"{t.subject} {t.predicate} {t.object} .\n".encode()
                  for t in void_description(profile))


def _serialised(sections: list[Section], fmt: ox.RdfFormat,
                worker: workers.Worker | None) -> bytes:
    """The sections in the format: N-Triples and N-Quads as they are, the others written
    in pieces (`writers`), on two cores for a large dump (`workers`)."""
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return _nquads(sections)
    kind = _TEXT_FORMATS[fmt]
    try:
        bodies = workers.written(kind, sections, worker)
    except ValueError as exc:
        raise ExportError(f"cannot write {fmt.name}: {exc}",
                          hint="choose N-Triples or Turtle") from exc
    if fmt is ox.RdfFormat.TRIG:
        return writers.trig((str(name)[1:-1], [body for _, body in group])
                            for name, group in groupby(bodies, key=lambda pair: pair[0]))
    return writers.FORMATS[kind].document(body for _, body in bodies)


def _ordered(graph: KnowledgeGraph, graphs: list[ox.NamedNode]) -> dict[ox.NamedNode, bytes]:
    """Each graph's triples as sorted N-Triples, those with blank nodes after a
    canonical relabelling (RDFC-1.0) of all the graphs' blank nodes together. Only
    documents holding a blank node are split into lines."""
    texts: dict[ox.NamedNode, bytes] = {}
    blank = ox.Dataset()
    for name in graphs:
        texts[name] = graph.ntriples(name)
        if b"_:" in texts[name]:
            lines = texts[name].splitlines(keepends=True)
            with_blank = [line for line in lines if _has_blank(line)]
            for q in ox.parse(b"".join(with_blank), format=ox.RdfFormat.N_TRIPLES):
                blank.add(ox.Quad(q.subject, q.predicate, q.object, name))
            kept = set(with_blank)
            texts[name] = b"".join(line for line in lines if line not in kept)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    relabelled: defaultdict[str, list[bytes]] = defaultdict(list)
    for q in blank:
        line = f"{q.subject} {q.predicate} {q.object} .\n".encode()
        relabelled[str(q.graph_name.value)].append(line)
    for name in graphs:
        if name.value in relabelled:
            lines = texts[name].splitlines(keepends=True) + relabelled[name.value]
            texts[name] = b"".join(sorted(lines))
    return texts


def _has_blank(line: bytes) -> bool:
    """Whether an N-Triples line's subject or object is a blank node."""
    return line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:")


def _merged(texts: list[bytes]) -> tuple[bytes, list[bytes]]:
    """Sorted N-Triples documents as one sorted document, each line once (so each
    subject's lines together), and the lines left out as repeated. Runs of lines that
    sort before every other document's next line are copied whole, found by binary
    search (graphs mostly hold different kinds of subjects: few runs); when the
    documents interleave line by line (an inferred graph), all the lines are sorted."""
    texts = [text for text in texts if text]
    if len(texts) < 2:
        return b"".join(texts), []
    budget = 1000 + sum(text.count(b"\n") for text in texts) // 1000
    at = [0] * len(texts)
    views = [memoryview(text) for text in texts]  # runs are copied once, by the join
    out: list[memoryview] = []
    repeated: list[bytes] = []
    heads = {i: _line_at(text, 0) for i, text in enumerate(texts)}
    while heads and budget:
        budget -= 1
        first = min(heads, key=heads.__getitem__)
        others = [heads[i] for i in heads if i != first]
        if not others:
            out.append(views[first][at[first]:])
            break
        bound = min(others)
        end = _first_not_below(texts[first], bound, at[first])
        out.append(views[first][at[first]:end])
        at[first] = end
        if texts[first].startswith(bound, end):  # the same line in another graph
            repeated.append(bound)
            at[first] += len(bound)
        if at[first] < len(texts[first]):
            heads[first] = _line_at(texts[first], at[first])
        else:
            del heads[first]
    else:
        if heads:  # out of budget: the documents interleave
            lines = b"".join(texts).splitlines(keepends=True)
            lines.sort()
            repeated = [line for before, line in pairwise(lines)
                        if line == before]
            return b"".join(dict.fromkeys(lines) if repeated else lines), repeated
    return b"".join(out), repeated


def _line_at(text: bytes, start: int) -> bytes:
    """The line (with its line break) starting at `start`."""
    return text[start:text.index(b"\n", start) + 1]


def _first_not_below(text: bytes, key: bytes, low: int) -> int:
    """Where the first line from `low` on that does not sort below `key` starts (the end
    of the text if none): a binary search over the sorted lines' bytes."""
    high = len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind(b"\n", low, middle) + 1 or low
        end = text.index(b"\n", start) + 1
        if text[start:end] < key:
            low = end
        else:
            high = start
    return low


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


def manifest(result: Dump, written: bytes, project: Project) -> dict[str, Any]:
    """The JSON sidecar of a dump: triples per graph, the written bytes' sha256, each
    source file's sha256, and the date ($SOURCE_DATE_EPOCH if set, else today, UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return {
        "format": result.format.file_extension,
        "media_type": result.format.media_type,
        "sha256": hashlib.sha256(written).hexdigest(),
        "bytes": len(written),
        "triples": result.triples,
        "graphs": dict(result.counts),
        "sources": {project.relative(p): hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in project.source_files},
        "date": when.date().isoformat(),
    }
