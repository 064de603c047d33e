"""The time of every dated fact as an interval with bounds, computed when the graph is
compiled from how the source states it (docs/model.md, "Time").

A fact states its time once: DATE literals at the source's precision, a date qualifier
("the middle of 1996"), a larger event it happened during, an earlier event it
followed, events its office holder is named at, or a day of the year counted from the
source document's year. Each becomes four bounds, the earliest and latest possible start
and end (`dg:earliestStart` ... `dg:latestEnd`); a bound nothing gives stays absent.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from diplograph.namespaces import DG, PREFIXES
from diplograph.rdf.ntriples import lines_with, predicates_pattern

_XSD, _DGV, _TIME = PREFIXES["xsd"], PREFIXES["dgv"], PREFIXES["time"]


def _iri(base: str, name: str) -> str:
    return f"<{base}{name}>"


#: predicates whose DATE value is the start of the fact, and those whose value is its end
STARTS = {_iri(DG, n) for n in ("startDate", "established", "beganOperating", "since",
                                "signedOn", "date", "inception")} | {
    _iri(PREFIXES["schema"], n) for n in ("dateSent", "dateReceived")}
ENDS = {_iri(DG, n) for n in ("endDate", "until", "dissolution")}
#: predicates whose DATE value is an instant: the fact ends when it starts
INSTANTS = {_iri(DG, n) for n in ("signedOn", "date")} | {
    _iri(PREFIXES["schema"], n) for n in ("dateSent", "dateReceived")}
QUALIFIER = _iri(DG, "dateQualifier")
DURING = {_iri(DG, n) for n in ("partOf", "signedDuring", "occasion")}
AFTER = _iri(DG, "after")
ATTESTED = _iri(DG, "attestedDuring")
RELATIVE_YEAR = _iri(DG, "yearRelativeToSource")
DERIVED_FROM = _iri(PREFIXES["prov"], "wasDerivedFrom")
WANTED = STARTS | ENDS | DURING | {QUALIFIER, AFTER, ATTESTED, RELATIVE_YEAR, DERIVED_FROM}

BOUNDS = tuple(_iri(DG, n) for n in ("earliestStart", "latestStart", "earliestEnd",
                                     "latestEnd"))
START_PRECISION, END_PRECISION = _iri(DG, "startPrecision"), _iri(DG, "endPrecision")
#: every predicate this module writes: these lines are recomputed, never extended
PREDICATES = frozenset((*BOUNDS, START_PRECISION, END_PRECISION))

_UNIT = {"date": "unitDay", "gYearMonth": "unitMonth", "gYear": "unitYear"}
#: a qualifier keeps one third of the period a date gives: early, middle or late
_THIRD = {_iri(_DGV, "early-period"): 0, _iri(_DGV, "mid-period"): 1,
          _iri(_DGV, "late-period"): 2}
_LITERAL = re.compile(r'"([^"\\]*)"\^\^<' + re.escape(_XSD) + r'([A-Za-z]+)>')
_DATE_TYPE = f"^^<{_XSD}date>"

Span = tuple[datetime.date, datetime.date]  # first and last possible day
Days = dict[str, datetime.date]  # a day by N-Triples term
#: each source document's written day (ISO 8601) by its N-Triples term: the latest
#: earliest end of the facts taken from it with dates of their own (see `_bounds`)
Written = dict[str, str]


@dataclass
class Bounds:
    """The earliest and latest start and end of a fact; None is unknown (open)."""

    earliest_start: datetime.date | None = None
    latest_start: datetime.date | None = None
    earliest_end: datetime.date | None = None
    latest_end: datetime.date | None = None

    def values(self) -> tuple[datetime.date | None, ...]:
        return (self.earliest_start, self.latest_start, self.earliest_end, self.latest_end)

    def narrow(self, earliest_start: datetime.date | None = None,
               latest_start: datetime.date | None = None,
               earliest_end: datetime.date | None = None,
               latest_end: datetime.date | None = None) -> bool:
        """Tighten the bounds with what else is known; True if any changed."""
        before = self.values()
        self.earliest_start = _later(self.earliest_start, earliest_start)
        self.earliest_end = _later(self.earliest_end, earliest_end, self.earliest_start)
        self.latest_end = _sooner(self.latest_end, latest_end)
        self.latest_start = _sooner(self.latest_start, latest_start, self.latest_end)
        return self.values() != before


def _later(*days: datetime.date | None) -> datetime.date | None:
    return max((d for d in days if d is not None), default=None)


def _sooner(*days: datetime.date | None) -> datetime.date | None:
    return min((d for d in days if d is not None), default=None)


@dataclass
class _Fact:
    starts: list[tuple[str, str, bool]] = field(default_factory=list)  # value, type, instant
    ends: list[tuple[str, str]] = field(default_factory=list)
    qualifier: str | None = None
    relative_year: int | None = None
    sources: list[str] = field(default_factory=list)
    during: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    attested: list[str] = field(default_factory=list)


def span(value: str, kind: str, year: int | None = None) -> Span | None:
    """The first and last day an xsd:date, gYearMonth or gYear value can mean; a
    gMonthDay needs `year`. None for a value that is no such date."""
    try:
        if kind == "date":
            day = datetime.date.fromisoformat(value)
            return day, day
        if kind == "gYearMonth":
            y, m = (int(p) for p in value.split("-"))
            return datetime.date(y, m, 1), datetime.date(y, m, calendar.monthrange(y, m)[1])
        if kind == "gYear":
            y = int(value)
            return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
        if kind == "gMonthDay" and year is not None:
            m, d = (int(p) for p in value.removeprefix("--").split("-"))
            day = datetime.date(year, m, min(d, calendar.monthrange(year, m)[1]))
            return day, day
    except ValueError:
        return None
    return None


def third(period: Span, index: int) -> Span:
    """The early (0), middle (1) or late (2) third of a period: of a year, four months
    (EDTF's quadrimesters, 1996-33 to 1996-35); of a month, days 1-10, 11-20 and 21 to
    its end; of any other period, a third of its days."""
    first, last = period
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) \
            and first.year == last.year:
        end_month = 4 * index + 4
        return (first.replace(month=4 * index + 1),
                last.replace(month=end_month, day=calendar.monthrange(last.year, end_month)[1]))
    if first.day == 1 and (first.year, first.month) == (last.year, last.month) \
            and last.day == calendar.monthrange(last.year, last.month)[1]:
        return first.replace(day=10 * index + 1), (last if index == 2 else
                                                   first.replace(day=10 * index + 10))
    days = (last - first).days + 1
    cut = [first + datetime.timedelta(days=round(days * i / 3)) for i in range(4)]
    return cut[index], max(cut[index], cut[index + 1] - datetime.timedelta(days=1))


_WANTED_LINES = predicates_pattern(WANTED)


def _read(documents: Iterable[bytes]) -> dict[str, _Fact]:
    facts: dict[str, _Fact] = defaultdict(_Fact)
    for document in documents:
        for line in lines_with(document, _WANTED_LINES):
            s, p, o = (part.decode() for part in line.split(b" ", 2))
            o = o.removesuffix(" .")
            fact = facts[s]
            literal = _LITERAL.fullmatch(o)
            if p in STARTS and literal:
                fact.starts.append((literal[1], literal[2], p in INSTANTS))
            elif p in ENDS and literal:
                fact.ends.append((literal[1], literal[2]))
            elif p == RELATIVE_YEAR and literal and re.fullmatch(r"[+-]?[0-9]{1,4}", literal[1]):
                fact.relative_year = int(literal[1])  # other values: the shapes report them
            elif p == QUALIFIER:
                fact.qualifier = o
            elif p == DERIVED_FROM:
                fact.sources.append(o)
            elif p in DURING:
                fact.during.append(o)
            elif p == AFTER:
                fact.after.append(o)
            elif p == ATTESTED:
                fact.attested.append(o)
    return facts


def _stated(fact: _Fact, years: tuple[int | None, int | None]) -> Bounds | None:
    """The bounds a fact's own DATE literals give (a gMonthDay in `years`' range)."""
    def spans(values: Iterable[tuple[str, str]]) -> Span | None:
        found = []
        for value, kind in values:
            if kind == "gMonthDay":
                low, high = (span(value, kind, y) if y is not None else None for y in years)
                if low is not None:
                    found.append((low[0], high[1] if high else datetime.date.max))
            elif (period := span(value, kind)) is not None:
                found.append(third(period, _THIRD[fact.qualifier])
                             if fact.qualifier in _THIRD else period)
        return (min(f[0] for f in found), max(f[1] for f in found)) if found else None

    start = spans((v, k) for v, k, _ in fact.starts)
    end = spans(fact.ends)
    if end is None and start is not None and any(i for _, _, i in fact.starts):
        end = start
    if start is None and end is None:
        return None
    bounds = Bounds()
    bounds.narrow(*(start or (None, None)), *(end or (None, None)))
    if start is None and end is not None:
        bounds.narrow(latest_start=end[1])
    return Bounds(*(None if d == datetime.date.max else d for d in bounds.values()))


def bounds(documents: Iterable[bytes]) -> dict[str, Bounds]:
    """The bounds of every fact whose time the N-Triples `documents` state, by the
    subject's N-Triples term."""
    return _bounds(_read(documents))[0]


