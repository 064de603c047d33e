"""The compiled store: reused while the sources are unchanged, rebuilt when one
changes, never left half-built, and managed with `diplograph store`."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import zstandard
from click.testing import CliRunner
from rich.console import Console

from conftest import ROOT, Run
from diplograph.cli import cli
from diplograph.cli.app import CompileStatus
from diplograph.dumps.export import VOID_GRAPH, Scope, select_graphs
from diplograph.project import Project
from diplograph.store.cache import KnowledgeGraph, open_graph, rebuild
from diplograph.store.folder import COMPLETE, SOURCES, lines_file
from diplograph.store.frames import read_lines


def small_project(tmp_path: Path) -> Project:
    folder = tmp_path / "graph"
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    shutil.copytree(ROOT / "queries", folder / "queries")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sources.ttl", folder / "data")
    return Project(folder)


@pytest.mark.slow
def test_a_store_is_reused_until_a_source_changes(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    first = open_graph(project, cache)
    assert open_graph(project, cache).path == first.path
    source = project.root / "data" / "sources.ttl"
    source.write_text(source.read_text() + "\n# a comment changes the bytes\n")
    assert open_graph(project, cache).path != first.path


PREFIXES = """@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix dgr: <https://w3id.org/diplograph/resource/> .
@prefix country: <https://w3id.org/diplograph/country/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
VISIT = "dgr:test-visit a dg:StateVisit .\n"  # entails dg:Visit, dg:Event, ...
VISIT_ASSERTED = "dgr:test-visit a dg:Visit .\n"  # once inferred, now asserted
REPEATED = 'country:KZ rdfs:label "Kazakhstan"@en .\n'  # also in data/countries.ttl
RELATION = "country:KZ dg:hasDiplomaticRelationWith country:TV .\n"  # symmetric
BLANK = "_:x <http://www.w3.org/2000/01/rdf-schema#label> 'a node only this file knows' .\n"


def snapshot(graph: KnowledgeGraph) -> tuple[dict[ox.NamedNode, int], set[str], set[str]]:
    """The named graphs and their sizes, and every quad of the store and of the graphs'
    N-Triples lines, blank nodes canonical."""
    def canonical(quads: list[ox.Quad]) -> set[str]:
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return {str(q) for q in dataset}

    names = [g for g in graph.store.named_graphs() if isinstance(g, ox.NamedNode)]
    lines = [ox.Quad(q.subject, q.predicate, q.object, g) for g in names
             for q in ox.parse(graph.ntriples(g), ox.RdfFormat.N_TRIPLES)]
    return graph.counts(), canonical(list(graph.store)), canonical(lines)


@pytest.mark.slow
def test_a_changed_source_updates_only_what_changed_as_a_full_build_would(
        tmp_path: Path) -> None:
    folder = tmp_path / "graph"
    for part in ("ontology", "queries", "data"):
        shutil.copytree(ROOT / part, folder / part)
    project, cache = Project(folder), tmp_path / "cache"
    extra, more = folder / "data" / "extra.ttl", folder / "data" / "more.ttl"
    people = folder / "data" / "people-and-places.ttl"
    sources = folder / "data" / "sources.ttl"
    vocabularies = folder / "ontology" / "vocabularies.ttl"
    shapes = folder / "ontology" / "shapes.ttl"
    extra.write_text(PREFIXES + VISIT + REPEATED + BLANK)
    open_graph(project, cache)
    rounds: list[dict[Path, str | None]] = [  # _:x of two files stays two nodes
        {extra: PREFIXES + VISIT_ASSERTED + BLANK, people: None, sources: "",
         more: PREFIXES + RELATION + BLANK, vocabularies: vocabularies.read_text() + BLANK,
         shapes: shapes.read_text() + BLANK},
        {extra: PREFIXES + VISIT, people: (ROOT / "data" / people.name).read_text(),
         sources: (ROOT / "data" / sources.name).read_text(), more: None},
        {extra: PREFIXES + VISIT + VISIT.replace("test-visit", "second-visit")},  # facts added
    ]
    edited: set[str] = set()
    heard: list[tuple[str, float]] = []
    for files in rounds:
        for path, text in files.items():
            path.unlink() if text is None else path.write_text(text)
            edited.add(project.relative(path))
        heard.clear()
        updated = open_graph(project, cache, progress=lambda *step: heard.append(step))
        steps, done = [step for step, _ in heard], [share for _, share in heard]
        assert done == sorted(done) and done[0] >= 0 and done[-1] < 1, "a bar that only grows"
        assert steps[0].startswith("updating an earlier store"), steps
        parsed = {step.removeprefix("parsing ").removeprefix("what was appended to ")
                  for step in steps if step.startswith("parsing")}
        assert parsed and parsed <= edited, "only files that differ from the copied store"
        in_full = "reasoning (OWL 2 RL)" in steps
        assert in_full != (files is rounds[-1]), "the closure is extended when facts are added"
        assert ("reasoning (OWL 2 RL): extending the earlier closure in the store" in steps) \
            == (files is rounds[-1]), "without reading the earlier closure in full"
        assert snapshot(updated) == snapshot(rebuild(project, tmp_path / "full"))
        nodes = updated.query("SELECT DISTINCT ?x { ?x ?p 'a node only this file knows' }")
        assert isinstance(nodes, ox.QuerySolutions)
        queried = project.ontology_files + project.data_files
        assert len(list(nodes)) == sum(BLANK in p.read_text() for p in queried)


