"""Pictures: the SVG holds one linked mark per event, partner, embassy, state and edge,
placed as the data says; PNG and HTML come from the same drawing; the CLI's errors."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from conftest import Run
from diplograph import Graph
from diplograph.errors import InputError, UsageError
from diplograph.plots import geometry, messages
from diplograph.plots import network as network_module
from diplograph.plots import timeline as timeline_module
from diplograph.plots.messages import months, say
from diplograph.plots.network import network
from diplograph.plots.picture import Picture, new_figure, output, style, text_renderer
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


def texts(svg: bytes) -> list[str]:
    """The text drawn in an SVG picture (not its tooltips), one string per <text>."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def label_of(front: Graph, iri: str, lang: str) -> str:
    """A node's rdfs:label or skos:prefLabel in a language, as the graph holds it."""
    rows = front.sparql(f"""SELECT ?l WHERE {{ <{iri}> rdfs:label|skos:prefLabel ?l
                            FILTER(LANG(?l) = "{lang}") }}""").rows
    assert len(rows) == 1 and rows[0][0] is not None, (iri, lang, rows)
    return rows[0][0].value


def english_only(svg: bytes, lang: str) -> list[str]:
    """The English messages (that read differently in `lang`) the picture still shows:
    words of theirs, two or more, in a text drawn."""
    drawn = "\n".join(texts(svg))
    english = messages.MESSAGES["en"]
    found = []
    for key, message in english.items():
        if messages.MESSAGES[lang][key] == message or key == "months":
            continue
        for form in (message,) if isinstance(message, str) else message:
            fixed = [part for part in re.split(r"\{[a-z]+\}", form) if len(part.split()) > 1]
            found += [f"{key}: {part}" for part in fixed if part in drawn]
    return found


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


def test_timeline_draws_dates_at_their_precision(front: Graph, az_uz: bytes) -> None:
    events = list(marks(az_uz, "event-").values())
    by_iri = {link(g): g for g in events}
    relation = by_iri[DG + "resource/relation-AZ-UZ"]  # 1995-10-02: a day, a point
    assert relation.find(f".//{SVG}use") is not None
    thirties = by_iri[next(i for i in by_iri if "1930" in i)]  # 1930 to 1939: a span
    assert thirties.find(f".//{SVG}use") is None
    embassy = by_iri[DG + "resource/embassy-AZ-in-UZ"]  # "the middle of 1996"
    assert f"1996 ({label_of(front, DG + 'vocab/mid-period', 'az')}):" in tip(embassy)
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
    assert tip(partners["partner-KZ"]) == say("en", "map.since", name="Kazakhstan", year=1992)


def test_network_edges_weigh_relations_visits_and_agreements(front: Graph) -> None:
    svg = network(front, fmt="svg")
    edges = marks(svg, "edge-")
    assert set(edges) == {"edge-AZ-KZ", "edge-AZ-UZ"}
    assert link(edges["edge-AZ-UZ"]) == DG + "resource/relation-AZ-UZ"
    visits = [r for r in front.query("visits", country="UZ").rows
              if {r[4].value, r[5].value} == {"AZ", "UZ"}]
    agreements = front.query("agreements", a="AZ", b="UZ").rows
    assert f"{len(agreements)} agreements, 1 relation, {len(visits)} visits" \
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
    none = say("en", "network.where", title=say("en", "network.none"),
               regions="Western Asia, Europe")
    assert none in texts(western)  # the title says no two states there are tied
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


def test_every_language_has_every_message_with_the_same_blanks() -> None:
    def blanks(message: messages.Message) -> set[str]:
        forms = (message,) if isinstance(message, str) else message
        return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}

    for lang, table in messages.MESSAGES.items():
        assert table.keys() == messages.MESSAGES["en"].keys(), lang
        for key, message in table.items():
            assert blanks(message) == blanks(messages.MESSAGES["en"][key]), (lang, key)
            if not isinstance(message, str):
                assert "{count}" in message[0] or key == "network.cut", (lang, key)
                assert len(message) == {"en": 2, "ru": 3}[lang], (lang, key)


@pytest.mark.parametrize(("count", "form"), [(1, "ссылка"), (2, "ссылки"), (4, "ссылки"),
                                             (5, "ссылок"), (11, "ссылок"), (12, "ссылок"),
                                             (21, "ссылка"), (22, "ссылки"), (111, "ссылок")])
def test_russian_plurals(count: int, form: str) -> None:
    assert say("ru", "page.links", count) == f"{count} {form}"


def test_other_languages_fall_back_to_english() -> None:
    assert say("de", "timeline.none") == say("en", "timeline.none") == "no dated events"
    assert say("ru-RU", "timeline.none") == say("ru", "timeline.none")


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_months_are_cldrs_short_names(lang: str) -> None:
    from babel.dates import get_month_names

    cldr = get_month_names("abbreviated", context="stand-alone", locale=lang)
    assert months(lang) == [cldr[m] for m in range(1, 13)]


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_timeline_says_its_words_in_the_language(front: Graph, lang: str) -> None:
    svg = timeline(front, "AZ", "UZ", fmt="svg", lang=lang)
    drawn = texts(svg)
    rows = front.query("timeline", a="AZ", b="UZ", lang=lang).rows
    a, b = (label_of(front, DG + f"country/{code}", lang) for code in ("AZ", "UZ"))
    title = next(t for t in drawn if t.startswith(f"{a} – {b}"))
    years = title.rsplit(", ", 1)[1]  # the first year to the last
    assert title == say(lang, "timeline.title", len(rows), pair=f"{a} – {b}", years=f", {years}")
    for key in ("timeline.day", "timeline.span", "timeline.uncertain"):
        assert say(lang, key) in drawn
    visits = label_of(front, DG + "ontology#Visit", lang)  # a lane, named by the graph
    assert visits[:1].upper() + visits[1:] in drawn
    assert english_only(svg, lang) == []


