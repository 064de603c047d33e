"""RDF dumps of the graph: every common format, deterministic, with a VoID description
and an optional JSON manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from diplograph.errors import DiplographError, UsageError
from diplograph.namespaces import PREFIXES, compact
from diplograph.project import Project
from diplograph.store import GRAPH_BASE, INFERRED, KnowledgeGraph

FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
_ALIASES = {"turtle": "ttl", "json": "jsonld", "rdf": "xml", "owl": "xml"}
QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}
DATASET = ox.NamedNode("https://w3id.org/diplograph/dataset")
VOID_GRAPH = ox.NamedNode(GRAPH_BASE + "void")
_ONTOLOGY = GRAPH_BASE + "asserted/ontology/"
_SHAPES = GRAPH_BASE + "shapes/"
_VOID = "http://rdfs.org/ns/void#"
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_GZIP_LEVEL = 6
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}


class ExportError(DiplographError):
    """A dump that cannot be written in the asked format."""


class Scope(Enum):
    """Which facts a dump holds."""

    ASSERTED = "asserted"
    INFERRED = "inferred"
    ALL = "all"


@dataclass(frozen=True)
class Dump:
    """A serialised dump: its bytes, and what went into it (quads carry their graph)."""

    data: bytes
    format: ox.RdfFormat
    quads: list[ox.Quad]
    counts: dict[str, int]


def format_for(name: str | None, output: Path | None) -> tuple[ox.RdfFormat, bool]:
    """The RDF format and whether to gzip: `--format`, else from --output's extension
    (`dump.nt.gz` is gzipped N-Triples), else Turtle."""
    compressed = output is not None and output.suffix.lower() == ".gz"
    if name is None:
        stem = output.with_suffix("") if output is not None and compressed else output
        name = stem.suffix.lstrip(".").lower() if stem is not None and stem.suffix else "ttl"
        if name not in FORMATS and name not in _ALIASES:
            raise UsageError(f"cannot tell the RDF format of {output}",
                             hint=f"give --format, one of: {', '.join(FORMATS)}")
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        raise UsageError(f"unknown RDF format {name!r}", hint=f"one of: {', '.join(FORMATS)}")
    return FORMATS[name], compressed


def select_graphs(graph: KnowledgeGraph, scope: Scope, *, ontology: bool = False,
                  shapes: bool = False) -> list[ox.NamedNode]:
    """The named graphs a dump holds, in order: data files (unless --inferred), then the
    ontology and shapes files if asked for, then the inferred graph (--inferred, --all)."""
    names = sorted((g for g in graph.store.named_graphs() if isinstance(g, ox.NamedNode)),
                   key=lambda g: g.value)
    asserted = [g for g in names if g.value.startswith(GRAPH_BASE + "asserted/")]
    chosen = [g for g in asserted if not g.value.startswith(_ONTOLOGY)]
    if scope is Scope.INFERRED:
        chosen = []
    chosen += [g for g in asserted if ontology and g.value.startswith(_ONTOLOGY)]
    chosen += [g for g in names if shapes and g.value.startswith(_SHAPES)]
    return chosen + ([INFERRED] if scope is not Scope.ASSERTED else [])


def dump(graph: KnowledgeGraph, fmt: ox.RdfFormat, graphs: Iterable[ox.NamedNode]) -> Dump:
    """The graphs and their VoID description serialised. Quad formats keep each named
    graph (VoID in its own); triple formats merge them. The same store always gives the
    same bytes, and blank nodes are canonically labelled, so a recompiled store too."""
    quads = _ordered(graph.store, list(graphs))
    counts = dict(Counter(q.graph_name.value for q in quads))  # type: ignore[union-attr]
    quad_format = fmt in QUAD_FORMATS
    if not quad_format:
        quads = _merged(quads)
    void_graph = VOID_GRAPH if quad_format else ox.DefaultGraph()
    void = [ox.Quad(t.subject, t.predicate, t.object, void_graph) for t in void_description(quads)]
    counts[VOID_GRAPH.value] = len(void)
    quads += void
    if fmt is ox.RdfFormat.JSON_LD:
        data = _json_ld(quads)
    else:
        items = quads if quad_format else [q.triple for q in quads]
        prefixes = PREFIXES if fmt in _PREFIXED else None
        try:
            data = ox.serialize(items, format=fmt, prefixes=prefixes) or b""
        except ValueError as exc:
            raise ExportError(f"cannot write {fmt.name}: {exc}",
                              hint="choose N-Triples or Turtle") from exc
    return Dump(data, fmt, quads, counts)


def _ordered(store: ox.Store, graphs: list[ox.NamedNode]) -> list[ox.Quad]:
    """Each graph's quads: the ground ones in the store's (content-determined) order,
    then those with blank nodes, sorted after a canonical relabelling (RDFC-1.0) of
    all the graphs' blank nodes together."""
    ground: dict[ox.NamedNode, list[ox.Quad]] = {name: [] for name in graphs}
    blank = ox.Dataset()
    for name in graphs:
        for q in store.quads_for_pattern(None, None, None, name):
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                blank.add(q)
            else:
                ground[name].append(q)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    labelled = sorted(blank, key=str)
    return [q for name in graphs
            for q in ground[name] + [b for b in labelled if b.graph_name == name]]


