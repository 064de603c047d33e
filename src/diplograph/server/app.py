"""The HTTP app over a `Graph`: the SPARQL 1.1 Protocol at /sparql, the stored queries
as an API at /api (grlc style) with its OpenAPI document, and the web page with every
asset it needs, served from the package."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.datastructures import MultiDict
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from diplograph import __version__
from diplograph.errors import DiplographError, InputError, UsageError
from diplograph.graph import Graph
from diplograph.namespaces import PREFIXES
from diplograph.server.negotiation import EXTENSIONS, NotAcceptable, choose
from diplograph.server.openapi import catalog_entry, openapi
from diplograph.server.pictures import PICTURES, regions
from diplograph.server.pool import MIB, Overloaded, WorkerPool
from diplograph.sparql.catalog import NamedQuery
from diplograph.sparql.limits import QueryMemory, QueryTimeout

STATIC = Path(__file__).resolve().parent / "static"
RESERVED = ("format", "inference")  # query-string names that are not query parameters


@dataclass(frozen=True)
class Limits:
    """What keeps a shared server responsive: each query's time, the rows of one
    answer, the worker processes and the memory each may use, the queries held at
    once, a request's size."""

    timeout: float = 10.0
    max_rows: int = 100_000
    workers: int = 4
    memory: int = 2048 * MIB
    room: int = 64
    max_body: int = 1 << 20


class Forbidden(DiplographError):
    """A request the server never carries out (an update)."""


class NotFound(DiplographError):
    """No such stored query."""


class TooLarge(DiplographError):
    """A request body over the size limit."""


class UnsupportedMedia(DiplographError):
    """A request body in a media type the endpoint does not read."""


STATUS: dict[type[DiplographError], int] = {
    Forbidden: 403, NotFound: 404, NotAcceptable: 406, TooLarge: 413,
    UnsupportedMedia: 415, Overloaded: 503, QueryTimeout: 503, QueryMemory: 503,
}


def status_of(error: DiplographError) -> int:
    """The HTTP status of a library or server error: 400 unless listed."""
    return next((code for cls, code in STATUS.items() if isinstance(error, cls)), 400)


def _flag(value: str | None, name: str) -> bool:
    if value is None or value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise UsageError(f"{name}: {value!r} is not true or false", hint="give true or false")


class Service:
    """What the routes share: the graph, its limits and the query threads."""

    def __init__(self, graph: Graph, limits: Limits) -> None:
        self.graph = graph
        self.limits = limits
        self.pool = WorkerPool(graph, limits.workers, limits.room, limits.timeout,
                               limits.memory)

    def named(self, name: str) -> NamedQuery:
        if name not in self.graph.catalog.queries:
            try:
                self.graph.named(name)  # its error names the closest queries
            except DiplographError as exc:
                raise NotFound(exc.message, exc.hint) from None
        return self.graph.named(name)

    async def answer(self, kind: str, what: Any, inference: bool, fmt: str | None,
                     accept: str | None, filename: str) -> Response:
        """Run a stored query ("named": its name and values) or a SPARQL text ("sparql")
        in a worker, rendered as negotiated."""
        formats = choose(fmt, accept)
        text, media, chosen = await self.pool.run(
            "answer", kind, what, inference, self.limits.max_rows, formats)
        headers = {}
        if fmt:  # a download link: name the file
            extension = EXTENSIONS.get(chosen, chosen)
            headers["Content-Disposition"] = f'inline; filename="{filename}.{extension}"'
        return Response(text, media_type=media, headers=headers)


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused past `limit` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"request body over {limit} bytes", hint="send a shorter query")
        chunks.append(chunk)
    return b"".join(chunks)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("query: the request body is not UTF-8",
                         hint="send the query as UTF-8 text") from exc


async def sparql_params(request: Request, limit: int) -> MultiDict:
    """The protocol's parameters: the query string, and a POSTed form or query text."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _body(request, limit)
        if media == "application/sparql-update":
            params.append(("update", ""))
        elif media == "application/sparql-query":
            params.append(("query", _text(body)))
        elif media == "application/x-www-form-urlencoded":
            params += parse_qsl(_text(body), keep_blank_values=True)
        else:
            raise UnsupportedMedia(
                f"POST /sparql: cannot read a body of type {media or 'none'!r}",
                hint="send application/sparql-query or an application/x-www-form-urlencoded form")
    return MultiDict(params)


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET, POST form, POST query), read-only."""
    svc = service(request)
    params = await sparql_params(request, svc.limits.max_body)
    if "update" in params:
        raise Forbidden("updates are not allowed: this endpoint only reads the graph",
                        hint="change the graph's Turtle sources and restart the server")
    queries = params.getlist("query")
    if not queries:
        if "text/html" in request.headers.get("accept", ""):  # a browser: the editor
            return FileResponse(STATIC / "index.html", media_type="text/html")
        raise UsageError("no query given", hint="pass the SPARQL text as the query parameter")
    if len(queries) > 1:
        raise UsageError(f"{len(queries)} queries given", hint="send one query per request")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params:
            raise InputError(f"{name} is not allowed: queries only read the local graph",
                             hint="leave out the dataset parameters")
    inference = _flag(params.get("inference"), "inference")
    return await svc.answer("sparql", queries[0], inference, params.get("format"),
                            request.headers.get("accept"), "result")


