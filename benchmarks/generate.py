"""Generate a world-scale diplograph project for benchmarks.

`python benchmarks/generate.py --size 10k|100k|1m|10m --seed 1 --output DIR` writes DIR
with `ontology/` and `queries/` copied from the repository, `data/countries.ttl` copied,
and synthetic facts in the project's own ontology (`data/generated-*.ttl`, a part split
off into `generated-NAME-2.ttl`, `-3` ... every `PART_BYTES`, as a user would keep a
big source in files an edit re-reads quickly): diplomatic
relations for most pairs of states, embassies, ambassadors, visits with meetings,
signing ceremonies, agreements, honours and unveilings, intergovernmental commissions
and their sessions, and UN General Assembly votes. Every fact node names a generated
dg:SourceDocument and quotes it in Azerbaijani; each document's text
(`data/sources/gen_*.txt`) holds the quotes of its facts, so the graph conforms to the
shapes and every quote is in its source.

Also written: `new-facts.ttl` (100 new conforming fact nodes, not in the graph, for the
validation benchmark) and `benchmark.json` (triple counts and query parameters).
The same size and seed give byte-identical output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
PART_BYTES = 32 * 2**20  # a generated file is split into parts of about this size
# Share of the generated triples each part of the graph gets (with the persons, places
# and source documents it needs).
SHARES = {"relations": 0.30, "missions": 0.20, "visits": 0.30, "commissions": 0.05,
          "votes": 0.15}
UN_MEMBERS = 193
NEW_FACTS = 100
FIRST_YEAR, LAST_YEAR = 1991, 2025

PREFIXES = """\
@prefix dg:      <https://w3id.org/diplograph/ontology#> .
@prefix dgv:     <https://w3id.org/diplograph/vocab/> .
@prefix country: <https://w3id.org/diplograph/country/> .
@prefix dgr:     <https://w3id.org/diplograph/resource/> .
@prefix schema:  <https://schema.org/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

VISIT_TYPES = (("state-visit", "dövlət səfəri", "state visit"),
               ("official-visit", "rəsmi səfər", "official visit"),
               ("working-visit", "işgüzar səfər", "working visit"))
VOTE_OPTIONS = ("yes", "yes", "yes", "yes", "no", "abstain", "abstain", "absent")
TOPICS = (
    ("trade and economic cooperation", "ticarət-iqtisadi əməkdaşlıq"),
    ("the avoidance of double taxation", "ikiqat vergitutmanın aradan qaldırılması"),
    ("cultural cooperation", "mədəni əməkdaşlıq"),
    ("air services", "hava nəqliyyatı"),
    ("the mutual protection of investments", "investisiyaların qarşılıqlı qorunması"),
    ("cooperation in education", "təhsil sahəsində əməkdaşlıq"),
    ("visa-free travel", "vizasız gediş-gəliş"),
    ("environmental protection", "ətraf mühitin qorunması"),
    ("cooperation in health care", "səhiyyə sahəsində əməkdaşlıq"),
    ("information and communication technologies",
     "informasiya və kommunikasiya texnologiyaları"),
    ("railway transport", "dəmiryol nəqliyyatı"),
    ("customs cooperation", "gömrük əməkdaşlığı"),
    ("science and technology", "elm və texnologiya"),
    ("tourism", "turizm"),
    ("energy cooperation", "enerji sahəsində əməkdaşlıq"),
    ("legal assistance in civil matters", "mülki işlər üzrə hüquqi yardım"),
    ("the mutual protection of classified information",
     "məxfi informasiyanın qarşılıqlı qorunması"),
    ("agriculture", "kənd təsərrüfatı"),
    ("youth and sport", "gənclər və idman"),
    ("emergency response", "fövqəladə hallar"),
)
# the general topic (a concept of dgv:topics) of a meeting on one of TOPICS
TOPIC_CONCEPTS = {
    "trade and economic cooperation": "dgv:economic-cooperation",
    "the avoidance of double taxation": "dgv:economic-cooperation",
    "the mutual protection of investments": "dgv:economic-cooperation",
    "customs cooperation": "dgv:economic-cooperation",
    "agriculture": "dgv:economic-cooperation",
    "tourism": "dgv:economic-cooperation",
    "cultural cooperation": "dgv:humanitarian-and-cultural-ties",
    "cooperation in education": "dgv:humanitarian-and-cultural-ties",
    "cooperation in health care": "dgv:humanitarian-and-cultural-ties",
    "visa-free travel": "dgv:humanitarian-and-cultural-ties",
    "youth and sport": "dgv:humanitarian-and-cultural-ties",
    "air services": "dgv:transport",
    "railway transport": "dgv:transport",
    "energy cooperation": "dgv:energy",
    "the mutual protection of classified information": "dgv:security",
    "emergency response": "dgv:security",
}
SYLLABLES = ("a", "ba", "da", "ka", "la", "ma", "na", "ra", "sa", "ta", "vi", "zo", "lu",
             "mi", "no", "ri", "se", "te", "yu", "ke", "dor", "han", "mir", "sul", "tan")
