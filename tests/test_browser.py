"""The web page in a real browser: Debian's Chromium driven by Playwright, against
`diplograph serve` started as a user starts it. Required in CI (CI=true); skipped
elsewhere when there is no Chromium. `DIPLOGRAPH_SCREENSHOTS=DIR` keeps screenshots
of the page (the README's come from docs/img)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from diplograph import Graph
from diplograph.project import Project
from diplograph.sparql.results import render
from diplograph.store.cache import KnowledgeGraph

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("DIPLOGRAPH_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("DIPLOGRAPH_SCREENSHOTS")
WAIT = 30_000  # ms for a picture: its worker's first one loads matplotlib

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def front(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Graph:
    return Graph.open(project.root, store_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"CI needs Chromium at {CHROMIUM} (.ci/run installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh page; every request it makes is recorded, and must stay on the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    tab = context.new_page()
    elsewhere: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith((server, "data:"))
           else elsewhere.append(r.url))
    yield tab
    context.close()
    assert elsewhere == [], f"the page reached beyond the server: {elsewhere}"


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_fill_a_form_see_the_rows_their_sources_and_download_csv(
        page: Page, server: str, front: Graph) -> None:
    expected = front.query("relations", country="AZ")
    page.goto(server)
    page.get_by_role("button", name=re.compile("^relations")).click()
    page.locator("#query-form input[name=country]").fill("Azərbaycan")
    page.get_by_role("button", name="Run").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(len(expected.rows))
    expect(page.locator("#status")).to_contain_text(f"{len(expected.rows)} rows")
    expect(rows.first).to_contain_text("Kazakhstan")
    shot(page, "query")

    rows.first.get_by_role("button", name="sources").click()
    dialog = page.locator("#sources")
    expect(dialog).to_be_visible()
    support = front.explain(expected.rows[0])[0]
    quote = next(q.value for q in support.quotes if q.language == "en")
    expect(dialog).to_contain_text(f"from {support.sources[0]}")
    expect(dialog.locator("blockquote")).to_have_text(quote)
    shot(page, "sources")
    dialog.get_by_role("button", name="Close").click()

    with page.expect_download() as waiting:
        page.locator("#downloads").get_by_role("link", name="CSV").click()
    download = waiting.value
    assert download.suggested_filename == "relations.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text == render(expected, "csv")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "KZ"


def test_country_fields_complete_names_in_every_language(page: Page, server: str) -> None:
    page.goto(server + "#query/timeline")
    field = page.locator("#query-form input[name=a]")
    field.fill("Qazax")
    option = page.locator("#countries-a option[value=KZ]")
    expect(option).to_have_count(1, timeout=30_000)  # the first reads every name
    assert "Kazakhstan" in (option.get_attribute("label") or "")


def test_a_bad_value_shows_the_command_lines_message(page: Page, server: str,
                                                     front: Graph) -> None:
    try:
        front.query("relations", country="Atlantis")
    except Exception as exc:  # the library's words for it
        message = f"error: {exc}"
    page.goto(server + "#query/relations?country=Atlantis")
    expect(page.locator("#status")).to_contain_text(message)


def test_the_sparql_editor_runs_a_query(page: Page, server: str, front: Graph) -> None:
    states = front.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?c a dg:Country }").rows[0][0]
    assert states is not None and int(states.value) >= 249
    page.goto(server + "sparql")
    page.locator(".yasqe_queryButton").click()
    table = page.locator(".yasr table.dataTable")
    expect(table).to_contain_text("dg:Country")  # compacted with the prefixes we serve
    expect(table).to_contain_text(f'"{states.value}"')
    shot(page, "sparql")


def test_the_api_page_lists_every_stored_query(page: Page, server: str, front: Graph) -> None:
    page.goto(server + "api/docs")
    for name in front.catalog.queries:
        expect(page.locator(f"[data-path='/api/queries/{name}']").first).to_be_attached()
    shot(page, "api")


def svg_links(page: Page, selector: str) -> dict[str, str]:
    """The IRI each mark of an SVG picture in the page links to, by the mark's id."""
    return page.eval_on_selector_all(
        f"{selector} g[id]", """groups => Object.fromEntries(groups
            .filter((g) => g.querySelector('a'))
            .map((g) => [g.id, g.querySelector('a').getAttributeNS(
                'http://www.w3.org/1999/xlink', 'href')]))""")


def test_the_timeline_picture_shows_beside_its_rows_with_linked_marks(
        page: Page, server: str, front: Graph) -> None:
    result = front.query("timeline", a="AZ", b="UZ", lang="az")
    items = [row[result.columns.index("item")] for row in result.rows]
    page.goto(server + "#query/timeline?a=AZ&b=UZ&lang=az")
    expect(page.locator("#results tbody tr")).to_have_count(len(items))
    marks = page.locator("#picture svg g[id^=event-]")
    expect(marks).to_have_count(len(items), timeout=WAIT)
    links = svg_links(page, "#picture svg")
    assert [links[f"event-{i}"] for i in range(len(items))] == [i.value for i in items if i]
    assert "Azərbaycan – Özbəkistan" in (page.locator("#picture svg").text_content() or "")
    expect(marks.first.locator("title")).to_have_count(1)  # the tooltip on hover


def test_the_network_panel_draws_the_regions_asked_for(page: Page, server: str,
                                                       front: Graph) -> None:
    from xml.etree import ElementTree

    from diplograph.plots.network import network

    svg = ElementTree.fromstring(network(front, fmt="svg", lang="ru"))
    expected = {g.get("id"): next(a for a in g.iter("{http://www.w3.org/2000/svg}a")).get(
        "{http://www.w3.org/1999/xlink}href") for g in svg.iter("{http://www.w3.org/2000/svg}g")
        if g.get("id", "").startswith(("state-", "edge-"))}
    assert len(expected) == 5  # three states, two edges
    page.goto(server)
    page.get_by_role("link", name="Network").click()
    expect(page.locator("#network-status")).to_contain_text("3 states and 2 edges", timeout=WAIT)
    page.locator("#network-form select[name=lang]").select_option("ru")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("#network svg")).to_contain_text("Азия", timeout=WAIT)
    links = svg_links(page, "#network svg")
    assert {k: v for k, v in links.items() if k.startswith(("state-", "edge-"))} == expected
    assert all(v.startswith("https://") for v in links.values())
    shot(page, "network-page")

    page.locator("#network-form select[name=region]").select_option("Europe")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("#network-status")).to_contain_text("0 states and 0 edges", timeout=WAIT)
    assert "region=Europe" in page.url
    page.go_back()  # the whole network again, from the address
    expect(page.locator("#network-status")).to_contain_text("3 states and 2 edges", timeout=WAIT)
    page.get_by_role("link", name="Stored queries").click()
    expect(page.locator("#network-view")).to_be_hidden()
