"""The label index: built with the store, used by name searches, and answering exactly
what a scan of every label answers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, copy_graph
from diplograph import Graph
from diplograph.namespaces import DG
from diplograph.project import Project
from diplograph.sparql.parameters import LABELS, Resolver
from diplograph.sparql.running import bind_parameters, run_named
from diplograph.sparql.template import Template
from diplograph.sparql.textsearch import label_search, searched
from diplograph.store import labels
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.labels import (
    LABEL,
    added_file,
    holds_language,
    index_file,
    labels_containing,
    names_in,
)

TEXTS = ["Navoi", "NAVOI MONUMENT", "kaz", "Qazax", "Казах", "İSTANBUL", "azərbaycan", "e",
         "an", "the", "republic", 'France" || true || "', "embassy of", "ß", "zzzz-none",
         "uzb", "uzbe", "uzbek", "uzbeki", 'a"b', '""', "re*p", "[a]", "  "]


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path) -> Graph:
    return Graph.open(project.root, store=store_dir)


def scanned(graph: Graph, text: str) -> tuple[object, ...]:
    """The search's rows as the engine finds them scanning every label."""
    query = graph.named("search")
    bound = bind_parameters(graph.compiled, query, {"text": text})
    answer = graph.compiled.query(query.bind(bound))
    return tuple(tuple(s[v] for v in ("thing", "name", "name_lang")) for s in answer)


def test_the_store_holds_a_label_index(front: Graph) -> None:
    assert index_file(front.compiled.path).stat().st_size > 0


@pytest.mark.parametrize("text", TEXTS)
def test_search_through_the_index_answers_as_the_scan(front: Graph, text: str) -> None:
    query = front.named("search")
    result = run_named(front.compiled, query, {"text": text})
    assert result.rows == scanned(front, text)


def test_the_index_holds_a_language_when_the_graph_has_a_label_in_it(front: Graph) -> None:
    store = front.compiled.store
    tags = {q.object.language for q in store.quads_for_pattern(None, LABEL, None,
                                                               ox.DefaultGraph())
            if isinstance(q.object, ox.Literal) and q.object.language}
    assert {"en", "az", "ru"} <= tags
    for tag in [*sorted(tags), "xx", "en-gb", "az-latn", "tlh"]:
        assert holds_language(front.compiled.path, tag) is (tag in tags), tag
    assert holds_language(front.compiled.path / "nowhere", "en") is None


@pytest.fixture(scope="module")
def names(front: Graph) -> list[str]:
    return sorted({q.object.value for q in front.compiled.store.quads_for_pattern(
        None, LABEL, None, ox.DefaultGraph())})


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_piece_of_a_label_is_found_as_the_scan_finds_it(front: Graph, names: list[str],
                                                            data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(names))
    start = data.draw(st.integers(0, max(0, len(name) - 3)))
    piece = name[start:start + data.draw(st.integers(3, 12))]
    text = data.draw(st.sampled_from([piece, piece.upper(), piece.title()]))
    query = front.named("search")
    assert run_named(front.compiled, query, {"text": text}).rows == scanned(front, text)


def test_search_runs_on_the_labels_the_index_finds(front: Graph) -> None:
    query = front.named("search")
    bound = bind_parameters(front.compiled, query, {"text": "Navoi"})
    labels = searched(front.compiled.path, query.template, bound)
    assert labels is not None
    found = {(q.subject, q.object) for q in labels}
    scan = {(q.subject, q.object) for q in front.compiled.store.quads_for_pattern(
        None, LABEL, None, ox.DefaultGraph()) if "navoi" in q.object.value.lower()}
    assert found == scan and len(found) >= 5
    navoi = ox.NamedNode("https://w3id.org/diplograph/resource/person-alisher-navoi")
    assert navoi in {subject for subject, _ in found}


@pytest.mark.parametrize("where", [
    "?thing rdfs:label ?name . FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)) || true)",
    "OPTIONAL { ?thing rdfs:label ?name } FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)))",
    "?thing rdfs:label ?name . FILTER(CONTAINS(STR(?name), $text))",
    "?x ?thing rdfs:label . ?thing rdfs:label ?other . "
    "FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)))",
    "?thing rdfs:label ?name ; a ?class . FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)))",
    "?thing rdfs:label ?name . FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text))) "
    "FILTER NOT EXISTS { ?thing a ?class }",
    "?thing rdfs:label ?name . FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text))) "
    "BIND(?thing AS ?other) ?other a ?class",
])
def test_other_queries_are_left_to_the_scan(where: str) -> None:
    template = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                f"SELECT ?thing WHERE {{ {where} }}")
    assert label_search(Template.parse(template)) is None


