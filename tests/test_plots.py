"""Pictures: the SVG holds one linked mark per event, partner, embassy, state and edge,
placed as the data says; PNG and HTML come from the same drawing; the CLI's errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from conftest import Run
from diplograph import Graph
from diplograph.errors import InputError, UsageError
from diplograph.plots import geometry
from diplograph.plots import network as network_module
from diplograph.plots import timeline as timeline_module
from diplograph.plots.network import network
from diplograph.plots.picture import style, text_renderer
from diplograph.plots.timeline import events, timeline
from diplograph.plots.worldmap import relations
from diplograph.project import Project

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
DG = "https://w3id.org/diplograph/"


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path) -> Graph:
    return Graph.open(project.root, store_dir)


def marks(svg: bytes, prefix: str) -> dict[str, ET.Element]:
    """The SVG groups whose id starts with `prefix`, by id, in document order."""
    root = ET.fromstring(svg)
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g")
            if g.get("id", "").startswith(prefix)}


def link(group: ET.Element) -> str:
    anchors = [a.get(XLINK) for a in group.iter(f"{SVG}a")]
    assert len(anchors) == 1, anchors
    return str(anchors[0])


def x_of(group: ET.Element) -> float:
    """The leftmost x of a mark: a marker's position or a path's first point."""
    use = group.find(f".//{SVG}use")
    if use is not None:
        return float(use.get("x", "nan"))
    path = group.find(f".//{SVG}a/{SVG}path")
    assert path is not None
    return float(re.findall(r"-?[0-9.]+", path.get("d", ""))[0])


def tip(group: ET.Element) -> str:
    title = group.find(f"{SVG}title")
    return title.text or "" if title is not None else ""


@pytest.fixture(scope="module")
def az_uz(front: Graph) -> bytes:
    return timeline(front, "AZ", "UZ", fmt="svg", lang="az")


def test_timeline_has_one_linked_mark_per_event_in_date_order(front: Graph,
                                                              az_uz: bytes) -> None:
    result = front.query("timeline", a="AZ", b="UZ", lang="az")
    rows, item = result.rows, result.columns.index("item")
    events = marks(az_uz, "event-")
    assert len(events) == len(rows) > 20
    assert [link(events[f"event-{i}"]) for i in range(len(rows))] == [r[item].value for r in rows]
    xs = [x_of(events[f"event-{i}"]) for i in range(len(rows))]
    assert xs == sorted(xs)
    assert xs[0] < xs[1] - 100  # the 1930s lie decades before the 1995 relations


def test_timeline_draws_dates_at_their_precision(az_uz: bytes) -> None:
    events = list(marks(az_uz, "event-").values())
    by_iri = {link(g): g for g in events}
    relation = by_iri[DG + "resource/relation-AZ-UZ"]  # 1995-10-02: a day, a point
    assert relation.find(f".//{SVG}use") is not None
    thirties = by_iri[next(i for i in by_iri if "1930" in i)]  # 1930 to 1939: a span
    assert thirties.find(f".//{SVG}use") is None
    embassy = by_iri[DG + "resource/embassy-AZ-in-UZ"]  # "the middle of 1996"
    assert "1996 (mid in the period)" in tip(embassy)
    assert 'stroke-dasharray' in ET.tostring(embassy, encoding="unicode")
    assert "stroke-dasharray" not in ET.tostring(relation, encoding="unicode")


def test_timeline_labels_in_the_language_asked_for(az_uz: bytes) -> None:
    text = "".join(ET.fromstring(az_uz).itertext())
    assert "Azərbaycan – Özbəkistan" in text
    assert "Səfər" in text  # the lane of visits, from the ontology's Azerbaijani label
    assert "DejaVu Sans" in az_uz.decode()


@pytest.mark.parametrize("pair", [("AZ", "UZ"), ("AZ", "KZ")])
def test_timeline_labels_and_marks_do_not_overlap(front: Graph, pair: tuple[str, str]) -> None:
    """No two labels overlap, nor a label another event's mark, as drawn."""
    found, states, lanes = events(front, *pair, None, None, "az")
    with style():
        picture = timeline_module._draw(found, states, lanes, "az")
        axes = picture.figure.axes[0]
        renderer = text_renderer(picture.figure)
        labels = [t.get_window_extent(renderer) for t in axes.texts]
        marks_ = [a.get_window_extent(renderer) for a in [*axes.lines, *axes.patches]
                  if a.get_gid()]
    assert len(labels) == len(marks_) == len(found)
    for i, box in enumerate(labels):
        assert not any(box.overlaps(other) for other in labels[i + 1:])
        assert not any(box.overlaps(mark) for mark in marks_)


