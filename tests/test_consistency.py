"""An inconsistent graph is never silent, and the reasoner in use is the one asked for:
through the command line, on small projects of their own."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from diplograph import Graph
from diplograph.cli import cli
from diplograph.reasoning.engines import ENGINE_ENV
from diplograph.store.folder import REASONING

HEAD = """@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
RANGE_NOTHING = HEAD + """:p a owl:ObjectProperty ;
    rdfs:range owl:Nothing .
"""
Invoke = Callable[..., Result]
QUERY = "#+ summary: Every triple.\nSELECT ?s ?p ?o WHERE { ?s ?p ?o }\n"


def make_project(root: Path, ontology: str, data: str) -> Path:
    for folder in ("ontology", "data", "queries"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "o.ttl").write_text(ontology)
    (root / "data" / "d.ttl").write_text(data)
    (root / "queries" / "everything.rq").write_text(QUERY)
    return root


@pytest.fixture
def cli_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """A runner of the command line on a project folder, with a store cache of its own."""
    monkeypatch.delenv(ENGINE_ENV, raising=False)

    def invoke(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, ["--project", str(project), "--store",
                                        str(tmp_path / "stores"), *args], env=env)

    return invoke


def test_a_range_of_nothing_is_reported_by_every_command(tmp_path: Path, cli_on: Invoke) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD + "\n:a :p :b .\n")
    reason = cli_on(project, "reason", "--stats")
    assert reason.exit_code == 1, reason.output
    assert reason.stdout.splitlines()[-2:] == [
        "inconsistent: 1 clash",
        "  cls-nothing2: http://example.org/b is a member of owl:Nothing "
        "(inferred, data/d.ttl:5, ontology/o.ttl:5)"]
    assert reason.stderr == ""  # the list, not the warning too
    for args in (["query", "everything"], ["sparql", "ASK { ?s ?p ?o }"], ["export"],
                 ["store", "info"]):
        result = cli_on(project, *args)
        assert result.exit_code == 0, (args, result.output)
        warnings = result.stderr.splitlines()
        assert warnings == [
            "warning: the graph is inconsistent: 1 clash: cls-nothing2: http://example.org/b "
            "is a member of owl:Nothing (inferred, data/d.ttl:5, ontology/o.ttl:5) "
            "(run `diplograph reason` to list them all)"], args
    info = cli_on(project, "store", "info").stdout
    assert "reasoner: native, inconsistent (1 clash(es): `reason` lists them)" in info


def test_reason_lists_every_clash_with_its_rule_and_lines(tmp_path: Path, cli_on: Invoke) -> None:
    ontology = HEAD + """:Dog owl:disjointWith :Cat .
:knows a owl:IrreflexiveProperty .
:r owl:propertyDisjointWith :s .
"""
    data = HEAD + """:rex a :Dog .
:rex a :Cat .
:u owl:sameAs :v .
:u owl:differentFrom :v .
:n :knows :n .
[] a owl:NegativePropertyAssertion ; owl:sourceIndividual :n ;
   owl:assertionProperty :r ; owl:targetIndividual :o .
:n :r :o .
"""
    project = make_project(tmp_path / "p", ontology, data)
    result = cli_on(project, "reason")
    assert result.exit_code == 1
    clashes = result.stdout.splitlines()[2:]
    assert result.stdout.splitlines()[1] == f"inconsistent: {len(clashes)} clashes"
    assert {line.split(":")[0].strip() for line in clashes} == {
        "cax-dw", "eq-diff1", "prp-irp", "prp-npa1"}
    dw = next(line for line in clashes if "cax-dw" in line)
    assert dw.endswith("(ontology/o.ttl:4, data/d.ttl:4, data/d.ttl:5)")
    npa = next(line for line in clashes if "prp-npa1" in line)
    assert "http://example.org/n http://example.org/r http://example.org/o" in npa
    assert npa.endswith("data/d.ttl:11)")
    more = cli_on(project, "sparql", "ASK { ?s ?p ?o }").stderr
    assert more.startswith(f"warning: the graph is inconsistent: {len(clashes)} clashes: ")
    assert more.rstrip().endswith(f"and {len(clashes) - 2} more (run `diplograph reason` to "
                                  "list them all)")
    assert len(more.splitlines()) == 1


def test_a_consistent_graph_says_nothing(tmp_path: Path, cli_on: Invoke) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD + "\n:a :q :b .\n")
    result = cli_on(project, "reason")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "0 triples inferred\n", "")
    assert cli_on(project, "sparql", "ASK { ?s ?p ?o }").stderr == ""
    assert Graph.open(project, tmp_path / "stores").consistency.consistent


