"""A source that only grew is updated from its new bytes alone: after any append (new or
redeclared prefixes, a base, labelled and anonymous blank nodes, labels, dated facts,
entailing types), or an edit that is no append, the updated store equals a fresh compile
of the same sources: the same quads in every graph, the same lines and VoID profiles,
the same label index answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplograph.errors import InputError
from diplograph.project import Project
from diplograph.store import compiler, delta, frames
from diplograph.store.cache import KnowledgeGraph, open_graph, rebuild
from diplograph.store.folder import read_kept, sorted_lines, written_file
from diplograph.store.frames import FramedLines
from diplograph.store.labels import labels_containing, names_equal, names_in
from test_store import PREFIXES, small_project, snapshot

GROWN = "data/grown.ttl"
START = PREFIXES + ('@prefix ex: <https://w3id.org/diplograph/resource/ex-> .\n'
                    '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                    '@prefix prov: <http://www.w3.org/ns/prov#> .\n'
                    'ex:a a dg:StateVisit ; rdfs:label "First visit"@en ; dg:partOf _:trip .\n'
                    'ex:g prov:wasDerivedFrom ex:doc ; dg:startDate "1995-03-01"^^xsd:date .\n'
                    'ex:e prov:wasDerivedFrom ex:doc ; dg:startDate "--05-01"^^xsd:gMonthDay ; '
                    'dg:yearRelativeToSource "1"^^xsd:integer .\n')
SEARCHED = ["visit", "second", "trip", "ahoy"]
RESOURCE = "https://w3id.org/diplograph/resource/"
NAMED = ["ex-a", "ex-b", "other-b"]  # as the pieces below name them
EQUAL = ["ahoy", "the second", "first visit"]

PIECES = [  # each a whole statement or declaration, as a user appends them
    'ex:b a dg:StateVisit ; rdfs:label "Second visit"@en .\n',
    'ex:a rdfs:label "Ahoy"@en .\n',  # a new label for an earlier thing
    'ex:b <http://www.w3.org/2004/02/skos/core#altLabel> "The Second"@en ;\n'
    '  <http://purl.org/dc/terms/title> "AHOY" .\n',  # names other than labels
    'ex:a a dg:StateVisit .\n',  # already stated
    '_:trip rdfs:label "The trip"@en .\n',  # the blank node of the earlier bytes
    'ex:c dg:partOf [ rdfs:label "an anonymous trip"@en ] .\n',
    '@prefix ex: <https://w3id.org/diplograph/resource/other-> .\n',  # redeclared
    'PREFIX new: <https://w3id.org/diplograph/resource/new->\nnew:x a dg:Visit .\n',
    '@base <https://w3id.org/diplograph/resource/> .\n<based> a dg:StateVisit .\n',
    'ex:d dg:startDate "1996-05-01"^^xsd:date ; dg:endDate "1996-05-03"^^xsd:date .\n',
    'ex:a dg:startDate "1992"^^xsd:gYear .\n',
    'country:KZ dg:hasDiplomaticRelationWith country:UZ .\n',
    '# a comment at the end\n',
]
DOCUMENT_PIECES = [  # facts from a source document dated by its facts (ex:e counts from it)
    'ex:h prov:wasDerivedFrom ex:doc ; dg:startDate "1994-01-01"^^xsd:date .\n',  # earlier
    'ex:f prov:wasDerivedFrom ex:doc ; dg:startDate "1997-02-01"^^xsd:date .\n',  # later
    'ex:g dg:startDate "1995"^^xsd:gYear .\n',  # the latest fact's dates widen: it moves back
    'ex:k prov:wasDerivedFrom ex:doc ; dg:startDate "--07-01"^^xsd:gMonthDay ; '
    'dg:yearRelativeToSource "0"^^xsd:integer .\n',  # counted from the document's year
    'ex:doc dg:startDate "1990"^^xsd:gYear .\n',  # the document gains a date of its own
    'ex:m prov:wasDerivedFrom ex:doc2 ; dg:startDate "2001-06-01"^^xsd:date .\n'
    'ex:n prov:wasDerivedFrom ex:doc2 ; dg:startDate "--01-01"^^xsd:gMonthDay ; '
    'dg:yearRelativeToSource "-1"^^xsd:integer .\n',  # a new document
    'ex:p dg:partOf ex:g ; dg:endDate "1995-12-31"^^xsd:date .\n',  # linked to a dated fact
]
EDITS = st.one_of(
    st.lists(st.sampled_from(PIECES + DOCUMENT_PIECES), min_size=1, max_size=4).map(
        lambda pieces: ("append", "".join(pieces))),
    st.sampled_from([("rewrite", START.replace("First", "Earlier")),  # no append
                     ("no newline", "# ends without a line break"),
                     ("bad", "ex:broken ex:broken .\n")]),
)


def answers(graph: KnowledgeGraph) -> dict[str, object]:
    """What the label index finds for each searched text, as sorted N-Triples lines, and
    the English names it gives each thing named."""
    found = {text: labels_containing(graph.path, text) for text in SEARCHED}
    names = {thing: names_in(graph.path, f"<{RESOURCE}{thing}>", "en") for thing in NAMED}
    equal = {f"= {text}": sorted(map(str, names_equal(graph.path, text) or []))
             for text in EQUAL}
    return {**{text: None if lines is None else sorted(lines.splitlines())
               for text, lines in found.items()}, **names, **equal}


def written(graph: KnowledgeGraph) -> dict[str, str]:
    """Each source document's written day, as the store keeps it for the next update."""
    days: dict[str, str] = json.loads(read_kept(written_file(graph.path)))
    return days


