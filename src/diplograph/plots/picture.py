"""What every picture shares: its style, the graph look-ups it needs (names in a
language, typed parameter values), labels that do not overlap, and the bytes of SVG,
PNG or HTML, every mark linked to the IRI it shows."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import diplograph.plots.loading  # noqa: F401  (first: matplotlib loaded quicker)

# isort: split

import matplotlib as mpl
import matplotlib.style
import numpy as np
import PIL.Image
import pyoxigraph as ox
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as Shape
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox, TransformedPath

from diplograph.errors import UsageError
from diplograph.graph import Graph
from diplograph.namespaces import PREFIXES
from diplograph.plots import FORMATS
from diplograph.plots.messages import say
from diplograph.sparql.catalog import NamedQuery
from diplograph.sparql.header import Parameter
from diplograph.sparql.parameters import Resolver
from diplograph.sparql.template import Template

FONT = "DejaVu Sans"  # ships with matplotlib; Latin (ə ı ş ğ), Cyrillic, Greek
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
    "svg.fonttype": "none",  # real <text>: selectable, searchable, small
    "svg.hashsalt": "diplograph",  # the same picture gives the same bytes
    "patch.facecolor": "#1f77b4",  # "C0" as a colour: "C0" is looked up anew for each patch
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
}
PNG_DPI = 150
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]  # legible on any fill
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("dg", "rdfs", "skos"))


@dataclass
class Picture:
    """A drawn figure with what its output needs: a title, each mark's tooltip (by the
    SVG id of its group) and the linked things listed under the HTML picture."""

    figure: Figure
    title: str
    lang: str = "en"
    tips: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, IRI)

    def mark(self, artist: mpl.artist.Artist, gid: str, iri: str, tip: str) -> None:
        """Link an artist to its IRI, with a tooltip, as SVG group `gid`."""
        artist.set_gid(gid)
        artist.set_url(web_link(iri))
        self.tips[gid] = tip
        self.links.append((tip, iri))

    def add_marks(self, ax: mpl.axes.Axes, marks: Sequence[tuple[Mark, str]],
                  zorder: float) -> None:
        """Draw marks, each linked one with its tooltip, as one `Marks` artist."""
        ax.add_artist(Marks([mark for mark, _ in marks], zorder))
        for mark, tip in marks:
            if mark.gid is not None and mark.iri is not None:
                self.tips[mark.gid] = tip
                self.links.append((tip, mark.iri))


Colour = tuple[float, float, float, float]  # RGBA, each 0-1


@dataclass(frozen=True)
class Mark:
    """One mark of `Marks`, linked to an IRI as SVG group `gid` (or neither): a path in
    data coordinates, stroked with `edge` and filled with `face` if given; or, with
    `marker` (a matplotlib marker such as "o"), that marker `size` points wide at the
    path's one point."""

    gid: str | None
    iri: str | None
    path: Shape
    edge: Colour
    width: float  # points
    face: Colour | None = None
    marker: str | None = None
    size: float = 0.0


class Marks(Artist):
    """Many linked marks drawn as one artist, each straight through the renderer in an
    SVG group of its own, with its id and link, as an artist of its own would be. An
    artist per mark costs about a millisecond to make, clip and draw: a second for a
    network's 600 edges."""

    def __init__(self, marks: Sequence[Mark], zorder: float) -> None:
        super().__init__()
        self.marks = tuple(marks)
        self.set_zorder(zorder)

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible():
            return
        transform = self.get_transform()
        for mark in self.marks:
            renderer.open_group("mark", gid=mark.gid)
            gc = renderer.new_gc()
            if self.get_clip_on():  # clipped as an artist in the axes is
                gc.set_clip_rectangle(self.get_clip_box())
                clip = self.get_clip_path()
                gc.set_clip_path(clip if isinstance(clip, TransformedPath) else None)
            gc.set_foreground(mark.edge, isRGBA=True)
            gc.set_linewidth(mark.width)
            gc.set_url(web_link(mark.iri) if mark.iri else None)
            if mark.marker is None:
                gc.set_joinstyle("miter")  # as a patch's
                renderer.draw_path(gc, mark.path, transform, mark.face)
            else:
                marker = MarkerStyle(mark.marker)
                gc.set_joinstyle(marker.get_joinstyle())
                gc.set_capstyle(marker.get_capstyle())
                scale = Affine2D().scale(cast(float, renderer.points_to_pixels(mark.size)))
                renderer.draw_markers(gc, marker.get_path(), marker.get_transform() + scale,
                                      mark.path, transform, mark.face)
            gc.restore()
            renderer.close_group("mark")
        self.stale = False


def web_link(iri: str) -> str | None:
    """The IRI, if it is a web address: a link never runs a script (`javascript:`)."""
    return iri if iri.startswith(("http://", "https://")) else None


def new_figure(width: float, height: float) -> Figure:
    """A figure (size in inches) with a canvas that can measure text."""
    figure = Figure(figsize=(width, height), dpi=PNG_DPI)  # text measured as drawn
    FigureCanvasAgg(figure)
    return figure


@contextmanager
def style() -> Iterator[None]:
    """The project's look, for drawing and saving alike (rcParams are read at both)."""
    with mpl.style.context(STYLE):
        yield


