"""The catalog refuses bad templates when it loads, and parameter values become typed terms."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from diplograph.errors import InputError
from diplograph.project import Project
from diplograph.rdf.reading import blank_noise
from diplograph.sparql import placement, safety
from diplograph.sparql.catalog import Catalog, load_query
from diplograph.sparql.header import Parameter
from diplograph.sparql.lint import lint_query
from diplograph.sparql.parameters import Resolver
from diplograph.sparql.placement import check_placement
from diplograph.sparql.running import run_named
from diplograph.sparql.safety import check_query
from diplograph.sparql.syntax import where_groups, where_start
from diplograph.sparql.vocabulary import Vocabulary
from diplograph.store.cache import KnowledgeGraph

HEADER = "#+ summary: A test query.\n#+ params:\n#+   country: {type: country}\n"
GOOD = HEADER + "SELECT $country ?x WHERE { ?x <https://w3id.org/diplograph/p> $country }\n"


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> str:
    """Why the template is refused: when it loads, or where it would first run."""
    with pytest.raises(InputError) as caught:
        check_placement(load_query(write(tmp_path, text)))
    assert "\n" not in caught.value.message and caught.value.hint
    return caught.value.message


def test_a_good_template_loads_with_its_header(tmp_path: Path) -> None:
    named = load_query(write(tmp_path, GOOD.replace(
        "#+ params:", "#+ tags: [t]\n#+ examples:\n#+   - {params: {country: [AZ]}, min_rows: 2}\n"
                      "#+ params:")))
    assert (named.name, named.summary, named.tags) == ("q", "A test query.", ("t",))
    assert named.parameters == (Parameter(name="country", type="country"),)
    assert named.examples[0].params == {"country": ("AZ",)} and named.examples[0].min_rows == 2


@pytest.mark.parametrize("example", ["{params: {country: AZ}, rows: 2}", "{params: {}}",
                                     "{min_rows: -1}", "{row: [AZ]}"])
def test_an_example_must_say_what_stays_true_when_facts_are_added(
        tmp_path: Path, example: str) -> None:
    with pytest.raises(InputError) as caught:
        load_query(write(tmp_path, GOOD.replace(
            "#+ params:", f"#+ examples:\n#+   - {example}\n#+ params:")))
    assert "example" in caught.value.message


@pytest.mark.parametrize("body,problem", [
    ("SELECT $country ?x WHERE { SERVICE <http://example.org/sparql> { ?x ?p $country } }",
     "SERVICE is not allowed"),
    ("SELECT $country ?x WHERE { SERVICE SILENT $country { ?x ?p ?o } }",
     "SERVICE is not allowed"),
    ("SELECT $country ?x FROM <http://example.org/g> WHERE { ?x ?p $country }",
     "FROM is not allowed"),
    ("SELECT $country ?x FROM NAMED <http://example.org/g> WHERE { ?x ?p $country }",
     "FROM is not allowed"),
    ("INSERT DATA { <a:b> <a:c> <a:d> } ; SELECT $country ?x WHERE { ?x ?p $country }",
     "error at 4:"),
    ("SELECT $country ?x WHERE { ?x ?p $country } ; DROP ALL", "error at 4:"),
])
def test_remote_access_and_updates_are_refused_before_a_template_runs(
    tmp_path: Path, body: str, problem: str
) -> None:
    assert problem in refusal(tmp_path, HEADER + body)


@pytest.mark.parametrize("update", [
    "LOAD <http://example.org/data.ttl>", "LOAD SILENT <http://127.0.0.1:1/x> INTO GRAPH <a:g>",
    "DELETE WHERE { ?x ?p ?o }", "WITH <a:g> DELETE { ?x ?p ?o } WHERE { ?x ?p ?o }",
    "CLEAR DEFAULT", "DROP ALL", "INSERT DATA { <a:b> <a:c> <a:d> }",
])
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(InputError, match=r"^query: updates \(LOAD, INSERT, DELETE"):
        check_query(update)


def test_keywords_in_strings_iris_comments_and_names_are_not_keywords() -> None:
    check_query(
        'PREFIX load: <http://example.org/service/> # DELETE me\n'
        'SELECT ?from ?drop WHERE { ?from load:from-service "INSERT DATA" ; load:Load ?drop }'
    )


@pytest.mark.parametrize("text,problem", [
    (HEADER + "SELECT ?x WHERE { ?x ?p ?o }", "declared but the query never uses $country"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p $country ; ?q $other }",
     "$other is used but not declared"),
    (HEADER + "SELECT ?x WHERE { ?x ?p $country }", "must be in the SELECT list"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p $country ; ?q ?country }",
     "as $country everywhere"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p ?o BIND(?o AS $country) }",
     "cannot follow AS or BOUND"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p ?o FILTER(!BOUND( $country)) }",
     "cannot follow AS or BOUND"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p ?o FILTER(?o<$country) }",
     "reads as the start of an IRI"),
    (HEADER + "SELECT $country ?x WHERE { ?x ?p ?o } ORDER BY $country",
     "a parameter stands only where a value can"),
    (HEADER + "SELECT $country ?x WHERE { VALUES $country { <a:b> } ?x ?p $country }",
     "a parameter stands only where a value can"),
    (HEADER + "SELECT $country ?x WHERE { { SELECT $country ?x WHERE { ?x ?p $country } } }",
     "a parameter stands only where a value can"),
    (HEADER.replace("country}", "string}") + "SELECT $country ?x WHERE { ?x $country ?o }",
     "a parameter stands only where a value can"),
    (HEADER.replace("country}", "country, multi: true}")
     + "SELECT $country ?x WHERE { { SELECT ?x WHERE { ?x ?p $country } } }",
     "multi parameter $country is used in a subquery"),
    (HEADER.replace("country}", "string}")
     + "SELECT $country (GROUP_CONCAT(?o; SEPARATOR=$country) AS ?all) WHERE { ?s ?p ?o }",
     "error at 4:45: expected one of"),  # a separator is a string, never a variable
    (HEADER + "SELECT $country ?x WHERE { ?x ?p $country", "the query does not parse (error at"),
    (HEADER + "SELECT $country ?y WHERE { ?x ?p $country BIND(<http://example.org/f>(?x) AS ?y) }",
     "the query cannot run"),
    (GOOD.replace("type: country", "type: place"), "type must be one of"),
    (GOOD.replace("type: country", "type: enum"), "`values` goes with type enum"),
    (GOOD.replace("type: country", "type: country, colour: red"), "unknown keys ['colour']"),
    (GOOD.replace("#+ params:", "#+ sumary: typo\n#+ params:"), "unknown header keys"),
    (GOOD.replace("#+ params:", "#+ examples:\n#+   - {params: {country: AZ}}\n#+ params:"),
     "must say what stays true when facts are added"),
    (GOOD.replace("#+ params:", "#+ examples:\n#+   - {params: {land: AZ}, min_rows: 1}\n"
                                "#+ params:"), "does not declare"),
    (GOOD.replace("#+ params:", "#+ examples:\n#+   - {params: {country: [AZ, UZ]}, min_rows: 1}"
                                "\n#+ params:"), "several values to single 'country'"),
    ("SELECT ?x WHERE { ?x ?p ?o }", "needs at least `#+ summary"),
    ("#+ summary: [unclosed\nSELECT ?x WHERE { ?x ?p ?o }", "not valid YAML"),
])
def test_bad_templates_are_refused_with_what_is_wrong(
    tmp_path: Path, text: str, problem: str
) -> None:
    message = refusal(tmp_path, text)
    assert message.startswith(str(tmp_path / "q.rq")) and problem in message, message


def test_names_and_comments_that_look_like_misplaced_parameters_load(tmp_path: Path) -> None:
    check_placement(load_query(write(tmp_path, HEADER + (
        "PREFIX ex: <http://example.org/>\n"
        "SELECT $country ?x WHERE {  # ?o<$country, BIND(?o AS $country)\n"
        "  ?x ex:as $country ; ?as $country ; ex:bound ?o }"))))


def test_values_are_written_where_parameters_stand(tmp_path: Path) -> None:
    named = load_query(write(tmp_path, HEADER + (
        'PREFIX ex: <http://example.org/>\n'
        'SELECT $country (STR($country) AS ?code) ?x WHERE {  # $country "$country"\n'
        '  ?x ex:select ?where ; ex:p $country, "$country" . ?x ?p ?o FILTER(?o < $country) }')))
    kz = ox.NamedNode("https://w3id.org/diplograph/country/KZ")
    text = named.bind({"country": (kz,)})
    assert text.count(str(kz)) == 4
    assert f"SELECT ({kz} AS $country) (STR({kz}) AS ?code)" in text
    assert f'ex:p {kz}, "$country"' in text and f"?o < {kz}" in text
    assert '# $country "$country"' in text


def test_a_template_reaching_out_is_refused_before_it_first_runs(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "good.rq")
    write(tmp_path, HEADER + "SELECT $country WHERE { SERVICE <http://x/> { ?a ?b $country } }",
          "bad.rq")
    catalog = Catalog.load(tmp_path)  # parsing every template would slow every command
    check_placement(catalog.get("good"))
    with pytest.raises(InputError, match=r"bad\.rq: SERVICE is not allowed"):
        check_placement(catalog.get("bad"))


def test_where_start_is_inside_the_top_level_group() -> None:
    text = 'PREFIX a: <http://x/>\nSELECT ?x # {\nWHERE {\n ?x ?p "{" { SELECT ?y { ?y ?p ?o } } }'
    at = where_start(blank_noise(text))
    assert at is not None and text[:at].endswith("WHERE {")


def test_where_groups_are_the_top_one_and_every_subquery_last_first() -> None:
    text = ('CONSTRUCT { ?s ?p "WHERE {" } # SELECT {\nWHERE { { SELECT ?s WHERE { ?s ?p ?o } }'
            ' { SELECT ?o\n{ ?o ?p ?s } } }')
    groups = where_groups(text)
    assert [text[start:end].strip() for start, end in groups] == [
        "?o ?p ?s", "?s ?p ?o", "{ SELECT ?s WHERE { ?s ?p ?o } } { SELECT ?o\n{ ?o ?p ?s } }"]
    assert groups[-1][0] == where_start(blank_noise(text))
    short = "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }"
    assert [start for start, _ in where_groups(short)] == [where_start(blank_noise(short))]
    assert where_groups("PREFIX a: <http://x/>") == []


def bind(graph: KnowledgeGraph, kind: str, text: str, **extra: object) -> ox.NamedNode | ox.Literal:
    term = Resolver(graph).bind(Parameter(name="p", type=kind, **extra), text)  # type: ignore[arg-type]
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term


XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("kind,text,expected", [
    ("year", "1996", ox.Literal("1996", datatype=ox.NamedNode(XSD + "gYear"))),
    ("date", "1998-05", ox.Literal("1998-05", datatype=ox.NamedNode(XSD + "gYearMonth"))),
    ("date", "2008-02-29", ox.Literal("2008-02-29", datatype=ox.NamedNode(XSD + "date"))),
    ("lang-string", "Qazaxıstan@AZ", ox.Literal("Qazaxıstan", language="az")),
    ("lang-string", "a@b@en", ox.Literal("a@b", language="en")),
    ("integer", " 62 ", ox.Literal("62", datatype=ox.NamedNode(XSD + "integer"))),
    ("string", 'x" } ; DROP ALL', ox.Literal('x" } ; DROP ALL')),
    ("iri", "dgr:relation-AZ-KZ", ox.NamedNode("https://w3id.org/diplograph/resource/relation-AZ-KZ")),
    ("country", " Казахстан ", ox.NamedNode("https://w3id.org/diplograph/country/KZ")),
])
def test_values_become_typed_terms(
    graph: KnowledgeGraph, kind: str, text: str, expected: ox.NamedNode | ox.Literal
) -> None:
    assert bind(graph, kind, text) == expected


@pytest.mark.parametrize("kind,text,problem", [
    ("year", "96", "is not a year"),
    ("year", "١٩٩٦", "is not a year"),
    ("date", "2007-02-29", "is not a date"),
    ("date", "2008-13", "is not a date"),
    ("lang-string", "Qazaxıstan", "is not a text with a language tag"),
    ("lang-string", "x@en us", "is not a text with a language tag"),
    ("lang", "en\n", "is not a language tag"),
    ("integer", "6.2", "is not a whole number"),
    ("iri", "http://x/a>b", "is not an IRI"),
    ("string", "a\x00b", "control characters are not allowed"),
    ("country", "Narnia", "no dg:Country called 'Narnia'"),
])
def test_ill_typed_values_are_refused(
    graph: KnowledgeGraph, kind: str, text: str, problem: str
) -> None:
    with pytest.raises(InputError) as caught:
        bind(graph, kind, text)
    assert caught.value.message.startswith("--p: ") and problem in caught.value.message


def test_enum_values_are_checked_with_a_suggestion(graph: KnowledgeGraph) -> None:
    with pytest.raises(InputError) as caught:
        bind(graph, "enum", "abstian", values=("yes", "no", "abstain"))
    assert caught.value.hint == "did you mean 'abstain'? one of: yes, no, abstain"


def test_country_codes_for_completion(graph: KnowledgeGraph) -> None:
    codes = Resolver(graph).country_codes()
    assert len(codes) == 249 and {"AZ", "KZ", "UZ"} <= set(codes)


def test_a_misplaced_parameter_is_refused_where_the_query_runs_and_by_lint(
    tmp_path: Path, graph: KnowledgeGraph
) -> None:
    named = load_query(write(tmp_path, HEADER + "SELECT $country ?x WHERE { ?x ?p ?o } "
                                                 "ORDER BY $country"))
    with pytest.raises(InputError, match="a parameter stands only where a value can"):
        run_named(graph, named, {"country": "AZ"})
    [problem] = lint_query(named, Vocabulary.of(graph))
    assert problem.startswith(str(named.path)) and "stands only where a value can" in problem


def test_a_first_run_lexes_its_template_once(graph: KnowledgeGraph, project: Project,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading, the placement check (three bindings parsed), the safety check and the
    run itself all read the one `Template`: the text is lexed once, when it loads, and
    no other template of the catalog is read."""
    lexed: list[str] = []
    real = blank_noise

    def counting(text: str) -> str:
        lexed.append(text)
        return real(text)

    for module in list(sys.modules.values()):
        if getattr(module, "blank_noise", None) is blank_noise:
            monkeypatch.setattr(module, "blank_noise", counting)
    monkeypatch.setattr(placement, "_PLACED", set())
    monkeypatch.setattr(safety, "_SAFE", set())
    named = Catalog.load(project.queries_dir).get("votes")
    assert any(p.multi for p in named.parameters)
    result = run_named(graph, named, {"country": ["KZ", "UZ"]})
    assert result.rows
    assert lexed == [named.text]
