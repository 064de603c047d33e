"""The network of relations: states as nodes; diplomatic relations, visits and
agreements between two states as one edge weighted by their number."""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from typing import NamedTuple

import diplograph.plots.loading  # noqa: F401  (first: matplotlib loaded quicker)

# isort: split

import matplotlib as mpl
import numpy as np
import pyoxigraph as ox
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text

from diplograph.atomic import write_atomically
from diplograph.errors import InputError
from diplograph.graph import Graph
from diplograph.namespaces import DG, PREFIXES
from diplograph.plots import geometry
from diplograph.plots.messages import say
from diplograph.plots.picture import (
    HALO,
    Mark,
    Picture,
    check_format,
    language,
    names,
    new_figure,
    output,
    place_labels,
    shorten,
    style,
)

KINDS = ("relations", "visits", "agreements")
RING_FROM = 40  # more states than this sit on a ring grouped by region
MAX_EDGES = 600
REGION_COLOURS = {"Africa": "#e6a11f", "Americas": "#d1495b", "Asia": "#2f7fc1",
                  "Europe": "#5aa05a", "Oceania": "#8e6bbf", "Antarctica": "#888888"}
EDGES = mpl.colormaps["YlOrRd"]
KIND_OF = {"0": "relations", "1": "visits", "2": "agreements"}
# The relations' two patterns as subqueries: Oxigraph then joins them by hashing, a
# third of the time of looking each relation's states up in turn. Each state comes as
# its code, from a subquery of the states with one: a short literal, which the engine
# writes without reading the string table, as it must for a state's IRI (0.2 s at 1M).
TIES_QUERY = f"""PREFIX dg: <{DG}>
SELECT ?kind ?item ?code WHERE {{
  {{ {{ {{ SELECT ?item WHERE {{ ?item a dg:DiplomaticRelation }} }}
      {{ SELECT ?item ?state WHERE {{ ?item dg:betweenState ?state }} }} BIND(0 AS ?kind) }}
    UNION {{ ?item dg:visitorState ?state BIND(1 AS ?kind) }}
    UNION {{ ?item dg:visitorState [] ; dg:visitedState ?state BIND(1 AS ?kind) }}
    UNION {{ ?item dg:party ?state BIND(2 AS ?kind) }} }}
  {{ SELECT ?state (SAMPLE(?any) AS ?code) WHERE {{ ?state dg:alpha2 ?any FILTER(isIRI(?state)) }}
    GROUP BY ?state HAVING (COUNT(DISTINCT ?any) = 1) }}
}}"""
CACHE = "pictures/network-ties-1.json"  # in the store's folder


class Tie(NamedTuple):
    """What links two states: how many of each kind, an IRI to link to (their
    diplomatic relation if there is one, else their first item by IRI), and the number
    of them all. A tuple: a picture of the world reads some 25,000 of them."""

    a: str
    b: str
    counts: dict[str, int]
    item: str
    weight: int

    @classmethod
    def weighed(cls, a: str, b: str, counts: dict[str, int], item: str) -> Tie:
        """The tie between states `a` and `b`, its weight counted."""
        return cls(a, b, counts, item, sum(counts.values()))


def ties(graph: Graph) -> list[Tie]:
    """Every pair of states with diplomatic relations, visits or agreements between them
    (each counted once), the way `relations`, `visits` and `agreements` find them.

    A store never changes once compiled, so its ties are gathered once (a few seconds
    at 1M triples) and kept in its folder for the next picture."""
    cache = graph.compiled.path / CACHE if graph.endpoint is None else None
    try:
        if cache is not None:
            return [Tie.weighed(*row) for row in json.loads(cache.read_bytes())]
    except (OSError, ValueError, TypeError):
        pass  # not gathered yet, or unreadable: gathered again
    found = _gather(graph)
    if cache is not None:
        rows = [[t.a, t.b, t.counts, t.item] for t in found]
        with suppress(OSError):  # a read-only store folder: gathered again next time
            write_atomically(cache, json.dumps(rows, separators=(",", ":")).encode())
    return found


