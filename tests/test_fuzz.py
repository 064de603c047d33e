"""Generated input for the readers and the SPARQL checker: whatever the text, the
answer is a result or one error line with exit 1 or 3, never a traceback, no file
changes and nothing is sent anywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT, Run

# pieces of RDF and SPARQL syntax, with the characters lexers trip on
RDF_PIECES = [
    "@prefix ex: <http://example.org/> .", "PREFIX dg: <https://w3id.org/diplograph/ontology#>",
    "@base <http://example.org/> .", "ex:a", "ex:b", "ex:a\\#", "ex:a\\'", "dg:Country",
    "<http://example.org/s>", "<s>", "_:b", "a", "[", "]", "(", ")", ".", ";", ",", "{", "}",
    "GRAPH", '"x"', '"x"@en', '"2010-02-30"^^<http://www.w3.org/2001/XMLSchema#date>',
    '"""long\nstring"""', "'''", '"', "'", "\\", "\\u0022", "#", "# comment\n", "\n", " ",
    "\t", "1", "-1.5e3", "true", "<<", ">>", "\x00", "\ufeff", "é", "\u202e",
]
SPARQL_PIECES = [
    "SELECT", "*", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p",
    "?o", "$x", "SERVICE", "SILENT", "FROM", "NAMED", "LOAD", "INSERT", "DATA", "DELETE",
    "VALUES", "BIND", "AS", "FILTER", "OPTIONAL", "UNION", "GRAPH", "ORDER BY", "LIMIT 1",
    "PREFIX ex: <http://example.org/>", "ex:a", "ex:a\\#", "ex:a\\'", "SERVICE_TARGET",
    '"x"', "'", '"', "'''", "#", "\\u000A", "\\u0022", "\n", " ", ".", ";", "1",
    "<http://example.org/f>(1)", "COUNT(*)", "\x00", "\ufeff", "\udcff",
]

FUZZ = settings(max_examples=40, deadline=None, database=None,  # bounded: no shrinking
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def texts(pieces: list[str], shape: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Pieces in any order, or a well-formed `shape` with pieces slipped in."""
    piece = st.sampled_from(pieces) | st.text(max_size=3)
    noise = st.lists(piece, max_size=40).map(" ".join)
    slipped = st.tuples(shape, st.lists(st.tuples(st.integers(0, 200), piece), max_size=3)).map(
        lambda found: _slip(*found))
    return noise | shape | slipped


def _slip(text: str, pieces: list[tuple[int, str]]) -> str:
    for at, piece in pieces:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    return text


TERM = st.sampled_from(["ex:a", "ex:b", "<http://example.org/s>", "dg:Country", "ex:a\\#"])
LITERAL = st.sampled_from(['"x"', '"x"@en', "1", '"1992-08-30"^^xsd:date', "true", '"\\""'])
TURTLE = st.lists(st.tuples(TERM, TERM, TERM | LITERAL), min_size=1, max_size=5).map(
    lambda triples: "@prefix ex: <http://example.org/> .\n@prefix dg: <https://w3id.org/"
    "diplograph/ontology#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    + "".join(f"{s} {p} {o} .\n" for s, p, o in triples))
PATTERN = st.sampled_from(["?s ?p ?o .", "?s a ?c .", "SERVICE SILENT SERVICE_TARGET { ?s ?p ?o }",
                           "FILTER(?o = 1)", "OPTIONAL { ?s ex:a ?x }", "BIND(1 AS ?n)",
                           "VALUES ?v { ex:a\\# }", "# SERVICE SERVICE_TARGET {}\n"])
SPARQL = st.tuples(st.sampled_from(["SELECT *", "ASK", "SELECT (COUNT(*) AS ?n)"]),
                   st.lists(PATTERN, max_size=4)).map(
    lambda q: f"PREFIX ex: <http://example.org/>\n{q[0]} WHERE {{ {' '.join(q[1])} }} LIMIT 3")


def fingerprint() -> dict[Path, str]:
    """The digest of every project file: none may change."""
    return {f: hashlib.sha256(f.read_bytes()).hexdigest()
            for part in ("ontology", "data", "queries") for f in (ROOT / part).rglob("*")
            if f.is_file()}


def assert_one_line_error(result: object, codes: set[int]) -> None:
    exit_code = result.exit_code  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert exit_code in codes, (exit_code, stderr)
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    if exit_code == 3:
        assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig"])
def test_the_readers_answer_any_text_in_one_line(
    run: Run, tmp_path_factory: pytest.TempPathFactory, suffix: str
) -> None:
    before = fingerprint()

    @FUZZ
    @given(text=texts(RDF_PIECES, TURTLE), raw=st.booleans(), junk=st.binary(max_size=4))
    def check(text: str, raw: bool, junk: bytes) -> None:
        path = tmp_path_factory.mktemp("fuzz") / f"facts{suffix}"
        data = text.encode("utf-8", "surrogatepass") + (junk if raw else b"")
        path.write_bytes(data)
        assert_one_line_error(run("validate", str(path)), {0, 1, 3})
        assert path.read_bytes() == data

    check()
    assert fingerprint() == before


@pytest.mark.slow
def test_the_sparql_checker_answers_any_text_in_one_line(
    run: Run, listener: tuple[str, list[str]]
) -> None:
    base, received = listener
    before = fingerprint()

    @FUZZ
    @given(text=texts(SPARQL_PIECES, SPARQL))
    def check(text: str) -> None:
        query = text.replace("SERVICE_TARGET", f"<{base}/x>")
        assert_one_line_error(run("sparql", query, "--timeout", "5"), {0, 3})
        assert not received, (query, received)

    check()
    assert fingerprint() == before
