# SPDX-License-Identifier: MIT
"""The built guide in a real browser: accessibility, search, tabs, checkboxes.

Playwright's Python package drives the system Chromium (never a downloaded
one) against the shared strict build (tests/guide_build.py), served from
127.0.0.1 by a ThreadingHTTPServer on a port the OS picks. axe-core comes
from tools/browser (``npm ci --prefix tools/browser``).

Every request a page makes goes through a route that lets 127.0.0.1 through
and blocks and records anything else, and every console error is recorded:
each test fails on either.

Speed: one browser per pytest-xdist worker for the whole session. axe takes
about two seconds a page, so every run (``nox -s tests``) checks one page of
each kind, and ``nox -s tests-full`` (CI runs both) checks every page, in
shards. The axe tests share one page per worker. Each page is checked with
every axe rule in the light scheme, then, switched to the dark scheme in
place (furo follows ``prefers-color-scheme``), with the rules whose result
depends on colours: the markup is the same in both.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "tools" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
#: The impacts that fail a page.
FAILING_IMPACTS = ("critical", "serious")
#: The rules whose result can differ between the light and the dark scheme.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
#: Colours change at once when the scheme switches: sphinx-design's tab labels
#: fade their colour over 250 ms, and axe would measure the contrast halfway.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"
#: The axe tests of every page (nox -s tests-full) take the pages in this
#: many shards, which xdist spreads over its workers.
SHARDS = 8
#: What every run checks with axe: a page of each layout (the landing page,
#: an explanation with diagrams, the checklist with its table, checkboxes and
#: graph, a recipe with steps and tabs, an API map page, the tutorial's
#: diffs, the search page and the index).
PAGE_OF_EACH_KIND = (
    "index.html",
    "explanation/how-eventlet-works.html",
    "howto/checklist.html",
    "howto/recipes/spawn.html",
    "reference/api/greenthread.html",
    "tutorial/threads.html",
    "search.html",
    "genindex.html",
)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed"
)
if not CHROMIUM.is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (Debian's chromium package); the browser tests need it",
        allow_module_level=True,
    )


# -- Serving the build ---------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page that navigates away drops the requests it no longer needs.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site(guide_html: Path) -> Iterator[str]:
    """The base URL of the built guide, served from 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(guide_html))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def pages(guide_html: Path) -> list[str]:
    """Every HTML page of the build, relative to its root."""
    return sorted(path.relative_to(guide_html).as_posix() for path in guide_html.rglob("*.html"))


# -- The browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A browser context whose requests and console are watched.

    Requests to 127.0.0.1 go through; any other is blocked and recorded.
    """

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(**options)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.requested: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.new_page()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            self.requested.append(url)
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.location.get('url', '?')}: {message.text}")

    def check(self) -> None:
        """Fail on a request to another host or a console error, then forget them."""
        foreign, errors = self.foreign[:], self.errors[:]
        self.foreign.clear()
        self.errors.clear()
        assert not foreign, f"requests to hosts other than 127.0.0.1: {foreign}"
        assert not errors, "console errors:\n" + "\n".join(errors)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh desktop context (its own storage) for one test."""
    watched = Watched(browser, viewport=DESKTOP)
    try:
        yield watched
        watched.check()
    finally:
        watched.close()


# -- axe-core on every page --------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}): run `npm ci --prefix tools/browser`")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def audit(browser: Any, axe_source: str) -> Iterator[Watched]:
    """One context and page for every axe test of this worker, with axe loaded."""
    watched = Watched(browser, viewport=DESKTOP)
    watched.context.add_init_script(script=axe_source)
    try:
        yield watched
    finally:
        watched.close()


def failing(result: dict[str, Any], page: str, scheme: str) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}) on {page} [{scheme}]: "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def audit_page(audit: Watched, site: str, name: str) -> list[str]:
    """axe's critical and serious findings on one page, light and dark."""
    page = audit.page
    page.emulate_media(color_scheme="light")
    page.goto(site + name)
    # The page script has marked the regions that scroll (html-access.js).
    page.wait_for_function("document.documentElement.dataset.scrollRegions === 'ready'")
    page.add_style_tag(content=NO_TRANSITIONS)
    light = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    page.emulate_media(color_scheme="dark")
    page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'"
    )
    dark = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}, "
        "resultTypes: ['violations']})",
        list(COLOUR_RULES),
    )
    return failing(light, name, "light") + failing(dark, name, "dark")


