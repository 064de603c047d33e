"""The pictures the web page shows beside a stored query's rows.

`PICTURES` maps a stored query's name to a function drawing an SVG picture from the
graph and the values the query was given; `GET /api/pictures/{name}` answers with it,
and 404 for a query without one (the page then shows no picture)."""

from __future__ import annotations

from collections.abc import Callable

from diplograph.graph import Graph
from diplograph.query import Values

Picture = Callable[[Graph, Values], bytes]
PICTURES: dict[str, Picture] = {}
