"""The bundled graph: conforms to its shapes, every fact traceable to its sentence."""

from __future__ import annotations

import re
from importlib.metadata import version

import pyoxigraph as ox
import pyshacl
import pytest

from conftest import ROOT
from diplograph.project import Project
from diplograph.rdf.bridge import rdflib_graph
from diplograph.rdf.reading import read_triples
from diplograph.refdata import main as refdata_main

DG = "https://w3id.org/diplograph/ontology#"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SOURCE = ROOT / "data" / "sources" / "000_83205e02681364cb.txt"
# classes whose instances are named things rather than facts read from a sentence
NOT_FACTS = {"Country", "FormerCountry", "City", "Settlement", "Person", "People",
             "Organization", "Ministry", "University", "Embassy",
             "IntergovernmentalCommission", "InternationalForum", "SourceDocument"}


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def facts(project: Project) -> list[ox.Triple]:
    return [t for path in project.data_files for t in read_triples(path)]


@pytest.mark.slow
def test_bundled_data_conforms_to_the_shapes(project: Project) -> None:
    data = rdflib_graph(t for p in project.ontology_files + project.data_files
                        for t in read_triples(p))
    shapes = rdflib_graph(t for p in project.shapes_files for t in read_triples(p))
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                         advanced=True, allow_warnings=True)
    assert conforms, text
    assert "Severity: sh:Warning" not in text


def test_every_quote_is_verbatim_from_the_source(facts: list[ox.Triple]) -> None:
    document = fold(SOURCE.read_text(encoding="utf-8"))
    quotes = [t.object.value for t in facts
              if t.predicate.value == DG + "quote" and t.object.language == "az"]
    assert len(quotes) > 40
    missing = [q for q in quotes if fold(q) not in document]
    assert not missing


def test_every_fact_node_has_provenance_and_an_azerbaijani_quote(
    facts: list[ox.Triple],
) -> None:
    typed = {(t.subject, t.object.value.removeprefix(DG)) for t in facts
             if t.predicate.value == RDF_TYPE and t.object.value.startswith(DG)}
    fact_nodes = {s for s, cls in typed if cls not in NOT_FACTS}
    derived = {t.subject for t in facts if t.predicate.value == PROV}
    quoted = {t.subject for t in facts
              if t.predicate.value == DG + "quote" and t.object.language == "az"}
    assert len(fact_nodes) > 40
    assert fact_nodes <= derived
    assert fact_nodes <= quoted


def test_every_sentence_of_the_source_is_quoted_somewhere(facts: list[ox.Triple]) -> None:
    quoted = fold(" ".join(t.object.value for t in facts if t.predicate.value == DG + "quote"))
    sentences = re.split(r"(?<=[.!?])\s+|(?<=\.)(?=[A-ZƏÖÜİŞÇĞ])",
                         fold(SOURCE.read_text(encoding="utf-8")))
    unquoted = [s for s in sentences if len(s) > 25 and fold(s)[:40] not in quoted]
    assert not unquoted


def test_no_blank_nodes_in_the_data(facts: list[ox.Triple]) -> None:
    assert not [t for t in facts
                if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]


def test_all_249_iso_states_with_codes(project: Project) -> None:
    triples = read_triples(ROOT / "data" / "countries.ttl")
    countries = {t.subject for t in triples
                 if t.predicate.value == RDF_TYPE and t.object.value == DG + "Country"}
    former = {t.subject for t in triples
              if t.predicate.value == RDF_TYPE and t.object.value == DG + "FormerCountry"}
    assert len(countries - former) == 249 and len(former) == 31 and former <= countries
    alpha3 = {t.object.value for t in triples if t.predicate.value == DG + "alpha3"}
    assert {"AZE", "UZB", "KAZ", "UKR"} <= alpha3 and len(alpha3) == 249


@pytest.mark.slow
def test_reference_data_regenerates_byte_identical(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    committed = (ROOT / "data" / "countries.ttl").read_bytes()
    made_with = re.search(rb"from (pycountry [0-9.]+)", committed)
    installed = f"pycountry {version('pycountry')}"
    if made_with is None or made_with.group(1).decode() != installed:
        pytest.skip(f"countries.ttl was made with another pycountry than {installed}")
    assert refdata_main([]) == 0
    assert capsysbinary.readouterr().out == committed
