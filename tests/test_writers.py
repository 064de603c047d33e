"""The text writers of Turtle, TriG and compact JSON-LD: whatever the terms (every good
file of the W3C Turtle suite, and a fixture of awkward ones), both rdflib and Oxigraph
read back the graph that was written. A document written in pieces, by a worker
process or not, is the same bytes as written whole."""

from __future__ import annotations

import errno
import json
import os
import signal
import time
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from diplograph.dumps import workers, writers
from diplograph.namespaces import PREFIXES
from diplograph.rdf.bridge import to_oxigraph
from test_w3c import manifest_tests

AWKWARD = """
@prefix dg: <https://w3id.org/diplograph/ontology#> .
@prefix country: <https://w3id.org/diplograph/country/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
country:AZ a dg:Country, _:kind ;
    dg:name "quote \\" backslash \\\\ newline \\n tab \\t bell \\u0007 del \\u007F", "",
        "Azərbaycan"@az, "Азербайджан"@ru-Cyrl-AZ, "🌍", "7"^^xsd:integer,
        "x"^^<http://example.org/dt?a=1&b=2>, <https://w3id.org/diplograph/country/A.B.>,
        <https://w3id.org/diplograph/country/a%20b>, <https://w3id.org/diplograph/country/>,
        <https://w3id.org/diplograph/resource/1996-visit>, _:b ;
    <http://example.org/p#> dg:Country .
_:b dg:about country:AZ ; a <http://example.org/C> .
<http://example.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "literal type" .
"""


def lines_of(triples: list[ox.Triple]) -> list[bytes]:
    """Sorted N-Triples lines, as the store keeps them."""
    return sorted(f"{t} .\n".encode() for t in triples)


def whole(fmt: writers.TextFormat, lines: list[bytes]) -> bytes:
    return fmt.document([fmt.body(b"".join(lines))])


def dataset(triples: list[ox.Triple]) -> ox.Dataset:
    quads = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return quads


def by_oxigraph(data: bytes, fmt: ox.RdfFormat) -> ox.Dataset:
    return dataset([q.triple for q in ox.parse(data, format=fmt)])


def by_rdflib(data: bytes, fmt: str) -> ox.Dataset:
    graph = rdflib.Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format=fmt)
    return dataset([ox.Triple(*map(to_oxigraph, t)) for t in graph])  # type: ignore[arg-type]


def good_turtle() -> list[tuple[str, list[ox.Triple]]]:
    cases = [("awkward", [q.triple for q in ox.parse(AWKWARD.encode(),
                                                     format=ox.RdfFormat.TURTLE)])]
    for name, kind, action, _, base in manifest_tests("rdf-turtle"):
        if kind in ("TurtleEval", "TurtlePositiveSyntax"):
            cases.append((name, [q.triple for q in ox.parse(
                path=action, format=ox.RdfFormat.TURTLE, base_iri=base)]))
    return cases


CASES = good_turtle()