@pytest.mark.slow
def test_timeline_png_and_html(front: Graph) -> None:
    png = timeline(front, "AZ", "KZ", fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == 1650
    page = timeline(front, "Qazaxıstan", "AZ", fmt="html", lang="ru").decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ru">' in page
    assert "Казахстан" in page
    table = front.query("timeline", a="AZ", b="KZ")
    when = [table.columns.index(c) for c in ("date", "earliest", "latest")]
    placed = [row for row in table.rows if any(row[i] is not None for i in when)]
    assert page.count('<li><a href="') == len(placed)  # each row with a date or a bound


def test_relations_map_marks_each_partner_and_embassy(front: Graph) -> None:
    svg = relations(front, "AZ", fmt="svg")
    partners = marks(svg, "partner-")
    expected = {r[1].value: r[0].value for r in front.query("relations", country="AZ").rows}
    assert {k.removeprefix("partner-"): link(g) for k, g in partners.items()} == expected
    embassies = {link(g) for g in marks(svg, "embassy-").values()}
    assert embassies == {r[0].value for r in front.query("embassies", country="AZ").rows}
    assert len(embassies) == 4
    assert "since 1992" in tip(partners["partner-KZ"])


def test_network_edges_weigh_relations_visits_and_agreements(front: Graph) -> None:
    svg = network(front, fmt="svg")
    edges = marks(svg, "edge-")
    assert set(edges) == {"edge-AZ-KZ", "edge-AZ-UZ"}
    assert link(edges["edge-AZ-UZ"]) == DG + "resource/relation-AZ-UZ"
    visits = [r for r in front.query("visits", country="UZ").rows
              if {r[4].value, r[5].value} == {"AZ", "UZ"}]
    agreements = front.query("agreements", a="AZ", b="UZ").rows
    assert f"{len(agreements)} agreements, 1 relations, {len(visits)} visits" \
        in tip(edges["edge-AZ-UZ"])
    states = marks(svg, "state-")
    assert {link(g) for g in states.values()} == {DG + f"country/{c}" for c in ("AZ", "KZ", "UZ")}


def test_network_ties_are_kept_in_the_store_folder_and_read_back(front: Graph) -> None:
    """The ties gathered once are the ones read back; a kept file that went bad is
    gathered again, never trusted."""
    kept = front.compiled.path / network_module.CACHE
    kept.unlink(missing_ok=True)
    gathered = network_module.ties(front)
    assert kept.is_file()
    assert network_module.ties(front) == gathered == network_module._gather(front)
    assert {(t.a, t.b) for t in gathered} == {("AZ", "KZ"), ("AZ", "UZ")}
    kept.write_text("[[\"AZ\", \"KZ\"", encoding="utf-8")  # cut short
    assert network_module.ties(front) == gathered
    assert len(json.loads(kept.read_bytes())) == len(gathered)  # written whole again


def test_network_region_filter(front: Graph) -> None:
    western = network(front, fmt="svg", regions=["Western Asia", "Europe"])
    assert not marks(western, "state-")  # AZ has ties only with Central Asia
    assert "between 0 states in Western Asia, Europe" in "".join(ET.fromstring(western).itertext())
    assert set(marks(network(front, fmt="svg", regions=["asia"]), "edge-")) == {
        "edge-AZ-KZ", "edge-AZ-UZ"}
    with pytest.raises(InputError, match="no UN M49 region called 'Atlantis'"):
        network(front, regions=["Atlantis"])


def test_unknown_format_is_a_usage_error(front: Graph) -> None:
    with pytest.raises(UsageError):
        network(front, fmt="pdf")


def test_the_font_has_azerbaijani_and_cyrillic_letters() -> None:
    font = FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
    charmap = font.get_charmap()
    assert all(ord(c) in charmap for c in "əƏıİşŞğĞçÇöÖüÜЖжЁёҚқҒғЎўҲҳ")


def test_geometry_places_states_where_they_are() -> None:
    shapes = dict(geometry.shapes())
    ring = max(shapes["AZ"], key=len)
    assert 44 < ring[:, 0].min() < ring[:, 0].max() < 51
    assert 38 < ring[:, 1].min() < ring[:, 1].max() < 42
    lon, lat = geometry.points()["SG"]  # too small for 1:110m, placed from 1:50m
    assert "SG" not in shapes and 103 < lon < 105 and 1 < lat < 2
    assert geometry.regions()["AZ"].subregion == "Western Asia"
    assert len(geometry.regions()) == 249


@pytest.mark.slow
def test_cli_writes_the_picture_atomically(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "az-kz.html"
    result = run("plot", "timeline", "--a", "AZ", "--b", "KZ", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("relation-AZ-KZ") >= 2
    bad = run("plot", "relations", "--country", "AZ", "--output", str(tmp_path / "x.pdf"))
    assert bad.exit_code == 2 and "name the file .svg, .png or .html" in bad.stderr
    unknown = run("plot", "relations", "--country", "Atlantis", "-o", str(tmp_path / "x.svg"))
    assert unknown.exit_code == 3 and unknown.stderr.startswith("error: --country")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["az-kz.html"]