SURNAME_ENDINGS = ("ov", "ev", "son", "ez", "i", "an", "escu", "ski", "")


def escape(text: str) -> str:
    """A Turtle string literal body."""
    return (text.replace("\\", "\\\\").replace('"', '\\"')
            .replace("\n", "\\n").replace("\r", "\\r"))


def lit(text: str, lang: str) -> str:
    """A language-tagged literal."""
    return f'"{escape(text)}"@{lang}'


def plain(text: str) -> str:
    """An xsd:string literal."""
    return f'"{escape(text)}"'


@dataclass(frozen=True)
class When:
    """A day and the precision the (synthetic) source gives it at."""

    day: dt.date
    precision: str = "date"

    @property
    def text(self) -> str:
        iso = self.day.isoformat()
        return {"date": iso, "gYearMonth": iso[:7], "gYear": iso[:4]}[self.precision]

    @property
    def term(self) -> str:
        return f'"{self.text}"^^xsd:{self.precision}'


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Country:
    """An ISO state as the generator sees it."""

    code: str
    en: str
    az: str
    weight: float
    heads: list[tuple[int, str]] = field(default_factory=list)  # (first year, person)


@dataclass
class Section:
    """One generated Turtle file and how many triples it holds."""

    name: str
    chunks: list[str] = field(default_factory=list)
    chunk_triples: list[int] = field(default_factory=list)
    triples: int = 0

    def node(self, subject: str, *props: tuple[str, Iterable[str]]) -> None:
        """Write one subject with its predicate-object lists."""
        lines, triples = [], 0
        for predicate, objects in props:
            objs = list(objects)
            if objs:
                lines.append(f"    {predicate} {' , '.join(objs)}")
                triples += len(objs)
        self.chunks.append(f"{subject}\n" + " ;\n".join(lines) + " .\n\n")
        self.chunk_triples.append(triples)
        self.triples += triples

    def text(self) -> str:
        return self.header() + "".join(self.chunks)

    def header(self) -> str:
        return f"# Generated by benchmarks/generate.py: {self.name}.\n\n{PREFIXES}\n"

    def parts(self) -> list[tuple[str, str, int]]:
        """The section as files of about `PART_BYTES` each (whole nodes, never split):
        (file name, text, triples) for `generated-NAME.ttl`, `generated-NAME-2.ttl` ..."""
        parts: list[tuple[str, str, int]] = []
        start, size = 0, 0
        for end, chunk in enumerate([*self.chunks, ""]):
            if end == len(self.chunks) or (end > start and size + len(chunk) > PART_BYTES):
                name = f"generated-{self.name}" + (f"-{len(parts) + 1}" if parts else "")
                parts.append((f"{name}.ttl", self.header() + "".join(self.chunks[start:end]),
                              sum(self.chunk_triples[start:end])))
                start, size = end, 0
            size += len(chunk)
        return parts


def read_countries(path: Path) -> list[tuple[str, str, str]]:
    """(alpha-2, English name, Azerbaijani name) of every state in countries.ttl."""
    found: list[tuple[str, str, str]] = []
    code, en, az = "", "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^country:([A-Z]{2})$", line):
            if code:
                found.append((code, en, az or en))
            code, en, az = m.group(1), "", ""
        elif m := re.match(r'^\s*skos:prefLabel "(.*)"@en', line):
            en = m.group(1)
        elif (m := re.match(r'^\s*(?:rdfs:label )?"(.*)"@az\b', line)) and not az:
            az = m.group(1)
    if code:
        found.append((code, en, az or en))
    return sorted(found)


def count_triples(paths: Iterable[Path]) -> int:
    """Triples in Turtle files."""
    return sum(sum(1 for _ in ox.parse(path=p, format=ox.RdfFormat.TURTLE)) for p in paths)


