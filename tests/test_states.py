"""States across history: the reference data's names, former states, names as people type them."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest
from babel import Locale, UnknownLocaleError

from conftest import ROOT, Run
from diplograph import Graph
from diplograph.errors import InputError
from diplograph.project import Project
from diplograph.refdata import ALIASES
from diplograph.store.cache import KnowledgeGraph

COUNTRY = "https://w3id.org/diplograph/country/"
DG = "https://w3id.org/diplograph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
NAMES = {"http://www.w3.org/2000/01/rdf-schema#label", SKOS + "prefLabel", SKOS + "altLabel"}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)
                   and unicodedata.category(c)[0] in "LMN")


@pytest.fixture(scope="module")
def names() -> dict[str, set[tuple[str, str]]]:
    """Each state's code and its names in countries.ttl, as (language, text)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for t in ox.parse(path=ROOT / "data" / "countries.ttl", format=ox.RdfFormat.TURTLE):
        if t.predicate.value in NAMES and isinstance(t.object, ox.Literal):
            code = t.subject.value.removeprefix(COUNTRY)
            found[code].add((str(t.object.language), t.object.value))
    return found


@pytest.fixture
def front(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Graph:
    return Graph.open(project.root, store_dir)


def test_english_names_are_pycountrys_own_or_listed_aliases(
    names: dict[str, set[tuple[str, str]]],
) -> None:
    records = {c.alpha_2: c for c in pycountry.countries}
    records |= {c.alpha_4: c for c in pycountry.historic_countries}
    assert set(names) == set(records)
    for code, record in records.items():
        own = {getattr(record, a, None) for a in ("name", "official_name", "common_name")}
        english = {text for lang, text in names[code] if lang == "en"}
        assert english == (own - {None}) | set(ALIASES.get(code, ())), code


@pytest.mark.slow
def test_no_translation_names_another_state_in_cldr(
    names: dict[str, set[tuple[str, str]]],
) -> None:
    """CLDR (shipped by Babel) is the independent judge: no label of a state is, in its
    language, CLDR's name of another state of today, or the name of a language (unless
    CLDR's name of the state holds it)."""
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, labels in names.items():
        for lang, text in labels:
            if lang != "en":
                by_language[lang].append((code, text))
    checked = 0
    for lang, labels in by_language.items():
        try:
            locale = Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        territories = {fold(n): c for c, n in locale.territories.items() if c in names}
        languages = {fold(n) for n in locale.languages.values()}
        for code, text in labels:
            owner = territories.get(fold(text))
            former = len(code) == 4  # a former state may bear its successor's name
            assert former or owner in (None, code), (lang, code, text, owner)
            own = fold(locale.territories.get(code, ""))
            # a state may bear a language's name ("Kongo") if CLDR's name for it does too
            assert fold(text) not in languages or (own and (fold(text) in own or own in fold(text))
                                                   ), (lang, code, text)
            checked += 1
    assert checked > 30_000


def test_the_wrong_translations_of_the_catalogues_are_gone(
    names: dict[str, set[tuple[str, str]]],
) -> None:
    assert ("sk", "Slovenčina") not in names["IR"]
    assert ("sk", "Iránska islamská republika") in names["IR"]
    assert ("sk", "Slovenská republika") not in names["GM"]
    assert ("sk", "Slovenská republika") in names["SK"]
    assert ("cy", "Gweriniaeth Islamaidd Pacistan") not in names["AF"]
    assert ("cy", "Gweriniaeth Islamaidd Pacistan") in names["PK"]


def test_former_states_have_stable_codes_periods_and_successors(graph: KnowledgeGraph) -> None:
    rows = graph.store.query(f"""
        PREFIX dg: <{DG}>
        SELECT ?code ?from ?to ?withdrawn (GROUP_CONCAT(?next; separator=" ") AS ?nexts)
        WHERE {{ ?state a dg:FormerCountry ; dg:alpha4 ?code ; dg:codeWithdrawn ?withdrawn .
                 OPTIONAL {{ ?state dg:inception ?from }} OPTIONAL {{ ?state dg:dissolution ?to }}
                 OPTIONAL {{ ?state dg:replacedBy/(dg:alpha2|dg:alpha4) ?next }} }}
        GROUP BY ?code ?from ?to ?withdrawn""")
    assert isinstance(rows, ox.QuerySolutions)
    found = {str(r["code"].value): r for r in rows}  # type: ignore[union-attr]
    assert len(found) == len(pycountry.historic_countries) == 31
    ussr = found["SUHH"]
    assert (ussr["from"].value, ussr["to"].value) == ("1922-12-30", "1991-12-26")  # type: ignore[union-attr]
    assert len(str(ussr["nexts"].value).split()) == 15 and "AZ" in str(ussr["nexts"].value)  # type: ignore[union-attr]
    assert sorted(str(found["CSHH"]["nexts"].value).split()) == ["CZ", "SK"]  # type: ignore[union-attr]
    assert str(found["YUCS"]["nexts"].value) == "CSXX"  # type: ignore[union-attr]
    assert str(found["CSXX"]["withdrawn"].value) == "2006-09-26"  # type: ignore[union-attr]
    # a former alpha-2 code is not an identifier: CS was both Czechoslovakia and
    # Serbia and Montenegro, and no state of today answers to it
    assert next(graph.store.quads_for_pattern(None, ox.NamedNode(DG + "alpha2"),
                                              ox.Literal("CS")), None) is None


@pytest.mark.parametrize(("typed", "code"), [
    ("Soviet Union", "SUHH"), ("USSR", "SUHH"), ("SUHH", "SUHH"), ("Yugoslavia", "YUCS"),
    ("Czechoslovakia", "CSHH"), ("East Germany", "DDDE"), ("Turkey", "TR"),
    ("Türkiye", "TR"), ("UK", "GB"), ("Britain", "GB"), ("Palestine", "PS"),
    ("Ivory Coast", "CI"), ("côte d'ivoire", "CI"), ("South Korea", "KR"), ("Iran", "IR"),
    ("Turecko", "TR"), ("AZ", "AZ"),
])
def test_country_names_as_people_type_them(front: Graph, typed: str, code: str) -> None:
    result = front.query("relations", country=typed)
    assert COUNTRY + code in front.sparql_of(front.named("relations"), result)


def test_an_ambiguous_name_lists_the_candidates(run: Run) -> None:
    result = run("query", "relations", "--country", "Korea")
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        "error: --country: 'Korea' names several: "
        "Korea, Democratic People's Republic of (KP), Korea, Republic of (KR) "
        "(hint: give one of them by the code or IRI in brackets)")