@pytest.mark.slow
def test_an_update_indexes_the_labels_it_adds(tmp_path: Path) -> None:
    project, store = copy_graph(tmp_path), tmp_path / "store"
    assert Graph.open(project, store=store).query("search", text="quokka").rows == ()
    (project / "data" / "zz-added.ttl").write_text(
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        '<https://w3id.org/diplograph/resource/x-quokka> rdfs:label "Quokka Pavilion"@en .\n',
        encoding="utf-8")
    updated = Graph.open(project, store=store)
    rows = updated.query("search", text="quokka pav").rows
    quokka = ox.NamedNode("https://w3id.org/diplograph/resource/x-quokka")
    assert [row[0] for row in rows] == [quokka]
    assert rows == scanned(updated, "quokka pav")


def add_label(project: Path, name: str, label: str) -> ox.NamedNode:
    """A new data file giving a new thing an English label; the thing."""
    thing = ox.NamedNode(f"https://w3id.org/diplograph/resource/x-{name}")
    (project / "data" / f"zz-{name}.ttl").write_text(
        f"{thing} <{LABEL.value}> {ox.Literal(label, language='en')} .\n", encoding="utf-8")
    return thing


@pytest.mark.slow
def test_updates_share_the_index_and_copy_only_the_labels_they_add(tmp_path: Path) -> None:
    project, store = copy_graph(tmp_path), tmp_path / "store"
    first = Graph.open(project, store=store).compiled.path
    quokka = add_label(project, "quokka", "Quokka Pavilion")
    second = Graph.open(project, store=store)
    assert second.compiled.path.is_dir()  # compiled before the next label is added
    numbat = add_label(project, "numbat", "Numbat Hall")
    third = Graph.open(project, store=store)
    for older, newer in [(first, second.compiled.path), (second.compiled.path,
                                                         third.compiled.path)]:
        assert index_file(newer).stat().st_ino == index_file(older).stat().st_ino
    assert not added_file(first).exists()
    assert added_file(third.compiled.path).stat().st_ino != \
        added_file(second.compiled.path).stat().st_ino
    assert [row[0] for row in third.query("search", text="quokka pav").rows] == [quokka]
    assert [row[0] for row in third.query("search", text="numbat h").rows] == [numbat]
    assert [row[0] for row in second.query("search", text="numbat h").rows] == []
    for text in ["quokka", "numbat", "Navoi", "republic"]:
        assert third.query("search", text=text).rows == scanned(third, text)
    assert names_in(third.compiled.path, str(numbat), "en") == ("Numbat Hall",)
    assert names_in(second.compiled.path, str(numbat), "en") == ()


@pytest.mark.slow
def test_added_labels_join_the_index_once_they_outgrow_their_share(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, store = copy_graph(tmp_path), tmp_path / "store"
    assert Graph.open(project, store=store).compiled.path.is_dir()
    quokka = add_label(project, "quokka", "Quokka Pavilion")
    second = Graph.open(project, store=store).compiled.path
    monkeypatch.setattr(labels, "_FOLD", 10**9)  # any added labels outgrow their share
    numbat = add_label(project, "numbat", "Numbat Hall")
    third = Graph.open(project, store=store)
    assert not added_file(third.compiled.path).exists()
    assert added_file(second).exists()
    assert index_file(third.compiled.path).stat().st_ino != index_file(second).stat().st_ino
    assert [row[0] for row in third.query("search", text="quokka pav").rows] == [quokka]
    assert [row[0] for row in third.query("search", text="numbat h").rows] == [numbat]
    for text in ["quokka", "Navoi", "republic"]:
        assert third.query("search", text=text).rows == scanned(third, text)
    assert names_in(third.compiled.path, str(quokka), "en") == ("Quokka Pavilion",)


def index_rows(store: Path) -> dict[str, set[tuple[str, ...]]]:
    """Every row of each table of a store's label index."""
    with sqlite3.connect(index_file(store)) as db:
        return {table: set(db.execute(f"SELECT * FROM {table}"))
                for table in ("label_content", "name", "named")}


def without_ids(rows: dict[str, set[tuple[str, ...]]]) -> dict[str, set[tuple[str, ...]]]:
    return {table: {row[1:] if table == "label_content" else row for row in held}
            for table, held in rows.items()}


@pytest.mark.slow
@pytest.mark.parametrize("apart", ["process", "failed process"])
def test_a_large_graphs_index_built_apart_holds_what_one_built_here_holds(
        tmp_path: Path, graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch,
        apart: str) -> None:
    from diplograph import processes

    monkeypatch.setattr(labels, "APART_FROM", 0)  # every graph is large
    started, start_module = [], processes.start_module

    def start(module: str, *args: str, **options: Any) -> subprocess.Popen[bytes]:
        assert module == "diplograph.store.labels"
        started.append(start_module(module, *args, **options) if apart == "process" else
                       subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], **options))
        return started[-1]

    monkeypatch.setattr(processes, "start_module", start)
    built = Graph.open(ROOT, store=tmp_path / "store").compiled
    assert [p.returncode for p in started] == [0 if apart == "process" else 3]
    rows = index_rows(built.path)
    assert len(rows["label_content"]) > 1000 and rows["named"]
    assert without_ids(rows) == without_ids(index_rows(graph.path))


