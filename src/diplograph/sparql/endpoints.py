"""SPARQL endpoints over HTTP (httpx): queries through the SPARQL 1.1 Protocol, named
graphs replaced through the Graph Store HTTP Protocol, credentials from the environment
or a netrc file (never from the command line), basic or digest as the server asks."""

from __future__ import annotations

import contextlib
import json
import netrc
import os
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from diplograph import __version__
from diplograph.errors import (
    CountMismatch,
    CredentialsError,
    EndpointError,
    InputError,
    UsageError,
)
from diplograph.rdf.reading import blank_noise

USER_ENV = "DIPLOGRAPH_ENDPOINT_USER"
PASSWORD_ENV = "DIPLOGRAPH_ENDPOINT_PASSWORD"
NETRC_ENV = "NETRC"
TIMEOUT = 300.0  # seconds to wait for an answer: a large graph takes a while to load
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
GRAPH_RESULTS = {"application/n-triples": ox.RdfFormat.N_TRIPLES,
                 "text/plain": ox.RdfFormat.N_TRIPLES,
                 "text/turtle": ox.RdfFormat.TURTLE,
                 "application/rdf+xml": ox.RdfFormat.RDF_XML}
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)

Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | tuple[ox.Triple, ...]


@dataclass(frozen=True)
class Credentials:
    """A user name and password, and where they were found (for messages)."""

    user: str
    password: str
    origin: str