def _bounds(facts: dict[str, _Fact], floor: Days | None = None
            ) -> tuple[dict[str, Bounds], Days]:
    """Stated dates first, then each source document's earliest date (no earlier than
    its written day: the latest earliest end of the facts taken from it with absolute
    dates, or its `floor` where facts not read here count), then days counted from a
    document's year, then bounds passed along the links until none changes. Returns the
    bounds and the written days."""
    found = {s: b for s, f in facts.items()
             if f.relative_year is None and (b := _stated(f, (None, None))) is not None}
    written = dict(floor or {})
    for s, b in found.items():
        for source in facts[s].sources:
            if b.earliest_end is not None:
                written[source] = max(written.get(source, b.earliest_end), b.earliest_end)
    for source, day in written.items():
        found.setdefault(source, Bounds()).narrow(day, None, day, None)
    for s, fact in facts.items():
        if fact.relative_year is not None and fact.sources:
            docs = [found.get(d, Bounds()) for d in fact.sources]
            low = _later(*(d.earliest_start for d in docs))
            high = _sooner(*(d.latest_end for d in docs))
            years = (low.year + fact.relative_year if low else None,
                     high.year + fact.relative_year if high else None)
            if (b := _stated(fact, years)) is not None:
                found[s] = b
    _propagate(facts, found)
    return {s: b for s, b in found.items() if any(d is not None for d in b.values())}, written


