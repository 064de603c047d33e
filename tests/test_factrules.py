"""New facts are instance data in the ontology's closed vocabulary: each bad fact of
the fixtures fails at the lines it marks with `# <-`, and adding it changes no file."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from conftest import ROOT, Run, copy_graph, invoke, snapshot

FIXTURES = ROOT / "tests" / "fixtures" / "facts"
MARKED = sorted(p.name for p in FIXTURES.glob("*.ttl") if "# <-" in p.read_text("utf-8"))
EXPECTED_RULE = {
    "misspelt-embassy.ttl": "dgsh:ClosedVocabularyRule",
    "misspelt-visit.ttl": "dgsh:ClosedVocabularyRule",
    "misspelt-end-date.ttl": "dgsh:ClosedVocabularyRule",
    "untyped-visit.ttl": "dgsh:ExplicitTypeRule",
    "untyped-embassy.ttl": "dgsh:ExplicitTypeRule",
    "same-as.ttl": "dgsh:InstanceDataRule",
    "subclass.ttl": "dgsh:InstanceDataRule",
    "relabel-state.ttl": "dgsh:ReferenceDataRule",
    "arabic-digits-integer.ttl": "dgsh:LexicalFormRule",
    "arabic-digits-date.ttl": "dgsh:LexicalFormRule",
    "fullwidth-year.ttl": "dgsh:LexicalFormRule",
    "quote-not-in-source.ttl": "dgsh:QuoteInSourceRule",
    "wrong-checksum.ttl": "dgsh:SourceTextRule",
}


def marked_lines(name: str) -> set[int]:
    text = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(text, start=1) if line.endswith("# <-")}


def test_every_failure_mode_has_a_fixture() -> None:
    assert set(EXPECTED_RULE) <= set(MARKED)


@pytest.mark.parametrize("name", MARKED)
def test_each_bad_fact_fails_at_the_marked_lines(run: Run, name: str) -> None:
    result = run("validate", "--format", "json", str(FIXTURES / name))
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    lines = {int(f["location"].rpartition(":")[2]) for f in findings
             if f["severity"] == "violation"}
    assert lines == marked_lines(name), findings
    if name in EXPECTED_RULE:
        assert EXPECTED_RULE[name] in {f["shape"] for f in findings}


def test_a_misspelt_term_gets_the_closest_declared_one(run: Run) -> None:
    result = run("validate", str(FIXTURES / "misspelt-embassy.ttl"))
    assert "dg:Embasy: not a class of the ontology (did you mean dg:Embassy?)" in result.stdout
    assert "dg:sendingstate: not a property of the ontology (did you mean dg:sendingState?)" \
        in result.stdout


def test_schema_statements_are_refused_with_a_hint(run: Run) -> None:
    same = run("validate", str(FIXTURES / "same-as.ttl")).stdout
    assert "owl:sameAs merges two things" in same and "skos:exactMatch" in same
    assert "schema changes belong in ontology/" in run(
        "validate", str(FIXTURES / "subclass.ttl")).stdout


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for all: a refused add must leave it as it was for the next."""
    return copy_graph(tmp_path_factory.mktemp("bad-facts"))


@pytest.mark.slow
@pytest.mark.parametrize("name", MARKED)
def test_adding_a_bad_fact_leaves_every_data_file_as_it_was(project_copy: Path,
                                                            name: str) -> None:
    project = project_copy
    before = snapshot(project)
    result = invoke(project, "add", str(FIXTURES / "good.ttl"), str(FIXTURES / name))
    assert result.exit_code == 1, result.output
    assert "nothing added" in result.stderr
    assert snapshot(project) == before


def test_known_entities_may_gain_statements_without_their_type(run: Run, tmp_path: Path) -> None:
    facts = tmp_path / "alt-label.ttl"
    facts.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                     "<https://w3id.org/diplograph/country/KZ> skos:altLabel "
                     "\"Qazaqstan\"@kk .\n", encoding="utf-8")
    result = run("validate", str(facts))
    assert result.exit_code == 0, result.output


def test_a_huge_literal_is_refused_in_one_line(run: Run, tmp_path: Path) -> None:
    facts = tmp_path / "huge.ttl"
    facts.write_text((FIXTURES / "good.ttl").read_text(encoding="utf-8").replace(
        '"A test sentence."@en', '"' + "x" * 2_000_000 + '"@en'), encoding="utf-8")
    result = run("validate", str(facts))
    assert result.exit_code == 3
    assert "over the 1000000 limit" in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_untyped_subject_gets_the_class_its_properties_suggest(run: Run) -> None:
    result = run("validate", str(FIXTURES / "untyped-embassy.ttl"))
    assert "no rdf:type" in result.stdout and "(hint: add `a dg:Embassy`)" in result.stdout


def test_an_outside_vocabulary_passes_only_when_opened(run: Run, tmp_path: Path) -> None:
    facts = tmp_path / "rated.ttl"
    facts.write_text((FIXTURES / "good.ttl").read_text(encoding="utf-8").replace(
        "    dg:visitType", "    <http://example.org/v#rating> 5 ;\n    dg:visitType"),
        encoding="utf-8")
    closed = run("validate", str(facts))
    assert closed.exit_code == 1
    assert ("<http://example.org/v#rating>" in closed.stdout or "example.org" in closed.stdout)
    assert "not a vocabulary the ontology reuses" in closed.stdout
    assert run("validate", "--open-namespace", "http://example.org/v#", str(facts)).exit_code == 0


def test_a_named_pipe_is_read_once(run: Run, tmp_path: Path) -> None:
    pipe = tmp_path / "piped.ttl"
    os.mkfifo(pipe)
    text = (FIXTURES / "good.ttl").read_bytes()
    writer = threading.Thread(target=pipe.write_bytes, args=(text,))
    writer.start()
    result = run("validate", str(pipe))
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert "conforms: 13 triples" in result.stdout