def credentials_for(url: str) -> Credentials | None:
    """$DIPLOGRAPH_ENDPOINT_USER and $DIPLOGRAPH_ENDPOINT_PASSWORD, else the netrc entry
    ($NETRC, default ~/.netrc) of the URL's host, else none."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user or password:
        if not (user and password):
            raise UsageError(f"${USER_ENV} and ${PASSWORD_ENV} go together",
                             hint="set both, or neither and use a netrc file")
        return Credentials(user, password, f"${USER_ENV}")
    path = Path(os.environ.get(NETRC_ENV) or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except netrc.NetrcParseError as exc:
        raise InputError(f"{exc.filename}:{exc.lineno}: {exc.msg}",
                         hint="fix the netrc file (`machine HOST login USER password SECRET`)"
                         ) from exc
    if entry is None:
        return None
    login, _, secret = entry
    return Credentials(login, secret or "", str(path))


class ChallengeAuth(httpx.Auth):
    """Basic or digest authentication, whichever the server's 401 challenge asks for;
    once chosen, later requests answer the challenge up front."""

    requires_request_body = True

    def __init__(self, credentials: Credentials) -> None:
        self.digest = httpx.DigestAuth(credentials.user, credentials.password)
        self.basic = httpx.BasicAuth(credentials.user, credentials.password)
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.chosen is not None:
            yield from self.chosen.auth_flow(request)
            return
        response = yield request
        offered = {h.split(" ", 1)[0].lower()
                   for h in response.headers.get_list("www-authenticate")}
        if response.status_code != 401 or not offered & {"digest", "basic"}:
            return
        if "digest" not in offered:
            self.chosen = self.basic
            yield from self.basic.auth_flow(request)
            return
        self.chosen = self.digest
        flow = self.digest.auth_flow(request)
        next(flow)  # the unauthenticated request, answered above by the challenge
        try:
            retry = flow.send(response)
        except StopIteration:
            return
        answer = yield retry
        with contextlib.suppress(StopIteration):
            flow.send(answer)


def _checked_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option}: {url!r} is not an http(s) URL",
                         hint="e.g. http://localhost:7878/query")
    return url


def graph_store_of(url: str) -> str:
    """The Graph Store endpoint beside a query endpoint, for the layouts of the common
    stores: Oxigraph (`/query` -> `/store`), Virtuoso (`/sparql` ->
    `/sparql-graph-crud-auth`), Fuseki (`/DATASET/query` or `/sparql` -> `/DATASET/data`),
    GraphDB and RDF4J (`/repositories/ID` -> `/repositories/ID/rdf-graphs/service`)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path == "/query":
        store = "/store"
    elif path == "/sparql":
        store = "/sparql-graph-crud-auth"
    elif re.fullmatch(r"(/.+)/(query|sparql)", path):
        store = path.rsplit("/", 1)[0] + "/data"
    elif re.fullmatch(r".*/repositories/[^/]+", path):
        store = path + "/rdf-graphs/service"
    else:
        raise UsageError(f"cannot tell the Graph Store endpoint of {url}",
                         hint="give it with --graph-store URL")
    return urlunsplit((parts.scheme, parts.netloc, store, "", ""))


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first form keyword."""
    found = _FORM.search(blank_noise(sparql))
    if found is None:
        raise InputError("query: no SELECT, ASK, CONSTRUCT or DESCRIBE",
                         hint="check the SPARQL syntax")
    return found.group(1).upper()


def _canonical_booleans(doc: Any) -> None:
    """Write xsd:boolean values in their canonical form: Virtuoso answers `1` and `0`,
    lexical forms of the same values as `true` and `false`."""
    for binding in (doc.get("results") or {}).get("bindings") or ():
        for term in binding.values():
            if term.get("datatype") == XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"


def _detail(response: httpx.Response) -> str:
    """The first line of an error answer, for a one-line message."""
    lines = [line.strip() for line in response.text.splitlines() if line.strip()]
    text = lines[0] if lines else response.reason_phrase
    return text if len(text) <= 200 else text[:197] + "..."


class Endpoint:
    """A SPARQL 1.1 Protocol endpoint, and the Graph Store endpoint beside it."""

    def __init__(self, url: str, graph_store: str | None = None, *,
                 timeout: float = TIMEOUT) -> None:
        self.url = _checked_url(url, "--endpoint")
        self.graph_store = (_checked_url(graph_store, "--graph-store") if graph_store
                            else None)
        self.timeout = timeout
        self.credentials = credentials_for(self.url)
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0), follow_redirects=True,
            auth=ChallengeAuth(self.credentials) if self.credentials else None,
            headers={"User-Agent": f"diplograph/{__version__}"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request, its failures as one-line errors."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise EndpointError(f"{url}: no answer within {self.timeout:g} s",
                                hint="the server is busy or the request too large") from exc
        except httpx.HTTPError as exc:
            raise EndpointError(f"cannot reach {url}: {exc}",
                                hint="check the URL and that the server is running") from exc
        if response.status_code in (401, 403):
            if self.credentials is None:
                raise CredentialsError(
                    f"{url} asks for credentials (HTTP {response.status_code})",
                    hint=f"set ${USER_ENV} and ${PASSWORD_ENV}, or add the host to ~/.netrc")
            raise CredentialsError(
                f"{url} refused the credentials of {self.credentials.user!r} from "
                f"{self.credentials.origin} (HTTP {response.status_code})",
                hint="check the user name, the password and the user's rights")
        if response.status_code == 400 and "data" in kwargs:
            raise InputError(f"{url} refused the query: {_detail(response)}",
                             hint="check the SPARQL syntax")
        if response.status_code >= 400:
            raise EndpointError(f"{url} answered HTTP {response.status_code}: "
                                f"{_detail(response)}", hint="the server's log says more")
        return response

    def query(self, sparql: str, *, inference: bool = True) -> Answer:
        """Run a query at the endpoint; its answer parsed into pyoxigraph terms. What the
        query sees is the endpoint's default graph: `inference=False` cannot apply."""
        if not inference:
            raise UsageError("--no-inference does not apply to an endpoint",
                             hint="the endpoint's default graph decides which facts a "
                                  "query sees")
        form = query_form(sparql)
        accept = (f"{RESULTS_JSON}, {RESULTS_XML};q=0.9" if form in ("SELECT", "ASK")
                  else "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8")
        response = self._send("POST", self.url, data={"query": sparql},
                              headers={"Accept": accept})
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> Answer:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in (RESULTS_JSON, "application/json"):
                doc = json.loads(response.content)
                _canonical_booleans(doc)
                return ox.parse_query_results(json.dumps(doc).encode(),
                                              format=ox.QueryResultsFormat.JSON)
            if media in (RESULTS_XML, "application/xml"):
                return ox.parse_query_results(response.content,
                                              format=ox.QueryResultsFormat.XML)
            if media in GRAPH_RESULTS:
                return tuple(q.triple for q in ox.parse(response.content,
                                                        format=GRAPH_RESULTS[media]))
        except (ValueError, SyntaxError) as exc:
            raise EndpointError(f"{self.url} answered {media} that does not parse: "
                                f"{' '.join(str(exc).split())[:160]}",
                                hint="is the URL a SPARQL endpoint?") from exc
        raise EndpointError(f"{self.url} answered {media or 'no content type'}, not query "
                            "results", hint="is the URL a SPARQL endpoint?")

    @property
    def store_url(self) -> str:
        """The Graph Store endpoint: given, else beside the query endpoint."""
        return self.graph_store or graph_store_of(self.url)

    def put(self, graph: str, ntriples: bytes) -> None:
        """Replace a named graph with the N-Triples (sent as Turtle, which every Graph
        Store endpoint reads and N-Triples is part of)."""
        self._send("PUT", self.store_url, params={"graph": graph}, content=ntriples,
                   headers={"Content-Type": "text/turtle"})

    def delete(self, graph: str) -> None:
        """Remove a named graph (one that is gone already is no error)."""
        try:
            self._send("DELETE", self.store_url, params={"graph": graph})
        except EndpointError as exc:
            if "HTTP 404" not in exc.message:
                raise

    def graphs_under(self, base: str) -> list[str]:
        """The names of the endpoint's graphs that start with `base`, sorted."""
        answer = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(base)})) }}")
        if not isinstance(answer, ox.QuerySolutions):
            raise EndpointError(f"{self.url} did not answer a SELECT with rows",
                                hint="is the URL a SPARQL endpoint?")
        return sorted(g.value for row in answer if isinstance(g := row["g"], ox.NamedNode))

    def counts(self, graphs: Sequence[str]) -> dict[str, int]:
        """How many triples each named graph holds at the endpoint (0 if none)."""
        names = " ".join(str(ox.NamedNode(g)) for g in graphs)
        answer = self.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }}"
                            " GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        if not isinstance(answer, ox.QuerySolutions):
            raise EndpointError(f"{self.url} did not answer a SELECT with rows",
                                hint="is the URL a SPARQL endpoint?")
        found = {g: 0 for g in graphs}
        for row in answer:
            graph, count = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
                found[graph.value] = int(count.value)
        return found