def profiles(graph: KnowledgeGraph) -> dict[object, tuple[object, ...]]:
    """Each graph's VoID profile, blank nodes (named at random when anonymous) counted."""
    def named(terms: set[str]) -> tuple[object, ...]:
        return len(terms), sorted(t for t in terms if "_:" not in t)

    return {g: (p.triples, p.predicates, named(p.subjects), named(p.typed))
            for g in graph.graphs() for p in [graph.profile(g)]}


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=3))
def test_an_updated_store_equals_a_fresh_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 edits: list[tuple[str, str]]) -> None:
    in_place: list[object] = []  # what each update edited of the inferred graph in place

    def spied(*args: Any) -> object:
        in_place.append(edit_inferred(*args))
        return in_place[-1]

    edit_inferred = compiler._inferred_in_place
    monkeypatch.setattr(compiler, "_inferred_in_place", spied)
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    project, cache = small_project(work), work / "cache"
    grown = project.root / GROWN
    grown.write_text(START, encoding="utf-8")
    open_graph(project, cache)
    compiled = [START]  # the file's texts the cache holds a store of
    heard: list[str] = []
    for kind, text in edits:
        before = grown.read_text(encoding="utf-8")
        grown.write_text(text if kind == "rewrite" else before + text, encoding="utf-8")
        try:
            fresh = rebuild(project, work / f"fresh-{len(list(work.iterdir()))}")
        except InputError:  # an undeclared prefix (or one a comment swallowed): refused
            with pytest.raises(InputError, match=r"grown\.ttl"):
                open_graph(project, cache)
            grown.write_text(before, encoding="utf-8")
            continue
        heard.clear()
        in_place.clear()
        updated = open_graph(project, cache, progress=lambda step, done: heard.append(step))
        from_end = f"parsing what was appended to {GROWN}" in heard
        now = grown.read_text(encoding="utf-8")
        # from the end when a store of the file's first bytes, ending a line, is there
        assert from_end == (now not in compiled and any(
            now.startswith(earlier) and earlier.endswith("\n") for earlier in compiled)), heard
        compiled.append(now)
        if from_end:  # the inferred graph was edited, not made anew
            assert len(in_place) == 1 and in_place[0] is not None
        assert snapshot(updated) == snapshot(fresh)
        assert answers(updated) == answers(fresh)
        assert profiles(updated) == profiles(fresh)
        assert written(updated) == written(fresh)


def edits_in_place(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What each update's edit of the inferred graph in place returns (None where it
    steps aside and the graph is made anew), as the updates run."""
    in_place: list[object] = []
    edit_inferred = compiler._inferred_in_place
    monkeypatch.setattr(compiler, "_inferred_in_place",
                        lambda *args: in_place.append(edit_inferred(*args)) or in_place[-1])
    return in_place


def started(tmp_path: Path) -> tuple[Project, Path, Path]:
    """A small project whose grown file holds `START`, its store cache and that file."""
    project = small_project(tmp_path / "work")
    grown = project.root / GROWN
    grown.write_text(START, encoding="utf-8")
    return project, tmp_path / "cache", grown


LATER_FROM_DOC = 'ex:f prov:wasDerivedFrom ex:doc ; dg:startDate "1997-02-01"^^xsd:date .\n'


@pytest.mark.slow
def test_a_later_fact_from_a_source_moves_the_days_counted_from_its_year(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source document is dated by the facts taken from it: an appended later one
    moves its bounds and those of every fact dated from its year, which the update
    edits in place from the bounds the inferred graph held."""
    in_place = edits_in_place(monkeypatch)
    project, cache, grown = started(tmp_path)
    earliest = ("SELECT ?d { <https://w3id.org/diplograph/resource/ex-e> "
                "<https://w3id.org/diplograph/ontology#earliestStart> ?d }")
    assert [str(r[0].value) for r in open_graph(project, cache).query(earliest)] == ["1996-05-01"]
    grown.write_text(grown.read_text(encoding="utf-8") + LATER_FROM_DOC, encoding="utf-8")
    updated = open_graph(project, cache)
    assert len(in_place) == 1 and in_place[0] is not None
    assert [str(r[0].value) for r in updated.query(earliest)] == ["1998-05-01"]
    fresh = rebuild(project, tmp_path / "fresh")
    assert snapshot(updated) == snapshot(fresh) and profiles(updated) == profiles(fresh)


LINE = st.sampled_from([b"<a> <p> <b> .\n", b"<a> <p> <c> .\n", b"<a> <q> \"x\" .\n",
                        b"<b> <p> <a> .\n", b"<ab> <p> <a> .\n", b"_:n <p> <a> .\n",
                        b"<c> <p> \"\xc3\xa9\" .\n", b"<a> <p> \"a\\nb\" .\n"])


