"""Verified provenance in any language: facts from a Russian source carry Russian
quotes and labels, found in the source's text, whose SHA-256 is checked. Each test
compiles a copy of the graph."""
# ruff: noqa: RUF001  (Russian text: Cyrillic letters that look Latin are meant)

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import copy_graph, invoke, snapshot

RUSSIAN = ("Президент Республики Казахстан Нурсултан Назарбаев\n"
           "прибыл в Баку с официальным визитом 3 июня 2010 года.")
PREFIXES = """@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix dgv: <https://w3id.org/diplograph/vocab/> .
@prefix dgr: <https://w3id.org/diplograph/resource/> .
@prefix country: <https://w3id.org/diplograph/country/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def russian_facts(sha256: str, quote: str, label: str) -> str:
    return PREFIXES + f"""
dgr:source-001 a dg:SourceDocument ;
    rdfs:label "Source 001: a visit of Nursultan Nazarbayev to Baku"@en ;
    dcterms:identifier "001_nazarbayev_baku" ;
    dcterms:language "ru" ;
    schema:contentUrl "sources/001_nazarbayev_baku.txt"^^xsd:anyURI ;
    schema:sha256 "{sha256}" .

dgr:person-nursultan-nazarbayev a dg:Person ;
    rdfs:label {label} , "Nursultan Nazarbayev"@en ;
    dg:presidentOf country:KZ ;
    prov:wasDerivedFrom dgr:source-001 .

dgr:visit-2010-06-03-nazarbayev-baku a dg:Visit ;
    rdfs:label "Official visit of Nursultan Nazarbayev to Azerbaijan"@en ;
    dg:visitor dgr:person-nursultan-nazarbayev ;
    dg:visitorState country:KZ ;
    dg:visitedState country:AZ ;
    dg:visitType dgv:official-visit ;
    dg:startDate "2010-06-03"^^xsd:date ;
    dg:involvesState country:KZ , country:AZ ;
    prov:wasDerivedFrom dgr:source-001 ;
    dg:quote {quote} ,
        "President Nursultan Nazarbayev arrived in Baku on an official visit on 3 June 2010."@en .
"""


pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the graph holding the text of a Russian source document."""
    folder = copy_graph(tmp_path)
    (folder / "data" / "sources" / "001_nazarbayev_baku.txt").write_text(RUSSIAN, "utf-8")
    return folder


def write(tmp_path: Path, quote: str, label: str = '"Нурсултан Назарбаев"@ru',
          sha256: str = hashlib.sha256(RUSSIAN.encode()).hexdigest()) -> str:
    path = tmp_path / "russian.ttl"
    path.write_text(russian_facts(sha256, quote, label), encoding="utf-8")
    return str(path)


def test_a_russian_source_with_russian_quotes_validates_and_adds(
        project: Path, tmp_path: Path) -> None:
    facts = write(tmp_path, '"Президент Республики Казахстан Нурсултан Назарбаев прибыл в '
                            'Баку с официальным визитом 3 июня 2010 года."@ru')
    checked = invoke(project, "validate", facts)
    assert checked.exit_code == 0, checked.output
    added = invoke(project, "add", facts)
    assert added.exit_code == 0, added.output
    assert "added 23 triples about 3 subjects" in added.stderr
    found = invoke(project, "query", "visits", "--country", "KZ", "--format", "csv")
    assert "2010-06-03,,Nursultan Nazarbayev,KZ,AZ,official" in found.stdout


@pytest.mark.parametrize("quote,label,problem", [
    ('"Azərbaycan ilə Qazaxıstan arasında."@az', '"Нурсултан Назарбаев"@ru',
     "must carry a verbatim dg:quote in the language of its source"),
    ('"Президент Казахстана прибыл в Москву."@ru', '"Нурсултан Назарбаев"@ru',
     "this quote is not in the text of dgr:source-001"),
    ('"Президент Республики Казахстан Нурсултан Назарбаев прибыл в Баку."@ru',
     '"Nursultan Nazarbayev"@kk', "must have an rdfs:label in its language (@ru)"),
])
def test_quotes_and_labels_in_the_source_language_are_required(
        project: Path, tmp_path: Path, quote: str, label: str, problem: str) -> None:
    before = snapshot(project)
    result = invoke(project, "add", write(tmp_path, quote, label))
    assert result.exit_code == 1, result.output
    assert problem in result.stdout
    assert snapshot(project) == before


def test_a_source_whose_text_changed_fails_its_checksum(project: Path, tmp_path: Path) -> None:
    facts = write(tmp_path, '"Президент Республики Казахстан Нурсултан Назарбаев прибыл в '
                            'Баку с официальным визитом 3 июня 2010 года."@ru', sha256="0" * 64)
    result = invoke(project, "validate", facts)
    assert result.exit_code == 1
    assert "the SHA-256 of sources/001_nazarbayev_baku.txt is" in result.stdout
    assert "cannot be checked" not in result.stdout  # the source's problem, said once