class World:
    """The generator's state: a seeded random source, the states, and what exists."""

    def __init__(self, seed: int, countries: list[tuple[str, str, str]]) -> None:
        self.rng = random.Random(seed)
        self.countries = {
            code: Country(code, en, az, self.rng.paretovariate(1.3))
            for code, en, az in countries
        }
        self.sections = {name: Section(name) for name in
                         ("sources", "people-and-places", *SHARES)}
        self.people = self.sections["people-and-places"]
        self.sources: dict[str, tuple[str, str]] = {}  # iri: (key, title)
        self.quotes: dict[str, list[str]] = {}  # by source
        self.cities: set[str] = set()
        self.universities: set[str] = set()
        self.names: dict[str, int] = {}
        self.person_names: dict[str, str] = {}
        self.relations: dict[tuple[str, str], dt.date] = {}
        self.embassies: set[tuple[str, str]] = set()
        self.visits: list[tuple[str, str, str, str, When]] = []  # iri, visitor, from, to
        self.events: dict[tuple[str, str], int] = {}
        self.resolutions: list[tuple[str, str, When]] = []  # iri, source, date
        self.honoured: list[str] = []
        self.monument_states: list[str] = []
        self.voters: set[str] = set()

    # -- reference data, created when first needed ---------------------------------

    def source(self, key: str, title: str) -> str:
        """The generated source document `key` (its node is written by `write_sources`,
        once every fact has quoted it)."""
        iri = f"dgr:source-gen-{key}"
        self.sources.setdefault(iri, (key, title))
        return iri

    def write_sources(self) -> dict[str, str]:
        """The source documents' nodes, and their texts by file name: each text holds the
        quotes of the facts derived from it, so that every quote is in its source."""
        texts = {}
        for iri, (key, title) in self.sources.items():
            name = f"gen_{key}.txt"
            text = "\n".join(self.quotes[iri]) + "\n"
            texts[name] = text
            self.sections["sources"].node(
                iri, ("a", ["dg:SourceDocument"]),
                ("rdfs:label", [lit(f"Generated source {key}: {title}", "en")]),
                ("dcterms:identifier", [plain(f"gen_{key}")]),
                ("dcterms:language", [plain("az")]),
                ("schema:contentUrl", [f'"sources/{name}"^^xsd:anyURI']),
                ("schema:sha256", [plain(hashlib.sha256(text.encode()).hexdigest())]))
        return texts

    def name(self) -> tuple[str, str]:
        """A synthetic person's name and a unique IRI for it."""
        rng = self.rng
        given = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        full = f"{given} {family}{rng.choice(SURNAME_ENDINGS)}"
        base = slug(full)
        self.names[base] = self.names.get(base, 0) + 1
        suffix = "" if self.names[base] == 1 else f"-{self.names[base]}"
        return full, f"dgr:person-{base}{suffix}"

    def person(self, role_az: str, role_en: str, extra: tuple[str, list[str]] | None = None
               ) -> tuple[str, str]:
        """A new person with Azerbaijani and English labels; (IRI, name)."""
        full, iri = self.name()
        props = [("a", ["dg:Person"]), ("rdfs:label", [lit(full, "az"), lit(full, "en")]),
                 ("schema:description", [lit(role_az, "az"), lit(role_en, "en")])]
        self.people.node(iri, *props, *([extra] if extra else []))
        self.person_names[iri] = full
        return iri, full

    def person_key(self, iri: str) -> str:
        """What a user types to name a person: the name, or the IRI if others share it."""
        name = self.person_names[iri]
        return name if self.names[slug(name)] == 1 else iri

    def head(self, code: str, year: int) -> str:
        """The head of state of `code` in `year` (terms of 4 to 8 years since 1991)."""
        c = self.countries[code]
        if not c.heads:
            start = FIRST_YEAR
            while start <= LAST_YEAR:
                iri, _ = self.person(f"{c.az} dövlət başçısı", f"head of state of {c.en}",
                                     ("dg:presidentOf", [f"country:{code}"]))
                c.heads.append((start, iri))
                start += self.rng.randint(4, 8)
        return [iri for first, iri in c.heads if first <= year][-1]

    def city(self, code: str) -> str:
        """The capital of `code`."""
        iri = f"dgr:city-gen-capital-{code.lower()}"
        if iri not in self.cities:
            self.cities.add(iri)
            c = self.countries[code]
            self.people.node(iri, ("a", ["dg:City"]),
                             ("rdfs:label", [lit(f"{c.az} paytaxtı", "az"),
                                             lit(f"Capital of {c.en}", "en")]),
                             ("dg:inCountry", [f"country:{code}"]))
        return iri

    def university(self, code: str) -> str:
        """The national university of `code`."""
        iri = f"dgr:university-gen-national-{code.lower()}"
        if iri not in self.universities:
            self.universities.add(iri)
            c = self.countries[code]
            self.people.node(iri, ("a", ["dg:University"]),
                             ("rdfs:label", [lit(f"{c.az} Milli Universiteti", "az"),
                                             lit(f"National University of {c.en}", "en")]),
                             ("dg:inCountry", [f"country:{code}"]))
        return iri

    def when(self, low: dt.date, high: dt.date, precisions: tuple[str, ...] = ("date",)) -> When:
        """A day between `low` and `high` at one of the precisions."""
        span = max((high - low).days, 0)
        day = low + dt.timedelta(days=self.rng.randint(0, span))
        return When(day, self.rng.choice(precisions))

    def fact(self, section: str, iri: str, source: str, quote: str,
             *props: tuple[str, Iterable[str]]) -> None:
        """A fact node with its provenance."""
        self.quotes.setdefault(source, []).append(quote)
        self.sections[section].node(iri, *props, ("prov:wasDerivedFrom", [source]),
                                    ("dg:quote", [lit(quote, "az")]))

    def triples(self) -> int:
        """Triples generated so far."""
        return sum(s.triples for s in self.sections.values())

    def pair_key(self, a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    def count_event(self, a: str, b: str) -> None:
        key = self.pair_key(a, b)
        self.events[key] = self.events.get(key, 0) + 1

    # -- facts ------------------------------------------------------------------

    def ranked_pairs(self) -> list[tuple[str, str]]:
        """Every pair of states, the most active (by weight, with noise) first."""
        codes = sorted(self.countries)
        scored = []
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                w = self.countries[a].weight * self.countries[b].weight
                scored.append((-w * self.rng.uniform(0.3, 1.0), a, b))
        scored.sort()
        return [(a, b) for _, a, b in scored]

    def relation(self, a: str, b: str) -> None:
        """Diplomatic relations between a and b (a < b)."""
        ca, cb = self.countries[a], self.countries[b]
        established = self.when(dt.date(1946, 1, 1), dt.date(2015, 12, 31),
                                ("date", "date", "date", "gYearMonth", "gYear"))
        self.relations[(a, b)] = established.day
        self.count_event(a, b)
        source = self.source(f"{a}-{b}", f"{ca.en}-{cb.en} relations")
        section = self.sections["relations"]
        section.node(f"country:{a}", ("dg:hasDiplomaticRelationWith", [f"country:{b}"]))
        self.fact("relations", f"dgr:relation-{a}-{b}", source,
                  f"{ca.az} ilə {cb.az} arasında diplomatik əlaqələr {established.text} "
                  "tarixində yaradılmışdır.",
                  ("a", ["dg:DiplomaticRelation"]),
                  ("rdfs:label", [lit(f"{ca.az} ilə {cb.az} arasında diplomatik əlaqələr", "az"),
                                  lit(f"Diplomatic relations between {ca.en} and {cb.en}",
                                      "en")]),
                  ("dg:betweenState", [f"country:{a}", f"country:{b}"]),
                  ("dg:involvesState", [f"country:{a}", f"country:{b}"]),
                  ("dg:established", [established.term]))

    def embassy(self, section: str, sending: str, host: str, ambassadors: int) -> None:
        """The embassy of `sending` in `host` and its ambassadors, oldest first."""
        cs, ch = self.countries[sending], self.countries[host]
        established = self.relations[self.pair_key(sending, host)]
        opened = self.when(established + dt.timedelta(days=30), dt.date(2020, 12, 31))
        source = self.source(f"{min(sending, host)}-{max(sending, host)}",
                             f"{self.countries[min(sending, host)].en}-"
                             f"{self.countries[max(sending, host)].en} relations")
        iri = f"dgr:embassy-{sending}-in-{host}"
        self.embassies.add((sending, host))
        self.count_event(sending, host)
        self.fact(section, iri, source,
                  f"{opened.text} tarixində {cs.az} {ch.az} ölkəsindəki səfirliyi fəaliyyətə "
                  "başlamışdır.",
                  ("a", ["dg:Embassy"]),
                  ("rdfs:label", [lit(f"{cs.az} {ch.az} ölkəsindəki səfirliyi", "az"),
                                  lit(f"Embassy of {cs.en} in {ch.en}", "en")]),
                  ("dg:sendingState", [f"country:{sending}"]),
                  ("dg:hostState", [f"country:{host}"]),
                  ("dg:city", [self.city(host)]),
                  ("dg:involvesState", [f"country:{host}", f"country:{sending}"]),
                  ("dg:beganOperating", [opened.term]))
        since = opened.day
        for n in range(ambassadors):
            since = since + dt.timedelta(days=self.rng.randint(60, 5 * 365))
            if since.year > LAST_YEAR:
                break
            when = When(since, self.rng.choice(("date", "gYearMonth", "gYearMonth")))
            person, name = self.person("səfir", "ambassador")
            self.count_event(sending, host)
            self.fact(section, f"dgr:ambassadorship-{person[11:]}-{sending}-in-{host}",
                      source,
                      f"{when.text} tarixindən etibarən {name} {cs.az} {ch.az} ölkəsindəki "
                      "Fövqəladə və Səlahiyyətli səfiri kimi fəaliyyət göstərir.",
                      ("a", ["dg:Ambassadorship"]),
                      ("rdfs:label", [lit(f"{name}, ambassador of {cs.en} to {ch.en}", "en")]),
                      ("dg:ambassador", [person]),
                      ("dg:ambassadorOf", [f"country:{sending}"]),
                      ("dg:accreditedTo", [f"country:{host}"]),
                      ("dg:rank", ["dgv:extraordinary-and-plenipotentiary"]),
                      ("dg:since", [when.term]),
                      ("dg:isFirst", ["true"] if n == 0 else []),
                      ("dg:involvesState", [f"country:{host}", f"country:{sending}"]))

    def visit(self, section: str, visitor_state: str, host: str, tag: str) -> str:
        """A visit of `visitor_state`'s head of state to `host`, with what happened at it."""
        rng = self.rng
        cv, ch = self.countries[visitor_state], self.countries[host]
        a, b = self.pair_key(visitor_state, host)
        established = self.relations[(a, b)]
        start = self.when(max(established, dt.date(FIRST_YEAR, 6, 1)), dt.date(LAST_YEAR, 6, 1))
        end = When(start.day + dt.timedelta(days=rng.randint(0, 3)))
        visitor = self.head(visitor_state, start.day.year)
        vtype, vtype_az, vtype_en = rng.choice(VISIT_TYPES)
        documents = rng.choice((0, 0, 1, 2, 3, 5, 8))
        source = self.source(f"{a}-{b}", f"{self.countries[a].en}-{self.countries[b].en} "
                                         "relations")
        stamp = start.day.isoformat()
        tag = f"{tag}-{len(self.visits)}"
        iri = f"dgr:visit-{stamp}-{visitor_state}-to-{host}{tag}"
        states = [f"country:{a}", f"country:{b}"]
        self.visits.append((iri, visitor, visitor_state, host, start))
        self.count_event(a, b)
        self.fact(section, iri, source,
                  f"{stamp} tarixdə {cv.az} dövlət başçısı {ch.az} ölkəsində {vtype_az}ndə "
                  f"olub; səfər çərçivəsində {documents} sənəd imzalanıb.",
                  ("a", ["dg:Visit"]),
                  ("rdfs:label", [lit(f"{cv.az} dövlət başçısının {ch.az} ölkəsinə {vtype_az}",
                                      "az"),
                                  lit(f"{vtype_en.capitalize()} of the head of state of "
                                      f"{cv.en} to {ch.en} ({stamp})", "en")]),
                  ("dg:visitor", [visitor]), ("dg:visitorState", [f"country:{visitor_state}"]),
                  ("dg:visitedState", [f"country:{host}"]), ("dg:visitType", [f"dgv:{vtype}"]),
                  ("dg:startDate", [When(start.day).term]), ("dg:endDate", [end.term]),
                  ("dg:location", [self.city(host)]), ("dg:inCountry", [f"country:{host}"]),
                  ("dg:participant", [visitor]), ("dg:documentsSigned", [str(documents)]),
                  ("dg:involvesState", states))
        host_head = self.head(host, start.day.year)
        day = When(start.day)
        topic_en, topic_az = rng.choice(TOPICS)
        self.count_event(a, b)
        self.fact(section, f"dgr:meeting-{stamp}-{visitor_state}-{host}{tag}", source,
                  f"İki ölkə dövlət başçısının görüşündə {topic_az} məsələləri müzakirə "
                  "olunub.",
                  ("a", ["dg:Meeting"]),
                  ("rdfs:label", [lit(f"Meeting of the heads of state of {cv.en} and {ch.en} "
                                      f"({stamp})", "en")]),
                  ("dg:partOf", [iri]), ("dg:startDate", [day.term]), ("dg:endDate", [day.term]),
                  ("dg:inCountry", [f"country:{host}"]),
                  ("dg:participant", [visitor, host_head]),
                  ("dg:topic", [TOPIC_CONCEPTS.get(topic_en, "dgv:other-issues")]),
                  ("dg:involvesState", states))
        if documents:
            self.count_event(a, b)
            self.fact(section, f"dgr:signing-{stamp}-{visitor_state}-{host}{tag}", source,
                      f"Dövlət başçılarının görüşündən sonra {documents} sənədin imzalanma "
                      "mərasimi keçirilib.",
                      ("a", ["dg:SigningCeremony"]),
                      ("rdfs:label", [lit(f"Signing ceremony, {cv.en}-{ch.en} ({stamp})",
                                          "en")]),
                      ("dg:partOf", [iri]), ("dg:startDate", [day.term]),
                      ("dg:endDate", [day.term]), ("dg:inCountry", [f"country:{host}"]),
                      ("dg:involvesState", states))
        for n, (t_en, t_az) in enumerate(rng.sample(TOPICS, min(documents, len(TOPICS)))):
            treaty = n == 0 and rng.random() < 0.1
            kind = "treaty" if treaty else "agreement"
            names = f"{self.countries[a].en} and {self.countries[b].en}"
            title_en = (f"Treaty of friendship and cooperation between {names}" if treaty
                        else f"Agreement between {names} on {t_en}")
            title_az = (f"{self.countries[a].az} ilə {self.countries[b].az} arasında "
                        + ("dostluq və əməkdaşlıq haqqında müqavilə" if treaty
                           else f"{t_az} haqqında saziş"))
            self.count_event(a, b)
            self.fact(section, f"dgr:{kind}-{stamp}-{a}-{b}-{slug(t_en)}{tag}", source,
                      f"Səfər çərçivəsində \"{title_az}\" imzalanıb.",
                      ("a", ["dg:Treaty" if treaty else "dg:Agreement"]),
                      ("dcterms:title", [lit(title_az, "az"), lit(title_en, "en")]),
                      ("dg:party", states), ("dg:signedDuring", [iri]),
                      ("dg:signedOn", [day.term]), ("dg:involvesState", states))
        roll = rng.random()
        if roll < 0.05:
            self.count_event(a, b)
            self.honoured.append(visitor)
            self.fact(section, f"dgr:award-{stamp}-{visitor_state}-{host}{tag}", source,
                      f"Səfər çərçivəsində {cv.az} dövlət başçısına {ch.az} Milli "
                      "Universitetinin fəxri doktoru diplomu təqdim olunub.",
                      ("a", ["dg:HonoraryDoctorateAward"]),
                      ("rdfs:label", [lit(f"Honorary doctorate of the National University of "
                                          f"{ch.en} ({stamp})", "en")]),
                      ("dg:recipient", [visitor]), ("dg:institution", [self.university(host)]),
                      ("dg:participant", [visitor]), ("dg:partOf", [iri]),
                      ("dg:startDate", [day.term]), ("dg:endDate", [day.term]),
                      ("dg:inCountry", [f"country:{host}"]), ("dg:involvesState", states))
        elif roll < 0.08:
            self.unveiling(section, iri, visitor_state, host, day, source, tag)
        return iri

    def unveiling(self, section: str, visit: str, visitor_state: str, host: str, day: When,
                  source: str, tag: str) -> None:
        """A monument to a poet of the visitor state unveiled in the host's capital."""
        cv, ch = self.countries[visitor_state], self.countries[host]
        a, b = self.pair_key(visitor_state, host)
        poet, name = self.person(f"{cv.az} şairi", f"poet of {cv.en}")
        stamp = day.day.isoformat()
        monument = f"dgr:monument-{poet[11:]}-{host.lower()}"
        unveiling = f"dgr:unveiling-{stamp}-{visitor_state}-{host}{tag}"
        states = [f"country:{a}", f"country:{b}"]
        self.monument_states.append(host)
        self.count_event(a, b)
        self.fact(section, unveiling, source,
                  f"Dövlət başçıları {ch.az} paytaxtında {name} abidəsinin açılış mərasimində "
                  "iştirak ediblər.",
                  ("a", ["dg:Unveiling"]),
                  ("rdfs:label", [lit(f"Unveiling of the monument to {name} ({stamp})", "en")]),
                  ("dg:unveils", [monument]), ("dg:partOf", [visit]),
                  ("dg:startDate", [day.term]), ("dg:endDate", [day.term]),
                  ("dg:location", [self.city(host)]), ("dg:involvesState", states))
        self.fact(section, monument, source,
                  f"{ch.az} paytaxtında {name} abidəsi ucaldılmışdır.",
                  ("a", ["dg:Monument"]),
                  ("rdfs:label", [lit(f"{name} abidəsi", "az"),
                                  lit(f"Monument to {name}", "en")]),
                  ("dg:commemorates", [poet]), ("dg:location", [self.city(host)]),
                  ("dg:unveiledAt", [unveiling]), ("dg:involvesState", states))

    def commission(self, a: str, b: str) -> None:
        """An intergovernmental commission of a and b and its sessions."""
        ca, cb = self.countries[a], self.countries[b]
        source = self.source(f"{a}-{b}", f"{ca.en}-{cb.en} relations")
        iri = f"dgr:commission-{a}-{b}-intergovernmental"
        states = [f"country:{a}", f"country:{b}"]
        sessions = self.rng.randint(1, 12)
        self.count_event(a, b)
        self.fact("commissions", iri, source,
                  f"{ca.az} ilə {cb.az} arasında hökumətlərarası komissiyanın {sessions} "
                  "iclası keçirilmişdir.",
                  ("a", ["dg:IntergovernmentalCommission"]),
                  ("rdfs:label", [lit(f"{ca.az}-{cb.az} hökumətlərarası komissiyası", "az"),
                                  lit(f"{ca.en}-{cb.en} intergovernmental commission", "en")]),
                  ("dg:betweenState", states), ("dg:involvesState", states),
                  ("dg:sessionsHeld", [str(sessions)]))
        day = max(self.relations[(a, b)], dt.date(1995, 1, 1))
        for n in range(1, sessions + 1):
            day = day + dt.timedelta(days=self.rng.randint(200, 900))
            if day.year > LAST_YEAR:
                break
            end = day + dt.timedelta(days=self.rng.randint(0, 2))
            self.count_event(a, b)
            self.fact("commissions", f"dgr:commission-session-{a}-{b}-{n}", source,
                      f"Komissiyanın {n}-ci iclası {day.isoformat()} tarixində olmuşdur.",
                      ("a", ["dg:CommissionSession"]),
                      ("rdfs:label", [lit(f"Session {n} of the {ca.en}-{cb.en} "
                                          "intergovernmental commission", "en")]),
                      ("dg:ofCommission", [iri]), ("dg:sessionNumber", [str(n)]),
                      ("dg:startDate", [When(day).term]), ("dg:endDate", [When(end).term]),
                      ("dg:location", [self.city(a if n % 2 else b)]),
                      ("dg:involvesState", states))

    def resolution(self, session: int, number: int, about: str) -> tuple[str, str, When]:
        """A UNGA resolution on the situation in `about`."""
        c = self.countries[about]
        year = 1945 + session
        day = When(dt.date(year, 12, 1) + dt.timedelta(days=self.rng.randint(0, 20)))
        source = self.source(f"unga-{session}", f"UN General Assembly, session {session}")
        iri = f"dgr:resolution-unga-{session}-{number}"
        self.fact("votes", iri, source,
                  f"BMT Baş Assambleyasının {session}-cı sessiyasında \"{c.az} ölkəsində "
                  "vəziyyət\" adlı qətnamə qəbul edilmişdir.",
                  ("a", ["dg:Resolution"]),
                  ("dcterms:title", [lit(f"{c.az} ölkəsində vəziyyət", "az"),
                                     lit(f"The situation in {c.en}", "en")]),
                  ("dg:isDraft", ["false"]), ("dg:unSession", [str(session)]),
                  ("dcterms:identifier", [plain(f"A/RES/{session}/{number}")]),
                  ("dg:involvesState", [f"country:{about}"]))
        return iri, source, day

    def vote(self, section: str, resolution: tuple[str, str, When], about: str,
             voter: str, tag: str = "") -> None:
        """`voter`'s vote on a resolution about `about`."""
        iri, source, day = resolution
        option = self.rng.choice(VOTE_OPTIONS)
        self.voters.add(voter)
        states = sorted({f"country:{voter}", f"country:{about}"})
        if voter != about:
            self.count_event(voter, about)
        self.fact(section, f"dgr:vote-{iri[15:]}-{voter}{tag}", source,
                  f"{self.countries[voter].az} səsvermədə \"{option}\" mövqeyi tutmuşdur.",
                  ("a", ["dg:Vote"]),
                  ("rdfs:label", [lit(f"{self.countries[voter].en} votes {option} on "
                                      f"{iri[4:]}", "en")]),
                  ("dg:voter", [f"country:{voter}"]), ("dg:onResolution", [iri]),
                  ("dg:voteOption", [f"dgv:{option}"]),
                  ("dg:startDate", [day.term]), ("dg:endDate", [day.term]),
                  ("dg:involvesState", states))


def fill(world: World, limit: float, step: Callable[[], bool]) -> None:
    """Call `step` until the generated files hold `limit` triples or it has nothing left."""
    while world.triples() < limit and step():
        pass


def generate_facts(world: World, budget: int) -> None:
    """Every generated fact, each part of the graph up to its share of `budget`."""
    rng = world.rng
    pairs = world.ranked_pairs()
    limits, total = {}, 0.0
    for name, share in SHARES.items():
        total += share
        limits[name] = budget * total

    queue = iter(pairs)

    def next_relation() -> bool:
        pair = next(queue, None)
        if pair is not None:
            world.relation(*pair)
        return pair is not None

    fill(world, limits["relations"], next_relation)
    related = [p for p in pairs if p in world.relations]

    directions = iter([d for a, b in related for d in ((a, b), (b, a))])

    def next_embassy() -> bool:
        d = next(directions, None)
        if d is not None and rng.random() < 0.8:
            world.embassy("missions", *d, ambassadors=rng.randint(1, 6))
        return d is not None

    fill(world, limits["missions"], next_embassy)

    weights = [world.countries[a].weight * world.countries[b].weight for a, b in related]

    def next_visit() -> bool:
        a, b = rng.choices(related, weights=weights)[0]
        visitor, host = (a, b) if rng.random() < 0.5 else (b, a)
        world.visit("visits", visitor, host, "")
        return True

    fill(world, limits["visits"], next_visit)

    commissions = iter(related)

    def next_commission() -> bool:
        pair = next(commissions, None)
        if pair is not None and rng.random() < 0.5:
            world.commission(*pair)
        return pair is not None

    fill(world, limits["commissions"], next_commission)

    members = sorted(rng.sample(sorted(world.countries), UN_MEMBERS))
    country_codes = sorted(world.countries)
    country_weights = [world.countries[c].weight for c in country_codes]
    ballots: list[tuple[tuple[str, str, When], str, str]] = []

    def next_vote() -> bool:
        if not ballots:
            session = 46 + len(world.resolutions) // 4
            about = rng.choices(country_codes, weights=country_weights)[0]
            res = world.resolution(session, len(world.resolutions) % 4 + 1, about)
            world.resolutions.append(res)
            ballots.extend((res, about, voter) for voter in reversed(members))
        res, about, voter = ballots.pop()
        world.vote("votes", res, about, voter)
        return True

    fill(world, limits["votes"], next_vote)


def new_facts(world: World) -> Section:
    """100 new fact nodes, not in the graph, that conform to the shapes: embassies where
    none exists yet (checked against the relation's date), visits with what happened at
    them, and votes. Persons and places they need are added to the graph."""
    rng = world.rng
    section = world.sections["new"] = Section("100 new facts for the validation benchmark")
    related = sorted(world.relations)
    missing = [(b, a) for a, b in related if (b, a) not in world.embassies]
    for sending, host in missing[:10]:
        world.embassy("new", sending, host, ambassadors=0)
    while len(section.chunks) < NEW_FACTS - 21:  # a visit is 2 nodes or more
        scratch = world.sections["scratch"] = Section("scratch")
        world.visit("scratch", *rng.choice(related), "-new")
        if len(section.chunks) + len(scratch.chunks) <= NEW_FACTS - 20:
            section.chunks += scratch.chunks
            section.chunk_triples += scratch.chunk_triples
            section.triples += scratch.triples
    world.sections.pop("scratch", None)
    codes = sorted(world.countries)
    while len(section.chunks) < NEW_FACTS:
        n = len(section.chunks)
        world.vote("new", world.resolutions[n % len(world.resolutions)], rng.choice(codes),
                   rng.choice(codes), f"-new-{n}")
    del world.sections["new"]
    return section


def parameters(world: World) -> dict[str, dict[str, str]]:
    """Parameters for every named query that pick non-trivial answers in this graph."""
    busiest = max(world.events, key=lambda k: (world.events[k], k))
    a, b = busiest
    state_events: dict[str, int] = {}
    for (x, y), n in sorted(world.events.items()):
        state_events[x] = state_events.get(x, 0) + n
        state_events[y] = state_events.get(y, 0) + n
    top = max(state_events, key=lambda k: (state_events[k], k))
    embassy = sorted(world.embassies)[0] if world.embassies else (a, b)
    params: dict[str, dict[str, str]] = {
        "agreements": {"a": a, "b": b},
        "ambassadors": {"sending": embassy[0], "host": embassy[1]},
        "embassies": {"country": top},
        "honours": {},
        "names": {"name": f"{world.countries[top].az}@az"},
        "search": {"text": world.countries[top].en},
        "monuments": {"country": world.monument_states[0]} if world.monument_states else {},
        "relations": {"country": world.countries[top].en},
        "sources": {"subject": f"dgr:relation-{a}-{b}"},
        "timeline": {"a": a, "b": b},
        "visits": {"country": top, "from": "2000"},
        "votes": {"country": top if top in world.voters else min(world.voters)},
    }
    # a query a user runs for one state or person is timed that way, as its examples run it
    params["offices"] = {"country": top}
    if world.honoured:
        person = sorted(world.honoured)[0]
        params["honours"] = {"person": world.person_key(person)}
    if world.visits:
        visitors: dict[str, int] = {}
        for _, visitor, *_ in world.visits:
            visitors[visitor] = visitors.get(visitor, 0) + 1
        busiest_visitor = max(visitors, key=lambda p: (visitors[p], p))
        params["participants"] = {"person": world.person_key(busiest_visitor)}
    return params


def inputs_digest() -> str:
    """A digest of what a generated project is made from: this generator and the
    repository's ontology, queries and countries (a cached project older than them is
    stale)."""
    digest = hashlib.sha256()
    files = [Path(__file__), REPO / "data" / "countries.ttl",
             *sorted((REPO / "ontology").iterdir()), *sorted((REPO / "queries").iterdir())]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def write_project(size: str, seed: int, output: Path) -> dict[str, object]:
    """Generate the project into `output` (replaced atomically); its manifest."""
    countries_ttl = REPO / "data" / "countries.ttl"
    base_files = [*sorted((REPO / "ontology").glob("*.ttl")), countries_ttl]
    base = count_triples(base_files)
    target = SIZES[size]
    budget = target - base if target > base else target
    world = World(seed, read_countries(countries_ttl))
    generate_facts(world, budget)
    params = parameters(world)
    busiest = max(world.events, key=lambda k: (world.events[k], k))
    extra = new_facts(world)
    texts = world.write_sources()

    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".generate-", dir=output.parent))
    try:
        shutil.copytree(REPO / "ontology", work / "ontology")
        shutil.copytree(REPO / "queries", work / "queries")
        (work / "data" / "sources").mkdir(parents=True)
        shutil.copy2(countries_ttl, work / "data" / "countries.ttl")
        for name, text in texts.items():
            (work / "data" / "sources" / name).write_text(text, encoding="utf-8")
        counts = {"base (ontology, shapes, vocabularies, countries)": base}
        for section in world.sections.values():
            for name, text, triples in section.parts():
                (work / "data" / name).write_text(text, encoding="utf-8")
                counts[f"data/{name}"] = triples
                if section.name == "visits":
                    added_to = f"data/{name}"  # the last part: where new visits would go
        (work / "new-facts.ttl").write_text(extra.text(), encoding="utf-8")
        manifest: dict[str, object] = {
            "size": size, "seed": seed, "inputs": inputs_digest(), "triples": counts,
            "total_triples": sum(counts.values()), "new_facts_triples": extra.triples,
            "busiest_pair": list(busiest), "add_to": added_to,
            "relations": len(world.relations), "embassies": len(world.embassies),
            "visits": len(world.visits), "resolutions": len(world.resolutions),
            "parameters": params,
        }
        (work / "benchmark.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False)
                                             + "\n", encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, required=True, help="project folder to write")
    args = parser.parse_args(argv)
    manifest = write_project(args.size, args.seed, args.output)
    print(f"{args.output}: {manifest['total_triples']} triples "
          f"({manifest['relations']} relations, {manifest['embassies']} embassies, "
          f"{manifest['visits']} visits, {manifest['resolutions']} resolutions)")


if __name__ == "__main__":
    main()