def test_the_front_door_gives_the_consistency(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD + "\n:a :p :b .\n")
    found = Graph.open(project, tmp_path / "stores").consistency
    assert not found.consistent and found.engine == "native"
    [clash] = found.contradictions
    assert (clash.rule, clash.where) == ("cls-nothing2",
                                         ("inferred", "data/d.ttl:5", "ontology/o.ttl:5"))


def test_validate_reports_a_clash_on_an_object_of_new_facts(tmp_path: Path,
                                                            cli_on: Invoke) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD)
    facts = tmp_path / "new.ttl"
    facts.write_text(HEAD + "\n:a :p :b .\n")
    for command in ("validate", "add"):
        result = cli_on(project, command, str(facts))
        assert result.exit_code == 1, result.output
        assert "OWL RL consistency (cls-nothing2) (1)" in result.stdout
        assert (f"  {facts}:5: violation: http://example.org/b: http://example.org/b is a "
                "member of owl:Nothing") in result.stdout
    assert (project / "data" / "d.ttl").read_text() == HEAD  # nothing added
    assert not (project / "data" / "additions.ttl").exists()


def test_validate_reports_a_clash_two_hops_away(tmp_path: Path, cli_on: Invoke) -> None:
    ontology = HEAD + """:Member owl:equivalentClass [ a owl:Restriction ;
    owl:onProperty :club ; owl:hasValue :chess ] .
:club a owl:ObjectProperty .
:plays rdfs:range :Member .
:Club owl:disjointWith :Game .
:club rdfs:range :Club .
:chess a :Game .
"""
    project = make_project(tmp_path / "p", ontology, HEAD + ":anna a :Person .\n")
    facts = tmp_path / "new.ttl"
    facts.write_text(HEAD + "\n:bob :plays :anna .\n")  # anna a Member, club chess: a Club
    result = cli_on(project, "validate", str(facts))
    assert result.exit_code == 1, result.output
    assert "OWL RL consistency (cax-dw) (1)" in result.stdout
    assert "violation: http://example.org/chess: http://example.org/chess is both a" \
        in result.stdout


def test_validate_does_not_blame_new_facts_for_old_clashes(tmp_path: Path, cli_on: Invoke) -> None:
    ontology = RANGE_NOTHING + ":q a owl:ObjectProperty .\n:Thing a owl:Class .\n"
    project = make_project(tmp_path / "p", ontology, HEAD + "\n:a a :Thing ; :p :b .\n")
    facts = tmp_path / "new.ttl"
    facts.write_text(HEAD + "\n:a :q :c .\n")  # new facts about a typed, known subject
    result = cli_on(project, "validate", str(facts))
    assert result.exit_code == 0, result.output
    assert "OWL RL consistency" not in result.stdout
    assert result.stderr.startswith("warning: the graph is inconsistent: 1 clash: cls-nothing2")


def test_validating_an_empty_file_still_warns_of_the_graph(tmp_path: Path,
                                                           cli_on: Invoke) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD + "\n:a :p :b .\n")
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    result = cli_on(project, "validate", str(empty))
    assert result.stderr.splitlines()[0].startswith(
        "warning: the graph is inconsistent: 1 clash: cls-nothing2: http://example.org/b")


def test_switching_reasoner_recompiles_and_store_info_names_it(tmp_path: Path,
                                                               cli_on: Invoke) -> None:
    ontology = RANGE_NOTHING + """:Parent owl:equivalentClass [ a owl:Restriction ;
    owl:onProperty :child ; owl:someValuesFrom owl:Thing ] .
"""
    project = make_project(tmp_path / "p", ontology, HEAD + ":a :q :b .\n")
    native = cli_on(project, "store", "info").stdout
    owlrl = cli_on(project, "store", "info", env={ENGINE_ENV: "owlrl"}).stdout
    assert "reasoner: owlrl (native asked for; the ontology uses constructs it lacks)" \
        in native
    assert "reasoner: owlrl, consistent" in owlrl
    store = [line.split()[1] for line in (native, owlrl) for line in line.splitlines()
             if line.startswith("store:")]
    assert store[0] != store[1]  # two stores, one per engine asked for
    assert json.loads((Path(store[1]) / REASONING).read_text())["asked"] == "owlrl"
    (project / "data" / "d.ttl").write_text(HEAD + ":a :p :b .\n")
    assert cli_on(project, "reason", env={ENGINE_ENV: "owlrl"}).exit_code == 1
    assert cli_on(project, "reason").exit_code == 1


def test_an_unknown_reasoner_is_a_usage_error(tmp_path: Path, cli_on: Invoke) -> None:
    project = make_project(tmp_path / "p", RANGE_NOTHING, HEAD)
    result = cli_on(project, "query", "everything", env={ENGINE_ENV: "fast"})
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown reasoner 'fast' in $DIPLOGRAPH_REASONER "
                             "(hint: one of: native, owlrl)\n")
    assert not list((tmp_path / "stores").glob("*/COMPLETE"))  # nothing compiled