def _propagate(facts: dict[str, _Fact], found: dict[str, Bounds]) -> None:
    """Pass bounds along the links: a fact held during a larger event lies within it
    (and the larger event spans it); a fact after an earlier one starts no earlier than
    that ends; an office holding spans the events its holder is named at."""
    links = [(s, o, kind) for s, f in facts.items()
             for kind, targets in (("during", f.during), ("after", f.after),
                                   ("attested", f.attested)) for o in targets]
    for _ in range(len(links) + 1):  # each pass settles at least one more link of a chain
        changed = False
        for s, o, kind in links:
            own, other = found.setdefault(s, Bounds()), found.setdefault(o, Bounds())
            if kind == "during":
                changed |= own.narrow(other.earliest_start, other.latest_end,
                                      other.earliest_start, other.latest_end)
                changed |= other.narrow(latest_start=own.latest_start,
                                        earliest_end=own.earliest_end)
            elif kind == "after":
                changed |= own.narrow(earliest_start=other.earliest_end)
            else:
                changed |= own.narrow(latest_start=other.latest_start,
                                      earliest_end=other.earliest_end)
        if not changed:
            return


def _precision(facts: dict[str, _Fact], subject: str) -> list[tuple[str, str]]:
    fact = facts.get(subject)
    if fact is None:
        return []
    units = []
    for predicate, kinds in ((START_PRECISION, [k for _, k, _ in fact.starts]),
                             (END_PRECISION, [k for _, k in fact.ends]
                              or [k for _, k, i in fact.starts if i])):
        if len(set(kinds)) == 1 and kinds[0] in _UNIT:
            units.append((predicate, _iri(_TIME, _UNIT[kinds[0]])))
    return units


def interval_ntriples(documents: Iterable[bytes]) -> tuple[bytes, Written]:
    """The bounds and precisions of the facts of N-Triples `documents`, as N-Triples,
    and the source documents' written days (which `intervals_around` extends)."""
    facts = _read(documents)
    found, written = _bounds(facts)
    return _ntriples(facts, found), {d: day.isoformat() for d, day in written.items()}


def _ntriples(facts: dict[str, _Fact], bounded: dict[str, Bounds]) -> bytes:
    lines = []
    for subject, found in bounded.items():
        for predicate, day in zip(BOUNDS, found.values(), strict=True):
            if day is not None:
                lines.append(f'{subject} {predicate} "{day.isoformat()}"{_DATE_TYPE} .\n')
        lines.extend(f"{subject} {p} {o} .\n" for p, o in _precision(facts, subject))
    return "".join(lines).encode()