def _merged(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads' triples once each in the default graph, in first-seen order."""
    seen: set[ox.Triple] = set()
    merged: list[ox.Quad] = []
    for q in quads:
        t = q.triple
        if t not in seen:
            seen.add(t)
            merged.append(ox.Quad(t.subject, t.predicate, t.object))
    return merged


def void_description(quads: list[ox.Quad]) -> list[ox.Triple]:
    """A VoID description of the quads as one dataset: triples, and class and property
    partitions (void:entities per class, void:triples per property)."""
    void = {n: ox.NamedNode(_VOID + n) for n in (
        "Dataset", "triples", "entities", "classes", "properties", "distinctSubjects",
        "classPartition", "propertyPartition", "class", "property")}
    properties = Counter(q.predicate for q in quads)
    members: dict[ox.NamedNode, set[object]] = {}
    for q in quads:
        if q.predicate == _TYPE and isinstance(q.object, ox.NamedNode):
            members.setdefault(q.object, set()).add(q.subject)
    subjects = len({q.subject for q in quads})

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))

    triples = [ox.Triple(DATASET, _TYPE, void["Dataset"]),
               ox.Triple(DATASET, void["triples"], integer(len(quads))),
               ox.Triple(DATASET, void["distinctSubjects"], integer(subjects)),
               ox.Triple(DATASET, void["classes"], integer(len(members))),
               ox.Triple(DATASET, void["properties"], integer(len(properties)))]
    for kind, counts in (("class", {c: len(s) for c, s in members.items()}),
                         ("property", dict(properties))):
        measure = void["entities"] if kind == "class" else void["triples"]
        for term, n in sorted(counts.items(), key=lambda item: item[0].value):
            digest = hashlib.sha256(term.value.encode()).hexdigest()[:16]
            part = ox.NamedNode(f"{DATASET.value}#{kind}-{digest}")
            triples += [ox.Triple(DATASET, void[f"{kind}Partition"], part),
                        ox.Triple(part, void[kind], term),
                        ox.Triple(part, measure, integer(n))]
    return triples


def _json_ld(quads: list[ox.Quad]) -> bytes:
    """Compact JSON-LD: one node object per run of a subject's triples, IRIs shortened
    with a context of the project's prefixes."""
    names: dict[str, str] = {}

    def short(term: ox.NamedNode | ox.BlankNode) -> str:
        key = str(term)
        if key not in names:
            names[key] = compact(term.value) if isinstance(term, ox.NamedNode) else key
        return names[key]

    nodes: list[dict[str, Any]] = []
    node: dict[str, Any] = {}
    current: object = None
    for q in quads:
        if q.subject != current:
            current = q.subject
            node = {"@id": short(q.subject)}  # type: ignore[arg-type]
            nodes.append(node)
        o = q.object
        if q.predicate == _TYPE and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(short(o))
            continue
        value: Any
        if isinstance(o, ox.Literal):
            if o.language:
                value = {"@value": o.value, "@language": o.language}
            elif o.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
                value = o.value
            else:
                value = {"@value": o.value, "@type": short(o.datatype)}
        else:
            value = {"@id": short(o)}  # type: ignore[arg-type]
        node.setdefault(short(q.predicate), []).append(value)
    document = {"@context": PREFIXES, "@graph": nodes}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def encode(result: Dump, compressed: bool) -> bytes:
    """The bytes to write: the dump, gzipped (without a timestamp) if asked."""
    return gzip.compress(result.data, _GZIP_LEVEL, mtime=0) if compressed else result.data


def manifest(result: Dump, written: bytes, project: Project, graphs: list[ox.NamedNode],
             ) -> dict[str, Any]:
    """The JSON sidecar of a dump: triples per graph, the written bytes' sha256, each
    source file's sha256, and the date ($SOURCE_DATE_EPOCH if set, else today, UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return {
        "format": result.format.file_extension,
        "media_type": result.format.media_type,
        "sha256": hashlib.sha256(written).hexdigest(),
        "bytes": len(written),
        "triples": len(result.quads),
        "graphs": {g.value: result.counts[g.value] for g in [*graphs, VOID_GRAPH]},
        "sources": {project.relative(p): hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in project.source_files},
        "date": when.date().isoformat(),
    }
