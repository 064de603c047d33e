"""A timeline of two states: every dated event between them on a time axis, one lane
per kind of event, each label beside its mark and never over another."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import diplograph.plots.loading  # noqa: F401  (first: matplotlib loaded quicker)

# isort: split

import matplotlib.dates as mdates
import pyoxigraph as ox
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from diplograph.graph import Graph
from diplograph.namespaces import DG
from diplograph.plots.dates import When, when
from diplograph.plots.messages import months, say
from diplograph.plots.picture import (
    LANG,
    NODES,
    Picture,
    check_format,
    names,
    new_figure,
    output,
    own_query,
    shorten,
    style,
    text_renderer,
    web_link,
)

# Lanes top to bottom, each named by its first class; an event goes in the first lane
# one of whose classes it has (subclasses included: the graph holds their entailments).
LANES: tuple[tuple[str, ...], ...] = (
    ("DiplomaticRelation",),
    ("Embassy",),
    ("Ambassadorship",),
    ("Visit",),
    ("Meeting", "SigningCeremony", "CommissionSession"),
    ("Agreement",),
    ("HonoraryDoctorateAward",),
    ("Unveiling",),
    ("DiplomaticNote", "Appeal", "Instruction", "Statement"),
    ("Vote",),
    ("DiplomaticIncident",),
    ("Event",),
)
COLOURS = ("#1f77b4", "#2ca02c", "#17becf", "#d62728", "#ff7f0e", "#9467bd", "#8c564b",
           "#e377c2", "#bcbd22", "#7f7f7f", "#d6616b", "#636363")
WIDTH = 11.0  # inches
RIGHT = 0.3  # inches
ROW = 0.25  # inches per row of labels
LABEL_SIZE = 7.5
LABEL_CHARS = 60
GAP = 4.0  # pixels between a mark and its label, and between neighbours


@dataclass
class Event:
    """One dated event: what it is, when, which lane it goes in."""

    iri: str
    label: str
    kind: str
    when: When
    lane: int
    qualifier: str | None = None


def events(graph: Graph, a: str, b: str, start: str | None, end: str | None,
           lang: str) -> tuple[list[Event], dict[str, str], list[str]]:
    """The events between two states (oldest first), the states' names by parameter
    and the lanes' names in `lang`."""
    result = graph.run(graph.named("timeline"),
                       {"a": a, "b": b, "from": start, "to": end, "lang": lang})
    column = {name: i for i, name in enumerate(result.columns)}
    items = [row[column["item"]] for row in result.rows]
    lang = result.bound["lang"][0].value
    lanes, qualifiers = _classify(graph, [i for i in items if isinstance(i, ox.NamedNode)],
                                  lang)
    found = []
    for row in result.rows:
        date, ending, earliest, latest, kind, label, item = (
            row[column[c]] for c in ("date", "end", "earliest", "latest", "kind", "label", "item"))
        span = _span(*(t.value if t is not None else None
                       for t in (date, ending, earliest, latest)), lang=lang)
        if span is None or item is None:
            continue
        found.append(Event(item.value, label.value if label else _local_name(item.value),
                           kind.value if kind else "", span,
                           lanes.get(item.value, len(LANES) - 1), qualifiers.get(item.value)))
    states = {key: result.bound[key][0] for key in ("a", "b")}
    lane_classes = [ox.NamedNode(DG + lane[0]) for lane in LANES]
    found_names = names(graph, [*(n for n in states.values() if isinstance(n, ox.NamedNode)),
                                *lane_classes], lang)
    return (found, {k: found_names.get(n.value, n.value) for k, n in states.items()},
            [_capital(found_names.get(c.value, c.value)) for c in lane_classes])