@given(earlier=st.sets(LINE), gone=st.sets(LINE), came=st.sets(LINE))
def test_sorted_lines_are_edited_as_sets_would_be(earlier: set[bytes], gone: set[bytes],
                                                  came: set[bytes]) -> None:
    lines = b"".join(sorted(earlier))
    gone, came = gone & earlier, came - earlier
    assert delta.edited(lines, gone, came) == b"".join(sorted((earlier - gone) | came))
    for line in [*gone, *came]:
        assert delta.holds(lines, line) == (line in earlier)
        subject = line.split(b" ", 1)[0] + b" "
        assert delta.starting_with(lines, subject) == sorted(
            held for held in earlier if held.startswith(subject))


@given(lines=st.lists(LINE))
def test_sorted_lines_hold_each_line_once_in_byte_order(lines: list[bytes]) -> None:
    assert sorted_lines(b"".join(lines)) == b"".join(sorted(set(lines)))


FRAMED_LINE = st.builds(lambda s, o: f'<{s}> <p> "{o}" .\n'.encode(),
                        st.sampled_from(["a", "ab", "b", "c", "d"]), st.integers(0, 40))


@given(earlier=st.sets(FRAMED_LINE), gone=st.sets(FRAMED_LINE), came=st.sets(FRAMED_LINE),
       frame_bytes=st.integers(1, 300))
def test_framed_lines_are_edited_and_read_as_sets_would_be(
        earlier: set[bytes], gone: set[bytes], came: set[bytes], frame_bytes: int) -> None:
    gone, came = gone & earlier, came - earlier
    after = sorted((earlier - gone) | came)
    with patch.object(frames, "FRAME_BYTES", frame_bytes):
        kept = FramedLines.from_bytes(FramedLines.of(b"".join(sorted(earlier))).to_bytes())
        edited = kept.edited(gone, came)
        for framed, lines in [(kept, sorted(earlier)), (edited, after),
                              (FramedLines.from_bytes(edited.to_bytes()), after)]:
            assert framed.whole() == b"".join(lines)
            assert all(len(framed._decompressed(i)) <= 2 * frame_bytes + 20
                       for i in range(len(framed.frames)))
            for line in [*earlier, *gone, *came]:
                assert framed.holds(line) == (line in lines)
                subject = line.split(b" ", 1)[0] + b" "
                assert framed.starting_with(subject) == [held for held in lines
                                                         if held.startswith(subject)]


def test_an_edit_compresses_again_only_the_frames_it_touches() -> None:
    lines = b"".join(f"<s{i:06}> <p> <o> .\n".encode() for i in range(100_000))
    kept = FramedLines.of(lines)
    assert len(kept.frames) == len(lines) // frames.FRAME_BYTES + 1
    edited = kept.edited([b"<s000001> <p> <o> .\n"], [b"<s099999> <q> <o> .\n"])
    assert edited.whole() == lines.replace(b"<s000001> <p> <o> .\n", b"") + b"<s099999> <q> <o> .\n"
    same = [new is old for new, old in zip(edited.frames, kept.frames, strict=True)]
    assert same == [False] + [True] * (len(same) - 2) + [False]


@pytest.mark.slow
@pytest.mark.parametrize("piece", DOCUMENT_PIECES)
def test_an_update_dates_a_documents_facts_as_a_fresh_compile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: str) -> None:
    """Only the documents whose written day may move have all their facts read; the
    others' kept days stand for the facts not read."""
    in_place = edits_in_place(monkeypatch)
    project, cache, grown = started(tmp_path)
    open_graph(project, cache)
    grown.write_text(START + piece, encoding="utf-8")
    updated = open_graph(project, cache)
    assert len(in_place) == 1 and in_place[0] is not None
    fresh = rebuild(project, tmp_path / "fresh")
    assert snapshot(updated) == snapshot(fresh) and profiles(updated) == profiles(fresh)
    assert written(updated) == written(fresh)


@pytest.mark.slow
def test_an_update_starts_from_the_store_whose_bytes_the_file_begins_with(
        tmp_path: Path) -> None:
    """Of two earlier stores, the one that parsed the file's first bytes is copied and
    only what follows them is parsed, even where another store's file was closer in
    size (it held other bytes)."""
    project, cache, grown = started(tmp_path)
    tail = "# ends without a line break"
    grown.write_text(START + tail, encoding="utf-8")
    open_graph(project, cache)  # a store of a file 2 bytes shorter than the one below
    rewritten = START.replace("First", "Earlier")
    grown.write_text(rewritten, encoding="utf-8")
    open_graph(project, cache)
    grown.write_text(rewritten + tail, encoding="utf-8")
    heard: list[str] = []
    updated = open_graph(project, cache, progress=lambda step, done: heard.append(step))
    assert f"parsing what was appended to {GROWN}" in heard, heard
    assert snapshot(updated) == snapshot(rebuild(project, tmp_path / "fresh"))
