"""A state's relations on a world map: partners shaded by the year relations were
established, the state's embassies abroad and the foreign embassies at home marked."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import diplograph.plots.loading  # noqa: F401  (first: matplotlib loaded quicker)

# isort: split

import matplotlib as mpl
import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from diplograph.graph import Graph
from diplograph.plots import geometry
from diplograph.plots.messages import say
from diplograph.plots.picture import (
    HALO,
    Colour,
    Mark,
    Picture,
    check_format,
    country,
    language,
    names,
    new_figure,
    output,
    place_labels,
    shorten,
    style,
    text_renderer,
)

HOME = "#3a3a3a"
LAND = "#e4e4e4"
UNDATED = "#b8b8b8"
WHITE = to_rgba("white")
EMBASSY = to_rgba("#c0392b")
COLOURS = mpl.colormaps["viridis_r"]
SOUTH = -58.0  # latitudes below (Antarctica) are left out
LABELLED = 40  # partners named on the map, largest first


@dataclass
class Partner:
    code: str
    name: str
    relation: str
    year: int | None


@dataclass
class Embassy:
    iri: str
    label: str
    partner: str  # the other state's code
    abroad: bool  # the state's own embassy in the partner


def equal_earth(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The Equal Earth projection (Šavrič, Patterson, Jenny 2018): equal areas, a
    pleasing shape."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    theta = np.arcsin(np.sqrt(3) / 2 * np.sin(np.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (2 * np.sqrt(3) * np.radians(lon) * np.cos(theta)
         / (3 * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2))))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def _project(ring: geometry.Ring) -> npt.NDArray[np.float64]:
    """A ring in map coordinates; one that crosses the antimeridian (Chukotka, Fiji)
    is kept whole on the side that holds most of it, the axes clip the rest."""
    lon = np.unwrap(ring[:, 0], period=360)
    lon -= 360 * np.round(lon.mean() / 360)
    x, y = equal_earth(lon, np.maximum(ring[:, 1], SOUTH))
    return np.column_stack([x, y])


def partners(graph: Graph, state: str, lang: str) -> tuple[list[Partner], list[Embassy]]:
    """The partners of a state (by IRI) with the year relations began, and the
    embassies it has abroad or hosts."""
    result = graph.query("relations", country=state, lang=lang)
    found = []
    for relation, code, name, established in result.rows:
        assert relation is not None and code is not None
        year = int(established.value[:4]) if established is not None else None
        found.append(Partner(code.value, name.value if name else code.value, relation.value,
                             year))
    home = state.rsplit("/", 1)[-1]
    embassies = []
    for embassy, sending, host, _, _, label in graph.query("embassies", country=state,
                                                            lang=lang).rows:
        assert embassy is not None and sending is not None and host is not None
        abroad = sending.value == home
        embassies.append(Embassy(embassy.value, label.value if label else embassy.value,
                                 host.value if abroad else sending.value, abroad))
    return found, embassies


def relations(graph: Graph, state: str, *, fmt: str = "svg", lang: str = "en") -> bytes:
    """The world map of a state's relations as SVG, PNG or HTML bytes."""
    check_format(fmt)
    lang = language(graph, lang)
    node = country(graph, state, "country")
    found, embassies = partners(graph, node.value, lang)
    home_name = names(graph, [node], lang).get(node.value, state)
    with style():
        return output(_draw(node.value.rsplit("/", 1)[-1], home_name, found, embassies, lang),
                      fmt)