def test_axe_finds_nothing_critical_or_serious_on_a_page_of_each_kind(
    audit: Watched, site: str, pages: list[str]
) -> None:
    """One page of each layout the guide has: the quick check of every run.

    Most accessibility faults come from templates, extensions and styles,
    which every page of a kind shares; ``nox -s tests-full`` checks them all.
    """
    assert set(PAGE_OF_EACH_KIND) <= set(pages)
    problems = [problem for name in PAGE_OF_EACH_KIND for problem in audit_page(audit, site, name)]
    audit.check()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


@pytest.mark.full
@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda shard: f"shard{shard + 1}of{SHARDS}")
def test_axe_finds_nothing_critical_or_serious(
    audit: Watched, site: str, pages: list[str], shard: int
) -> None:
    problems = [
        problem for name in pages[shard::SHARDS] for problem in audit_page(audit, site, name)
    ]
    audit.check()
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


# -- Search ----------------------------------------------------------------------


def a_step_far_down(guide_html: Path) -> tuple[str, str, str]:
    """(page, card id, title) of the last step on the page with the most steps."""
    import re

    card = re.compile(
        r'<div class="migration-step docutils container" id="(step-[a-z0-9-]+)">\s*'
        r'<p class="migration-step-title rubric">.*?<span class="migration-step-number">'
        r"(Step \d+: )</span>(.*?)<a class=\"headerlink\"",
        re.S,
    )
    best: tuple[int, str, str, str] | None = None
    for path in sorted(guide_html.rglob("*.html")):
        found = card.findall(path.read_text(encoding="utf-8"))
        if found and (best is None or len(found) > best[0]):
            anchor, number, title = found[-1]
            best = (len(found), path.relative_to(guide_html).as_posix(), anchor, number + title)
    assert best is not None, "no migration step in the build"
    return best[1], best[2], re.sub(r"<[^>]+>", "", best[3])


def test_a_step_found_by_search_opens_its_card(
    watched: Watched, site: str, guide_html: Path
) -> None:
    page_name, anchor, label = a_step_far_down(guide_html)
    title = label.split(": ", 1)[1]
    page = watched.page
    page.goto(site + "index.html")
    search = page.locator("input.sidebar-search")
    search.fill(title)
    search.press("Enter")
    result = page.locator("#search-results a", has_text=label).first
    result.click()
    page.wait_for_url(f"**/{page_name}#{anchor}")
    assert page.evaluate("location.hash") == f"#{anchor}"
    card = page.locator(f"div.migration-step#{anchor}")
    assert card.is_visible()
    # The browser scrolls to the card once the page is laid out.
    page.wait_for_function(
        """id => {
            const box = document.getElementById(id).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight;
        }""",
        arg=anchor,
        timeout=5000,
    )
    # The result says what it is, once.
    page.go_back()
    description = page.locator("#search-results li", has_text=label).first.inner_text()
    assert "(migration step, in " in description


def test_search_opened_from_disk_says_why_there_are_no_excerpts(
    browser: Any, guide_html: Path
) -> None:
    # file:// requests are not routed; this context loads nothing else.
    context = browser.new_context(viewport=DESKTOP)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((guide_html / "search.html").as_uri() + "?q=" + quote("timeout"))
        # Sphinx's script says "Search finished, ..." when it has listed every result.
        page.locator("#search-results p.search-summary", has_text="finished").wait_for()
        assert page.locator("#search-results li").count() > 0
        assert page.locator("p.search-from-disk").is_visible()
        assert page.locator("#search-results li p.context").count() == 0
    finally:
        context.close()
    assert not errors, errors


# -- Steps: tabs, checkboxes, permalinks ---------------------------------------------


def test_tabs_switch(watched: Watched, site: str) -> None:
    page = watched.page
    page.goto(site + "howto/threading/path.html")
    tab_set = page.locator("div.migration-step .sd-tab-set").first
    labels = tab_set.locator(":scope > label")
    contents = tab_set.locator(":scope > .sd-tab-content")
    assert labels.count() >= 2
    assert contents.nth(0).is_visible()
    assert contents.nth(1).is_hidden()
    labels.nth(1).click()
    assert contents.nth(1).is_visible()
    assert contents.nth(0).is_hidden()


