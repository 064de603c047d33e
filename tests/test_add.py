"""`diplograph add`: only whole conforming batches land, appended without touching
the existing bytes, atomically, once, and never lost to a concurrent add or a kill."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, copy_graph, invoke, snapshot
from diplograph.rdf.reading import parse_turtle, read_triples
from diplograph.validation import additions
from test_input_formats import converted

pytestmark = pytest.mark.slow  # every test here compiles stores of its own

FIXTURES = ROOT / "tests" / "fixtures" / "facts"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_graph(tmp_path)


def triples_of(path: Path) -> set[ox.Triple]:
    return set(read_triples(path))


def visit(number: int) -> str:
    """A conforming new fact of its own (its own IRI and dates)."""
    text = (FIXTURES / "good.ttl").read_text(encoding="utf-8")
    return text.replace("visit-2010-05-karimov-kazakhstan", f"visit-2010-05-number-{number}")


def test_add_appends_a_block_and_keeps_the_existing_bytes(project: Path) -> None:
    target = project / "data" / "azerbaijan-kazakhstan.ttl"
    before = target.read_bytes()
    result = invoke(project, "add", str(FIXTURES / "good.ttl"), "--to", str(target))
    assert result.exit_code == 0, result.output
    assert "added 13 triples about 1 subjects" in result.stderr
    after = target.read_bytes()
    assert after.startswith(before)
    assert b"# added " in after[len(before):] and b"from good.ttl" in after[len(before):]
    old = {q.triple for q in ox.parse(before, format=ox.RdfFormat.TURTLE)}
    assert triples_of(target) == old | set(read_triples(FIXTURES / "good.ttl"))
    found = invoke(project, "query", "visits", "--country", "KZ", "--format", "csv")
    assert "2010-05-03,2010-05-04,Islam Karimov,UZ,KZ,working" in found.stdout


def test_the_check_parses_only_the_appended_bytes_of_a_compiled_file(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = project / "data" / "azerbaijan-kazakhstan.ttl"
    with target.open("a", encoding="utf-8") as end:  # the block must follow this one
        end.write("@prefix dgr: <https://w3id.org/diplograph/resource/moved-> .\n")
    parsed: list[int] = []

    def counted(data: bytes, shown_as: str) -> list[ox.Triple]:
        parsed.append(len(data))
        return parse_turtle(data, shown_as)

    monkeypatch.setattr(additions, "parse_turtle", counted)
    before = target.read_bytes()
    assert invoke(project, "add", str(FIXTURES / "good.ttl"), "--to", str(target)).exit_code == 0
    assert parsed and max(parsed) < len(before) / 4, "the existing bytes were parsed again"
    old = {q.triple for q in ox.parse(before, format=ox.RdfFormat.TURTLE)}
    assert triples_of(target) == old | set(read_triples(FIXTURES / "good.ttl"))


def test_the_block_declares_the_prefixes_not_in_force_at_the_end_of_the_file() -> None:
    visit = ox.Triple(ox.NamedNode("https://w3id.org/diplograph/resource/visit-x"),
                      ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/diplograph/ontology#StateVisit"))
    dg = b"@prefix dg: <https://w3id.org/diplograph/ontology#> .\n"
    dgr = b"@prefix dgr: <https://w3id.org/diplograph/resource/> .\n"
    moved = b"@prefix dgr: <https://w3id.org/diplograph/resource/moved-> .\n"
    searched = additions.turtle_block([visit], dg + dgr, "added")
    assert "@prefix dg:" not in searched and "@prefix dgr:" not in searched
    block = additions.turtle_block([visit], dg + dgr, "added", in_force=dg + moved)
    assert "@prefix dg:" not in block and "@prefix dgr: <https://w3id.org/diplograph/resource/>" \
        in block  # what the store kept of the file's end wins over a search of it
    whole = dg + moved + block.encode()
    assert set(parse_turtle(whole, "x.ttl")) == {visit}


def test_adding_again_changes_nothing(project: Path) -> None:
    assert invoke(project, "add", str(FIXTURES / "good.ttl")).exit_code == 0
    files = snapshot(project)
    again = invoke(project, "add", str(FIXTURES / "good.ttl"))
    assert again.exit_code == 0 and "nothing to add" in again.stderr
    duplicate = invoke(project, "add", str(FIXTURES / "duplicate-fact.ttl"))
    assert duplicate.exit_code == 0 and "nothing to add" in duplicate.stderr
    assert snapshot(project) == files


@pytest.mark.parametrize(
    "name,code",
    [("end-before-start.ttl", 1), ("unknown-country.ttl", 1), ("missing-required.ttl", 1),
     ("embassy-before-relations.ttl", 1), ("bad-syntax.ttl", 3), ("ill-typed-date.ttl", 1),
     ("blank-node.ttl", 3)],
)
def test_a_bad_batch_changes_nothing(project: Path, name: str, code: int) -> None:
    files = snapshot(project)
    result = invoke(project, "add", str(FIXTURES / "good.ttl"), str(FIXTURES / name))
    assert result.exit_code == code, result.output
    assert snapshot(project) == files
    if name == "blank-node.ttl":
        assert "blank nodes cannot be added" in result.stderr


def test_dry_run_shows_the_block_and_writes_nothing(project: Path) -> None:
    files = snapshot(project)
    result = invoke(project, "add", "--dry-run", str(FIXTURES / "good.ttl"))
    assert result.exit_code == 0
    assert "dgr:visit-2010-05-karimov-kazakhstan" in result.stdout
    assert "would add 13 triples" in result.stderr
    assert snapshot(project) == files


def test_the_target_must_be_a_data_file_of_the_project(project: Path, tmp_path: Path) -> None:
    result = invoke(project, "add", "--to", str(tmp_path / "elsewhere.ttl"),
                    str(FIXTURES / "good.ttl"))
    assert result.exit_code == 2 and "facts go to a .ttl file directly in" in result.stderr


def run_add(project: Path, fact: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "diplograph", "--project", str(project), "--store",
         str(project.parent / "store"), "add", str(fact)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_eight_concurrent_adds_all_land(project: Path, tmp_path: Path) -> None:
    facts = []
    for number in range(8):
        path = tmp_path / f"fact-{number}.ttl"
        path.write_text(visit(number), encoding="utf-8")
        facts.append(path)
    processes = [run_add(project, path) for path in facts]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    added = triples_of(project / "data" / "additions.ttl")
    for path in facts:
        assert set(read_triples(path)) <= added


def test_a_killed_add_leaves_every_file_whole(project: Path, tmp_path: Path) -> None:
    rng = random.Random(20261127)
    invoke(project, "validate", str(FIXTURES / "good.ttl"))  # compile once
    for attempt in range(6):
        before = snapshot(project)
        fact = tmp_path / f"kill-{attempt}.ttl"
        fact.write_text(visit(100 + attempt), encoding="utf-8")
        process = run_add(project, fact)
        time.sleep(rng.uniform(0.05, 2.5))
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        after = snapshot(project)
        new = set(read_triples(fact))
        for name, data in after.items():
            old = before.get(name, b"")
            if data == old:
                continue
            assert data.startswith(old), name
            parsed = set(ox.parse(data, format=ox.RdfFormat.TURTLE))
            old_triples = set(ox.parse(old, format=ox.RdfFormat.TURTLE)) if old else set()
            assert {q.triple for q in parsed} == {q.triple for q in old_triples} | new, name
        assert not list((project / "data").glob("*.ttl.*")), "a temporary file was left"


@pytest.mark.slow
def test_the_examples_still_hold_after_facts_are_added(project: Path) -> None:
    assert invoke(project, "add", str(FIXTURES / "good.ttl")).exit_code == 0
    result = invoke(project, "queries", "test")
    assert result.exit_code == 0, result.output
    assert "ok   visits: 5 rows (expected at least 4 rows)" in result.stdout


@pytest.mark.parametrize("fmt", ["jsonld", "rdf"])
def test_add_takes_json_ld_and_rdf_xml(project: Path, tmp_path: Path, fmt: str) -> None:
    added = invoke(project, "add", str(converted("good.ttl", fmt, tmp_path)))
    assert added.exit_code == 0, added.output
    assert "added 13 triples about 1 subjects to" in added.stderr
    assert set(read_triples(FIXTURES / "good.ttl")) <= set(
        read_triples(project / "data" / "additions.ttl"))
    again = invoke(project, "add", str(FIXTURES / "good.ttl"))
    assert "nothing to add: the graph already holds all 13 triples" in again.stderr