def check_format(fmt: str) -> str:
    """The output format, or a usage error naming the ones there are."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown picture format {fmt!r}", hint=f"one of: {', '.join(FORMATS)}")
    return fmt


def output(picture: Picture, fmt: str) -> bytes:
    """The picture as SVG, PNG or an HTML page holding the SVG and a list of links."""
    buffer = io.BytesIO()
    if fmt == "png":
        return _png(picture.figure)
    picture.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None,
                                                           "Title": picture.title})
    svg = _with_tooltips(buffer.getvalue().decode("utf-8"), picture.tips)
    return (svg if fmt == "svg" else _page(picture, svg)).encode("utf-8")


def _png(figure: Figure) -> bytes:
    """The figure as PNG: drawn by Agg, written as RGB where it is opaque (as every
    picture is: a quarter fewer bytes to compress than matplotlib's RGBA), at zlib level
    3 (half the time of the default 6, the file still smaller than matplotlib's)."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    opaque = bool((pixels[..., 3] == 255).all())
    image = PIL.Image.fromarray(pixels[..., :3] if opaque else pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=3, dpi=(figure.dpi, figure.dpi))
    return buffer.getvalue()


def _with_tooltips(svg: str, tips: dict[str, str]) -> str:
    """A <title> in each marked group: browsers show it on hover."""

    def titled(match: re.Match[str]) -> str:
        tip = tips.get(match.group(1))
        return match.group(0) + (f"<title>{html.escape(tip)}</title>" if tip else "")

    return re.sub(r'<g id="([^"]+)">', titled, svg)


def _page(picture: Picture, svg: str) -> str:
    inline = svg[svg.index("<svg"):]
    items = "\n".join(f'<li><a href="{html.escape(iri)}">{html.escape(label)}</a></li>'
                      if web_link(iri) else f"<li>{html.escape(label)}</li>"
                      for label, iri in picture.links)
    title = html.escape(picture.title)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(picture.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "{FONT}", Verdana, sans-serif; margin: 1.5rem; color: #222; }}
svg {{ max-width: 100%; height: auto; }}
svg a:hover {{ opacity: 0.6; }}
li {{ margin: 0.2rem 0; }}
</style>
</head>
<body>
<h1>{title}</h1>
{inline}
<details><summary>{html.escape(say(picture.lang, "page.links", len(picture.links)))}</summary>
<ol>
{items}
</ol>
</details>
</body>
</html>
"""


def country(graph: Graph, text: str, what: str) -> ox.NamedNode:
    """The state a code, name or IRI names (an unknown one is an input error)."""
    node = Resolver(graph.compiled).bind(Parameter(what, "country"), text)
    assert isinstance(node, ox.NamedNode)
    return node


def language(graph: Graph, lang: str) -> str:
    """A checked, lower-cased language tag."""
    return Resolver(graph.compiled).bind(Parameter("lang", "lang"), lang).value


def own_query(name: str, sparql: str, *parameters: Parameter) -> NamedQuery:
    """A query of the pictures' own, run as a stored query is (`Graph.run`): its template
    is checked once per store and values are written in as typed terms. As ad-hoc
    SPARQL, each new text (a new list of nodes) would be parsed by rdflib to be checked,
    a second or more in a fresh process."""
    return NamedQuery(name=name, path=Path(f"diplograph.plots/{name}.rq"), summary="",
                      description="", parameters=parameters, examples=(), tags=(),
                      template=Template.parse(SPARQL_PREFIXES + sparql))


NODES = Parameter("node", "iri", required=True, multi=True, column=True)
LANG = Parameter("lang", "lang", required=True)
NAMES = own_query("names", """SELECT $node $lang ?label WHERE {
  OPTIONAL { $node rdfs:label ?in_lang FILTER(LANG(?in_lang) = $lang) }
  OPTIONAL { $node rdfs:label ?in_en FILTER(LANG(?in_en) = "en") }
  OPTIONAL { $node skos:prefLabel ?preferred }
  BIND(COALESCE(?in_lang, ?in_en, ?preferred) AS ?label)
}""", NODES, LANG)


def names(graph: Graph, nodes: Iterable[ox.NamedNode], lang: str) -> dict[str, str]:
    """Each node's label in `lang`, else in English, else its preferred label, by IRI."""
    values = sorted({n.value for n in nodes})
    if not values:
        return {}
    rows = graph.run(NAMES, {"node": values, "lang": lang}).rows
    return {row[0].value: row[1].value for row in rows if row[0] is not None and row[1] is not None}


def shorten(text: str, limit: int) -> str:
    """The text cut at a word to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return cut + "…"


def text_renderer(figure: Figure) -> RendererAgg:
    """The renderer that measures text on the figure's canvas."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer: RendererAgg = canvas.get_renderer()
    return renderer


def place_labels(figure: Figure, labels: Sequence[Text]) -> list[Text]:
    """Show labels in the given order of importance, hiding each that would overlap a
    label already shown; returns the labels shown."""
    renderer = text_renderer(figure)
    taken: list[Bbox] = []
    shown = []
    for label in labels:
        box = label.get_window_extent(renderer).expanded(1.08, 1.2)
        if any(box.overlaps(other) for other in taken):
            label.set_visible(False)
            continue
        taken.append(box)
        shown.append(label)
    return shown
