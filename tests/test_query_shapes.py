"""Stored queries reshaped for speed answer as their plain forms (`fixtures/plain-queries`,
the same questions written the straightforward way) do: the same rows in the same order,
for every example and for any mix of parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplograph.project import Project
from diplograph.sparql.catalog import Catalog
from diplograph.sparql.running import Values, run_named
from diplograph.store.cache import KnowledgeGraph

PLAIN = Catalog.load(Path(__file__).parent / "fixtures" / "plain-queries")
STATES = ["AZ", "UZ", "KZ", "TR", "RU", "FR"]
DATES = ["1992", "1995-10", "1996-05-26", "2000", "2004", "2010-06"]
LANGS = ["en", "az", "ru", "uz", "fr", "EN"]


@pytest.fixture(scope="module")
def stored(project: Project) -> Catalog:
    return Catalog.load(project.queries_dir)


def answers(graph: KnowledgeGraph, catalog: Catalog, name: str, params: Values,
            ) -> tuple[object, ...]:
    result = run_named(graph, catalog.get(name), params)
    return result.columns, result.rows


@pytest.mark.parametrize("name", sorted(PLAIN.queries))
def test_every_example_answers_as_the_plain_form(graph: KnowledgeGraph, stored: Catalog,
                                                 name: str) -> None:
    for example in stored.get(name).examples:
        assert answers(graph, stored, name, example.params) == \
            answers(graph, PLAIN, name, example.params), example.params


PARAMETERS = {
    "visits": st.fixed_dictionaries({}, optional={
        "country": st.lists(st.sampled_from(STATES), min_size=1, max_size=2),
        "a": st.sampled_from(STATES), "b": st.sampled_from(STATES),
        "from": st.sampled_from(DATES), "to": st.sampled_from(DATES),
        "lang": st.sampled_from(LANGS)}),
    "offices": st.fixed_dictionaries({}, optional={
        "country": st.sampled_from(STATES), "from": st.sampled_from(DATES),
        "to": st.sampled_from(DATES), "lang": st.sampled_from(LANGS)}),
    "embassies": st.fixed_dictionaries({}, optional={
        "country": st.sampled_from(STATES), "lang": st.sampled_from(LANGS)}),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_any_parameters_answer_as_the_plain_form(graph: KnowledgeGraph, stored: Catalog,
                                                 name: str) -> None:
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(params=PARAMETERS[name])
    def same(params: Values) -> None:
        assert answers(graph, stored, name, params) == answers(graph, PLAIN, name, params)

    same()
