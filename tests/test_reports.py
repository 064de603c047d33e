"""Reports programs can rely on: each finding once, and a Turtle report that is a
sh:ValidationReport whose results name their shape node and constraint component."""

from __future__ import annotations

import json

import pyoxigraph as ox

from conftest import ROOT, Run

FIXTURES = ROOT / "tests" / "fixtures" / "facts"
SH = "http://www.w3.org/ns/shacl#"
BAD = [str(p) for p in sorted(FIXTURES.glob("*.ttl"))
       if p.name not in ("bad-syntax.ttl", "blank-node.ttl")]


def test_each_finding_is_reported_once(run: Run) -> None:
    findings = json.loads(run("validate", "--format", "json", *BAD).stdout)["findings"]
    keys = [(f["focus"], f["path"], f["source_shape"], f["message"]) for f in findings]
    assert len(findings) > 20
    assert len(keys) == len(set(keys)), "a finding repeated (with another value)"


def test_the_turtle_report_is_a_shacl_validation_report(run: Run) -> None:
    result = run("validate", "--format", "turtle", *BAD)
    assert result.exit_code == 1
    store = ox.Store()
    store.load(result.stdout.encode(), format=ox.RdfFormat.TURTLE)
    reports = list(store.query(f"SELECT ?r WHERE {{ ?r a <{SH}ValidationReport> ; "
                               f"<{SH}conforms> false }}"))
    assert len(reports) == 1
    results = list(store.query(f"""SELECT ?result (COUNT(?shape) AS ?shapes)
        (SAMPLE(?shape) AS ?one) (SAMPLE(?component) AS ?c) WHERE {{
          ?report <{SH}result> ?result .
          ?result a <{SH}ValidationResult> ; <{SH}focusNode> [] ; <{SH}resultSeverity> [] ;
                  <{SH}sourceShape> ?shape ; <{SH}sourceConstraintComponent> ?component .
        }} GROUP BY ?result"""))
    total = json.loads(run("validate", "--format", "json", *BAD).stdout)["results"]
    assert len(results) == total
    for row in results:
        assert row["shapes"].value == "1"
        assert not isinstance(row["one"], ox.Literal)
        assert str(row["c"].value).endswith("ConstraintComponent")
    paths = store.query(f"""ASK {{ ?result <{SH}resultPath> ?path ; <{SH}sourceShape> ?shape .
        ?shape <{SH}path> ?other . FILTER(isBlank(?shape) && ?path != ?other) }}""")
    assert not paths, "a property shape's path is the result's path"
    named = {str(row["one"].value) for row in results if isinstance(row["one"], ox.NamedNode)}
    assert {"https://w3id.org/diplograph/shapes#ClosedVocabularyRule",
            "https://w3id.org/diplograph/shapes#EventShape"} <= named
