"""`diplograph validate`: new facts checked in the context of the graph."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run

PREFIXES = """\
@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix dgr: <https://w3id.org/diplograph/resource/> .
@prefix country: <https://w3id.org/diplograph/country/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

EMBASSY = PREFIXES + """
dgr:embassy-UZ-in-KZ a dg:Embassy ;
    rdfs:label "Embassy of Uzbekistan in Kazakhstan"@en ;
    dg:sendingState country:{sender} ;
    dg:hostState country:KZ ;
    prov:wasDerivedFrom dgr:source-000 ;
    dg:quote "..."@az .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_conforming_facts_pass(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "ok.ttl", EMBASSY.replace("{sender}", "UZ"))
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout and "1 subjects checked" in result.stdout


def test_violations_point_at_the_input_line(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "same-state.ttl", EMBASSY.replace("{sender}", "KZ"))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:8: Violation: dgr:embassy-UZ-in-KZ" in result.stdout
    doc = json.loads(run("validate", "--format", "json", str(path)).stdout)
    assert doc["conforms"] is False
    assert doc["findings"][0]["location"] == f"{path}:8"


def test_syntax_errors_give_file_line_column(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", PREFIXES + "dgr:x dg:p <not an iri> .\n")
    result = run("validate", str(path))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {path}:7:")
