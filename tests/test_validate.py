"""`diplograph validate`: new facts checked in the context of the graph, pointing at
the input line; the fast focus-node validation agrees with validating everything."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, Run
from diplograph.errors import InputError
from diplograph.namespaces import PREFIXES
from diplograph.project import Project
from diplograph.store.cache import KnowledgeGraph, open_graph
from diplograph.validation import shacl
from diplograph.validation.shacl import (
    NewFacts,
    _reads_further,
    _shapes_context,
    validate_facts,
)
from oracles import validate_merged

COUNTRY = PREFIXES["country"]

FIXTURES = ROOT / "tests" / "fixtures" / "facts"
DG = "https://w3id.org/diplograph/ontology#"
NONCONFORMING = {
    "end-before-start.ttl": ("dgsh:EventShape", "dg:endDate", "before the start date"),
    "unknown-country.ttl": ("dgsh:VisitShape > dg:visitedState", "dg:visitedState", "a dg:Country"),
    "missing-required.ttl": ("dgsh:VisitShape > dg:visitType", "dg:visitType", "exactly one"),
    "embassy-before-relations.ttl": ("dgsh:EmbassyShape", "dg:beganOperating",
                                     "before its sending and host states established"),
}


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def test_conforming_facts_pass(run: Run) -> None:
    result = run("validate", fixture("good.ttl"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(
        "conforms: 13 triples, 1 subjects checked; 0 violations, 0 warnings, 0 infos")


@pytest.mark.parametrize("name", sorted(NONCONFORMING))
def test_each_failure_mode_is_reported_at_its_input_line(run: Run, name: str) -> None:
    shape, path, message = NONCONFORMING[name]
    result = run("validate", fixture(name))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{shape} (1)"
    text = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    line = next((i for i, t in enumerate(text, start=1) if t.lstrip().startswith(path + " ")),
                next(i for i, t in enumerate(text, start=1) if " a dg:" in t))  # not written
    assert lines[1].startswith(f"  {fixture(name)}:{line}: violation: dgr:")
    assert f" {path}: " in lines[1] and message in lines[1]
    assert "does not conform" in lines[-1] and "1 violations" in lines[-1]


def test_unreadable_input_is_exit_3_with_file_and_line(run: Run) -> None:
    result = run("validate", fixture("bad-syntax.ttl"))
    assert result.exit_code == 3
    assert "bad-syntax.ttl:12:5: A dot is expected" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_an_ill_typed_literal_is_a_violation_at_its_line(run: Run) -> None:
    result = run("validate", fixture("ill-typed-date.ttl"))
    assert result.exit_code == 1
    assert (f"  {fixture('ill-typed-date.ttl')}:11: violation: dgr:visit-2010-02-30 "
            "dg:startDate: '2010-02-30' is not a valid xsd:date") in result.stdout


def test_rdflib_logs_nothing_of_the_ill_typed_literals_it_reads(
        project: Project, store_dir: Path, graph: KnowledgeGraph) -> None:
    """rdflib warns of each literal it cannot convert; a fresh process (nothing quieted
    it earlier) shows the report alone."""
    query = 'SELECT ?n WHERE { BIND("x"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?n) }'
    common = [sys.executable, "-m", "diplograph", "--project", str(project.root), "--store",
              str(store_dir)]
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*common, *args], capture_output=True, text=True, check=False)

    validated = run("validate", fixture("ill-typed-date.ttl"))
    assert validated.returncode == 1 and "'2010-02-30' is not a valid xsd:date" in validated.stdout
    assert validated.stderr == ""
    queried = run("sparql", query, "--format", "csv")
    assert (queried.returncode, queried.stdout, queried.stderr) == (0, "n\nx\n", "")


def test_an_owl_inconsistency_is_reported_like_a_violation(run: Run) -> None:
    result = run("validate", fixture("person-is-a-state.ttl"))
    assert result.exit_code == 1
    assert "OWL RL consistency (cax-adc) (1)" in result.stdout
    assert (f"  {fixture('person-is-a-state.ttl')}:5: violation: dgr:person-islam-karimov: "
            "dgr:person-islam-karimov is both a dg:Person and a dg:Country") in result.stdout


def test_warnings_pass_unless_fail_on_asks(run: Run) -> None:
    name = fixture("no-english-rendering.ttl")
    default = run("validate", name)
    assert default.exit_code == 0
    assert "warning: dgr:visit-2010-05-quoted-in-azerbaijani-only dg:quote" in default.stdout
    assert run("validate", "--fail-on", "warning", name).exit_code == 1
    assert run("validate", "--fail-on", "warning", fixture("good.ttl")).exit_code == 0


@pytest.mark.slow
def test_input_is_never_a_reason_to_reach_out(tmp_path: Path) -> None:
    """owl:imports and remote IRIs in new facts are data, not instructions: an audit
    hook sees no socket, no URL opened, and no file read outside the project."""
    facts = tmp_path / "imports.ttl"
    facts.write_text(
        (FIXTURES / "good.ttl").read_text()
        + "<http://example.org/o> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
        "    <http://www.w3.org/2002/07/owl#imports> <http://example.org/remote.ttl> .\n")
    script = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event.startswith(('socket.', 'urllib.', 'http.')):\n"
        "        raise RuntimeError(f'network access: {event} {args}')\n"
        "sys.addaudithook(hook)\n"
        "from diplograph.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "--project", str(ROOT), "--store",
         str(tmp_path / "store"), "validate", str(facts)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr  # refused as schema, never fetched
    assert "owl:imports changes the schema" in result.stdout
    assert "network access" not in result.stderr


def test_oversized_input_is_refused_before_reading(run: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("wb") as handle:
        handle.truncate(101 * 2**20)
    result = run("validate", str(big))
    assert result.exit_code == 3 and "over the 100 MiB input limit" in result.stderr


def test_json_and_turtle_reports(run: Run) -> None:
    doc = json.loads(run("validate", "--format", "json", fixture("end-before-start.ttl")).stdout)
    assert doc["conforms"] is False and doc["subjects_checked"] == 1
    assert doc["findings"][0]["severity"] == "violation"
    assert doc["findings"][0]["value"] == "2010-05-01"
    turtle = run("validate", "--format", "turtle", fixture("end-before-start.ttl")).stdout
    assert "sh:ValidationReport" in turtle and "sh:conforms false" in turtle


def test_max_results_limits_the_listing_not_the_verdict(run: Run, tmp_path: Path) -> None:
    both = tmp_path / "both.ttl"
    both.write_text((FIXTURES / "end-before-start.ttl").read_text()
                    + (FIXTURES / "embassy-before-relations.ttl").read_text())
    result = run("validate", "--max-results", "1", str(both))
    assert result.exit_code == 1
    assert "... 1 more results (--max-results)" in result.stdout
    assert "2 violations" in result.stdout


def test_deep_nesting_is_refused(run: Run, tmp_path: Path) -> None:
    deep = tmp_path / "deep.ttl"
    deep.write_text('<http://example.org/a> <http://example.org/d> """a [ long\n'
                    'note ( over\nthree lines""" .\n'
                    "<http://example.org/a> <http://example.org/b> "
                    + "[ <http://example.org/c> " * 101 + '"x"' + " ]" * 101 + " .\n")
    result = run("validate", str(deep))
    assert result.exit_code == 3 and "nested deeper than 100" in result.stderr
    assert f"{deep}:4:" in result.stderr  # brackets and lines inside the string do not count


