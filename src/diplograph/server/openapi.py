"""The OpenAPI 3 document of the server, generated from the stored queries' headers:
one path per query, one typed query parameter per declared parameter."""

from __future__ import annotations

from typing import Any

from diplograph.rdf.reading import RDF_FORMATS
from diplograph.server.negotiation import GRAPH_TYPES, RESULT_MEDIA, RESULT_TYPES
from diplograph.server.pictures import PICTURES
from diplograph.sparql.catalog import Catalog, NamedQuery
from diplograph.sparql.header import Parameter

_SCHEMAS: dict[str, dict[str, Any]] = {
    "country": {"type": "string", "description":
                "a state: ISO 3166-1 alpha-2 or alpha-3 code, name in any language, or IRI"},
    "entity": {"type": "string", "description": "an IRI, prefix:name, or a name"},
    "iri": {"type": "string", "description": "an absolute IRI or prefix:name"},
    "date": {"type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
             "description": "YYYY, YYYY-MM or YYYY-MM-DD"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$", "description": "YYYY"},
    "integer": {"type": "integer"},
    "lang": {"type": "string", "pattern": "^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$",
             "description": "a language tag"},
    "lang-string": {"type": "string", "description": "TEXT@LANG, e.g. Qazaxıstan@az"},
    "string": {"type": "string"},
    "enum": {"type": "string"},
}
_ERROR = {"description": "an error: what and where, and a hint",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def parameter_schema(p: Parameter) -> dict[str, Any]:
    """The JSON schema of one parameter's value (an array if it may be repeated)."""
    schema = dict(_SCHEMAS[p.type])
    if p.values:
        schema["enum"] = list(p.values)
    if p.default is not None:
        schema["default"] = p.default
    return {"type": "array", "items": schema} if p.multi else schema


def catalog_entry(q: NamedQuery) -> dict[str, Any]:
    """A stored query as the catalog API lists it."""
    return {
        "name": q.name, "summary": q.summary, "description": q.description, "tags": list(q.tags),
        "url": f"/api/queries/{q.name}",
        "parameters": [{
            "name": p.name, "type": p.type, "required": p.required, "multi": p.multi,
            "default": p.default, "help": p.help, "values": list(p.values),
            "example": p.example, "class": p.entity_class} for p in q.parameters],
        "examples": [{"params": {k: list(v) for k, v in e.params.items()},
                      "min_rows": e.min_rows, "row": e.row} for e in q.examples],
    }


def _operation(q: NamedQuery, max_rows: int) -> dict[str, Any]:
    parameters = [{
        "name": p.name, "in": "query", "required": p.required,
        "description": p.help + (" (may be repeated)" if p.multi else ""),
        "schema": parameter_schema(p), **({"example": p.example} if p.example else {}),
        **({"style": "form", "explode": True} if p.multi else {}),
    } for p in q.parameters]
    parameters += [
        {"name": "format", "in": "query", "required": False,
         "description": "the results format (else chosen by the Accept header)",
         "schema": {"type": "string", "enum": sorted(RESULT_MEDIA)}},
        {"name": "inference", "in": "query", "required": False,
         "description": "false: the asserted facts alone, without OWL RL entailments",
         "schema": {"type": "boolean", "default": True}},
    ]
    return {
        "operationId": f"query_{q.name}", "summary": q.summary,
        "description": q.description, "tags": ["stored queries"], "parameters": parameters,
        "responses": {
            "200": {"description": f"the rows (at most {max_rows})", "content": {
                media: {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
                if "json" in media else {"schema": {"type": "string"}}
                for media in RESULT_TYPES}},
            "400": _ERROR, "404": _ERROR, "406": _ERROR, "503": _ERROR,
        },
    }


def _sparql_paths() -> dict[str, Any]:
    query = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
             "description": "SELECT, ASK, CONSTRUCT or DESCRIBE; no SERVICE, LOAD or FROM",
             "example": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5"}
    answers = {
        "200": {"description": "rows (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE)",
                "content": {media: {"schema": {"type": "string"}}
                            for media in [*RESULT_TYPES, *GRAPH_TYPES]}},
        "400": {"description": "a query that does not parse or reaches beyond the graph"},
        "403": {"description": "an update: the endpoint only reads"},
        "406": {"description": "no accepted format fits the answer"},
        "503": {"description": "past the time limit, or the server is full"},
    }
    return {"/sparql": {
        "get": {"operationId": "sparql_get", "summary": "SPARQL 1.1 Protocol query (GET)",
                "tags": ["SPARQL"], "parameters": [query], "responses": answers},
        "post": {"operationId": "sparql_post", "summary": "SPARQL 1.1 Protocol query (POST)",
                 "tags": ["SPARQL"], "responses": answers, "requestBody": {"content": {
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/x-www-form-urlencoded": {"schema": {
                         "type": "object", "properties": {"query": {"type": "string"}},
                         "required": ["query"]}}}}},
    }}


def _picture_paths(catalog: Catalog) -> dict[str, Any]:
    """The pictures: of a stored query's values, and the network of relations."""
    svg = {"200": {"description": "the picture; every mark links to the IRI it shows",
                   "content": {"image/svg+xml": {}}}, "400": _ERROR}
    return {
        "/api/pictures/{name}": {"get": {
            "operationId": "picture", "tags": ["pictures"], "responses": {
                **svg, "404": {"description": "a query without a picture"}},
            "summary": "the picture of a stored query's answer, for the same parameters as "
                       "/api/queries/{name}",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": sorted(
                                n for n in catalog.queries if n in PICTURES)}}]}},
        "/api/network": {"get": {
            "operationId": "network", "tags": ["pictures"], "responses": svg,
            "summary": "the network of relations, visits and agreements between states",
            "parameters": [
                {"name": "region", "in": "query", "required": False, "style": "form",
                 "explode": True, "description": "a UN M49 region or subregion (repeat for "
                 "several; all states if none)",
                 "schema": {"type": "array", "items": {"type": "string"}},
                 "example": ["Central Asia"]},
                {"name": "lang", "in": "query", "required": False,
                 "schema": {"type": "string", "default": "en"}},
                {"name": "max_edges", "in": "query", "required": False,
                 "schema": {"type": "integer", "default": 600, "minimum": 1}}]}},
        "/api/regions": {"get": {
            "operationId": "regions", "tags": ["pictures"],
            "summary": "the UN M49 regions and subregions /api/network takes",
            "responses": {"200": {"description": "each region with its subregions",
                                  "content": {"application/json": {}}}}}},
    }


