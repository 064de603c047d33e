"""RDF dumps: every format re-parses (by another parser) to the same graph, bytes are
stable, scopes, compression, the VoID description and the manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from conftest import ROOT, Run
from diplograph.cli import cli
from diplograph.dumps import export, lines, workers
from diplograph.dumps.export import DATASET, VOID_GRAPH, _batches, select_graphs
from diplograph.dumps.scope import Scope
from diplograph.project import Project
from diplograph.rdf.bridge import to_oxigraph
from diplograph.rdf.reading import RDF_FORMATS
from diplograph.store import frames
from diplograph.store.cache import KnowledgeGraph, open_graph
from diplograph.store.folder import INFERRED
from oracles import dump, dumped_quads

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig",
                  "jsonld": "json-ld", "xml": "xml"}
VOID = "http://rdfs.org/ns/void#"


def with_rdflib(path: Path, fmt: str) -> ox.Dataset:
    """The file parsed by rdflib (a parser independent of the writer), as Oxigraph quads."""
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib's own Dataset.parse uses deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=path.read_bytes(), format=RDFLIB_FORMATS[fmt])
    default = dataset.default_graph.identifier
    quads = ox.Dataset()
    for s, p, o, g in dataset.quads():
        name = g.identifier if isinstance(g, rdflib.Graph) else g
        graph = ox.DefaultGraph() if name in (None, default) else to_oxigraph(name)
        quads.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
    return quads


def canonical(quads: ox.Dataset) -> ox.Dataset:
    quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return quads


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_every_format_reparses_to_an_isomorphic_graph(run: Run, graph: KnowledgeGraph,
                                                      tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"dump.{fmt}"
    result = run("export", "--all", "--with-ontology", "--with-shapes", "--output", str(out))
    assert result.exit_code == 0, result.output
    graphs = select_graphs(graph, Scope.ALL, ontology=True, shapes=True)
    expected = dumped_quads(graph, RDF_FORMATS[fmt], graphs)
    source = [q for name in graphs for q in graph.store.quads_for_pattern(None, None, None, name)]
    if fmt not in ("nq", "trig"):  # triple formats: one default graph
        expected = [ox.Quad(q.subject, q.predicate, q.object) for q in expected]
        source = [ox.Quad(q.subject, q.predicate, q.object) for q in source]
    parsed = canonical(with_rdflib(out, fmt))
    assert parsed == canonical(ox.Dataset(expected)), fmt
    without_void = ox.Dataset(q for q in parsed if q.subject != DATASET
                              and not q.subject.value.startswith(DATASET.value + "#"))
    assert canonical(without_void) == canonical(ox.Dataset(source)), fmt
    labels = {q.object.value for q in parsed if isinstance(q.object, ox.Literal)}
    assert {"Qazaxıstan", "Казахстан", "Azərbaycan"} <= labels  # nothing replaced by '?'
    assert ox.parse(path=out, format=RDF_FORMATS[fmt]) is not None


def test_quad_formats_keep_one_graph_per_source_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "dump.nq"
    assert run("export", "--all", "--output", str(out)).exit_code == 0
    names = {q.graph_name.value for q in ox.parse(path=out, format=ox.RdfFormat.N_QUADS)}
    base = "https://w3id.org/diplograph/graph/"
    assert {base + "asserted/data/countries.ttl", base + "asserted/data/sources.ttl",
            INFERRED.value, VOID_GRAPH.value} <= names
    assert not any("/ontology/" in n or "/shapes/" in n for n in names)


@pytest.mark.slow
def test_every_format_is_byte_identical_each_time(run: Run) -> None:
    for fmt in RDF_FORMATS:
        first = run("export", "--all", "--with-ontology", "--with-shapes", "--format", fmt)
        again = run("export", "--all", "--with-ontology", "--with-shapes", "--format", fmt)
        assert first.exit_code == 0 and first.stdout_bytes == again.stdout_bytes, fmt


@pytest.mark.slow
def test_a_recompiled_store_gives_the_same_bytes(project: Project, graph: KnowledgeGraph,
                                                 tmp_path: Path) -> None:
    other = open_graph(project, tmp_path / "other-store")
    for fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_QUADS):
        graphs = select_graphs(graph, Scope.ALL, ontology=True, shapes=True)
        assert dump(graph, fmt, graphs).data == dump(other, fmt, graphs).data


@pytest.mark.slow
def test_scopes_pick_the_asserted_or_inferred_facts(run: Run, graph: KnowledgeGraph) -> None:
    inferred = {q.triple for q in graph.store.quads_for_pattern(None, None, None, INFERRED)}

    def triples(*args: str) -> set[ox.Triple]:
        out = run("export", "--format", "nt", *args).stdout_bytes
        return {q.triple for q in ox.parse(out, format=ox.RdfFormat.N_TRIPLES)
                if q.subject != DATASET and not str(q.subject).startswith(f"<{DATASET.value}#")}

    assert triples("--inferred") == inferred
    asserted = triples()
    assert not asserted & inferred and len(asserted) > 48000
    assert triples("--all") == asserted | inferred
    owl = "http://www.w3.org/2002/07/owl#"
    assert not any(t.object.value == owl + "Class" for t in asserted)
    assert any(t.object.value == owl + "Class" for t in triples("--with-ontology"))
    assert any(t.predicate.value.startswith("http://www.w3.org/ns/shacl#")
               for t in triples("--with-shapes"))


def test_void_counts_the_dumped_triples(graph: KnowledgeGraph) -> None:
    void = ox.Store()
    quads = dumped_quads(graph, ox.RdfFormat.N_QUADS, select_graphs(graph, Scope.ASSERTED))
    void.extend(q for q in quads if q.graph_name == VOID_GRAPH)
    facts = [q for q in quads if q.graph_name != VOID_GRAPH]
    [[n]] = void.query(f"SELECT ?n {{ <{DATASET.value}> <{VOID}triples> ?n }}",
                       use_default_graph_as_union=True)
    assert int(n.value) == len(facts)
    [[countries]] = void.query(
        f"SELECT ?n {{ ?part <{VOID}class> <https://w3id.org/diplograph/ontology#Country> ; "
        f"<{VOID}entities> ?n }}", use_default_graph_as_union=True)
    assert int(countries.value) == 280  # 249 of today, 31 former
    label = sum(1 for q in facts if q.predicate.value.endswith("rdf-schema#label"))
    [[labels]] = void.query(
        f"SELECT ?n {{ ?part <{VOID}property> <http://www.w3.org/2000/01/rdf-schema#label> ; "
        f"<{VOID}triples> ?n }}", use_default_graph_as_union=True)
    assert int(labels.value) == label


def void_counts(quads: list[ox.Quad]) -> dict[str, int]:
    """What a VoID description says: the dataset's counts, and each partition's."""
    counts, names = {}, {}
    for q in quads:
        key = q.predicate.value.removeprefix(VOID)
        if isinstance(q.object, ox.Literal):
            counts[(q.subject.value, key)] = int(q.object.value)
        elif key in ("class", "property"):
            names[q.subject.value] = f"{key} {q.object.value}"
    return {f"{names.get(s, 'dataset')}: {key}": n for (s, key), n in counts.items()}


def counted(facts: list[ox.Quad]) -> dict[str, int]:
    """The same counts, taken from the dumped facts themselves."""
    typed = [q for q in facts if q.predicate.value.endswith("#type")
             and isinstance(q.object, ox.NamedNode)]
    counts = {"dataset: triples": len(facts),
              "dataset: distinctSubjects": len({q.subject for q in facts}),
              "dataset: classes": len({q.object for q in typed}),
              "dataset: properties": len({q.predicate for q in facts})}
    for c in {q.object.value for q in typed}:
        counts[f"class {c}: entities"] = len({q.subject for q in typed if q.object.value == c})
    for p in {q.predicate.value for q in facts}:
        counts[f"property {p}: triples"] = sum(q.predicate.value == p for q in facts)
    return counts


def repeated_graph(tmp_path: Path) -> KnowledgeGraph:
    """A project whose two data files hold the same triples (and a blank node each)."""
    folder = tmp_path / "graph"
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    (folder / "data").mkdir()
    sources = (ROOT / "data" / "sources.ttl").read_text()
    for name in ("sources.ttl", "repeated.ttl"):  # a triple in two graphs is dumped once
        (folder / "data" / name).write_text(sources + "_:x <http://e/p> 'a blank node' .\n")
    return open_graph(Project(folder), tmp_path / "cache")


@pytest.mark.slow
def test_void_counts_what_every_dump_holds(tmp_path: Path) -> None:
    graph = repeated_graph(tmp_path)
    for fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        for scope in Scope:
            for extra in (False, True):
                quads = dumped_quads(graph, fmt, select_graphs(graph, scope, ontology=extra,
                                                               shapes=extra))
                void = [q for q in quads if str(q.subject).startswith(f"<{DATASET.value}")]
                facts = [q for q in quads if q not in void]
                assert len(set(facts)) == len(facts), (fmt, scope, extra)
                assert void_counts(void) == counted(facts), (fmt, scope, extra)


def test_gz_output_compresses_the_format_of_the_inner_extension(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "dump.nt.gz"
    assert run("export", "--output", str(out)).exit_code == 0
    assert gzip.decompress(out.read_bytes()) == run("export", "--format", "nt").stdout_bytes
    first = out.read_bytes()
    assert run("export", "--output", str(out)).exit_code == 0
    assert out.read_bytes() == first


def test_manifest_describes_the_dump(run: Run, project: Project, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out, sidecar = tmp_path / "dump.trig", tmp_path / "dump.json"
    result = run("export", "--all", "--output", str(out), "--manifest", str(sidecar))
    assert result.exit_code == 0, result.output
    manifest = json.loads(sidecar.read_text())
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["date"] == "2023-11-14"
    parsed = list(ox.parse(path=out, format=ox.RdfFormat.TRIG))
    assert manifest["triples"] == len(parsed)
    for name, count in manifest["graphs"].items():
        assert count == sum(1 for q in parsed if q.graph_name.value == name), name
    assert manifest["sources"]["data/countries.ttl"] == hashlib.sha256(
        (project.root / "data" / "countries.ttl").read_bytes()).hexdigest()


def test_a_failed_export_leaves_no_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "dump.txt"
    result = run("export", "--output", str(out))
    assert result.exit_code == 2
    assert ".txt is not an RDF format's extension" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_a_worker_process_changes_no_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          worker_pieces: list[bytes],
                                          fmt: str) -> None:
    graph = repeated_graph(tmp_path)  # a merged graph left empty: no stray separator
    graphs = select_graphs(graph, Scope.ALL, ontology=True, shapes=True)
    alone = dump(graph, RDF_FORMATS[fmt], graphs)
    monkeypatch.setattr(workers, "SHARE_FROM", 0)
    monkeypatch.setattr(workers, "CORES", 2)
    monkeypatch.setattr(export, "_BATCH", 1 << 12)  # the workers serve batch after batch
    monkeypatch.setattr(lines, "_READ", 1 << 12)
    shared = dump(graph, RDF_FORMATS[fmt], graphs)
    assert shared.data == alone.data
    if fmt not in ("nt", "nq"):
        assert len(worker_pieces) > 10  # the workers wrote pieces
    parsed = ox.Dataset(ox.parse(shared.data, format=RDF_FORMATS[fmt]))
    assert len(parsed) == len(set(dumped_quads(graph, RDF_FORMATS[fmt], graphs)))


@pytest.mark.slow
def test_a_multi_graph_dump_has_one_node_or_block_per_subject_sorted(run: Run) -> None:
    args = ["export", "--all", "--with-ontology", "--with-shapes", "--format"]
    ntriples = run(*args, "nt").stdout_bytes.splitlines()
    assert ntriples == sorted(set(ntriples))  # sorted, each triple once
    subjects = list(dict.fromkeys(line.split(b" ", 1)[0] for line in ntriples))
    nodes = json.loads(run(*args, "jsonld").stdout)["@graph"]
    ids = [node["@id"] for node in nodes]
    assert len(ids) == len(set(ids)) == len(subjects)
    assert ids.count("https://w3id.org/diplograph/dataset") == 1
    assert ids.count("country:AZ") == 1
    turtle = run(*args, "ttl").stdout.splitlines()
    starts = [line.split(" ", 1)[0] for line in turtle if line and line[0] not in " @"]
    assert len(starts) == len(set(starts)) == len(subjects)
    assert starts.count("country:KZ") == 1
    trig = run(*args, "trig").stdout.split("\n<")  # each named graph: its subjects once
    for graph in trig[1:]:
        blocks = [line.split(" ", 1)[0] for line in graph.splitlines()[1:]
                  if line and line[0] not in " }"]
        assert len(blocks) == len(set(blocks)), graph.splitlines()[0]


def test_a_dump_failing_halfway_writes_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON-LD cannot hold an IRI it would read as a compact one: found only when the
    writer reaches it, after earlier batches went out, yet nothing is written."""
    folder = tmp_path / "graph"
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    (folder / "data").mkdir()
    facts = (ROOT / "data" / "azerbaijan-uzbekistan.ttl").read_text()
    odd = '<xsd:thing> <http://example.org/p> "x" .\n'  # sorts after every other subject
    (folder / "data" / "facts.ttl").write_text(facts + odd)
    monkeypatch.setattr(export, "_BATCH", 1 << 12)
    monkeypatch.setattr(lines, "_READ", 1 << 12)
    batches: list[bytes] = []
    monkeypatch.setattr(export, "_batches", lambda runs: (batches.append(b) or b
                                                          for b in _batches(runs)))
    out = tmp_path / "dump.jsonld"
    out.write_text("the earlier dump\n")
    nested = tmp_path / "new" / "folder" / "dump.jsonld"
    for target in (["--output", str(out)], ["--format", "jsonld"], ["--output", str(nested)]):
        result = CliRunner().invoke(cli, ["--project", str(folder), "--store",
                                          str(tmp_path / "store"), "export", *target])
        assert result.exit_code == 3, result.output
        assert "compact IRI" in result.stderr and "xsd:thing" in result.stderr
        assert result.stdout_bytes == b""
    assert len(batches) > 10  # the IRI sorts last: it failed after the others were written
    assert out.read_text() == "the earlier dump\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.jsonld", "graph", "store"]


