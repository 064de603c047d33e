"""The command line: help, exit codes, one-line errors, sparql, export, validate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.shell_completion import BashComplete

from conftest import ROOT, Run
from diplograph.cli import cli
from diplograph.cli.reference import commands
from diplograph.project import Project


@pytest.mark.parametrize("name,command", list(commands(cli, ("diplograph",))))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and len(command.help) > 20, name


def test_query_help_lists_the_query_parameters(run: Run) -> None:
    result = run("query", "timeline", "--help")
    assert result.exit_code == 0
    for option in ("--a", "--b", "--from", "--to", "--lang", "--format"):
        assert option in result.stdout
    assert "[required]" in result.stdout


def test_queries_lists_and_shows_the_catalog(run: Run) -> None:
    listing = run("queries").stdout
    for name in ("relations", "timeline", "visits", "embassies", "ambassadors", "agreements",
                 "votes", "honours", "monuments", "sources"):
        assert name in listing
    shown = run("queries", "show", "relations").stdout
    assert shown.startswith("#+ summary:") and "SELECT" in shown


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["query", "relatons", "--country", "AZ"], 3, "did you mean relations"),
        (["query", "relations"], 2, "needs --country"),
        (["query", "relations", "--country", "Kazakhztan"], 3, "did you mean"),
        (["query", "visits", "--from", "2008-02-30"], 3, "is not a date"),
        (["query", "visits", "--lang", "not a tag"], 3, "is not a language tag"),
        (["query", "sources", "--subject", "http://x/a b"], 3, "is not an IRI"),
        (["query", "relations", "--country", "AZ", "--nope", "x"], 2, "No such option"),
        (["queries", "show", "nope"], 3, "no query named"),
        (["sparql", "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"], 3,
         "SERVICE is not allowed"),
        (["sparql", "SELECT * WHERE { ?s ?p }"], 3, "query:"),
        (["sparql", "SELECT * WHERE { ?s ?p "], 3, "query: the query does not parse (error at 1:"),
        (["sparql", "DELETE WHERE { ?s ?p ?o }"], 3, "updates (LOAD, INSERT, DELETE ...) are not"),
        (["query", "votes", "--year", "08"], 3, "is not a year"),
        (["query", "votes", "--option", "abstian"], 3, "did you mean 'abstain'?"),
        (["query", "names", "--name", "Kazakhstan"], 3, "is not a text with a language tag"),
        (["query", "monuments", "--country", "AZ", "--country", "Narnia"], 3,
         "no dg:Country called 'Narnia'"),
        (["query", "relations", "--country", "AZ", "--format", "nt"], 2,
         "not a format for query results"),
    ],
)
def test_bad_input_is_one_line_and_a_documented_exit_code(
    run: Run, args: list[str], code: int, message: str
) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    if code == 3:
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("error: ") and "(hint: " in result.stderr


def completions(project: Path, store_dir: Path, args: list[str], incomplete: str) -> list[str]:
    """What the shell would offer after `diplograph ARGS INCOMPLETE<TAB>`."""
    complete = BashComplete(cli, {}, "diplograph", "_DIPLOGRAPH_COMPLETE")
    root = ["--project", str(project), "--store", str(store_dir)]
    return [item.value for item in complete.get_completions(root + args, incomplete)]


def test_shell_completion_of_queries_parameters_and_country_codes(
    project: Project, store_dir: Path
) -> None:
    assert completions(project.root, store_dir, ["query"], "ti") == ["timeline"]
    assert completions(project.root, store_dir, ["queries", "show"], "am") == ["ambassadors"]
    options = completions(project.root, store_dir, ["query", "timeline"], "--")
    assert {"--a", "--b", "--from", "--to", "--lang", "--show-sparql", "--explain"} <= set(options)
    assert completions(project.root, store_dir, ["query", "relations", "--country"], "k") == [
        "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ"]
    assert completions(project.root, store_dir, ["query", "votes", "--option"], "a") == [
        "abstain", "absent"]


def test_queries_lists_types_and_multi_valued_parameters(run: Run) -> None:
    listing = run("queries").stdout.splitlines()
    votes = next(line for line in listing if line.startswith("votes "))
    assert votes.endswith("[country?:country... option?:enum year?:year resolution?:entity "
                          "lang?:lang]")
    assert "[name:lang-string]" in next(line for line in listing if line.startswith("names "))


def test_sparql_ask_select_and_construct(run: Run) -> None:
    prefix = "PREFIX dg: <https://w3id.org/diplograph/ontology#> "
    ask = run("sparql", prefix + "ASK { ?r a dg:DiplomaticRelation }", "--format", "json")
    assert ask.exit_code == 0 and json.loads(ask.stdout) == {"head": {}, "boolean": True}
    select = run("sparql", prefix + "SELECT (COUNT(*) AS ?n) WHERE { ?c a dg:Country }")
    assert select.stdout.splitlines() == ["n", "280"]  # 249 of today, 31 former
    construct = run("sparql", prefix + "CONSTRUCT { ?r a dg:DiplomaticRelation } "
                    "WHERE { ?r a dg:DiplomaticRelation }", "--format", "nt")
    assert len(construct.stdout.strip().splitlines()) == 2


def test_inference_is_on_by_default_and_can_be_turned_off(run: Run) -> None:
    ask = ("PREFIX dg: <https://w3id.org/diplograph/ontology#> PREFIX country: "
           "<https://w3id.org/diplograph/country/> "
           "ASK { country:UZ dg:hasDiplomaticRelationWith country:AZ }")
    assert run("sparql", ask, "--format", "csv").stdout.splitlines()[1] == "true"
    assert run("sparql", ask, "--format", "csv", "--no-inference").stdout.splitlines()[1] == "false"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "diplograph", "--help"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0 and "diplograph" in result.stdout


def test_bundled_graph_is_found_outside_a_project(tmp_path: Path, store_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "diplograph", "--store", str(store_dir), "query", "relations",
         "--country", "UZ", "--format", "csv"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1995-10-02" in result.stdout


def test_project_option_must_name_a_project(run: Run, tmp_path: Path) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["--project", str(tmp_path), "queries"])
    assert result.exit_code == 2
    assert "not a diplograph project" in result.stderr


def test_the_command_line_imports_without_unix_only_modules() -> None:
    """What Windows lacks (fcntl, resource) is imported only where it is used, so the
    command line and the add lock load there."""
    code = ("import sys\n"
            "sys.modules['fcntl'] = sys.modules['resource'] = None\n"
            "from diplograph.cli import cli, main\n"
            "cli.load_all()\n"
            "import diplograph.validation.additions\n"
            "sys.argv = ['diplograph', '--version']\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("diplograph, version ")