@pytest.mark.slow
def test_a_country_typo_suggests_the_closest_names(run: Run) -> None:
    result = run("query", "relations", "--country", "Soviet Onion")
    assert result.exit_code == 3
    assert "did you mean 'Soviet Union' (country:SUHH)" in result.stderr


def test_the_slovak_name_of_the_slovak_language_names_no_state(run: Run) -> None:
    result = run("query", "relations", "--country", "Slovenčina")
    assert result.exit_code == 3
    assert "no dg:Country called 'Slovenčina'" in result.stderr
    assert "country:IR" not in result.stderr


@pytest.mark.slow
def test_person_and_resolution_lookups_suggest_the_closest_names(run: Run) -> None:
    person = run("query", "honours", "--person", "Heidar Aliev")
    assert person.exit_code == 3
    assert "did you mean 'Heydar Aliyev' (dgr:person-heydar-aliyev)" in person.stderr
    title = "situation in occupied territories of Azerbijan"
    resolution = run("query", "votes", "--resolution", title)
    assert resolution.exit_code == 3
    assert ("did you mean 'The situation in the occupied territories of Azerbaijan'"
            in resolution.stderr)


def test_a_resolution_is_found_by_the_title_the_output_shows(front: Graph) -> None:
    every = front.query("votes")
    title = every.columns.index("title")
    shown = {str(row[title].value) for row in every.rows if row[title] is not None}
    assert shown
    for text in shown:
        assert len(front.query("votes", resolution=text).rows) > 0


def test_an_unknown_state_is_a_library_error(front: Graph) -> None:
    with pytest.raises(InputError, match="names several"):
        front.query("relations", country="Korea")


@pytest.mark.slow
def test_the_shapes_hold_former_states_to_their_codes_and_successors(run: Run) -> None:
    fixture = ROOT / "tests" / "fixtures" / "facts" / "former-country-without-code.ttl"
    result = run("validate", str(fixture))
    assert result.exit_code == 1
    violations = [line.split(": violation: ")[1] for line in result.stdout.splitlines()
                  if ": violation: " in line]
    # (new facts may not add states at all, which is reported as well)
    assert [v for v in violations if v.startswith("country:ZZHH dg:")] == [
        "country:ZZHH dg:alpha4: A former country must have exactly one dg:alpha4, "
        "four upper-case letters (xsd:string).",
        "country:ZZHH dg:replacedBy: dg:replacedBy must point to a dg:Country.",
    ]