def test_done_when_sentence_ticks_its_box_and_the_state_survives_a_reload(
    watched: Watched, site: str
) -> None:
    page = watched.page
    page.goto(site + "howto/threading/path.html")
    item = page.locator("li.migration-check-item label.migration-check-label").first
    box = item.locator("input.migration-check")
    assert not box.is_checked()
    # A click on the words, not on the box.
    item.click(position={"x": item.bounding_box()["width"] - 5, "y": 5})
    assert box.is_checked()
    page.reload()
    box = page.locator("li.migration-check-item input.migration-check").first
    page.wait_for_function(
        "document.querySelector('li.migration-check-item input.migration-check').checked"
    )
    assert box.is_checked()


def test_copy_button_shows_when_reached_by_keyboard(watched: Watched, site: str) -> None:
    page = watched.page
    page.goto(site + "howto/threading/path.html")
    button = page.locator("div.highlight button.copybtn").first
    button.wait_for(state="attached")
    # Focus the button by keyboard: from the element before it, Tab.
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert button.evaluate("b => b === document.activeElement && b.matches(':focus-visible')")
    page.wait_for_function("b => getComputedStyle(b).opacity === '1'", arg=button.element_handle())
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") != "none"


def test_step_cards_have_permalinks_and_contents_entries(watched: Watched, site: str) -> None:
    page = watched.page
    page.goto(site + "howto/threading/path.html")
    card = page.locator("div.migration-step").nth(1)
    anchor = card.get_attribute("id")
    assert card.locator("p.migration-step-title > a.headerlink").get_attribute("href") == (
        f"#{anchor}"
    )
    assert page.locator(f".toc-tree a[href='#{anchor}']").count() == 1


# -- Diagrams --------------------------------------------------------------------

#: The smallest text a diagram may show, in CSS px (ext/diagrams.py MIN_TEXT_PX),
#: less a hundredth for layout rounding.
MIN_DIAGRAM_TEXT_PX = 9.99

#: For each diagram shown (light scheme): how it is shown, its smallest text
#: in CSS px as rendered, whether its frame scrolls, its text alternative and
#: its full-size link. An <img> SVG's text is measured in a copy of the SVG
#: at its natural size, times the image's scale (shown width / viewBox width).
_MEASURE_DIAGRAMS = """
async () => {
  function smallest(svg) {
    let min = Infinity;
    for (const text of svg.querySelectorAll("text, tspan")) {
      if (!text.textContent.trim() || text.querySelector("tspan")) continue;
      const matrix = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize);
      min = Math.min(min, size * Math.hypot(matrix.a, matrix.b));
    }
    return min;
  }
  const results = [];
  for (const frame of document.querySelectorAll("article .diagram-frame")) {
    const shown = frame.querySelector(":scope > img.only-light, :scope > .only-light > svg");
    const link = frame.nextElementSibling.querySelector("a.only-light");
    const result = {
      alt: shown.getAttribute(shown.tagName === "IMG" ? "alt" : "aria-label"),
      scrolls: frame.scrollWidth > frame.clientWidth + 1,
      link: link && link.getAttribute("href"),
      width: shown.getBoundingClientRect().width,
    };
    if (shown.tagName === "IMG") {
      const source = await (await fetch(shown.src)).text();
      const holder = document.createElement("div");
      holder.style.cssText = "position: absolute; left: -100000px; top: 0";
      holder.innerHTML = source;
      document.body.append(holder);
      const svg = holder.querySelector("svg");
      result.text = smallest(svg) * result.width / svg.viewBox.baseVal.width;
      holder.remove();
    } else {
      result.text = smallest(shown);
    }
    results.push(result);
  }
  return results;
}
"""


@pytest.fixture(scope="session")
def diagram_pages(guide_html: Path) -> list[str]:
    """The pages with a diagram, relative to the build's root."""
    return sorted(
        path.relative_to(guide_html).as_posix()
        for path in guide_html.rglob("*.html")
        if 'class="diagram-frame"' in path.read_text(encoding="utf-8")
    )


def measure_diagrams(page: Any) -> list[dict[str, Any]]:
    # Lazy images have no size until they load: load them all now.
    page.evaluate(
        "Promise.all(Array.from(document.querySelectorAll('img.diagram'), (image) => {"
        "  image.loading = 'eager';"
        "  return image.decode().catch(() => null); }))"
    )
    return page.evaluate(_MEASURE_DIAGRAMS)


