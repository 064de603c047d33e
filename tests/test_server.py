"""`diplograph serve` through HTTP: the SPARQL protocol, the catalog API, OpenAPI, the
limits that keep it responsive; answers checked against the library's own."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from conftest import Run
from diplograph import Graph
from diplograph.errors import DiplographError
from diplograph.project import Project
from diplograph.server import Limits, create_app
from diplograph.sparql.results import render
from diplograph.store.cache import KnowledgeGraph

CLASSES = ("PREFIX dg: <https://w3id.org/diplograph/ontology#> "
           "SELECT ?class (COUNT(*) AS ?n) WHERE { ?x a ?class "
           "FILTER(STRSTARTS(STR(?class), STR(dg:))) } GROUP BY ?class ORDER BY DESC(?n) ?class")
RELATIONS_AZ = "CONSTRUCT { ?r ?p ?o } WHERE { ?r <https://w3id.org/diplograph/ontology#betweenState> <https://w3id.org/diplograph/country/AZ> ; ?p ?o }"  # noqa: E501
# a join over every pair of linked triples: about half a second on the bundled graph
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c ?r ?d }"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
# every pair of triples: runs for hours
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"
# every pair of triples, sorted: the engine must hold them all before the first row
HUNGRY = "SELECT ?a ?c WHERE { ?a ?p ?b . ?c ?q ?d } ORDER BY ?b ?d LIMIT 1"


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Graph:
    return Graph.open(project.root, store_dir)


@pytest.fixture(scope="module")
def client(front: Graph) -> Iterator[TestClient]:
    with TestClient(create_app(front, Limits(workers=2))) as c:
        yield c


def error_of(call: object) -> DiplographError:
    """The library's error for the same request, to compare the server's words with."""
    try:
        call()  # type: ignore[operator]
    except DiplographError as exc:
        return exc
    raise AssertionError("the library accepted it")


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("text/html, application/xml;q=0.9, */*;q=0.8", "xml", "application/sparql-results+xml"),
    (None, "json", "application/sparql-results+json"),
])
def test_sparql_results_by_accept(client: TestClient, front: Graph, accept: str | None,
                                  fmt: str, media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CLASSES}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.text == render(front.sparql(CLASSES), fmt)


def test_get_post_form_and_post_query_agree(client: TestClient) -> None:
    headers = {"Accept": "text/csv"}
    by_get = client.get("/sparql", params={"query": CLASSES}, headers=headers)
    by_form = client.post("/sparql", data={"query": CLASSES}, headers=headers)
    by_body = client.post("/sparql", content=CLASSES.encode(),
                          headers={**headers, "Content-Type": "application/sparql-query"})
    assert by_get.text.splitlines()[1].startswith("https://w3id.org/diplograph/ontology#Country,")
    assert by_get.text == by_form.text == by_body.text


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_in_rdf_formats(client: TestClient, front: Graph, accept: str,
                                  fmt: ox.RdfFormat) -> None:
    response = client.get("/sparql", params={"query": RELATIONS_AZ}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    triples = {q.triple for q in ox.parse(response.content, format=fmt)}
    expected = set(front.sparql(RELATIONS_AZ).triples)
    assert len(expected) > 10 and triples == expected


def test_rows_asked_for_in_an_rdf_format_are_not_acceptable(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLASSES}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert response.text.startswith("error: the answer is rows")


def test_updates_are_forbidden(client: TestClient) -> None:
    before = client.get("/sparql", params={"query": CLASSES}, headers={"Accept": "text/csv"})
    by_form = client.post("/sparql", data={"update": "CLEAR ALL"})
    by_body = client.post("/sparql", content=b"CLEAR ALL",
                          headers={"Content-Type": "application/sparql-update"})
    assert by_form.status_code == by_body.status_code == 403
    assert "updates are not allowed" in by_form.text
    still = client.get("/sparql", params={"query": CLASSES}, headers={"Accept": "text/csv"})
    assert "ontology#Country," in before.text and still.text == before.text


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }",
    "SELECT * WHERE { ?s ?p }",
])
def test_refused_queries_get_the_command_lines_message(client: TestClient, front: Graph,
                                                       query: str) -> None:
    expected = error_of(lambda: front.sparql(query))
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    hint = f" (hint: {expected.hint})" if expected.hint else ""
    assert response.text == f"error: {expected.message}{hint}\n"


def test_protocol_errors(client: TestClient) -> None:
    assert client.get("/sparql").status_code == 400
    editor = client.get("/sparql", headers={"Accept": "text/html"})
    assert editor.status_code == 200 and "/static/app.js" in editor.text
    two = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400
    dataset = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://x/"})
    assert dataset.status_code == 400 and "default-graph-uri is not allowed" in dataset.text
    wrong_type = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    too_big = client.post("/sparql", content=b"#" * (2 << 20),
                          headers={"Content-Type": "application/sparql-query"})
    assert too_big.status_code == 413


def test_the_catalog(client: TestClient, front: Graph) -> None:
    listed = client.get("/api/queries").json()
    assert [q["name"] for q in listed["queries"]] == list(front.catalog.queries)
    timeline = next(q for q in listed["queries"] if q["name"] == "timeline")
    params = {p["name"]: p for p in timeline["parameters"]}
    assert params["a"]["type"] == "country" and params["a"]["required"]
    assert params["from"]["type"] == "date" and not params["from"]["required"]
    assert timeline["examples"][0]["min_rows"] > 0


def test_a_stored_query_gives_the_command_lines_rows(client: TestClient, front: Graph) -> None:
    expected = render(front.query("timeline", a="AZ", b="UZ"), "csv")
    by_accept = client.get("/api/queries/timeline", params={"a": "AZ", "b": "Özbəkistan"},
                           headers={"Accept": "text/csv"})
    by_format = client.get("/api/queries/timeline", params={"a": "AZ", "b": "UZ", "format": "csv"})
    assert by_accept.text == by_format.text == expected
    assert expected.count("\n") > 20
    assert by_format.headers["content-disposition"] == 'inline; filename="timeline.csv"'


def test_a_repeated_parameter_takes_every_value(client: TestClient, front: Graph) -> None:
    response = client.get("/api/queries/votes?country=KZ&country=UZ&format=json")
    rows = response.json()["results"]["bindings"]
    assert len(rows) == len(front.query("votes", country=["KZ", "UZ"]).rows) > 0


@pytest.mark.parametrize(("params", "library"), [
    ({"a": "Atlantis", "b": "UZ"}, {"a": "Atlantis", "b": "UZ"}),
    ({"a": "AZ", "b": "UZ", "from": "1996-13"}, {"a": "AZ", "b": "UZ", "from": "1996-13"}),
    ({"b": "UZ"}, {"b": "UZ"}),
    ({"a": "AZ", "b": "UZ", "colour": "red"}, {"a": "AZ", "b": "UZ", "colour": "red"}),
    ({"a": ["AZ", "KZ"], "b": "UZ"}, {"a": ["AZ", "KZ"], "b": "UZ"}),
])
def test_bad_values_get_the_command_lines_message(client: TestClient, front: Graph,
                                                  params: dict[str, str],
                                                  library: dict[str, str]) -> None:
    expected = error_of(lambda: front.query("timeline", **library))
    response = client.get("/api/queries/timeline", params=params)
    assert response.status_code == 400
    assert response.json() == {"error": expected.message, "hint": expected.hint}


def test_an_unknown_query_is_not_found(client: TestClient) -> None:
    response = client.get("/api/queries/timelines")
    assert response.status_code == 404
    assert "timeline" in response.json()["hint"]


def test_openapi_follows_the_query_headers(client: TestClient, front: Graph) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for named in front.catalog.queries.values():
        operation = doc["paths"][f"/api/queries/{named.name}"]["get"]
        declared = {p["name"]: p for p in operation["parameters"]}
        for p in named.parameters:
            assert declared[p.name]["required"] == p.required
            schema = declared[p.name]["schema"]
            assert schema["type"] == ("array" if p.multi else
                                      "integer" if p.type == "integer" else "string")
            if p.values:
                assert (schema["items"] if p.multi else schema)["enum"] == list(p.values)
    page = client.get("/api/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_country_completion_over_names_in_every_language(client: TestClient) -> None:
    def codes(text: str) -> list[str]:
        answer = client.get("/api/countries", params={"q": text}).json()["countries"]
        return [c["code"] for c in answer]

    assert codes("Qazax")[0] == "KZ"
    assert codes("Казах")[0] == "KZ"
    assert codes("uz")[0] == "UZ"
    assert codes("united")[:1] == ["AE"] and "GB" in codes("united") and "US" in codes("united")
    assert codes("") == []


def test_a_rows_sources(client: TestClient, front: Graph) -> None:
    row = front.query("relations", country="AZ").rows[0]
    nodes = [t.value for t in row if isinstance(t, ox.NamedNode)]
    supports = client.get("/api/explain", params=[("node", n) for n in nodes]).json()["supports"]
    expected = front.explain(row)
    assert [s["node"] for s in supports] == [s.node.value for s in expected]
    assert supports[0]["sources"] == ["000_83205e02681364cb"]
    assert {q["text"] for q in supports[0]["quotes"]} == {q.value for q in expected[0].quotes}
    assert client.get("/api/explain", params={"node": "not an iri"}).status_code == 400


def test_pictures_are_the_plots_of_the_query_values(client: TestClient, front: Graph) -> None:
    answer = client.get("/api/pictures/timeline", params={"a": "AZ", "b": "UZ"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    svg = ElementTree.fromstring(answer.content)
    links = {a.get("{http://www.w3.org/1999/xlink}href") or a.get("href")
             for a in svg.iter("{http://www.w3.org/2000/svg}a")}
    items = {row[-1].value for row in front.query("timeline", a="AZ", b="UZ").rows if row[-1]}
    assert items and items <= links
    assert client.get("/api/pictures/relations", params={"country": "KZ"}).status_code == 200
    assert client.get("/api/pictures/timeline", params={"a": "AZ"}).status_code == 400
    assert client.get("/api/pictures/names").status_code == 404


def test_the_network_picture_for_the_regions_asked_for(client: TestClient,
                                                        front: Graph) -> None:
    from diplograph.plots.network import network

    def marks(svg: bytes) -> dict[str, str]:
        return {g.get("id", ""): next(a for a in g.iter(f"{SVG}a")).get(XLINK, "")
                for g in ElementTree.fromstring(svg).iter(f"{SVG}g")
                if g.get("id", "").startswith(("state-", "edge-"))}

    answer = client.get("/api/network", params=[("region", "Central Asia"),
                                                ("region", "Western Asia"), ("lang", "az")])
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    expected = network(front, regions=["Central Asia", "Western Asia"], lang="az")
    assert marks(answer.content) == marks(expected) and len(marks(expected)) == 5
    assert marks(client.get("/api/network", params={"region": "Europe"}).content) == {}
    bad = client.get("/api/network", params={"region": "Atlantis"})
    assert bad.status_code == 400 and "Atlantis" in bad.json()["error"]
    for bad_number in ("many", "²", "0"):
        assert client.get("/api/network", params={"max_edges": bad_number}).status_code == 400
    regions = {r["name"]: r["subregions"] for r in client.get("/api/regions").json()["regions"]}
    assert "Central Asia" in regions["Asia"] and regions["Antarctica"] == []
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/network", "/api/regions", "/api/pictures/{name}"} <= paths.keys()


def test_the_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    for asset in ("/static/app.js", "/static/app.css", "/static/vendor/yasgui/yasgui.min.js",
                  "/static/vendor/yasgui/yasgui.min.css"):
        assert client.get(asset).status_code == 200, asset


@pytest.mark.slow
def test_too_many_rows_is_an_error_not_a_cut(front: Graph) -> None:
    with TestClient(create_app(front, Limits(max_rows=5, workers=1))) as small:
        response = small.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert response.status_code == 400
        assert "more than 5 rows" in response.text
        ok = small.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"})
        assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 5


@pytest.mark.slow
def test_a_runaway_query_is_stopped_and_others_are_answered(front: Graph) -> None:
    with TestClient(create_app(front, Limits(timeout=4, workers=2))) as limited:
        slow: dict[str, object] = {}

        def ask_slow() -> None:
            started = time.perf_counter()
            response = limited.get("/sparql", params={"query": RUNAWAY})
            slow.update(status=response.status_code, text=response.text,
                        seconds=time.perf_counter() - started)

        thread = threading.Thread(target=ask_slow)
        thread.start()
        time.sleep(0.2)
        quick = limited.get("/api/queries/relations", params={"country": "AZ", "format": "csv"})
        thread.join()
        assert quick.status_code == 200 and "KZ" in quick.text
        assert slow["status"] == 503
        assert "no answer within the time limit of 4 s" in str(slow["text"])
        assert float(slow["seconds"]) < 8  # type: ignore[arg-type]
        # its worker was ended and replaced: both workers answer again
        answers = [limited.get("/sparql", params={"query": "ASK {}"}) for _ in range(4)]
        assert all(a.status_code == 200 for a in answers)


@pytest.mark.slow
def test_a_query_past_the_memory_limit_ends_its_worker_not_the_server(
        front: Graph, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    with TestClient(create_app(front, Limits(timeout=60, workers=1,
                                             memory=256 * 2**20))) as bounded:
        hungry = bounded.get("/sparql", params={"query": HUNGRY})
        assert hungry.status_code == 503
        assert "memory limit of 256 MiB" in hungry.text
        after = bounded.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True
    # the operator reads one line of it, not the engine's allocation failure
    assert [r.getMessage() for r in caplog.records if r.name == "diplograph.server.pool"] == [
        "a query worker ended, most likely at its memory limit of 256 MiB; another is starting"]
    assert "allocation" not in capfd.readouterr().err


@pytest.mark.slow
def test_a_full_server_turns_requests_away(front: Graph) -> None:
    with TestClient(create_app(front, Limits(timeout=60, workers=1, room=1))) as tiny:
        thread = threading.Thread(target=lambda: tiny.get("/sparql", params={"query": SLOW}))
        thread.start()
        time.sleep(0.1)
        turned = tiny.get("/sparql", params={"query": "ASK {}"})
        thread.join()
        assert turned.status_code == 503 and turned.headers["retry-after"] == "2"
        assert tiny.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_serve_refuses_a_port_in_use(run: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")


def test_json_answers_are_valid_sparql_json(client: TestClient) -> None:
    doc = json.loads(client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).text)
    assert doc == {"head": {}, "boolean": True}


@pytest.mark.slow
def test_diplograph_serve_answers_on_its_port(server: str, front: Graph) -> None:
    query = urllib.parse.urlencode({"query": CLASSES})
    asked = urllib.request.Request(f"{server}sparql?{query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(asked, timeout=30) as response:
        assert response.read().decode("utf-8") == render(front.sparql(CLASSES), "csv")
    with urllib.request.urlopen(f"{server}api/queries/relations?country=KZ&format=tsv",
                                timeout=30) as response:
        assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
        assert response.read().decode("utf-8") == render(front.query("relations", country="KZ"),
                                                         "tsv")
