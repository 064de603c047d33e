"""The pictures the web page shows beside a stored query's rows.

`PICTURES` maps a stored query's name to a function drawing an SVG picture from the
graph and the values the query was given; `GET /api/pictures/{name}` answers with it,
and 404 for a query without one (the page then shows no picture)."""

from __future__ import annotations

from collections.abc import Callable

from diplograph.graph import Graph
from diplograph.sparql.running import Values

Picture = Callable[[Graph, Values], bytes]


def _one(values: Values, name: str, default: str | None = None) -> str | None:
    """A parameter's value as one text (the first of several)."""
    value = values.get(name, default)
    return value if value is None or isinstance(value, str) else next(iter(value), default)


def _timeline(graph: Graph, values: Values) -> bytes:
    from diplograph.plots.timeline import timeline

    return timeline(graph, _one(values, "a") or "", _one(values, "b") or "",
                    start=_one(values, "from"), end=_one(values, "to"),
                    lang=_one(values, "lang", "en") or "en")


def _relations(graph: Graph, values: Values) -> bytes:
    from diplograph.plots.worldmap import relations

    return relations(graph, _one(values, "country") or "", lang=_one(values, "lang", "en") or "en")


PICTURES: dict[str, Picture] = {"timeline": _timeline, "relations": _relations}