@pytest.mark.parametrize(("name", "triples"), CASES, ids=[name for name, _ in CASES])
def test_every_writer_gives_back_the_graph(name: str, triples: list[ox.Triple]) -> None:
    expected = dataset(triples)
    lines = lines_of(triples)
    as_rdflib_reads_it = by_rdflib(b"".join(lines), "turtle")  # it normalises some literals
    ttl = whole(writers.TURTLE, lines)
    assert by_oxigraph(ttl, ox.RdfFormat.TURTLE) == expected
    assert by_rdflib(ttl, "turtle") == as_rdflib_reads_it
    jsonld = whole(writers.JSON_LD, lines)
    assert by_oxigraph(jsonld, ox.RdfFormat.JSON_LD) == expected
    assert by_rdflib(jsonld, "json-ld") == as_rdflib_reads_it
    start, end = writers.trig_block("http://example.org/g")
    trig = writers.PREFIX_LINES + start + writers.TURTLE.body(b"".join(lines)) + end
    quads = list(ox.parse(trig, format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in quads} <= {"http://example.org/g"}
    assert dataset([q.triple for q in quads]) == expected


def test_json_ld_is_compact_with_the_project_prefixes() -> None:
    triples = CASES[0][1]
    document = json.loads(whole(writers.JSON_LD, lines_of(triples)))
    assert document["@context"] == PREFIXES
    [node] = [n for n in document["@graph"] if n["@id"] == "country:AZ"]
    assert "dg:Country" in node["@type"]
    assert {"@value": "Azərbaycan", "@language": "az"} in node["dg:name"]
    assert {"@value": "7", "@type": "xsd:integer"} in node["dg:name"]
    assert {"@id": "https://w3id.org/diplograph/country/A.B."} in node["dg:name"]


def test_a_subject_split_across_graphs_repeats_no_json_key() -> None:
    first = lines_of([q.triple for q in ox.parse(
        b'<http://example.org/s> <http://example.org/p> "1" .\n'
        b'<http://example.org/s> <http://example.org/q> "2" .\n', format=ox.RdfFormat.N_TRIPLES)])
    again = lines_of([q.triple for q in ox.parse(
        b'<http://example.org/s> <http://example.org/p> "3" .\n', format=ox.RdfFormat.N_TRIPLES)])
    document = whole(writers.JSON_LD, first + again)
    nodes = json.loads(document)["@graph"]  # duplicate keys would silently lose "1"
    assert [n["@id"] for n in nodes] == ["http://example.org/s"] * 2
    assert len(by_rdflib(document, "json-ld")) == 3


def test_an_iri_read_as_a_compact_one_is_refused() -> None:
    line = b'<dg:thing> <http://example.org/p> "x" .\n'
    with pytest.raises(ValueError, match="compact IRI"):
        whole(writers.JSON_LD, [line])


def subject_ends(lines: list[bytes]) -> list[int]:
    return [i for i in range(1, len(lines))
            if lines[i].split(b" ", 1)[0] != lines[i - 1].split(b" ", 1)[0]]


@pytest.mark.parametrize("kind", list(writers.FORMATS))
def test_a_document_cut_between_subjects_is_the_same_bytes(kind: str) -> None:
    fmt = writers.FORMATS[kind]
    lines = lines_of(CASES[0][1])
    ends = subject_ends(lines)
    assert len(ends) >= 2
    pieces = [lines[a:b] for a, b in zip([0, *ends], [*ends, len(lines)], strict=True)]
    assert fmt.document(fmt.body(b"".join(piece)) for piece in pieces) == whole(fmt, lines)


@pytest.mark.parametrize("kind", list(writers.FORMATS))
def test_worker_processes_write_the_same_bytes(kind: str, monkeypatch: pytest.MonkeyPatch,
                                               worker_pieces: list[bytes]) -> None:
    fmt = writers.FORMATS[kind]
    awkward = lines_of(CASES[0][1])  # ten times over, under other names
    text = b"".join(sorted({line.replace(b"country/AZ>", b"country/A%d>" % i)
                            for i in range(10) for line in awkward}))
    alone = whole(fmt, [text])
    cut = workers.pieces(text, 8)
    assert len(cut) > 4 and b"".join(cut) == text
    with workers.Pool(kind, 2) as pool:
        shared = [pool.submit(piece) for piece in cut]
        assert fmt.document(piece.result(fmt.body) for piece in shared) == alone
        assert not list(Path(pool.folder.name).iterdir())  # each piece's files went with it
    assert len(worker_pieces) == len(cut)  # the workers wrote every piece
    monkeypatch.setattr(workers.sys, "executable", "/nonexistent/python")
    with workers.Pool(kind, 2) as pool:  # cannot start: this process writes it all
        assert all(feed.worker.process is None for feed in pool.feeds)
        without = [pool.submit(piece) for piece in cut]
        assert fmt.document(piece.result(fmt.body) for piece in without) == alone
    assert len(worker_pieces) == len(cut)


def test_pieces_that_cannot_be_handed_over_are_written_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(Path, "write_bytes", full)  # a full /dev/shm
    text = b'<http://e/s> <http://e/p> "x" .\n<http://e/t> <http://e/p> "y" .\n'
    with workers.Pool("ttl", 2) as pool:
        pieces = [pool.submit(text) for _ in range(8)]
        assert all(piece.ready.wait(10) for piece in pieces)  # left here, none waits on
        assert {piece.result(writers.TURTLE.body) for piece in pieces} == {
            writers.TURTLE.body(text)}
        assert any(feed.gone for feed in pool.feeds)  # the feed that took them left


def test_pieces_a_worker_fails_on_are_written_here() -> None:
    good = b'<http://e/s> <http://e/p> "x" .\n'
    bad = b'<dg:thing> <http://e/p> "x" .\n'  # JSON-LD would read it as a compact IRI
    with workers.Pool("jsonld", 1) as pool:
        pieces = [pool.submit(text) for text in (good, bad, good)]
        assert pieces[0].result(writers.JSON_LD.body).startswith(b"    {")
        with pytest.raises(ValueError, match="compact IRI"):  # the worker died on it
            pieces[1].result(writers.JSON_LD.body)
        assert pieces[2].result(writers.JSON_LD.body) == pieces[0].result(writers.JSON_LD.body)
        assert pool.feeds[0].gone


def test_a_worker_given_nothing_to_do_leaves() -> None:
    with workers.Worker("ttl") as worker:
        assert worker.process is not None
    assert worker.process.returncode is not None


def test_rdf_1_2_terms_are_written_or_refused_in_json_ld() -> None:
    lines = [b'<http://e/s> <http://e/p> "x"@en--ltr .\n']
    assert by_oxigraph(whole(writers.JSON_LD, lines), ox.RdfFormat.JSON_LD) == by_oxigraph(
        lines[0], ox.RdfFormat.N_TRIPLES)
    node = json.loads(whole(writers.JSON_LD, lines))["@graph"][0]
    assert node["http://e/p"] == [{"@value": "x", "@language": "en", "@direction": "ltr"}]
    with pytest.raises(ValueError, match="triple term"):
        whole(writers.JSON_LD, [b"<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "
                                b"<http://e/c> )>> .\n"])
    document = whole(writers.JSON_LD, [b'<dg://host/x> <http://e/p> "x" .\n'])
    assert json.loads(document)["@graph"][0]["@id"] == "dg://host/x"  # `//`: not compact


def test_empty_pieces_leave_no_separator() -> None:
    lines = lines_of(CASES[0][1])
    for fmt in writers.FORMATS.values():
        alone = fmt.document([fmt.body(b"".join(lines))])
        assert fmt.document([b"", fmt.body(b"".join(lines)), b""]) == alone
    json.loads(writers.JSON_LD.document([b"", b""]))


SUBJECTS = b"<a> <p> 1 .\n<a> <p> 2 .\n<b> <p> 3 .\n<c> <p> 4 .\n<c> <p> 5 .\n"


@pytest.mark.parametrize(("at", "cut"), [
    (0, 0), (1, 24), (12, 24), (23, 24), (24, 24), (25, 36), (36, 36), (40, 60), (59, 60),
    (60, 60),
])
def test_a_cut_falls_on_the_next_subject_boundary(at: int, cut: int) -> None:
    assert SUBJECTS[:cut].endswith(b"\n") or cut == 0
    assert workers._subject_end(SUBJECTS, at) == cut


def test_pieces_are_cut_between_subjects() -> None:
    # eight lines in four: two a piece, the cut moved on to the next subject
    assert workers.pieces(SUBJECTS, 4) == [SUBJECTS[:24], SUBJECTS[24:36], SUBJECTS[36:]]
    assert workers.pieces(SUBJECTS[24:], 2) == [SUBJECTS[24:36], SUBJECTS[36:]]
    assert workers.pieces(b"", 4) == [b""]
    single = b"<a> <p> 1 .\n<a> <p> 2 .\n"
    assert workers.pieces(single, 8) == [single]


@pytest.mark.parametrize(("files", "granted"), [
    ({"cpu.max": "150000 100000\n"}, 1.5),
    ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 0.5),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),
])
def test_a_containers_cpu_quota_is_read(tmp_path: Path, files: dict[str, str],
                                        granted: float | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert workers.cpu_quota(tmp_path) == granted


@pytest.mark.parametrize(("quota", "cores"), [(0.5, 1), (1.5, 2), (64.0, 2), (None, 2)])
def test_the_workers_are_as_many_as_the_quota_allows(monkeypatch: pytest.MonkeyPatch,
                                                     quota: float | None, cores: int) -> None:
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(workers, "cpu_quota", lambda: quota)
    assert workers.usable_cores() == cores


def test_a_stuck_worker_is_stopped_and_its_pieces_written_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "_PATIENCE", 1.0)
    text = b'<http://e/s> <http://e/p> "x" .\n<http://e/t> <http://e/p> "y" .\n'
    with workers.Pool("ttl", 1) as pool:
        worker = pool.feeds[0].worker.process
        assert worker is not None
        os.kill(worker.pid, signal.SIGSTOP)  # alive, but never answers
        pieces = [pool.submit(text) for _ in range(6)]
        started = time.monotonic()
        assert {piece.result(writers.TURTLE.body) for piece in pieces} == {
            writers.TURTLE.body(text)}
        assert time.monotonic() - started < 5  # one wait, not one per piece
        assert worker.returncode is not None and pool.feeds[0].gone