def _local_name(iri: str) -> str:
    """What an event without a label is called: the end of its IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _span(date: str | None, ending: str | None, earliest: str | None,
          latest: str | None, *, lang: str) -> When | None:
    """The dates the source gives, if they have a year; else the computed bounds (an
    open one drawn as the day of the other); None without any (not on the axis)."""
    def dated(text: str | None) -> bool:
        return text is not None and text[:4].isdigit()

    if dated(date):
        assert date is not None
        return when(date, ending if dated(ending) else None)
    if earliest is not None and latest is not None:
        return when(earliest, latest)
    if earliest is not None or latest is not None:
        day = when(earliest or latest or "")
        text = say(lang, "timeline.after", date=earliest) if earliest \
            else say(lang, "timeline.before", date=latest)
        return When(day.start, day.end, text)
    return None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


LANE_CLASSES = " ".join(f"dg:{name}" for lane in LANES for name in lane)
CLASSIFY = own_query("classify", f"""SELECT $node $lang ?class ?qualifier WHERE {{
  OPTIONAL {{ $node a ?class VALUES ?class {{ {LANE_CLASSES} }} }}
  OPTIONAL {{
    $node dg:dateQualifier ?said
    OPTIONAL {{ ?said skos:prefLabel ?in_lang FILTER(LANG(?in_lang) = $lang) }}
    OPTIONAL {{ ?said skos:prefLabel ?in_en FILTER(LANG(?in_en) = "en") }}
    OPTIONAL {{ ?said skos:notation ?notation }}
  }}
  BIND(COALESCE(?in_lang, ?in_en, ?notation) AS ?qualifier)
}}""", NODES, LANG)


def _classify(graph: Graph, items: list[ox.NamedNode],
              lang: str) -> tuple[dict[str, int], dict[str, str]]:
    """Each item's lane and date qualifier (early, mid, late in the period: its label
    in `lang`, else in English), by IRI."""
    if not items:
        return {}, {}
    lane_of = {f"{DG}{name}": i for i, lane in enumerate(LANES) for name in lane}
    rows = graph.run(CLASSIFY, {"node": sorted({i.value for i in items}), "lang": lang}).rows
    lanes: dict[str, int] = {}
    qualifiers: dict[str, str] = {}
    for item, cls, qualifier in rows:
        assert item is not None
        if cls is not None:
            lanes[item.value] = min(lanes.get(item.value, len(LANES)), lane_of[cls.value])
        if qualifier is not None:
            qualifiers[item.value] = qualifier.value
    return lanes, qualifiers


class Dates(mdates.ConciseDateFormatter):
    """Concise dates with the months named in a language (strftime's `%b` names them
    in the C locale's English)."""

    MONTH = "<%m>"  # the month's number, marked to be named

    def __init__(self, locator: mdates.DateLocator, lang: str) -> None:
        month = self.MONTH
        super().__init__(
            locator, formats=["%Y", month, "%d", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", month, f"{month}-%d", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", f"%Y-{month}", f"%Y-{month}-%d", f"%Y-{month}-%d",
                            f"%Y-{month}-%d %H:%M"])
        self.months = months(lang)

    def named(self, text: str) -> str:
        return re.sub("<([0-9]{2})>", lambda m: self.months[int(m.group(1)) - 1], text)

    def format_ticks(self, values: list[float]) -> list[str]:
        return [self.named(text) for text in super().format_ticks(values)]

    def get_offset(self) -> str:
        return self.named(super().get_offset())


def _pack(spans: list[tuple[float, float]]) -> list[int]:
    """First-fit rows for horizontal spans (in pixels): no two in a row overlap."""
    ends: list[float] = []
    rows = [0] * len(spans)
    for i in sorted(range(len(spans)), key=lambda i: spans[i]):
        left, right = spans[i]
        row = next((r for r, end in enumerate(ends) if end + GAP <= left), len(ends))
        if row == len(ends):
            ends.append(right)
        ends[row] = right
        rows[i] = row
    return rows


def timeline(graph: Graph, a: str, b: str, *, fmt: str = "svg", start: str | None = None,
             end: str | None = None, lang: str = "en") -> bytes:
    """The timeline of two states as SVG, PNG or HTML bytes."""
    check_format(fmt)
    found, states, lane_names = events(graph, a, b, start, end, lang)
    with style():
        return output(_draw(found, states, lane_names, lang), fmt)


def _draw(found: list[Event], states: dict[str, str], lane_names: list[str],
          lang: str) -> Picture:
    figure = new_figure(WIDTH, 3.0)
    renderer = text_renderer(figure)
    font = FontProperties(family="sans-serif", size=LABEL_SIZE)
    lane_font = FontProperties(family="sans-serif", size=9)
    used = {e.lane for e in found}
    left_margin = 0.25 + max((renderer.get_text_width_height_descent(name, lane_font, False)[0]
                              for lane, name in enumerate(lane_names) if lane in used),
                             default=0.0) / figure.dpi
    axes_px = (WIDTH - left_margin - RIGHT) * figure.dpi
    if found:
        first = min(e.when.start for e in found)
        last = max(e.when.end for e in found)
    else:
        first = last = datetime.date.today()
    pad = max((last - first) * 0.02, datetime.timedelta(days=15))
    x0, x1 = mdates.date2num(first - pad), mdates.date2num(last + pad)
    per_px = (x1 - x0) / axes_px

    labels: list[str] = []
    label_at: list[float] = []  # each label's left edge, pixels from the axis's left
    spans: list[tuple[float, float]] = []  # each mark with its label, in pixels
    for event in found:
        text = ("≈ " if event.qualifier else "") + shorten(event.label, LABEL_CHARS)
        # a browser's font may run a little wider than the one measured
        width = renderer.get_text_width_height_descent(text, font, ismath=False)[0] * 1.05
        left = (mdates.date2num(event.when.start) - x0) / per_px - 4
        right = max((mdates.date2num(event.when.end) - x0) / per_px, left + 7) + 4
        on_right = right + GAP + width <= axes_px
        labels.append(text)
        label_at.append(right + GAP if on_right else left - GAP - width)
        spans.append((left, right + GAP + width) if on_right else (left - GAP - width, right))
    rows: list[int] = [0] * len(found)
    lane_rows = []
    top = 0
    for lane in range(len(LANES)):
        members = [i for i, e in enumerate(found) if e.lane == lane]
        if not members:
            lane_rows.append((top, 0))
            continue
        packed = _pack([spans[i] for i in members])
        for i, row in zip(members, packed, strict=True):
            rows[i] = top + row
        height = max(packed) + 1
        lane_rows.append((top, height))
        top += height
    total = max(top, 1)

    inches = 0.8 + 0.6 + total * ROW
    figure.set_size_inches(WIDTH, inches)
    figure.subplots_adjust(left=left_margin / WIDTH, right=1 - RIGHT / WIDTH,
                           top=1 - 0.6 / inches, bottom=0.8 / inches)
    ax = figure.add_subplot()
    ax.set_xlim(x0, x1)
    ax.set_ylim(total - 0.5, -0.5)
    title = f"{states['a']} – {states['b']}"
    picture = Picture(figure, title, lang)
    years = ""
    if found:  # to the year of the last day drawn (an end is the day after it)
        last_year = (last - datetime.timedelta(days=1)).year
        years = f", {first.year}" + (f"–{last_year}" if last_year != first.year else "")
    ax.set_title(say(lang, "timeline.title", len(found), pair=title, years=years), loc="left",
                 fontsize=11, pad=12)

    ticks: list[float] = []
    tick_labels: list[str] = []
    for lane, (lane_top, lane_height) in enumerate(lane_rows):
        if not lane_height:
            continue
        if lane % 2 == 0:
            ax.axhspan(lane_top - 0.5, lane_top + lane_height - 0.5, color="#f3f3f3", zorder=0)
        ticks.append(lane_top + (lane_height - 1) / 2)
        tick_labels.append(lane_names[lane])
    ax.set_yticks(ticks, tick_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    locator = mdates.AutoDateLocator(minticks=5, maxticks=14)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(Dates(locator, lang))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=0)
    if total * ROW > 6:  # a tall picture: the years at its top as well
        ax.tick_params(axis="x", labeltop=True)

    for i, event in enumerate(found):
        colour = COLOURS[event.lane]
        y = rows[i]
        start = mdates.date2num(event.when.start)
        mark: Line2D | Rectangle
        if event.when.is_day:
            mark = Line2D([start + 0.5], [y], marker="o", markersize=6, color=colour,
                          markeredgecolor="white", markeredgewidth=0.8, linestyle="none",
                          zorder=3)
            ax.add_artist(mark)
        else:
            width = max(mdates.date2num(event.when.end) - start, 3 * per_px)
            mark = Rectangle((start, y - 0.28), width, 0.56, zorder=3,
                             facecolor="white" if event.qualifier else colour,
                             edgecolor=colour, hatch="////" if event.qualifier else None,
                             linestyle="--" if event.qualifier else "-", linewidth=0.9)
            ax.add_artist(mark)
        qualified = f" ({event.qualifier})" if event.qualifier else ""
        tip = f"{event.when.text}{qualified}: {event.label} ({event.kind})"
        picture.mark(mark, f"event-{i}", event.iri, tip)
        label = ax.text(x0 + label_at[i] * per_px, y, labels[i], fontsize=LABEL_SIZE,
                        va="center", ha="left", zorder=4, color="#222222")
        label.set_url(web_link(event.iri))
        label.set_gid(f"label-{i}")
    if not found:
        ax.text(0.5, 0.5, say(lang, "timeline.none"), transform=ax.transAxes, ha="center",
                color="#888888")
    ax.legend(handles=[
        Line2D([], [], marker="o", color="#555555", linestyle="none",
               label=say(lang, "timeline.day")),
        Patch(facecolor="#555555", label=say(lang, "timeline.span")),
        Patch(facecolor="white", edgecolor="#555555", hatch="////", linestyle="--",
              label=say(lang, "timeline.uncertain")),
    ], loc="upper left", bbox_to_anchor=(0, -0.3 / (total * ROW)), ncols=3, frameon=False,
        fontsize=8)
    return picture