def test_input_of_unknown_formats_is_refused(run: Run, tmp_path: Path) -> None:
    for name in ("facts.json", "facts.csv"):  # JSON-LD is .jsonld
        path = tmp_path / name
        path.write_text("{}")
        result = run("validate", str(path))
        assert result.exit_code == 3 and "unsupported input format" in result.stderr


@pytest.mark.slow
def test_focus_validation_equals_validating_the_whole_merged_graph(
    graph: KnowledgeGraph, project: Project
) -> None:
    names = ["good.ttl", "person-is-a-state.ttl", *sorted(NONCONFORMING)]
    facts = NewFacts.read([FIXTURES / n for n in names])
    fast = validate_facts(graph, project, facts)
    reference = validate_merged(graph, facts)
    assert len(fast.findings) == len(NONCONFORMING) + 4  # person-is-a-state: 4
    assert fast.findings == reference.findings


@pytest.mark.slow
def test_a_class_defined_in_the_data_is_read_as_the_whole_graph_does(tmp_path: Path) -> None:
    folder = tmp_path / "graph"
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sources.ttl", folder / "data")
    (folder / "data" / "local.ttl").write_text(
        f"@prefix dg: <{DG}> . <http://example.org/Republic> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> dg:Country .\n")
    facts_file = tmp_path / "z.ttl"
    facts_file.write_text(f"@prefix dg: <{DG}> . <http://example.org/z> a "
                          "<http://example.org/Republic>, dg:Person .\n")
    project = Project(folder)
    graph = open_graph(project, tmp_path / "cache")
    facts = NewFacts.read([facts_file])
    fast = validate_facts(graph, project, facts)
    assert fast == validate_merged(graph, facts)
    assert any("OWL RL consistency" in f.shape for f in fast.findings), "a Person and a Country"