def _draw(home: str, home_name: str, found: list[Partner], embassies: list[Embassy],
          lang: str) -> Picture:
    figure = new_figure(11.0, 6.4)
    ax = figure.add_axes((0.01, 0.125, 0.98, 0.8))
    ax.set_axis_off()
    ax.set_aspect("equal")
    years = [p.year for p in found if p.year is not None]
    norm = Normalize(min(years, default=1991), max(max(years, default=1991),
                                                    min(years, default=1991) + 1))
    by_code = {p.code: p for p in found}
    shade = _shades(found, norm)
    title = say(lang, "map.title", len(found), home=home_name)
    picture = Picture(figure, title, lang)
    ax.set_title(title, loc="left", fontsize=12)

    drawn: set[str] = set()
    areas: dict[str, float] = {}
    shapes = []
    for code, rings in geometry.shapes():
        projected = [_project(ring) for ring in rings if ring[:, 1].max() > SOUTH]
        if not projected:
            continue
        path = Path.make_compound_path(*[Path(r, closed=True) for r in projected])
        partner = by_code.get(code) if code else None
        colour = (to_rgba(HOME) if code == home else shade[partner.code] if partner
                  else to_rgba(LAND))
        if partner is not None and code is not None and code not in drawn:
            shapes.append((Mark(f"partner-{code}", partner.relation, path, WHITE, 0.35,
                                face=colour), _tip(partner, lang)))
            drawn.add(code)
        else:
            shapes.append((Mark(None, None, path, WHITE, 0.35, face=colour), ""))
        if code:
            areas[code] = max(abs(_area(ring)) for ring in projected)
    picture.add_marks(ax, shapes, zorder=1)
    points = geometry.points()
    missing, dots = [], []
    for partner in found:  # states too small for the 1:110m shapes: a dot each
        if partner.code in drawn:
            continue
        if partner.code not in points:
            missing.append(partner.name)
            continue
        dots.append((Mark(f"partner-{partner.code}", partner.relation,
                          Path([_at(points[partner.code])]), WHITE, 0.5,
                          face=shade[partner.code], marker="o", size=4.5),
                     _tip(partner, lang)))
    picture.add_marks(ax, dots, zorder=3)
    _embassies(ax, picture, embassies, points)
    ax.set_xlim(-2.75, 2.75)
    ax.set_ylim(equal_earth(np.array([0.0]), np.array([SOUTH]))[1][0] - 0.02, 1.36)

    labels = []
    for partner in sorted(found, key=lambda p: -areas.get(p.code, 0.0))[:LABELLED]:
        if partner.code in points:
            x, y = _at(points[partner.code])
            labels.append(ax.text(x, y - 0.012, shorten(partner.name, 24), fontsize=6.5,
                                  ha="center", va="top", color="#111111", zorder=5,
                                  path_effects=HALO))
    place_labels(figure, labels)

    colourbar = figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=COLOURS), ax=ax,
                                orientation="horizontal", fraction=0.035, pad=0.01,
                                aspect=30, shrink=0.34, anchor=(0.05, 1.0))
    colourbar.set_label(say(lang, "map.year"), fontsize=8)
    colourbar.ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    colourbar.ax.xaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%d"))
    colourbar.ax.tick_params(labelsize=7)
    handles = [Patch(facecolor=HOME, label=home_name),
               Patch(facecolor=UNDATED, label=say(lang, "map.undated")),
               Line2D([], [], marker="^", color="#c0392b", linestyle="none",
                      label=say(lang, "map.embassy_abroad", home=home_name)),
               Line2D([], [], marker="o", color="white", markeredgecolor="#c0392b",
                      linestyle="none", label=say(lang, "map.embassy_home", home=home_name))]
    _legend(figure, ax, handles, colourbar.ax)
    if missing:  # wrapped short of the credit on the right
        note = say(lang, "map.missing", names=", ".join(sorted(missing)))
        figure.text(0.01, 0.01, textwrap.fill(note, 170), fontsize=7, color="#666666",
                    va="bottom")
    figure.text(0.99, 0.01, "Natural Earth", fontsize=6, color="#999999", ha="right")
    return picture


def _legend(figure: Figure, ax: mpl.axes.Axes, handles: list[Artist],
            beside: mpl.axes.Axes) -> None:
    """The legend under the map's right half: in two columns, or in one where two would
    run into the colour bar (long names, longer words)."""
    renderer = text_renderer(figure)
    edge = (beside.get_tightbbox(renderer) or beside.get_window_extent(renderer)).x1
    for columns in (2, 1):
        legend = ax.legend(handles=handles, loc="lower right", fontsize=7.5, frameon=False,
                           bbox_to_anchor=(1.0, -0.14), ncols=columns)
        if legend.get_window_extent(renderer).x0 > edge + 10:
            return


def _shades(found: list[Partner], norm: Normalize) -> dict[str, Colour]:
    """The colour of the year each partner's relations began (grey where it is not
    known), by code: the colour map is called once for them all."""
    dated = [p for p in found if p.year is not None]
    years = np.array([p.year for p in dated], dtype=np.float64)
    colours = COLOURS(norm(years)).tolist() if dated else []
    shades = {p.code: to_rgba(UNDATED) for p in found}
    shades.update((p.code, tuple(colour)) for p, colour in zip(dated, colours, strict=True))
    return shades


def _at(point: tuple[float, float]) -> tuple[float, float]:
    x, y = equal_earth(np.array([point[0]]), np.array([point[1]]))
    return float(x[0]), float(y[0])


def _area(ring: npt.NDArray[np.float64]) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def _tip(partner: Partner, lang: str) -> str:
    if partner.year is None:
        return say(lang, "map.related", name=partner.name)
    return say(lang, "map.since", name=partner.name, year=partner.year)


def _embassies(ax: mpl.axes.Axes, picture: Picture, embassies: list[Embassy],
               points: dict[str, tuple[float, float]]) -> None:
    """A triangle where the state has an embassy, a ring for each state with an embassy
    at home, side by side at the partner's position."""
    marks = []
    for embassy in embassies:
        if embassy.partner not in points:
            continue
        x, y = _at(points[embassy.partner])
        shift = -0.022 if embassy.abroad else 0.022
        marks.append((Mark(f"embassy-{'abroad' if embassy.abroad else 'home'}-{embassy.partner}",
                           embassy.iri, Path([(x + shift, y + 0.02)]), EMBASSY, 1.0,
                           face=EMBASSY if embassy.abroad else WHITE,
                           marker="^" if embassy.abroad else "o", size=5.5), embassy.label))
    picture.add_marks(ax, marks, zorder=4)

