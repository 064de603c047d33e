"""New facts in JSON-LD and RDF/XML: read by `validate` and `add` like Turtle, and
safely: no entity expansion, no remote context fetched, no relative IRI dropped."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, Run
from diplograph.dumps import writers
from diplograph.rdf.reading import read_triples

FACTS = ROOT / "tests" / "fixtures" / "facts"
RDF_XML_HEAD = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                '22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n')


def converted(fixture: str, fmt: str, folder: Path) -> Path:
    """A fact fixture written as compact JSON-LD (with the project's prefixes in an
    inline context) or as RDF/XML."""
    triples = read_triples(FACTS / fixture)
    target = folder / f"{Path(fixture).stem}.{fmt}"
    if fmt == "jsonld":
        lines = sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
        body = writers.JSON_LD.body("".join(lines).encode())
        target.write_bytes(writers.JSON_LD.document([body]))
    else:
        target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.RDF_XML) or b"")
    return target


@pytest.mark.parametrize("fmt", ["jsonld", "rdf"])
def test_validate_reads_json_ld_and_rdf_xml_like_turtle(run: Run, tmp_path: Path,
                                                        fmt: str) -> None:
    turtle = run("validate", str(FACTS / "end-before-start.ttl"))
    other = converted("end-before-start.ttl", fmt, tmp_path)
    result = run("validate", str(other))
    assert result.exit_code == turtle.exit_code == 1
    message = "The end date 2010-05-01 is before the start date 2010-05-03."
    assert message in result.stdout and message in turtle.stdout
    subject = "dgr:visit-2010-05-ends-before-it-starts dg:endDate:"
    finding = next(line for line in result.stdout.splitlines() if subject in line)
    at = int(finding.split(f"{other}:", 1)[1].split(":", 1)[0])
    assert "visit-2010-05-ends-before-it-starts" in other.read_text().splitlines()[at - 1]
    assert result.stdout.splitlines()[-1].endswith("13 triples, 1 subjects checked; "
                                                   "1 violations, 0 warnings, 0 infos")


def test_rdf_xml_entities_are_refused_before_expansion(run: Run, tmp_path: Path) -> None:
    bomb = FACTS / "entity-expansion.rdf"  # the billion laughs: ten entities nested
    started = time.monotonic()
    result = run("validate", str(bomb))
    assert time.monotonic() - started < 5  # expanded, the label alone is 3 GB
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr == (f"error: {bomb}:2: RDF/XML with a document type declaration "
                             "(entities) is not read (hint: write the IRIs and text out in "
                             "full, or convert the file to Turtle)\n")
    external = tmp_path / "external.rdf"
    external.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM '
                        '"file:///etc/passwd">]>\n' + RDF_XML_HEAD.split("\n", 1)[1]
                        + "</rdf:RDF>\n")
    assert run("add", "--dry-run", str(external)).exit_code == 3


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'{"@context": {"label": "http://www.w3.org/2000/01/rdf-schema#label"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/context.jsonld", requests
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("context", ['"{url}"', '["{url}", {{"dg": "https://w3id.org/x#"}}]',
                                     '{{"@import": "{url}"}}'])
def test_a_remote_json_ld_context_is_refused_unfetched(run: Run, tmp_path: Path,
                                                       server: tuple[str, list[str]],
                                                       context: str) -> None:
    url, requests = server
    facts = tmp_path / "remote.jsonld"
    facts.write_text('{"@context": ' + context.format(url=url) + ', "@id": '
                     '"https://w3id.org/diplograph/resource/x", "label": "x"}')
    result = run("validate", str(facts))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {facts}: remote JSON-LD context '{url}' is not "
                                    "fetched (hint: put the context in the file")
    assert requests == []


def test_a_relative_json_ld_iri_is_refused_not_dropped(run: Run, tmp_path: Path) -> None:
    facts = tmp_path / "relative.jsonld"
    facts.write_text('{"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},\n'
                     ' "@id": "visit-1", "rdfs:label": "a visit"}\n')
    result = run("validate", str(facts))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {facts}:2: relative IRI 'visit-1'")