#: the predicates that tie one fact's time to another's
LINKS = frozenset(DURING | {AFTER, ATTESTED, DERIVED_FROM})
#: the lines of terms in the earlier graph whose predicate is `WANTED`
LinesOf = Callable[[set[str]], bytes]
#: the terms that link to `terms` in the earlier graph by a `LINKS` predicate (by
#: DERIVED_FROM only to those of the second set)
LinkingTo = Callable[[set[str], set[str]], set[str]]


def intervals_around(added: bytes, lines_of: LinesOf, linking_to: LinkingTo,
                     written: Written, limit: int) -> tuple[set[str], bytes, Written] | None:
    """The facts whose time N-Triples lines `added` to a graph can change, the bounds
    and precisions of those facts as `interval_ntriples` of the whole graph gives them,
    and the `written` days of the earlier graph as they are now; the time of every
    other fact stays as it was.

    A fact's bounds depend only on the facts linked to it (`LINKS`, either way, directly
    or not), gathered from the added lines and the earlier graph. A source document's
    facts are all gathered only when its written day may change (see `_opened`);
    otherwise its earlier written day stands for those not gathered. None if more than
    `limit` facts are linked, or where reading them in another order than the whole
    graph could differ (a fact with two qualifiers or relative years)."""
    own = list(lines_with(added, _WANTED_LINES))
    gathered = [b"".join(line + b"\n" for line in own)]
    ties: defaultdict[str, set[str]] = defaultdict(set)
    for line in own:
        s, p, o = line.decode().removesuffix(" .").split(" ", 2)
        ties[s].add(s)
        if p in LINKS:
            ties[s].add(o)
            ties[o].add(s)
    reached = set(ties)
    seen = set(reached)
    earlier = lines_of(reached)
    opened = _opened(gathered[0], earlier, written)
    while reached:
        gathered.append(earlier)
        linking = linking_to(reached, opened)
        for line in lines_with(earlier, _WANTED_LINES):
            _, p, o = line.decode().removesuffix(" .").split(" ", 2)
            if p in LINKS:
                linking.add(o)
        linking.update(*(ties.get(term, ()) for term in reached))
        reached = linking - seen
        seen |= reached
        if len(seen) > limit:
            return None
        earlier = lines_of(reached) if reached else b""
    facts = _read(gathered)
    if any(len(values) > 1 for values in _single_valued(gathered).values()):
        return None
    floor = {d: datetime.date.fromisoformat(written[d]) for d in seen - opened if d in written}
    found, days = _bounds(facts, floor)
    return seen, _ntriples(facts, found), {
        **{d: day for d, day in written.items() if d not in seen},
        **{d: day.isoformat() for d, day in days.items()}}


def _opened(added: bytes, earlier: bytes, written: Written) -> set[str]:
    """The terms whose facts (those taken from them) are all gathered: every subject of
    the `added` lines (a document that gained a date moves the days counted from its
    year), the sources of a subject that had `earlier` lines (its dates may have widened:
    a written day may fall), and each source whose written day a new fact's dates pass."""
    now, before = _read([added, earlier]), _read([earlier])
    opened = {line.split(b" ", 1)[0].decode() for line in lines_with(added, _WANTED_LINES)}
    for subject in list(opened):
        fact = now[subject]
        if subject in before:
            opened.update(fact.sources)
        elif fact.relative_year is None and (stated := _stated(fact, (None, None))) \
                and (end := stated.earliest_end) is not None:
            opened.update(d for d in fact.sources if d not in written
                          or end > datetime.date.fromisoformat(written[d]))
    return opened


def _single_valued(documents: Iterable[bytes]) -> defaultdict[tuple[str, str], set[str]]:
    """The distinct values of each fact's qualifier and relative year (`_read` keeps the
    last it reads)."""
    values: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for document in documents:
        for line in lines_with(document, _WANTED_LINES):
            s, p, o = line.decode().removesuffix(" .").split(" ", 2)
            if p in (QUALIFIER, RELATIVE_YEAR):
                values[s, p].add(o)
    return values


def without_intervals(ntriples: bytes) -> bytes:
    """The lines of an N-Triples document that this module did not write."""
    mine = tuple(f" {p} ".encode() for p in PREDICATES)
    return b"".join(line for line in ntriples.splitlines(True)
                    if not any(m in line for m in mine))