@pytest.mark.slow
def test_store_info_rebuild_and_clear(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    args = ["--project", str(project.root), "--store", str(cache), "store"]
    info = CliRunner().invoke(cli, [*args, "info"])
    assert info.exit_code == 0, info.output
    assert "9  https://w3id.org/diplograph/graph/asserted/data/sources.ttl" in info.stdout
    assert "MiB, stores: 1 " in info.stdout
    assert info.stdout.splitlines()[-1].endswith("triples in all")
    before = open_graph(project, cache).counts()
    rebuilt = CliRunner().invoke(cli, [*args, "rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt" in rebuilt.stderr
    assert open_graph(project, cache).counts() == before
    cleared = CliRunner().invoke(cli, [*args, "clear"])
    assert cleared.exit_code == 0 and "removed 1 stores" in cleared.stderr
    assert not [p for p in cache.iterdir() if (p / COMPLETE).exists()]


@pytest.mark.slow
def test_a_killed_compile_leaves_no_store_and_is_cleaned_up(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    for delay in (0.3, 0.6, 0.9, 1.2):
        process = subprocess.Popen(
            [sys.executable, "-m", "diplograph", "--project", str(project.root), "--store",
             str(cache), "store", "rebuild"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        published = [p for p in cache.glob("[0-9a-f]*") if p.is_dir()] if cache.exists() else []
        assert all((p / COMPLETE).is_file() for p in published), "published stores are whole"
    graph = rebuild(project, cache)
    assert graph.counts()
    assert not list(cache.glob(".build-*")), "builds of killed processes are removed"


@pytest.mark.slow
def test_a_terminal_sees_a_progress_bar_while_the_store_compiles(tmp_path: Path) -> None:
    screen = io.StringIO()
    with CompileStatus(Console(file=screen, force_terminal=True, width=100)) as status:
        open_graph(small_project(tmp_path), tmp_path / "cache", progress=status.update)
    shown = screen.getvalue()  # what is drawn between refreshes depends on timing
    assert "compiling the graph store" in shown
    assert shown.index("  0%") < shown.index(" 95%") < shown.index("compacting the store")


@pytest.mark.slow
def test_the_kept_lines_are_compressed_and_export_the_database_byte_for_byte(
        run: Run, graph: KnowledgeGraph) -> None:
    names = sorted((g for g in graph.store.named_graphs() if isinstance(g, ox.NamedNode)),
                   key=lambda g: g.value)
    held = sum(len(read_lines(graph.path, g)) for g in names)
    kept = sum(lines_file(graph.path, g).stat().st_size for g in names)
    assert kept * 5 < held, "the lines take a fifth of their N-Triples at most"
    for g in names:  # any Zstandard reader gives the lines: their index is skipped
        reader = zstandard.ZstdDecompressor().stream_reader(
            lines_file(graph.path, g).read_bytes(), read_across_frames=True)
        assert reader.read() == read_lines(graph.path, g)
    dumped = run("export", "--all", "--with-ontology", "--with-shapes", "--format", "nq")
    assert dumped.exit_code == 0, dumped.output
    # the same dump written from the Oxigraph database, not from the kept lines
    database = ox.Dataset(q for g in names
                          for q in graph.store.quads_for_pattern(None, None, None, g))
    database.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    order = select_graphs(graph, Scope.ALL, ontology=True, shapes=True)  # as the dump has them
    assert sorted(order, key=lambda g: g.value) == names
    lines: dict[str, list[bytes]] = {g.value: [] for g in order}
    for q in database:
        lines[str(q.graph_name.value)].append(f"{q.subject} {q.predicate} {q.object} .\n".encode())
    expected = b"".join(line.replace(b" .\n", f" <{name}> .\n".encode())
                        for name in lines for line in sorted(lines[name]))
    void = f" <{VOID_GRAPH.value}> .\n".encode()
    written = dumped.stdout_bytes.splitlines(keepends=True)
    assert b"".join(line for line in written if not line.endswith(void)) == expected


@pytest.mark.slow
def test_a_store_of_an_older_format_is_compiled_anew_not_updated(tmp_path: Path) -> None:
    project, cache = small_project(tmp_path), tmp_path / "cache"
    old = open_graph(project, cache).path
    for kept in (old / "lines").glob("*.zst"):  # as an earlier release left them
        reader = zstandard.ZstdDecompressor().stream_reader(kept.read_bytes(),
                                                            read_across_frames=True)
        kept.with_suffix("").write_bytes(reader.read())  # the lines' frames, or one frame
        kept.unlink()
    manifest = json.loads((old / SOURCES).read_text())
    manifest["format"] = re.sub(r"store \d+", "store 1", manifest["format"])
    (old / SOURCES).write_text(json.dumps(manifest))
    source = project.root / "data" / "sources.ttl"
    source.write_text(source.read_text() + PREFIXES + VISIT)  # most bytes are the old store's
    steps: list[str] = []
    new = open_graph(project, cache, progress=lambda step, done: steps.append(step))
    assert new.path != old and not any("updating an earlier store" in s for s in steps)
    assert all(f.stat().st_nlink == 1 for f in new.path.rglob("*") if f.is_file()), \
        "no file shared with the old store"
    assert snapshot(new) == snapshot(rebuild(project, tmp_path / "fresh"))
    assert ox.NamedNode("https://w3id.org/diplograph/ontology#Visit") in {
        q.object for q in new.store.quads_for_pattern(
            ox.NamedNode("https://w3id.org/diplograph/resource/test-visit"), None, None)}