@pytest.mark.slow
def test_a_dump_is_written_without_holding_it(project: Project, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled graph in frames of 16 KiB: a dump holds a frame of each graph, the
    batch being written and the queue to the file, beside the compressed files and the
    profiles it reads: under half its lines (built whole, they were held several times)."""
    monkeypatch.setattr(frames, "FRAME_BYTES", 1 << 14)
    graph = open_graph(project, tmp_path / "store")
    monkeypatch.setattr(lines, "_READ", 1 << 14)
    monkeypatch.setattr(export, "_BATCH", 1 << 16)
    graphs = select_graphs(graph, Scope.ALL, ontology=True, shapes=True)
    lines_read = len(dump(graph, ox.RdfFormat.N_TRIPLES, graphs).data)
    for fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE):
        with (tmp_path / "dump").open("wb") as sink:
            tracemalloc.start()
            export.write(graph, fmt, graphs, sink)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert (tmp_path / "dump").read_bytes() == dump(graph, fmt, graphs).data
        assert peak < lines_read / 2, (fmt, peak, lines_read)


def test_a_reader_that_stops_early_is_no_error(project: Project, store_dir: Path,
                                               graph: KnowledgeGraph) -> None:
    """`export | head`: the dump's first bytes, then exit 0 and nothing on stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "diplograph", "--project", str(project.root), "--store",
         str(store_dir), "export", "--format", "nt"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    with process.stderr:
        assert process.stderr.read() == b""
    assert first.startswith(b"<https://w3id.org/diplograph/country/")