def test_diagrams_are_readable_at_desktop_width(
    watched: Watched, site: str, diagram_pages: list[str]
) -> None:
    # The explanation pages and the checklist's dependency graphs, at least.
    assert len(diagram_pages) >= 4, diagram_pages
    problems = []
    count = 0
    for name in diagram_pages:
        watched.page.goto(site + name)
        for number, diagram in enumerate(measure_diagrams(watched.page), 1):
            count += 1
            where = f"{name}, diagram {number}"
            if diagram["text"] < MIN_DIAGRAM_TEXT_PX:
                problems.append(f"{where}: text {diagram['text']:.1f} px")
            # Readable without scrolling sideways in a 1280 px window.
            if diagram["scrolls"]:
                problems.append(f"{where}: wider than the column")
            # A real description, not the "Diagram" a missing :alt: gives.
            if len(diagram["alt"] or "") < 40:
                problems.append(f"{where}: alt text {diagram['alt']!r}")
            if not (diagram["link"] or "").endswith("-light.svg"):
                problems.append(f"{where}: no link to the full-size SVG")
            else:
                full = watched.context.request.get(urljoin(watched.page.url, diagram["link"]))
                if not full.ok or b"<svg" not in full.body():
                    problems.append(f"{where}: full-size link {diagram['link']} is broken")
    assert count >= 8
    assert problems == []


# -- Layout ----------------------------------------------------------------------


def test_diagrams_fetch_only_the_scheme_shown(watched: Watched, site: str) -> None:
    page = watched.page
    page.goto(site + "explanation/how-eventlet-works.html")
    # Lazy images load as they come near the viewport.
    light = page.locator("img.diagram.only-light").first
    light.scroll_into_view_if_needed()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=light.element_handle())
    fetched = [url for url in watched.requested if url.endswith(".svg")]
    assert any(url.endswith("-light.svg") for url in fetched)
    assert not any(url.endswith("-dark.svg") for url in fetched)
    # furo's own toggle (auto, then the opposite of the system's, ...).
    toggle = page.locator(".theme-toggle-container:visible .theme-toggle").first
    for _ in range(3):
        if page.evaluate("document.body.dataset.theme") == "dark":
            break
        toggle.click()
    assert page.evaluate("document.body.dataset.theme") == "dark"
    dark = page.locator("img.diagram.only-dark").first
    dark.scroll_into_view_if_needed()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=dark.element_handle())
    assert light.is_hidden()


def test_index_fits_the_desktop_width(watched: Watched, site: str) -> None:
    page = watched.page
    page.goto(site + "genindex.html")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_phone_layout(browser: Any, site: str) -> None:
    phone = Watched(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = phone.page
        page.goto(site + "howto/checklist.html")
        wrapper = page.locator("div.table-wrapper:has(table.migration-checklist)").first
        # The checklist scrolls inside its wrapper, which a keyboard can focus.
        page.wait_for_function(
            "w => w.scrollWidth > w.clientWidth && w.tabIndex === 0",
            arg=wrapper.element_handle(),
        )
        assert wrapper.get_attribute("role") == "region"
        assert "scrolls sideways" in wrapper.get_attribute("aria-label")
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        # On a phone a dependency graph keeps its text at 10 px or more; a
        # graph wider than the screen scrolls in its frame, which a keyboard
        # can focus.
        diagrams = measure_diagrams(page)
        assert diagrams
        assert min(diagram["text"] for diagram in diagrams) >= MIN_DIAGRAM_TEXT_PX
        frames = page.locator("article .diagram-frame[data-scroll-focus]")
        assert frames.count() == sum(diagram["scrolls"] for diagram in diagrams)
        if frames.count():
            assert frames.first.get_attribute("tabindex") == "0"
            assert frames.first.get_attribute("aria-label").startswith("Diagram 1: ")
        page.goto(site + "howto/threading/path.html")
        tops = (
            page.locator("div.migration-step .sd-tab-set")
            .first.locator(":scope > label")
            .evaluate_all("labels => labels.map(l => Math.round(l.getBoundingClientRect().top))")
        )
        assert len(set(tops)) == 1, f"tab labels on several rows: {tops}"
        phone.check()
    finally:
        phone.close()