def test_timeline_names_months_in_the_language(front: Graph) -> None:
    """Events within one month: the axis shows days, and names the month in Azerbaijani."""
    found, states, lanes = events(front, "AZ", "UZ", "2008-09", "2008-09", "az")
    found = [e for e in found if e.when.start.year == 2008]
    with style():
        svg = output(timeline_module._draw(found, states, lanes, "az"), "svg")
    assert f"2008-{months('az')[8]}" in texts(svg)  # the offset: 2008-sen
    assert not [t for t in texts(svg) if "Sep" in t]


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_map_says_its_words_in_the_language(front: Graph, lang: str) -> None:
    svg = relations(front, "AZ", fmt="svg", lang=lang)
    drawn = texts(svg)
    home = label_of(front, DG + "country/AZ", lang)
    count = len(front.query("relations", country="AZ").rows)
    assert say(lang, "map.title", count, home=home) in drawn
    assert say(lang, "map.year") in drawn
    for key in ("map.embassy_abroad", "map.embassy_home"):
        assert say(lang, key, home=home) in drawn
    kz = label_of(front, DG + "country/KZ", lang)
    assert tip(marks(svg, "partner-KZ")["partner-KZ"]) == say(lang, "map.since", name=kz,
                                                               year=1992)
    assert english_only(svg, lang) == []


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_network_says_its_words_in_the_language(front: Graph, lang: str) -> None:
    svg = network(front, fmt="svg", lang=lang, regions=["Asia"])
    drawn = texts(svg)
    title = say(lang, "network.title", 3)
    assert say(lang, "network.where", title=title, regions="Asia") in drawn
    assert say(lang, "network.note") in drawn
    assert say(lang, "region.Asia") in drawn  # the legend
    az = label_of(front, DG + "country/AZ", lang)
    ties = sum(t.weight for t in network_module.ties(front) if "AZ" in (t.a, t.b))
    assert tip(marks(svg, "state-AZ")["state-AZ"]) == say(lang, "network.state", ties, name=az)
    edge = tip(marks(svg, "edge-AZ-KZ")["edge-AZ-KZ"])
    assert edge.endswith(say(lang, "network.relations", 1))
    assert english_only(svg, lang) == []


def test_html_page_counts_its_links_in_the_language(front: Graph) -> None:
    page = network(front, fmt="html", lang="ru").decode()
    assert f"<summary>{say('ru', 'page.links', 5)}</summary>" in page  # 3 states, 2 edges


def test_a_mark_links_only_to_a_web_address() -> None:
    """An IRI such as `javascript:...` is kept as a tooltip, never made a link."""
    with style():
        picture = Picture(new_figure(2, 2), "links")
        axes = picture.figure.add_subplot()
        for i, iri in enumerate(("https://example.org/a", "javascript:alert(1)")):
            picture.mark(axes.plot([i], [i], "o")[0], f"mark-{i}", iri, iri)
        svg, page = output(picture, "svg"), output(picture, "html").decode()
    found = marks(svg, "mark-")
    assert link(found["mark-0"]) == "https://example.org/a"
    assert not list(found["mark-1"].iter(f"{SVG}a"))
    assert tip(found["mark-1"]) == "javascript:alert(1)"
    assert 'href="javascript' not in page and "<li>javascript:alert(1)</li>" in page


EXACT = """import hashlib, sys
if sys.argv[3] == "plain":
    import matplotlib.artist  # loaded first: the quick loading steps aside
from pathlib import Path
from diplograph import Graph
from diplograph.plots.network import network
from diplograph.plots.timeline import timeline
from diplograph.plots.worldmap import relations
from matplotlib.lines import Line2D
graph = Graph.open(Path(sys.argv[1]), Path(sys.argv[2]))
drawn = [timeline(graph, "AZ", "UZ", fmt="svg", lang="az"), timeline(graph, "AZ", "KZ", fmt="png"),
         relations(graph, "AZ", fmt="png"), network(graph, fmt="svg")]
print(bool(Line2D.set.__doc__), *(hashlib.sha256(d).hexdigest() for d in drawn))
"""


@pytest.mark.slow
def test_quick_loading_of_matplotlib_draws_the_same_bytes(project: Project,
                                                         store_dir: Path) -> None:
    """matplotlib loaded without its set() docstrings draws every byte as it does
    loaded as usual (fresh processes: the loading happens once per process)."""
    def drawn(how: str) -> list[str]:
        return subprocess.run([sys.executable, "-c", EXACT, str(project.root), str(store_dir),
                               how], capture_output=True, text=True, check=True).stdout.split()

    plain, quick = drawn("plain"), drawn("quick")
    assert plain[0] == "True" and quick[0] == "False"  # the docstrings: written, left out
    assert plain[1:] == quick[1:]
