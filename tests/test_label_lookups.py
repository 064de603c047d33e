"""Names in one language served from the store's index of names: the index holds exactly
what the store does, and every stored query answers through it as it does as written."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import copy_graph
from diplograph import Graph
from diplograph.project import Project
from diplograph.sparql import running
from diplograph.sparql.catalog import Catalog, NamedQuery
from diplograph.sparql.labelling import label_lookups
from diplograph.sparql.running import Row, Values, bind_parameters, run_named
from diplograph.sparql.template import Template
from diplograph.store.cache import KnowledgeGraph
from diplograph.store.labels import LABEL, names_in

RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
LOOKUP = 'OPTIONAL { ?x rdfs:label ?name FILTER(LANG(?name) = "en") }'


def scanned_names(graph: KnowledgeGraph) -> dict[tuple[str, str], list[str]]:
    """Each (thing, language) of the labels a query sees, with its labels, sorted."""
    names: dict[tuple[str, str], list[str]] = {}
    for quad in graph.store.quads_for_pattern(None, LABEL, None, ox.DefaultGraph()):
        if isinstance(quad.object, ox.Literal) and quad.object.language:
            names.setdefault((str(quad.subject), quad.object.language), []).append(
                quad.object.value)
    return {key: sorted(values) for key, values in names.items()}


def as_written(graph: KnowledgeGraph, query: NamedQuery, params: Values,
               monkeypatch: pytest.MonkeyPatch) -> tuple[Row, ...]:
    """The rows of a stored query run as written, with no lookup served by the index."""
    with monkeypatch.context() as patch:
        patch.setattr(running, "label_lookups", lambda *args: None)
        return run_named(graph, query, params).rows


def test_the_index_of_names_holds_what_the_store_holds(graph: KnowledgeGraph) -> None:
    names = scanned_names(graph)
    assert len(names) > 1000
    for (thing, language), labels in names.items():
        assert list(names_in(graph.path, thing, language) or ()) == labels
    assert names_in(graph.path, "<https://w3id.org/diplograph/resource/none>", "en") == ()


def test_every_example_answers_as_the_query_written(
        project: Project, graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    served = set()
    for name, query in Catalog.load(project.queries_dir).queries.items():
        for example in query.examples:
            bound = bind_parameters(graph, query, example.params)
            if label_lookups(graph.path, query.template, bound) is not None:
                served.add(name)
            rows = run_named(graph, query, example.params).rows
            assert rows == as_written(graph, query, example.params, monkeypatch), (name, example)
    assert {"relations", "timeline", "visits", "embassies", "participants"} <= served


@pytest.mark.parametrize("where", [
    f"?x a ?class . {LOOKUP}",
    f"$x a ?class . {LOOKUP}",
    f"?y ?p ?x ; ?q ?z . {LOOKUP}",
    f"?x a ?c . FILTER(?c != ?d) {LOOKUP} BIND(?name AS ?shown)",
])
def test_a_lookup_after_a_pattern_binding_its_thing_is_served(where: str) -> None:
    assert label_lookups(Path("."), Template.parse(f"{RDFS}SELECT * WHERE {{ {where} }}"),
                         {}) is not None


@pytest.mark.parametrize("where", [
    LOOKUP,  # ?x unbound: the pattern would list every English label
    f"{LOOKUP} ?x a ?class .",  # bound only after it
    f"OPTIONAL {{ ?x a ?class }} {LOOKUP}",  # maybe unbound
    f"{{ ?x a ?class }} UNION {{ ?y a ?class }} {LOOKUP}",
    f"VALUES ?x {{ UNDEF }} {LOOKUP}",
    f"BIND(?y AS ?x) {LOOKUP}",
    f"?x a ?class ; rdfs:label ?name . {LOOKUP}",  # ?name bound before: a join
    f"?x a ?class . {{ {LOOKUP} }}",  # in an inner group
    '?x a ?c . OPTIONAL { ?x rdfs:label ?name FILTER(LANG(?name) = "") }',  # no tag
    '?x a ?c . OPTIONAL { ?x rdfs:LABEL ?name FILTER(LANG(?name) = "en") }',
    f'?x a ?c . # {LOOKUP}\n',  # a comment
])
def test_other_lookups_are_left_to_the_engine(where: str) -> None:
    assert label_lookups(Path("."), Template.parse(f"{RDFS}SELECT * WHERE {{ {where} }}"),
                         {}) is None


def test_a_thing_given_as_a_parameter_is_served_only_when_given() -> None:
    template = Template.parse(
        f"{RDFS}SELECT $x ?name WHERE {{ {LOOKUP.replace('?x', '$x')} }}")
    assert label_lookups(Path("."), template, {}) is None  # unbound: every English label
    one = label_lookups(Path("."), template, {"x": (ox.NamedNode("http://example.org/a"),)})
    assert one is not None and "(<http://example.org/a>, \"en\") AS ?name)" in one.text
    several = label_lookups(Path("."), template, {"x": (ox.NamedNode("http://example.org/a"),
                                                        ox.NamedNode("http://example.org/b"))})
    assert several is not None and "VALUES $x" in several.text
    written_as_variable = Template.parse(f"{RDFS}SELECT $x ?name WHERE {{ {LOOKUP} }}")
    assert label_lookups(Path("."), written_as_variable,
                         {"x": (ox.NamedNode("http://example.org/a"),)}) is None


def test_names_of_many_things_answer_as_written(
        graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    from diplograph.plots.picture import NAMES

    states = sorted({str(q.subject)[1:-1] for q in graph.store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/diplograph/ontology#alpha2"), None,
        ox.DefaultGraph())})
    assert len(states) > 200
    for values in ({"node": states, "lang": "az"}, {"node": states[:1], "lang": "ru"},
                   {"node": [*states, "https://w3id.org/diplograph/resource/none"],
                    "lang": "en"}):
        assert label_lookups(graph.path, NAMES.template,
                             bind_parameters(graph, NAMES, values)) is not None
        rows = run_named(graph, NAMES, values).rows
        assert rows == as_written(graph, NAMES, values, monkeypatch)
        assert len(rows) == len(values["node"])


def test_a_language_given_as_a_parameter_must_be_a_plain_string(graph: KnowledgeGraph) -> None:
    template = Template.parse(
        f"{RDFS}SELECT * WHERE {{ ?x a ?c . "
        "OPTIONAL { ?x rdfs:label ?name FILTER(LANG(?name) = $lang) } }")
    assert label_lookups(graph.path, template, {}) is None
    assert label_lookups(graph.path, template, {"lang": (ox.Literal("en", language="en"),)}) \
        is None
    served = label_lookups(graph.path, template, {"lang": (ox.Literal("az"),)})
    assert served is not None and '"az") AS ?name)' in served.text


@pytest.mark.slow
def test_several_names_in_a_language_and_an_update_answer_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, store = copy_graph(tmp_path), tmp_path / "store"
    before = Graph.open(project, store=store)
    assert before.query("relations", country="AZ").rows
    (project / "data" / "zz-added.ttl").write_text(
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        '@prefix country: <https://w3id.org/diplograph/country/> .\n'
        'country:UZ rdfs:label "Uzbek Republic"@en .\n', encoding="utf-8")
    updated = Graph.open(project, store=store)  # the update extends the earlier index
    uz = "<https://w3id.org/diplograph/country/UZ>"
    assert "Uzbek Republic" in (names_in(updated.compiled.path, uz, "en") or ())
    assert scanned_names(updated.compiled)[(uz, "en")] == list(
        names_in(updated.compiled.path, uz, "en") or ())
    query = updated.named("relations")
    bound = bind_parameters(updated.compiled, query, {"country": "AZ"})
    lookups = label_lookups(updated.compiled.path, query.template, bound)
    assert lookups is not None
    rows = run_named(updated.compiled, query, {"country": "AZ"}).rows
    names = {row[2].value for row in rows if row[1] == ox.Literal("UZ") and row[2] is not None}
    assert names == {"Uzbekistan", "Uzbek Republic"}  # one row per name, as written
    assert rows == as_written(updated.compiled, query, {"country": "AZ"}, monkeypatch)
