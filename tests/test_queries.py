"""Named queries answer what the source document says."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from conftest import Run
from diplograph.cli import cli
from diplograph.project import Project
from diplograph.sparql.catalog import Catalog


def rows(stdout: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(stdout)))


def copy_project(project: Project, tmp_path: Path) -> Path:
    """A copy of the bundled project to change (its store is the same as long as the
    ontology and data are)."""
    fork = tmp_path / "fork"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(project.root / part, fork / part)
    return fork


def query(run: Run, name: str, *args: str) -> list[dict[str, str]]:
    result = run("query", name, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return rows(result.stdout)


def test_relations_of_azerbaijan_with_dates_oldest_first(run: Run) -> None:
    found = query(run, "relations", "--country", "AZ")
    assert [(r["partner_code"], r["established"]) for r in found] == [
        ("KZ", "1992-08-30"),
        ("UZ", "1995-10-02"),
    ]
    assert found[1]["partner_label"] == "Uzbekistan"
    assert found[1]["relation"].startswith("https://w3id.org/diplograph/")


@pytest.mark.parametrize(
    "spelling",
    ["KZ", "kz", "KAZ", "Kazakhstan", "Qazaxıstan", "Казахстан",
     "https://w3id.org/diplograph/country/KZ", "country:KZ"],
)
def test_a_country_is_named_by_code_label_in_any_language_or_iri(run: Run, spelling: str) -> None:
    found = query(run, "relations", "--country", spelling)
    assert [(r["partner_code"], r["established"]) for r in found] == [("AZ", "1992-08-30")]


def test_labels_follow_lang_and_fall_back_to_english(run: Run) -> None:
    found = query(run, "relations", "--country", "AZ", "--lang", "az")
    assert {r["partner_label"] for r in found} == {"Qazaxstan", "Özbəkistan"}
    found = query(run, "relations", "--country", "AZ", "--lang", "ru")
    assert {r["partner_label"] for r in found} == {"Казахстан", "Узбекистан"}


def test_timeline_is_every_dated_event_between_the_two_states_oldest_first(run: Run) -> None:
    found = query(run, "timeline", "--a", "AZ", "--b", "UZ")
    dates = [r["date"] for r in found]
    earliest = [r["earliest"] for r in found]
    assert earliest == sorted(earliest)  # oldest first by the bounds
    assert ("1995-10-02", "diplomatic relations established") in {
        (r["date"], r["kind"]) for r in found
    }
    for date in ("1996", "1996-05-26", "1997-06-18", "1998-05", "2004-03-23", "2008-09-11"):
        assert date in dates
    assert "1992-08-30" not in dates  # Azerbaijan-Kazakhstan, not Uzbekistan
    # the middle of 1996 (May to August) can be before the visit of 26 May 1996
    assert dates.index("1996") < dates.index("1996-05-26")


def test_timeline_is_symmetric_and_bounded_by_from_and_to(run: Run) -> None:
    forward = query(run, "timeline", "--a", "AZ", "--b", "UZ")
    backward = query(run, "timeline", "--a", "Özbəkistan", "--b", "Azerbaijan")
    assert forward == backward
    bounded = query(run, "timeline", "--a", "AZ", "--b", "UZ", "--from", "1997", "--to", "2004")
    assert bounded
    # each row can overlap 1997-2004: it neither certainly ends before nor begins after
    assert all((r["latest"] == "" or r["latest"] >= "1997")
               and (r["earliest"] == "" or r["earliest"] <= "2004-12-31") for r in bounded)
    assert {r["item"] for r in bounded} < {r["item"] for r in forward}


def test_visits_with_type_and_documents_signed(run: Run) -> None:
    found = query(run, "visits")
    assert [(r["start"], r["end"], r["from_code"], r["host_code"], r["visit_type"])
            for r in found] == [
        ("1996-05-26", "1996-05-27", "UZ", "AZ", "official"),
        ("1997-06-18", "1997-06-19", "AZ", "UZ", "official"),
        ("2004-03-23", "2004-03-24", "AZ", "UZ", "state"),
        ("2008-09-11", "2008-09-12", "UZ", "AZ", "official"),
    ]
    assert [r["documents_signed"] for r in found[:2]] == ["19", "19"]
    assert found[0]["visitor_label"] == "Islam Karimov"


def test_embassies_keep_the_precision_of_the_source(run: Run) -> None:
    found = query(run, "embassies")
    assert {(r["sending_code"], r["host_code"], r["opened"]) for r in found} == {
        ("KZ", "AZ", "1993-01-09"),
        ("AZ", "UZ", "1996"),
        ("UZ", "AZ", "1998-05"),
        ("AZ", "KZ", "2004-03-01"),
    }
    assert [r["qualifier"] for r in found if r["opened"] == "1996"] == ["mid"]
    assert len(query(run, "embassies", "--country", "KZ")) == 2


def test_ambassadors_first_and_since(run: Run) -> None:
    found = query(run, "ambassadors", "--sending", "KZ", "--host", "AZ")
    by_name = {r["ambassador_label"]: r for r in found}
    assert by_name["Ibrahim Amangaliyev"]["first"] == "true"
    primbetov = next(r for name, r in by_name.items() if "Primbetov" in name)
    # the source does not say whether he was the first: unknown, not false
    assert (primbetov["since"], primbetov["until"], primbetov["first"]) == ("2008-01", "", "")
    assert "Extraordinary and Plenipotentiary" in primbetov["rank"]


def test_agreements_signed_at_visits(run: Run) -> None:
    found = query(run, "agreements", "--a", "AZ", "--b", "UZ", "--lang", "az")
    titles = {r["title"] for r in found}
    assert ("Azərbaycan Respublikası və Özbəkistan Respublikası arasında dostluq və "
            "əməkdaşlıq haqqında müqavilə") in titles
    assert all(r["occasion"] for r in found)


def test_kazakhstan_abstained_on_the_2008_resolution(run: Run) -> None:
    found = query(run, "votes", "--country", "KZ")
    assert [(r["date"], r["country_code"], r["vote"]) for r in found] == [
        ("2008-03-14", "KZ", "abstain")
    ]
    assert found[0]["session"] == "62"
    assert query(run, "votes", "--country", "UZ") == []


def test_honorary_doctorates(run: Run) -> None:
    found = query(run, "honours", "--person", "Heydər Əliyev")
    assert [(r["date"], r["recipient_label"]) for r in found] == [("1997-06-19", "Heydar Aliyev")]
    assert len(query(run, "honours")) == 2


def test_monuments_by_country(run: Run) -> None:
    in_azerbaijan = query(run, "monuments", "--country", "AZ")
    assert [(r["commemorates_label"], r["city_label"], r["unveiled"]) for r in in_azerbaijan] == [
        ("Alisher Navoi", "Baku", "2008-09-12")
    ]
    in_uzbekistan = query(run, "monuments", "--country", "UZ")
    assert [r["commemorates_label"] for r in in_uzbekistan] == ["Nizami Ganjavi"]


def test_sources_quote_the_sentence(run: Run) -> None:
    relation = query(run, "relations", "--country", "UZ")[0]["relation"]
    found = query(run, "sources", "--subject", relation)
    quotes = {r["quote_lang"]: r["quote"] for r in found}
    assert "2 oktyabr 1995-ci ildə" in quotes["az"]
    assert found[0]["source_id"] == "000_83205e02681364cb"


def test_json_is_w3c_sparql_results(run: Run) -> None:
    result = run("query", "relations", "--country", "AZ", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["head"]["vars"][:4] == ["relation", "partner_code", "partner_label", "established"]
    first = doc["results"]["bindings"][0]
    assert first["relation"]["type"] == "uri"
    assert first["partner_label"] == {"type": "literal", "value": "Kazakhstan", "xml:lang": "en"}
    assert first["established"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


def test_tsv_writes_terms_in_ntriples_form(run: Run) -> None:
    lines = run("query", "relations", "--country", "AZ", "--format", "tsv").stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["?relation", "?partner_code", "?partner_label",
                                        "?established"]
    cells = lines[1].split("\t")
    assert cells[0].startswith("<https://") and cells[2] == '"Kazakhstan"@en'
    assert cells[3] == '"1992-08-30"^^<http://www.w3.org/2001/XMLSchema#date>'


def test_table_is_readable(run: Run) -> None:
    out = run("query", "relations", "--country", "AZ", "--format", "table").stdout
    assert "Uzbekistan" in out and "1995-10-02" in out and "partner_label" in out


def test_no_rows_is_said_on_stderr(run: Run) -> None:
    result = run("query", "votes", "--country", "UZ", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.strip() == "resolution,title,date,country_code,vote,session"
    assert "no rows" in result.stderr and "country=" in result.stderr


@pytest.mark.slow
def test_every_documented_example_gives_its_row_count(run: Run, project: Project) -> None:
    catalog = Catalog.load(project.queries_dir)
    checked = 0
    for named in catalog.queries.values():
        assert named.examples, f"{named.name} documents no example"
        for example in named.examples:
            assert len(query(run, named.name, *example.arguments)) >= example.min_rows, (
                named.name, example)
            checked += 1
    assert checked >= len(catalog.queries)


@pytest.mark.slow
def test_queries_test_runs_every_example_and_fails_on_a_wrong_count(
    run: Run, project: Project, tmp_path: Path, store_dir: Path
) -> None:
    result = run("queries", "test")
    assert result.exit_code == 0, result.output
    assert "ok   relations --country AZ: 2 rows (expected at least 2 rows and a row with " \
        "partner_code=UZ, established=1995-10-02)" in result.stdout
    assert "0 failed" in result.stderr
    fork = copy_project(project, tmp_path)
    wrong = fork / "queries" / "relations.rq"
    wrong.write_text(wrong.read_text().replace("min_rows: 2,", "min_rows: 3,"))
    result = CliRunner().invoke(cli, ["--project", str(fork), "--store", str(store_dir),
                                      "queries", "test"])
    assert result.exit_code == 1
    assert "FAIL relations --country AZ: 2 rows (expected at least 3 rows and a row with " \
        "partner_code=UZ, established=1995-10-02)" in result.stdout
    wrong.write_text(wrong.read_text().replace("min_rows: 3,", "min_rows: 2,")
                     .replace("1995-10-02", "1995-10-03"))
    result = CliRunner().invoke(cli, ["--project", str(fork), "--store", str(store_dir),
                                      "queries", "test"])
    assert "FAIL relations --country AZ: 2 rows, none of them the promised row" in result.stdout


@pytest.mark.slow
def test_queries_lint_finds_unknown_terms_and_properties(
    run: Run, project: Project, tmp_path: Path, store_dir: Path
) -> None:
    assert run("queries", "lint").exit_code == 0
    fork = copy_project(project, tmp_path)
    bad = fork / "queries" / "relations.rq"
    bad.write_text(bad.read_text().replace("a dg:DiplomaticRelation", "a dg:DiplomaticRelaton")
                   .replace("dg:alpha2", "dg:alpha_2"))
    result = CliRunner().invoke(cli, ["--project", str(fork), "--store", str(store_dir),
                                      "queries", "lint"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "relations.rq: dg:DiplomaticRelaton is not in the ontology",
        "relations.rq: dg:alpha_2 is not in the ontology",
        "relations.rq: property dg:alpha_2 is used by no fact and declared by no ontology",
    ]


def test_multi_valued_parameters_bind_every_value(run: Run) -> None:
    both = query(run, "monuments", "--country", "AZ", "--country", "Özbəkistan")
    assert {r["country_code"] for r in both} == {"AZ", "UZ"}
    votes = query(run, "votes", "--country", "KZ", "--country", "UZ", "--option", "abstain")
    assert [(r["country_code"], r["vote"]) for r in votes] == [("KZ", "abstain")]
    result = run("query", "relations", "--country", "AZ", "--country", "UZ")
    assert result.exit_code == 2 and "--country takes one value" in result.stderr


def test_year_enum_and_lang_string_parameters(run: Run) -> None:
    assert len(query(run, "votes", "--year", "2008")) == 1
    assert query(run, "votes", "--year", "2007") == []
    found = query(run, "names", "--name", "Казахстан@ru")
    assert [r["thing"] for r in found] == ["https://w3id.org/diplograph/country/KZ"]
    assert query(run, "names", "--name", "Казахстан@az") == []


def test_show_sparql_prints_the_query_that_ran(run: Run) -> None:
    result = run("query", "relations", "--country", "KZ", "--format", "csv", "--show-sparql")
    assert result.exit_code == 0
    shown = result.stderr
    assert '(<https://w3id.org/diplograph/country/KZ> AS $country) ("en" AS $lang)' in shown
    assert "dg:betweenState <https://w3id.org/diplograph/country/KZ>, ?partner" in shown
    again = run("sparql", shown, "--format", "csv")
    assert again.exit_code == 0
    assert rows(again.stdout)[0]["partner_code"] == rows(result.stdout)[0]["partner_code"] == "AZ"


def test_show_sparql_writes_several_values_as_a_values_block(run: Run) -> None:
    result = run("query", "votes", "--country", "KZ", "--country", "AZ", "--format", "csv",
                 "--show-sparql")
    assert result.exit_code == 0
    assert ("VALUES $country { <https://w3id.org/diplograph/country/KZ> "
            "<https://w3id.org/diplograph/country/AZ> }") in result.stderr


def test_explain_gives_the_source_and_sentence_of_each_row(run: Run) -> None:
    result = run("query", "relations", "--country", "AZ", "--format", "csv", "--explain",
                 "--lang", "az")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "row 1:",
        "  dgr:relation-AZ-KZ from 000_83205e02681364cb",
        '    "Azərbaycan-Qazaxıstan əlaqələri . Azərbaycan Respublikası ilə Qazaxıstan '
        'Respublikası arasında diplomatik əlaqələr 30 avqust 1992-ci il tarixində '
        'yaradılmışdır."',
    ]
    assert lines[3] == "row 2:"


@pytest.mark.parametrize("fmt", ["xml", "ndjson", "json", "csv", "tsv"])
def test_output_extension_picks_the_format(run: Run, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"relations.{fmt}"
    assert run("query", "relations", "--country", "AZ", "--output", str(out)).exit_code == 0
    assert out.read_text() == run("query", "relations", "--country", "AZ",
                                  "--format", fmt).stdout


def test_xml_is_w3c_sparql_results(run: Run) -> None:
    doc = ElementTree.fromstring(run("query", "relations", "--country", "AZ",
                                     "--format", "xml").stdout)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in doc.findall("r:head/r:variable", ns)] == [
        "relation", "partner_code", "partner_label", "established"]
    first = doc.findall("r:results/r:result", ns)[0]
    label = first.find("r:binding[@name='partner_label']/r:literal", ns)
    assert label is not None and label.text == "Kazakhstan"
    assert label.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_ndjson_is_one_object_per_row(run: Run) -> None:
    lines = run("query", "relations", "--country", "AZ", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["partner_code"] for line in lines] == ["KZ", "UZ"]


def test_rows_formats_refuse_rdf_formats_and_construct_takes_rdf_xml(run: Run) -> None:
    result = run("query", "relations", "--country", "AZ", "--format", "ttl")
    assert result.exit_code == 2 and "not a format for query results" in result.stderr
    construct = run("sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
                    "--format", "xml")
    assert construct.exit_code == 0 and "rdf:RDF" in construct.stdout
