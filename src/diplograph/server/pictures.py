"""The pictures the web page shows: beside a stored query's rows, and the network.

`PICTURES` maps a stored query's name to a function drawing an SVG picture from the
graph and the values the query was given; `GET /api/pictures/{name}` answers with it,
and 404 for a query without one (the page then shows no picture). The network of
relations belongs to no query: `GET /api/network` draws it for the regions asked for,
`GET /api/regions` lists those there are."""

from __future__ import annotations

import re
from collections.abc import Callable

from diplograph.errors import UsageError
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


def network_picture(graph: Graph, values: Values) -> bytes:
    """The network of relations for `region` (repeated), `lang` and `max_edges`."""
    from diplograph.plots.network import MAX_EDGES, network

    regions = values.get("region") or ()
    text = _one(values, "max_edges", str(MAX_EDGES)) or str(MAX_EDGES)
    if not re.fullmatch("[0-9]+", text):  # ASCII digits only: int("²") fails
        raise UsageError(f"max_edges: {text!r} is not a whole number", hint="e.g. max_edges=600")
    return network(graph, regions=[regions] if isinstance(regions, str) else list(regions),
                   lang=_one(values, "lang", "en") or "en", max_edges=int(text))


def regions() -> list[dict[str, object]]:
    """The UN M49 regions, each with its subregions, by name."""
    from diplograph.plots.geometry import regions as of_states

    found: dict[str, set[str]] = {}
    for region in of_states().values():
        found.setdefault(region.region, set()).add(region.subregion)
    return [{"name": name, "subregions": sorted(s for s in found[name] if s and s != name)}
            for name in sorted(found)]