@pytest.mark.slow
def test_whole_neighbours_when_asked_give_the_same_findings(
    graph: KnowledgeGraph, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = NewFacts.read([FIXTURES / n for n in ("states-of-a-fact.ttl", *NONCONFORMING)])
    slim = validate_facts(graph, project, facts)
    monkeypatch.setattr(shacl, "_reads_further", lambda triples: True)
    assert validate_facts(graph, project, facts) == slim


SHAPES_HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . """


@pytest.mark.parametrize("axiom", ["ex:p a owl:TransitiveProperty .",
                                   "ex:p a owl:FunctionalProperty .",
                                   "ex:a owl:sameAs ex:b ."])
def test_and_when_the_owl_rl_rules_chain_through_them(axiom: str) -> None:
    triples = [q.triple for q in ox.parse((SHAPES_HEAD + axiom).encode(),
                                          format=ox.RdfFormat.TURTLE)]
    assert _reads_further(triples)


def test_a_broken_shapes_context_query_is_a_one_line_error(
    graph: KnowledgeGraph, tmp_path: Path
) -> None:
    states = {ox.NamedNode(COUNTRY + "AZ"), ox.NamedNode(COUNTRY + "KZ")}
    broken = tmp_path / "shapes-context.rq"
    broken.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p $node, $other ")
    with pytest.raises(InputError) as caught:
        _shapes_context(graph, broken, [states])
    assert caught.value.message.startswith(f"{broken}: ") and "\n" not in caught.value.message
    broken.write_text("SELECT * WHERE { ?s ?p $node, $other }")
    with pytest.raises(InputError, match="not a CONSTRUCT query"):
        _shapes_context(graph, broken, [states])


def test_the_shapes_context_reads_relations_between_two_linked_states(
    graph: KnowledgeGraph, project: Project
) -> None:
    az, kz, uz = (ox.NamedNode(COUNTRY + code) for code in ("AZ", "KZ", "UZ"))
    pair = _shapes_context(graph, project.shapes_context, [{az, kz}])
    subjects = {t.subject.value.rsplit("/", 1)[-1] for t in pair}
    assert subjects == {"relation-AZ-KZ", "AZ", "KZ"}
    assert {(t.subject, t.object) for t in pair if t.predicate.value.endswith("RelationWith")} \
        == {(az, kz), (kz, az)}
    apart = _shapes_context(graph, project.shapes_context, [{az}, {kz, uz}])
    assert az not in {t.subject for t in apart} | {t.object for t in apart}
    assert not any(t.predicate.value.endswith("betweenState") for t in apart)


@pytest.mark.parametrize("where", ["WHERE ", ""])
def test_a_subquery_sees_each_value_it_uses_once(graph: KnowledgeGraph, tmp_path: Path,
                                                 where: str) -> None:
    states = [ox.NamedNode(COUNTRY + code) for code in ("AZ", "KZ", "UZ")]
    query = tmp_path / "shapes-context.rq"
    query.write_text(
        "PREFIX dg: <https://w3id.org/diplograph/ontology#>\n"
        "CONSTRUCT { $node dg:relations ?n } WHERE {  # $other: only in this comment\n"
        f"  {{ SELECT $node (COUNT(?r) AS ?n) {where}{{ ?r dg:betweenState $node }}"
        " GROUP BY $node } }")
    counted = {t.subject: int(t.object.value) for t in _shapes_context(graph, query, [set(states)])}
    for state in states:  # three nodes make six pairs: each state counted once, not twice
        [[n]] = graph.query("SELECT (COUNT(?r) AS ?n) WHERE { ?r "
                            f"<https://w3id.org/diplograph/ontology#betweenState> {state} }}")
        assert counted[state] == int(n.value) > 0


@pytest.mark.slow
def test_focus_validation_reads_the_states_a_fact_names_as_the_whole_graph_does(
    graph: KnowledgeGraph, project: Project
) -> None:
    facts = NewFacts.read([FIXTURES / "states-of-a-fact.ttl"])
    fast = validate_facts(graph, project, facts)
    assert fast == validate_merged(graph, facts)
    found = {(f.shape, str(f.focus.value).rsplit("/", 1)[-1]) for f in fast.findings}
    assert ("dgsh:DiplomaticRelationShape", "relation-KZ-UZ") in found, "not linked"
    assert ("dgsh:DiplomaticRelationShape", "relation-AZ-KZ-restated") not in found, "linked"
    assert ("dgsh:SendingNotHostShape", "embassy-KZ-in-KZ") in found, "one ISO code"