def openapi(catalog: Catalog, version: str, max_rows: int) -> dict[str, Any]:
    """The OpenAPI 3.0 document: the catalog, each stored query, the helpers, SPARQL."""
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "list_queries", "summary": "the stored queries and their parameters",
            "tags": ["stored queries"],
            "responses": {"200": {"description": "the catalog",
                                  "content": {"application/json": {}}}}}},
    }
    for q in catalog.queries.values():
        paths[f"/api/queries/{q.name}"] = {"get": _operation(q, max_rows)}
    paths["/api/explain"] = {"get": {
        "operationId": "explain", "tags": ["helpers"],
        "summary": "the sources and sentences behind the nodes of a result row",
        "parameters": [{"name": "node", "in": "query", "required": True, "style": "form",
                        "explode": True, "description": "an IRI of the row (repeat for each)",
                        "schema": {"type": "array", "items": {"type": "string"}}}],
        "responses": {"200": {"description": "each fact with provenance",
                              "content": {"application/json": {}}}, "400": _ERROR}}}
    paths["/api/countries"] = {"get": {
        "operationId": "countries", "tags": ["helpers"],
        "summary": "states whose ISO code or name in any language begins with q",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
             "example": "Qaz"},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "default": 20, "minimum": 1, "maximum": 100}}],
        "responses": {"200": {"description": "code, English name and the name matched",
                              "content": {"application/json": {}}}}}}
    paths.update(_picture_paths(catalog))
    paths.update(_sparql_paths())
    return {
        "openapi": "3.0.3",
        "info": {"title": "diplograph", "version": version, "description":
                 "A knowledge graph of diplomatic relations between states: its stored "
                 "queries with typed parameters, and a read-only SPARQL 1.1 endpoint. "
                 f"RDF formats for CONSTRUCT and DESCRIBE: {', '.join(RDF_FORMATS)}."},
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "hint": {"type": "string", "nullable": True}}},
            "SparqlResults": {"type": "object", "description": "SPARQL 1.1 Query Results JSON",
                              "properties": {"head": {"type": "object"},
                                             "results": {"type": "object"}}},
        }},
    }