@dataclass(frozen=True)
class Pushed:
    """What a push sent (triples per named graph), where, what the endpoint then held,
    how many triples were in more than one graph, and the graphs it removed."""

    graph_store: str
    sent: dict[str, int]
    held: dict[str, int]
    repeated: int
    removed: tuple[str, ...] = ()


def _repeated(graphs: Sequence[tuple[str, bytes]]) -> int:
    """How many N-Triples lines are in more than one of the graphs."""
    seen: set[bytes] = set()
    repeated = 0
    for _, ntriples in graphs:
        lines = set(ntriples.splitlines())
        repeated += len(lines & seen)
        seen |= lines
    return repeated


def _split_blank_node(graphs: Sequence[tuple[str, bytes]]) -> tuple[str, str, str] | None:
    """A blank node two graphs share (its label, the graphs): each graph is sent as a
    document of its own, which would make it two nodes at the endpoint."""
    seen: dict[str, str] = {}
    for name, ntriples in graphs:
        if b"_:" not in ntriples:
            continue
        quads = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        labels = {t.value for q in quads for t in (q.subject, q.object)
                  if isinstance(t, ox.BlankNode)}
        for label in sorted(labels):
            if seen.setdefault(label, name) != name:
                return label, seen[label], name
    return None


def push(endpoint: Endpoint, graphs: Sequence[tuple[str, bytes]], *,
         prune: str | None = None) -> Pushed:
    """Replace each named graph at the endpoint (PUT), and with `prune` remove the
    graphs whose names start with it that were not sent (a source file removed or
    renamed since an earlier push); then count the triples each graph holds there: a
    count that differs from what was sent is an error. Graphs that share a blank node
    are refused before anything is sent."""
    split = _split_blank_node(graphs)
    if split is not None:
        raise InputError(f"blank node _:{split[0]} is in {split[1]} and {split[2]}: sent graph"
                         " by graph, it would become two nodes at the endpoint",
                         hint="name the node with an IRI")
    sent = {}
    for name, ntriples in graphs:
        endpoint.put(name, ntriples)
        sent[name] = ntriples.count(b"\n")
    removed = tuple(g for g in endpoint.graphs_under(prune) if g not in sent) if prune else ()
    for name in removed:
        endpoint.delete(name)
    held = endpoint.counts([*sent, *removed])
    wrong = [g for g in held if held[g] != sent.get(g, 0)]
    if wrong:
        more = f" (and {len(wrong) - 1} more graphs)" if len(wrong) > 1 else ""
        raise CountMismatch(f"{wrong[0]} holds {held[wrong[0]]} triples at {endpoint.url},"
                            f" {sent.get(wrong[0], 0)} were pushed{more}",
                            hint="the store dropped or merged triples; its log says why")
    return Pushed(endpoint.store_url, sent, {g: held[g] for g in sent}, _repeated(graphs),
                  removed)