async def list_queries(request: Request) -> Response:
    """The catalog: each query's name, summary, description, typed parameters, examples."""
    catalog = service(request).graph.catalog
    return JSONResponse({
        "queries": [{**catalog_entry(q), "picture": q.name in PICTURES}
                    for q in catalog.queries.values()],
        "prefixes": PREFIXES})


def query_values(request: Request) -> dict[str, tuple[str, ...]]:
    """The query string's parameter values, empty ones (a form's blank fields) left out."""
    values: dict[str, tuple[str, ...]] = {}
    for key, value in request.query_params.multi_items():
        if key not in RESERVED and value.strip():
            values[key] = (*values.get(key, ()), value)
    return values


async def run_query(request: Request) -> Response:
    """A stored query run with the query string's values, bound as on the command line."""
    svc = service(request)
    named = svc.named(request.path_params["name"])
    inference = _flag(request.query_params.get("inference"), "inference")
    return await svc.answer("named", (named.name, query_values(request)), inference,
                            request.query_params.get("format"), request.headers.get("accept"),
                            named.name)


async def explain_row(request: Request) -> Response:
    """The facts among the given nodes (a result row's IRIs) that carry provenance: the
    source each was read from and the sentence, as `--explain` prints them."""
    nodes = request.query_params.getlist("node")
    for iri in nodes:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(f"node: {iri!r} is not an IRI", hint="give absolute IRIs") from exc
    supports = await service(request).pool.run("explain", tuple(nodes))
    return JSONResponse({"supports": supports})


async def complete_country(request: Request) -> Response:
    """States whose ISO code or name in any language begins with `q`."""
    svc = service(request)
    text = request.query_params.get("q", "")
    try:
        limit = min(max(int(request.query_params.get("limit", "20")), 1), 100)
    except ValueError as exc:
        raise UsageError("limit: not a whole number", hint="e.g. limit=20") from exc
    return JSONResponse({"countries": await svc.pool.run("countries", text, limit)})


async def picture(request: Request) -> Response:
    """The picture drawn for a stored query's values, where the query has one."""
    svc = service(request)
    named = svc.named(request.path_params["name"])
    if named.name not in PICTURES:
        raise NotFound(f"query {named.name!r} has no picture", hint="see /api/queries")
    svg = await svc.pool.run("picture", named.name, query_values(request))
    return Response(svg, media_type="image/svg+xml")


async def network(request: Request) -> Response:
    """The network of relations between the states of the regions asked for."""
    svg = await service(request).pool.run("network", query_values(request))
    return Response(svg, media_type="image/svg+xml")


async def list_regions(request: Request) -> Response:
    """The UN M49 regions and subregions `/api/network` takes."""
    return JSONResponse({"regions": regions()})


async def prefixes(request: Request) -> Response:
    """The project's prefixes, as prefix.cc lists them (for the editor's completion)."""
    return JSONResponse(PREFIXES)


async def openapi_document(request: Request) -> Response:
    svc = service(request)
    return JSONResponse(openapi(svc.graph.catalog, __version__, svc.limits.max_rows))


def page(name: str) -> Callable[[Request], Any]:
    async def serve_page(request: Request) -> Response:
        return FileResponse(STATIC / name, media_type="text/html")

    return serve_page


def error_response(request: Request, exc: Exception) -> Response:
    """A library or server error: JSON under /api, an `error: ...` line elsewhere (the
    command line's words), with the error's status."""
    assert isinstance(exc, DiplographError)
    status = status_of(exc)
    headers = {"Retry-After": "2"} if isinstance(exc, Overloaded) else {}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.message, "hint": exc.hint}, status, headers)
    line = f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else "")
    return Response(line + "\n", status, headers, media_type="text/plain; charset=utf-8")


def create_app(graph: Graph, limits: Limits | None = None) -> Starlette:
    """The HTTP app serving `graph`: its store compiled if need be and its catalog read
    here, then the query workers started; `close_app` ends them."""
    graph.compile()  # once, before the workers open it
    graph.catalog.queries  # noqa: B018 - a stored query with a bad header stops the start
    svc = Service(graph, limits or Limits())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        svc.pool.close()

    app = Starlette(
        routes=[
            Route("/", page("index.html")),
            Route("/api/docs", page("api.html")),
            Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
            Route("/openapi.json", openapi_document),
            Route("/api/queries", list_queries),
            Route("/api/queries/{name}", run_query),
            Route("/api/explain", explain_row),
            Route("/api/countries", complete_country),
            Route("/api/pictures/{name}", picture),
            Route("/api/network", network),
            Route("/api/regions", list_regions),
            Route("/api/prefixes", prefixes),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                               allow_headers=["Accept", "Content-Type"])],
        exception_handlers={DiplographError: error_response},
        lifespan=lifespan,
    )
    app.state.service = svc
    return app
