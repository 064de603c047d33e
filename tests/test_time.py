"""Every time of the model is an interval with bounds, and dated queries use them."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import Run, copy_graph, invoke
from diplograph.namespaces import PREFIXES
from diplograph.reasoning.intervals import Bounds, bounds, span, third
from diplograph.store.cache import KnowledgeGraph

DG = "https://w3id.org/diplograph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
D = datetime.date


def nt(*triples: tuple[str, str, str]) -> bytes:
    """N-Triples lines as Oxigraph writes them, from (subject, dg: property, object)."""
    return "".join(f"<urn:{s}> <{DG}{p}> {o} .\n" for s, p, o in triples).encode()


def day(value: str, kind: str = "date") -> str:
    return f'"{value}"^^<{XSD}{kind}>'


def rows(run: Run, name: str, *args: str) -> list[dict[str, str]]:
    result = run("query", name, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def select(graph: KnowledgeGraph, text: str) -> list[tuple[str | None, ...]]:
    solutions = graph.query(text, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(None if t is None else t.value for t in row) for row in solutions]


def ask(graph: KnowledgeGraph, text: str) -> bool:
    answer = graph.query(text, prefixes=PREFIXES)
    assert isinstance(answer, ox.QueryBoolean)
    return bool(answer)


def items(found: list[dict[str, str]]) -> set[str]:
    return {r["item"].rsplit("/", 1)[-1] for r in found}


# --- the rules, on small graphs ---------------------------------------------------------

@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("1996-05-26", "date", (D(1996, 5, 26), D(1996, 5, 26))),
    ("1996-02", "gYearMonth", (D(1996, 2, 1), D(1996, 2, 29))),
    ("1996", "gYear", (D(1996, 1, 1), D(1996, 12, 31))),
    ("--09-08", "gMonthDay", None),  # no year: no day
    ("1996-13", "gYearMonth", None),
])
def test_a_date_spans_the_days_its_precision_allows(
        value: str, kind: str, expected: tuple[D, D] | None) -> None:
    assert span(value, kind) == expected


def test_early_mid_late_are_thirds_of_a_year_or_a_month() -> None:
    year = (D(1996, 1, 1), D(1996, 12, 31))
    assert [third(year, i) for i in range(3)] == [
        (D(1996, 1, 1), D(1996, 4, 30)), (D(1996, 5, 1), D(1996, 8, 31)),
        (D(1996, 9, 1), D(1996, 12, 31))]
    assert third((D(1998, 2, 1), D(1998, 2, 28)), 2) == (D(1998, 2, 21), D(1998, 2, 28))


def test_a_sub_event_takes_the_bounds_of_the_visit_it_was_held_during() -> None:
    found = bounds([nt(("visit", "startDate", day("1996-05-26")),
                       ("visit", "endDate", day("1996-05-27")),
                       ("treaty", "signedDuring", "<urn:visit>"),
                       ("award", "partOf", "<urn:visit>"))])
    assert found["<urn:treaty>"] == found["<urn:award>"] == Bounds(
        D(1996, 5, 26), D(1996, 5, 27), D(1996, 5, 26), D(1996, 5, 27))


def test_after_an_event_is_bounded_below_only() -> None:
    found = bounds([nt(("quake", "startDate", day("1966-04", "gYearMonth")),
                       ("quake", "endDate", day("1966-04", "gYearMonth")),
                       ("rebuilding", "after", "<urn:quake>"))])
    assert found["<urn:rebuilding>"] == Bounds(D(1966, 4, 1), None, D(1966, 4, 1), None)


def test_a_year_relative_to_the_document_is_bounded_by_the_document_date() -> None:
    derived = f"<{'http://www.w3.org/ns/prov#'}wasDerivedFrom>"
    lines = nt(("vote", "startDate", day("2008-03-14")), ("vote", "endDate", day("2008-03-14")),
               ("session", "startDate", day("--09-08", "gMonthDay")),
               ("session", "endDate", day("--09-09", "gMonthDay")),
               ("session", "yearRelativeToSource", f'"-1"^^<{XSD}integer>'))
    lines += b"".join(f"<urn:{s}> {derived} <urn:doc> .\n".encode() for s in ("vote", "session"))
    found = bounds([lines])
    # the document reports the vote: written no earlier than it; no later bound is given
    assert found["<urn:doc>"] == Bounds(D(2008, 3, 14), None, D(2008, 3, 14), None)
    assert found["<urn:session>"] == Bounds(D(2007, 9, 8), None, D(2007, 9, 9), None)


def test_an_office_holding_spans_the_events_that_attest_it() -> None:
    found = bounds([nt(("visit", "startDate", day("1997-06-18")),
                       ("visit", "endDate", day("1997-06-19")),
                       ("meeting", "startDate", day("1998-08-09")),
                       ("meeting", "endDate", day("1998-08-09")),
                       ("presidency", "attestedDuring", "<urn:visit>"),
                       ("presidency", "attestedDuring", "<urn:meeting>"))])
    assert found["<urn:presidency>"] == Bounds(None, D(1997, 6, 18), D(1998, 8, 9), None)


def test_a_begun_fact_without_an_end_stays_open() -> None:
    found = bounds([nt(("posting", "since", day("2008-01", "gYearMonth")))])
    assert found["<urn:posting>"] == Bounds(D(2008, 1, 1), D(2008, 1, 31), D(2008, 1, 1), None)


# --- the bundled graph, through the named queries ----------------------------------------

def test_the_embassy_of_mid_1996_overlaps_the_second_half_of_1996(run: Run) -> None:
    found = rows(run, "timeline", "--a", "AZ", "--b", "UZ", "--from", "1996-06", "--to", "1996-12")
    embassy = next(r for r in found if r["item"].endswith("embassy-AZ-in-UZ"))
    assert (embassy["date"], embassy["earliest"], embassy["latest"]) == (
        "1996", "1996-05-01", "1996-08-31")  # stated once: "1996" and "the middle of"
    assert "visit-1996-05-karimov-azerbaijan" not in items(found)


def test_what_happened_during_the_visit_of_26_27_may_is_not_before_25_may(run: Run) -> None:
    before = items(rows(run, "timeline", "--a", "AZ", "--b", "UZ", "--to", "1996-05-25"))
    during = {"treaty-1996-az-uz-friendship-and-cooperation",
              "award-1996-karimov-baku-state-university-honorary-doctorate"}
    assert not before & during
    assert during <= items(rows(run, "timeline", "--a", "AZ", "--b", "UZ", "--to", "1996-05-26"))
    treaty = next(r for r in rows(run, "agreements", "--a", "AZ", "--b", "UZ")
                  if r["agreement"].endswith("treaty-1996-az-uz-friendship-and-cooperation"))
    assert (treaty["signed"], treaty["earliest"], treaty["latest"]) == (
        "", "1996-05-26", "1996-05-27")  # no day is given: the visit bounds it


def test_relative_and_partial_dates_appear_in_the_timeline(run: Run) -> None:
    found = {r["item"].rsplit("/", 1)[-1]: r for r in rows(run, "timeline", "--a", "AZ",
                                                              "--b", "UZ")}
    session = found["commission-session-az-uz-8"]
    # "last year, 8-9 September": the document reports 12 September 2008, so 2007 or later
    assert (session["date"], session["end"], session["earliest"], session["latest"]) == (
        "--09-08", "--09-09", "2007-09-08", "")
    rebuilding = found["event-tashkent-rebuilding-after-1966-earthquake"]
    assert (rebuilding["date"], rebuilding["earliest"], rebuilding["latest"]) == (
        "", "1966-04-01", "")
    assert "commission-session-az-uz-8" not in items(
        rows(run, "timeline", "--a", "AZ", "--b", "UZ", "--to", "2006"))
    assert "event-tashkent-rebuilding-after-1966-earthquake" in items(
        rows(run, "timeline", "--a", "AZ", "--b", "UZ", "--from", "2000", "--to", "2001"))


def test_visits_and_votes_select_by_overlap(run: Run) -> None:
    assert rows(run, "visits", "--a", "AZ", "--b", "UZ", "--to", "1996-05-25") == []
    assert [r["start"] for r in rows(run, "visits", "--to", "1996-05-27")] == ["1996-05-26"]
    assert [r["start"] for r in rows(run, "visits", "--from", "1996-05-27", "--to", "1997")] \
        == ["1996-05-26", "1997-06-18"]
    assert len(rows(run, "votes", "--year", "2008")) == 1
    assert rows(run, "votes", "--year", "2009") == []


def test_the_source_document_is_dated_by_what_it_reports(graph: KnowledgeGraph) -> None:
    assert select(graph, """SELECT ?earliest ?latest WHERE { dgr:source-000 dg:earliestStart
        ?earliest OPTIONAL { dgr:source-000 dg:latestEnd ?latest } }""") == [("2008-09-12", None)]


def test_presidents_hold_office_in_time(graph: KnowledgeGraph) -> None:
    found = select(graph, """SELECT ?holder ?es ?ls ?ee ?le WHERE {
        ?holding dg:office dgr:office-president-AZ ; dg:holder ?holder .
        OPTIONAL { ?holding dg:earliestStart ?es } OPTIONAL { ?holding dg:latestStart ?ls }
        OPTIONAL { ?holding dg:earliestEnd ?ee } OPTIONAL { ?holding dg:latestEnd ?le } }""")
    terms = {str(row[0]).rsplit("/", 1)[-1]: row[1:] for row in found}
    # in office by the visits and meetings that name them; the terms themselves unknown
    assert terms == {"person-heydar-aliyev": (None, "1997-06-18", "1998-08-09", None),
                     "person-ilham-aliyev": (None, "2004-03-23", "2004-03-24", None)}


def test_a_state_hosts_only_embassies(graph: KnowledgeGraph) -> None:
    hosted = select(graph, "SELECT ?x WHERE { country:AZ dg:hostsEmbassy ?x }")
    embassies = select(graph, "SELECT ?x WHERE { country:AZ dg:hostsEmbassy ?x . ?x a dg:Embassy }")
    assert sorted(hosted) == sorted(embassies) and len(hosted) == 2


@pytest.mark.parametrize(("item", "state"), [
    ("event-1966-04-tashkent-earthquake", "UZ"),
    ("jubilee-l-kuchma-60", "UA"),
    ("exhibition-almaty-autoparts-iii", "KZ"),
    ("initiative-kz-create-cica", "KZ"),
    ("resolution-unga-62-draft-occupied-territories-of-azerbaijan", "AZ"),
    ("visit-1996-05-karimov-azerbaijan", "AZ"),
    ("ambassadorship-serik-primbetov-KZ-in-AZ", "KZ"),
])
def test_every_fact_is_found_from_the_states_it_involves(
        graph: KnowledgeGraph, item: str, state: str) -> None:
    assert ask(graph, f"ASK {{ dgr:{item} dg:involvesState country:{state} }}")


def test_a_malformed_relative_year_gives_no_bounds_and_no_crash() -> None:
    found = bounds([nt(("session", "startDate", day("--09-08", "gMonthDay")),
                       ("session", "yearRelativeToSource", f'"last"^^<{XSD}integer>'))])
    assert "<urn:session>" not in found


@pytest.mark.slow
def test_an_updated_store_recomputes_the_bounds(tmp_path: Path) -> None:
    project = copy_graph(tmp_path)

    def treaty_bounds() -> list[str]:
        result = invoke(project, "query", "agreements", "--a", "AZ", "--b", "UZ",
                        "--format", "csv")
        assert result.exit_code == 0, result.output
        row = next(r for r in csv.DictReader(io.StringIO(result.stdout))
                   if r["agreement"].endswith("treaty-1996-az-uz-friendship-and-cooperation"))
        return [row["earliest"], row["latest"]]

    assert treaty_bounds() == ["1996-05-26", "1996-05-27"]
    data = project / "data" / "azerbaijan-uzbekistan.ttl"
    text = data.read_text(encoding="utf-8")
    # the visit's end moves: the store is updated from the earlier one, the bounds follow
    moved = text.replace('dg:endDate "1996-05-27"', 'dg:endDate "1996-05-28"', 1)
    data.write_text(moved, encoding="utf-8")
    assert treaty_bounds() == ["1996-05-26", "1996-05-28"]

    def session_earliest() -> str:
        result = invoke(project, "query", "timeline", "--a", "AZ", "--b", "UZ", "--format", "csv")
        assert result.exit_code == 0, result.output
        return next(r["earliest"] for r in csv.DictReader(io.StringIO(result.stdout))
                    if r["item"].endswith("commission-session-az-uz-8"))

    assert session_earliest() == "2007-09-08"
    # a fact only added (the closure is extended, not recomputed) that the source reports
    # for 2010 dates the source later, and with it its "last year": no stale bound stays
    data.write_text(moved + '\ndgr:later-fact dg:startDate "2010-01-05"^^xsd:date ;\n'
                    "    prov:wasDerivedFrom dgr:source-000 .\n", encoding="utf-8")
    assert session_earliest() == "2009-09-08"
