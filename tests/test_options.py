"""What the command line does with the options a user gives: repeated values combine or
are refused, two-state filters, formats that must agree with the output file's name,
options that exclude each other. Never a silent other answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import Run
from diplograph.cli import cli
from diplograph.project import Project


def column(csv_text: str, name: str) -> list[str]:
    """One column of CSV output, by header name."""
    lines = csv_text.splitlines()
    at = lines[0].split(",").index(name)
    return [line.split(",")[at] for line in lines[1:]]


def test_a_repeated_country_of_visits_means_either(run: Run) -> None:
    kz = run("query", "visits", "--country", "KZ", "--format", "csv").stdout
    uz = run("query", "visits", "--country", "UZ", "--format", "csv").stdout
    both = run("query", "visits", "--country", "UZ", "--country", "KZ", "--format", "csv")
    assert both.exit_code == 0
    assert sorted(column(both.stdout, "visit")) == sorted(
        set(column(kz, "visit")) | set(column(uz, "visit")))
    assert len(column(both.stdout, "visit")) == 4  # not KZ's (none), the last value only
    assert "[may be repeated]" in " ".join(run("query", "visits", "--help").stdout.split())


@pytest.mark.parametrize("query, option", [("relations", "country"), ("agreements", "a"),
                                           ("ambassadors", "sending"), ("timeline", "from")])
def test_a_single_valued_option_given_twice_is_refused(run: Run, query: str,
                                                       option: str) -> None:
    values = {"country": ("KZ", "UZ"), "a": ("AZ", "KZ"), "sending": ("AZ", "KZ"),
              "from": ("1995", "2000")}[option]
    required = ["--a", "AZ", "--b", "KZ"] if query == "timeline" else []
    result = run("query", query, *required, f"--{option}", values[0], f"--{option}", values[1])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --{option} takes one value, 2 were given "
                                    f"({values[0]}, {values[1]})")
    assert result.stdout == ""


def test_visits_between_two_states_either_way(run: Run) -> None:
    result = run("query", "visits", "--a", "UZ", "--b", "Azerbaijan", "--format", "csv")
    pairs = set(zip(column(result.stdout, "from_code"), column(result.stdout, "host_code"),
                    strict=True))
    assert pairs == {("UZ", "AZ"), ("AZ", "UZ")}
    assert len(column(result.stdout, "visit")) == 4
    none = run("query", "visits", "--a", "AZ", "--b", "KZ", "--format", "csv")
    assert none.stdout.count("\n") == 1 and "no rows (a=" in none.stderr


def test_ambassadors_between_two_states_either_way(run: Run) -> None:
    directed = run("query", "ambassadors", "--sending", "KZ", "--host", "AZ",
                   "--format", "csv").stdout
    either = run("query", "ambassadors", "--a", "AZ", "--b", "KZ", "--format", "csv").stdout
    assert column(either, "posting") == column(directed, "posting")
    assert len(column(either, "posting")) == 2
    assert run("query", "ambassadors", "--a", "AZ", "--b", "UZ", "--format",
               "csv").stdout.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["--output", "rel.xlsx"], "error: --output {tmp}/rel.xlsx: .xlsx is no format for "
                               "query results (hint: name the file .csv, .tsv, .json"),
    (["--output", "rel.csv", "--format", "json"],
     "error: --format json does not match --output {tmp}/rel.csv, which would be csv"),
    (["--output", "rel.ttl"], "error: --output {tmp}/rel.ttl: .ttl is no format for query"),
])
def test_an_output_name_that_disagrees_with_the_format_is_refused(
        run: Run, tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("rel.") else a for a in args]
    result = run("query", "relations", "--country", "AZ", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_output_name_without_extension_takes_the_format(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "relations"
    assert run("query", "relations", "--country", "AZ", "--format", "json",
               "--output", str(out)).exit_code == 0
    assert json.loads(out.read_text())["head"]["vars"][:2] == ["relation", "partner_code"]


def test_a_graph_is_not_written_as_rows(run: Run, tmp_path: Path) -> None:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"
    refused = run("sparql", construct, "--format", "csv")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: 'csv' is not a format for a graph")
    assert run("sparql", construct, "--output", str(tmp_path / "g.csv")).exit_code == 2
    assert run("sparql", construct, "--output", str(tmp_path / "g.rdf")).exit_code == 0
    assert "<rdf:RDF" in (tmp_path / "g.rdf").read_text()
    assert list(tmp_path.iterdir()) == [tmp_path / "g.rdf"]


@pytest.mark.parametrize("args, message", [
    (["--format", "nq", "--output", "x.ttl"],
     "error: --format nq does not match --output {tmp}/x.ttl, which would be ttl"),
    (["--output", "x.xlsx"], "error: --output {tmp}/x.xlsx: .xlsx is not an RDF format's"),
    (["--output", "x.csv.gz"], "error: --output {tmp}/x.csv.gz: .csv is not an RDF format's"),
    (["--inferred", "--all"], "error: --inferred and --all exclude each other"),
    (["--asserted", "--inferred"], "error: --asserted and --inferred exclude each other"),
])
def test_export_refuses_disagreeing_options(run: Run, tmp_path: Path, args: list[str],
                                            message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = run("export", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(tmp=tmp_path))
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_export_format_and_extension_may_agree(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "x.nq.gz"
    assert run("export", "--format", "nq", "--output", str(out)).exit_code == 0
    assert out.read_bytes()[:2] == b"\x1f\x8b"


def test_sparql_predeclares_the_project_prefixes(run: Run) -> None:
    result = run("sparql", "SELECT ?o WHERE { dgr:relation-AZ-KZ dg:betweenState ?o } "
                 "ORDER BY ?o", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.split() == ["o", "https://w3id.org/diplograph/country/AZ",
                                     "https://w3id.org/diplograph/country/KZ"]
    own = run("sparql", "PREFIX dgr: <https://example.org/> ASK { dgr:relation-AZ-KZ ?p ?o }",
              "--format", "csv")
    assert own.stdout.split() == ["boolean", "false"]  # the query's own PREFIX wins
    assert "DESCRIBE" in run("sparql", "--help").stdout


def test_graphs_come_back_with_the_prefixes_one_block_per_subject(run: Run) -> None:
    turtle = run("sparql", "DESCRIBE dgr:relation-AZ-KZ country:KZ").stdout
    assert "@prefix dgr: <https://w3id.org/diplograph/resource/> ." in turtle
    blocks = [line.split()[0] for line in turtle.splitlines()
              if line and not line.startswith((" ", "@"))]
    assert blocks == ["country:KZ", "dgr:relation-AZ-KZ"]
    assert "    dg:betweenState country:AZ, country:KZ ;" in turtle
    jsonld = run("sparql", "DESCRIBE dgr:relation-AZ-KZ", "--format", "jsonld").stdout
    assert jsonld.count('"@id": "dgr:relation-AZ-KZ"') == 1


def test_tables_keep_identifiers_whole(run: Run) -> None:
    table = run("query", "ambassadors", "--lang", "az", "--format", "table").stdout
    assert "dgr:ambassadorship-ibrahim-amangaliyev-KZ-in-AZ" in table
    assert "…" not in table
    rows = [line for line in table.splitlines() if line.startswith("│")]
    posting = rows[0].split("│")[1].strip()
    assert run("query", "sources", "--subject", posting).exit_code == 0


@pytest.mark.parametrize("lang, guess", [("xx", ""), ("russian", "did you mean ru? ")])
def test_an_unknown_language_is_refused_with_the_graphs_languages(run: Run, lang: str,
                                                                  guess: str) -> None:
    result = run("query", "relations", "--country", "AZ", "--lang", lang)
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith(f"error: --lang: the graph holds no labels in {lang!r} "
                                    f"(hint: {guess}")
    held = result.stderr.split("languages: ")[1].rstrip(")\n").split(", ")
    assert {"az", "en", "ru", "fr"} <= set(held) and "xx" not in held


def test_every_label_column_follows_lang(run: Run) -> None:
    ranks = run("query", "ambassadors", "--lang", "az", "--format", "csv").stdout
    assert "Fövqəladə və Səlahiyyətli səfir" in column(ranks, "rank")
    timeline = run("query", "timeline", "--a", "AZ", "--b", "KZ", "--lang", "az",
                   "--format", "csv").stdout
    kinds = column(timeline, "kind")
    assert kinds[:3] == ["yaradılma tarixi", "fəaliyyətə başladığı tarix",
                         "fəaliyyətə başladığı tarix"]
    assert "diplomatik nota" in kinds and not any("diplomatic" in k for k in kinds)
    english = run("query", "timeline", "--a", "AZ", "--b", "KZ", "--format", "csv").stdout
    assert column(english, "kind")[:2] == ["diplomatic relations established",
                                           "embassy began operating"]


def test_a_store_folder_given_by_a_relative_path_answers_as_by_its_full_path(
        run: Run, project: Project, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["query", "timeline", "--a", "AZ", "--b", "KZ", "--lang", "az", "--format", "csv"]
    whole = run(*args)
    monkeypatch.chdir(store_dir.parent)
    relative = CliRunner().invoke(cli, ["--project", str(project.root), "--store",
                                        store_dir.name, *args])
    assert (relative.exit_code, relative.stdout) == (0, whole.stdout)
    assert "yaradılma tarixi" in relative.stdout