def _gather(graph: Graph) -> list[Tie]:
    """The ties read from the graph: one row per item and state code it names."""
    named: dict[tuple[str, str], set[str]] = {}  # (kind, item) -> state codes
    for kind, item, code in graph.sparql(TIES_QUERY).rows:
        if kind is not None and isinstance(item, ox.NamedNode) and code is not None:
            named.setdefault((KIND_OF[kind.value], item.value), set()).add(code.value)
    counts: dict[tuple[str, str], Counter[str]] = {}
    first: dict[tuple[str, str], tuple[bool, str]] = {}
    for (what, iri), states in named.items():
        known = sorted(states)
        for i, a in enumerate(known):
            for b in known[i + 1:]:
                counts.setdefault((a, b), Counter())[what] += 1
                rank = (what != "relations", iri)
                if (a, b) not in first or rank < first[(a, b)]:
                    first[(a, b)] = rank
    return [Tie.weighed(a, b, dict(sorted(counts[a, b].items())), first[a, b][1])
            for a, b in sorted(counts)]


def select_regions(wanted: Sequence[str]) -> set[str]:
    """The states in the named UN M49 regions or subregions (all if none is named)."""
    regions = geometry.regions()
    if not wanted:
        return set(regions)
    known = {name.casefold() for r in regions.values() for name in (r.region, r.subregion)}
    for name in wanted:
        if name.casefold() not in known:
            options = sorted({r.region for r in regions.values()})
            raise InputError(f"--region: no UN M49 region called {name!r}",
                             hint=f"a region ({', '.join(options)}) or a subregion such as "
                                  "'Central Asia'")
    folded = {name.casefold() for name in wanted}
    return {code for code, r in regions.items()
            if r.region.casefold() in folded or r.subregion.casefold() in folded}


def network(graph: Graph, *, fmt: str = "svg", regions: Sequence[str] = (),
            lang: str = "en", max_edges: int = MAX_EDGES) -> bytes:
    """The network of relations between states as SVG, PNG or HTML bytes."""
    check_format(fmt)
    lang = language(graph, lang)
    if max_edges < 1:
        raise InputError(f"--max-edges: {max_edges} is not a positive number", hint="e.g. 600")
    states = select_regions(regions)
    found = [t for t in ties(graph) if t.a in states and t.b in states]
    codes = sorted({c for t in found for c in (t.a, t.b)})
    country = PREFIXES["country"]
    labels = names(graph, [ox.NamedNode(country + c) for c in codes], lang)
    state_names = {c: labels.get(country + c, c) for c in codes}
    with style():
        return output(_draw(found, state_names, regions, lang, max_edges, country), fmt)


def _draw(found: list[Tie], state_names: dict[str, str], regions: Sequence[str], lang: str,
          max_edges: int, country: str) -> Picture:
    figure = new_figure(11.0, 11.0)
    ax = figure.add_axes((0.02, 0.06, 0.96, 0.88))
    ax.set_axis_off()
    ax.set_aspect("equal")
    title = say(lang, "network.title", len(state_names)) if state_names \
        else say(lang, "network.none")
    if regions:
        title = say(lang, "network.where", title=title, regions=", ".join(regions))
    picture = Picture(figure, title, lang)
    ax.set_title(title, loc="left", fontsize=12)

    strength: Counter[str] = Counter()
    for tie in found:
        strength[tie.a] += tie.weight
        strength[tie.b] += tie.weight
    ring = len(state_names) > RING_FROM
    position = _ring(state_names) if ring else _spring(found, state_names)
    shown = heapq.nsmallest(max_edges, found, key=lambda t: (-t.weight, t.a, t.b))
    heaviest = max((t.weight for t in shown), default=1)
    edges = []
    drawn = sorted(shown, key=lambda t: (t.weight, t.a, t.b))  # heaviest drawn last
    shares = np.sqrt(np.array([t.weight for t in drawn], dtype=float) / heaviest)
    for tie, share, (red, green, blue, _) in zip(drawn, shares.tolist(),
                                                 EDGES(0.3 + 0.7 * shares).tolist(), strict=True):
        what = ", ".join(say(lang, f"network.{k}", n) for k, n in sorted(tie.counts.items()))
        if not ring:  # few edges: each says its weight
            (x0, y0), (x1, y1) = position[tie.a], position[tie.b]
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(tie.weight), fontsize=7, ha="center",
                    va="center", color="#444444", zorder=2,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "linewidth": 0})
        edges.append((Mark(f"edge-{tie.a}-{tie.b}", tie.item,
                           _curve(position[tie.a], position[tie.b], ring),
                           (red, green, blue, 0.35 + 0.6 * share), 0.4 + 2.6 * share),
                      f"{state_names[tie.a]} – {state_names[tie.b]}: {what}"))
    picture.add_marks(ax, edges, zorder=1)
    most = max(strength.values(), default=1)
    regions_of = geometry.regions()
    texts, dots = [], []
    white = mpl.colors.to_rgba("white")
    for code in sorted(state_names, key=lambda c: -strength[c]):
        x, y = position[code]
        region = regions_of[code].region if code in regions_of else "Antarctica"
        dots.append((Mark(f"state-{code}", country + code, Path([(x, y)]), white, 0.6,
                          face=mpl.colors.to_rgba(REGION_COLOURS[region]), marker="o",
                          size=3 + 9 * math.sqrt(strength[code] / most)),
                     say(lang, "network.state", strength[code], name=state_names[code])))
        texts.append(_label(ax, code, state_names[code], x, y, ring))
    picture.add_marks(ax, dots, zorder=3)
    if not ring:
        place_labels(figure, texts)
    limit = 1.45 if ring else 1.2
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    present = sorted({regions_of[c].region for c in state_names if c in regions_of})
    ax.legend(handles=[Line2D([], [], marker="o", color=REGION_COLOURS[r], linestyle="none",
                              label=say(lang, f"region.{r}")) for r in present],
              loc="upper left", bbox_to_anchor=(0.0, 0.0), ncols=len(present) or 1,
              frameon=False, fontsize=8)
    note = say(lang, "network.note")
    if len(shown) < len(found):
        note += say(lang, "network.cut", len(shown), total=len(found))
    figure.text(0.02, 0.015, note, fontsize=7.5, color="#555555")
    return picture


