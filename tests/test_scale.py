"""What a graph of ten million triples needs: no input cap on the project's own sources,
a reasoner that holds only the triples its rules read, generated sources in parts."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, copy_graph, invoke
from diplograph.rdf import reading
from diplograph.reasoning.closure import entailed_ntriples


def test_the_input_cap_holds_for_new_facts_not_for_the_projects_sources(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_graph(tmp_path)
    biggest = max((project / "data").glob("*.ttl"), key=lambda p: p.stat().st_size)
    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", biggest.stat().st_size - 1)
    compiled = invoke(project, "query", "relations", "--country", "AZ", "--format", "csv")
    assert compiled.exit_code == 0, compiled.output
    assert "KZ,Kazakhstan" in compiled.stdout
    refused = invoke(project, "validate", str(biggest))
    assert refused.exit_code == 3
    assert f"over the {(biggest.stat().st_size - 1) // 2**20} MiB input limit" in refused.stderr


ONTOLOGY = b"""\
<x:knows> <http://www.w3.org/2000/01/rdf-schema#domain> <x:Person> .
<x:Person> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <x:Agent> .
"""
FACTS = b"""\
<x:a> <x:knows> <x:b> .
<x:a> <x:name> "Ann" .
<x:b> <x:name> "Bob"@en .
"""
SAME = b"<x:a> <http://www.w3.org/2002/07/owl#sameAs> <x:c> .\n"


@pytest.mark.parametrize("documents", [[ONTOLOGY, FACTS], [ONTOLOGY, FACTS + SAME]],
                         ids=["no equality", "sameAs"])
def test_reading_documents_twice_entails_what_reading_them_once_does(
        documents: list[bytes]) -> None:
    twice = entailed_ntriples(documents)  # a list: labels are never held, unless equality
    once = entailed_ntriples(iter(documents))
    assert (twice.nontrivial, twice.trivial) == (once.nontrivial, once.trivial)
    assert b"<x:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <x:Agent> .\n" \
        in twice.nontrivial
    copied = b'<x:c> <x:name> "Ann" .\n'
    assert (copied in twice.nontrivial) == (SAME in documents[1])


@pytest.mark.slow
def test_the_generator_splits_big_sections_into_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    generate = importlib.import_module("generate")
    monkeypatch.setattr(generate, "PART_BYTES", 20_000)
    manifest = generate.write_project("10k", 1, tmp_path / "project")
    data = tmp_path / "project" / "data"
    parts = {p.name for p in data.glob("generated-visits*.ttl")}
    assert {"generated-visits.ttl", "generated-visits-2.ttl"} <= parts
    for name, triples in manifest["triples"].items():
        if name.startswith("data/"):
            path = tmp_path / "project" / name
            assert path.stat().st_size < 20_000 + 10_000, name  # a node over the line at most
            assert sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.TURTLE)) == triples
    assert manifest["add_to"] == f"data/generated-visits-{len(parts)}.ttl"
    written = json.loads((tmp_path / "project" / "benchmark.json").read_text(encoding="utf-8"))
    assert written["total_triples"] == manifest["total_triples"]
    sys.modules.pop("generate", None)