def test_a_name_line_is_told_by_its_predicate_not_by_words_in_a_literal() -> None:
    lines = (f'<http://example.org/a> <http://example.org/says> "x {LABEL} y" .\n'
             f'<http://example.org/b> {LABEL} "B"@en .\n'
             f'<http://example.org/c> <http://example.org/says> " {LABEL} " .\n'
             f'<http://example.org/e> {labels.NAMES[1]} "E" .\n'  # found after the labels
             f'<http://example.org/d> {LABEL} "D" .').encode()  # no line break at the end
    assert labels._names(lines) == {
        ("<http://example.org/b>", str(LABEL), ox.Literal("B", language="en")),
        ("<http://example.org/d>", str(LABEL), ox.Literal("D")),
        ("<http://example.org/e>", str(labels.NAMES[1]), ox.Literal("E"))}


CLASSES = [ox.NamedNode(DG + name) for name in ("Person", "Country", "Organization", "Event")]


def named_by_scan(graph: Graph, text: str, cls: ox.NamedNode) -> set[ox.NamedNode]:
    """The instances of `cls` one of whose names equals `text` but for case, read from
    every name of the graph."""
    names = " UNION ".join(f"{{ ?node {label} ?name }}" for label in LABELS)
    return {s["node"] for s in graph.compiled.store.query(
        f"SELECT DISTINCT ?node WHERE {{ {names} ?node a {cls} "
        f"FILTER(LCASE(STR(?name)) = LCASE({ox.Literal(text)})) }}")}


@pytest.mark.parametrize("text", ["Heydər Əliyev", "HEYDƏR ƏLİYEV", "islam karimov",
                                  "Kazakhstan", "Казахстан", "Qazaxıstan", "UZ", "zzzz-none",
                                  'a"b', "Alisher Navoi"])
@pytest.mark.parametrize("cls", CLASSES)
def test_a_name_is_resolved_as_a_scan_of_every_name_resolves_it(
        front: Graph, text: str, cls: ox.NamedNode) -> None:
    assert Resolver(front.compiled)._named(text, cls) == named_by_scan(front, text, cls)


def test_a_person_is_found_by_name_through_the_index(front: Graph) -> None:
    person = ox.NamedNode(DG + "Person")
    assert labels_containing(front.compiled.path, "heydər əliyev") is not None
    assert Resolver(front.compiled)._named("heydər əliyev", person) == {
        ox.NamedNode("https://w3id.org/diplograph/resource/person-heydar-aliyev")}


@pytest.fixture(scope="module")
def every_name(front: Graph) -> list[str]:
    """Every name of the graph: labels, preferred and other labels, titles."""
    found = {q.object.value for label in LABELS for q in front.compiled.store.quads_for_pattern(
        None, label, None, ox.DefaultGraph()) if isinstance(q.object, ox.Literal)}
    assert any(q.predicate != LABEL for q in front.compiled.store.quads_for_pattern(
        None, None, None, ox.DefaultGraph()) if q.predicate in LABELS)
    return sorted(found)


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_name_in_any_case_is_resolved_as_the_scan_resolves_it(
        front: Graph, every_name: list[str], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(every_name))
    text = data.draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
    cls = data.draw(st.sampled_from(CLASSES))
    assert Resolver(front.compiled)._named(text, cls) == named_by_scan(front, text, cls)