def _label(ax: mpl.axes.Axes, code: str, name: str, x: float, y: float,
           ring: bool) -> mpl.text.Text:
    if not ring:
        return ax.text(x, y - 0.035, shorten(name, 28), fontsize=7.5, ha="center", va="top",
                       zorder=4, color="#222222", path_effects=HALO)
    angle = math.degrees(math.atan2(y, x))
    flip = 90 < angle % 360 < 270
    label = Text(x * 1.03, y * 1.03, shorten(name, 24), fontsize=5.5,
                 rotation=angle + 180 if flip else angle, rotation_mode="anchor",
                 ha="right" if flip else "left", va="center", color="#222222", zorder=4,
                 transform=ax.transData)
    ax.figure.add_artist(label)  # not clipped to the axes: a tenth of the cost of ax.text
    return label


def _ring(state_names: dict[str, str]) -> dict[str, tuple[float, float]]:
    """States on a circle, grouped by region and subregion, by name within each."""
    regions = geometry.regions()
    order = sorted(state_names, key=lambda c: (
        regions[c].region if c in regions else "~", regions[c].subregion if c in regions else "",
        state_names[c]))
    step = 2 * math.pi / len(order)
    return {code: (math.cos(i * step), math.sin(i * step)) for i, code in enumerate(order)}


def _spring(found: list[Tie], state_names: dict[str, str]) -> dict[str, tuple[float, float]]:
    """A force-directed layout (seeded: the same graph is drawn the same way)."""
    import networkx as nx  # only here: a tenth of a second to load, for small networks

    network = nx.Graph()
    network.add_nodes_from(sorted(state_names))
    network.add_weighted_edges_from((t.a, t.b, t.weight) for t in found)
    if len(network) < 3:
        return {c: (float(x), 0.0) for c, x in zip(sorted(state_names),
                                                   np.linspace(-0.8, 0.8, len(network)),
                                                   strict=True)}
    laid = nx.spring_layout(network, weight="weight", seed=7, iterations=200)
    scale = max(float(np.abs(p).max()) for p in laid.values()) or 1.0
    return {c: (float(p[0]) / scale, float(p[1]) / scale) for c, p in laid.items()}


def _curve(start: tuple[float, float], end: tuple[float, float], ring: bool) -> Path:
    """A straight edge, or on the ring a curve bent toward the centre."""
    if not ring:
        return Path([start, end], [Path.MOVETO, Path.LINETO])
    middle = ((start[0] + end[0]) * 0.25, (start[1] + end[1]) * 0.25)
    return Path([start, middle, end], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
