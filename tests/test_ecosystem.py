# SPDX-License-Identifier: MIT
"""Licences, Read the Docs conventions and contributor tooling.

The guide's own HTML (the shared strict build) must carry the licence line,
the favicon and OpenGraph metadata on every page, and a 404 page whose links
work at any depth. What only Read the Docs turns on (a sitemap, which needs the
canonical URL, and "Edit this page" links, which need the repository) is
checked on tests/roots/test-ecosystem, a two-page project that reads its
settings from docs/conf.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from guide_build import REPO, build_environment, strict_build
from sitemap_order import sort_sitemap

SPDX_MIT = "# SPDX-License-Identifier: MIT"
#: Pages that no source document makes: they have no description to give.
GENERATED = frozenset({"404.html", "genindex.html", "search.html"})
#: What Read the Docs would set, for the small project's build.
CANONICAL_URL = "https://guide.example.org/en/latest/"
REPOSITORY = "https://github.com/example/guide"
ROOT = REPO / "tests" / "roots" / "test-ecosystem"


class Tags(HTMLParser):
    """The attributes of every ``<meta>``, ``<link>``, ``<a>``, ``<script>``, ``<img>``."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"meta", "link", "a", "script", "img", "form"}:
            self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def meta(self) -> dict[str, str]:
        """``property``/``name`` to ``content`` of the page's meta tags."""
        return {
            attrs.get("property") or attrs.get("name", ""): attrs.get("content", "")
            for tag, attrs in self.tags
            if tag == "meta"
        }

    def urls(self) -> list[str]:
        """Every URL the page links or loads."""
        names = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}
        return [attrs[names[tag]] for tag, attrs in self.tags if names.get(tag, "") in attrs]


def _tags(page: Path) -> Tags:
    return Tags(page.read_text(encoding="utf-8"))


def _pages(html: Path) -> list[Path]:
    return sorted(html.rglob("*.html"))


# -- Licences -----------------------------------------------------------------


def test_licence_files_name_their_licences() -> None:
    mit = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License\n")
    assert "Copyright (c) 2026 the Eventlet Migration Guide contributors" in mit
    assert "Permission is hereby granted, free of charge" in mit
    docs = (REPO / "LICENSE-docs").read_text(encoding="utf-8")
    assert docs.startswith("SPDX-License-Identifier: CC-BY-4.0\n")
    assert "https://creativecommons.org/licenses/by/4.0/" in docs
    assert "Attribution 4.0 International" in docs


def test_every_python_file_says_it_is_mit() -> None:
    files = [REPO / "noxfile.py", REPO / "docs" / "conf.py"]
    for folder in ("ext", "tests", "tools"):
        files += [
            path
            for path in (REPO / folder).rglob("*.py")
            if "node_modules" not in path.parts and "__pycache__" not in path.parts
        ]
    assert len(files) > 40
    first_lines = {path: path.read_text(encoding="utf-8").split("\n")[0] for path in files}
    without = [
        str(path.relative_to(REPO)) for path, first in first_lines.items() if first != SPDX_MIT
    ]
    assert without == []


def test_the_downloadable_tool_names_its_licence() -> None:
    # Readers download it alone, so the file itself says it is MIT-licensed
    # (on the line after its #! line).
    tool = REPO / "docs" / "howto" / "prepare" / "eventlet_inventory.py"
    shebang, licence = tool.read_text(encoding="utf-8").split("\n")[:2]
    assert shebang.startswith("#!")
    assert licence == SPDX_MIT


# -- The guide's HTML ---------------------------------------------------------


def test_every_page_has_the_licence_line_and_the_favicon(guide_html: Path) -> None:
    assert (guide_html / "_static" / "logo.svg").is_file()
    missing: list[str] = []
    for page in _pages(guide_html):
        text = page.read_text(encoding="utf-8")
        name = str(page.relative_to(guide_html))
        if "Text under CC BY 4.0; code and examples under the MIT licence" not in text:
            missing.append(f"{name}: licence line")
        icons = [
            attrs["href"]
            for tag, attrs in _tags(page).tags
            if tag == "link" and "icon" in attrs.get("rel", "").split()
        ]
        if len(icons) != 1 or not icons[0].endswith("_static/logo.svg"):
            missing.append(f"{name}: favicon {icons}")
    assert missing == []


def test_every_page_has_opengraph_and_twitter_metadata(guide_html: Path) -> None:
    missing: list[str] = []
    pages = [page for page in _pages(guide_html) if page.name not in GENERATED]
    for page in pages:
        meta = _tags(page).meta()
        name = str(page.relative_to(guide_html))
        wanted = ("og:title", "og:type", "og:url", "og:site_name", "og:description")
        missing += [f"{name}: {key}" for key in wanted if not meta.get(key)]
        if meta.get("description") != meta.get("og:description"):
            missing.append(f"{name}: description")
        if meta.get("twitter:card") != "summary":
            missing.append(f"{name}: twitter:card")
        if meta.get("og:site_name") not in (None, "Eventlet Migration Guide"):
            missing.append(f"{name}: og:site_name {meta['og:site_name']}")
    assert len(pages) > 40
    assert missing == []
    # The description is the page's opening, not its title or navigation.
    why = _tags(guide_html / "explanation" / "why-migrate.html").meta()
    assert why["og:description"].startswith("This chapter is for engineers")
    assert len(why["og:description"]) <= 200


def test_the_404_page_links_from_the_site_root(guide_html: Path) -> None:
    page = guide_html / "404.html"
    urls = _tags(page).urls()
    local = [url for url in urls if not url.startswith(("#", "https://", "http://"))]
    # Locally (no canonical URL) the site's root is "/": the build directory.
    assert [url for url in local if not url.startswith("/")] == []
    missing = [
        url for url in local if not (guide_html / url.split("?")[0].split("#")[0][1:]).is_file()
    ]
    assert missing == []
    assert "/index.html" in local
    assert "/_static/styles/furo.css" in {url.split("?")[0] for url in local}
    assert "Page not found" in page.read_text(encoding="utf-8")


def test_no_sitemap_without_a_base_url(guide_html: Path) -> None:
    # The shared build has no READTHEDOCS_CANONICAL_URL: sphinx-sitemap would
    # warn there (and fail the strict build), so conf.py leaves it out.
    assert not (guide_html / "sitemap.xml").exists()


# -- What Read the Docs turns on: a small project with the guide's settings ---


@pytest.fixture(scope="module")
def rtd_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/roots/test-ecosystem built as Read the Docs would build the guide."""
    out = tmp_path_factory.mktemp("rtd")
    html = out / "html"
    env = {
        key: value
        for key, value in build_environment().items()
        if not key.startswith("READTHEDOCS")
    }
    env.update(READTHEDOCS_CANONICAL_URL=CANONICAL_URL, GUIDE_REPOSITORY_URL=REPOSITORY)
    strict_build("html", ROOT, html, doctrees=out / "doctrees", env=env)
    return html


def test_sitemap_lists_every_page_at_its_canonical_url(rtd_html: Path) -> None:
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.parse(rtd_html / "sitemap.xml").getroot()
    locations = [element.text for element in root.findall("s:url/s:loc", namespace)]
    # The canonical URL already holds /en/latest/: nothing is added to it, and
    # pages that are not content (404, search, the index) are left out.
    assert sorted(locations) == [
        f"{CANONICAL_URL}index.html",
        f"{CANONICAL_URL}section/deep/page.html",
    ]
    # No modification times: two builds of the same sources give the same bytes.
    assert root.findall("s:url/s:lastmod", namespace) == []


def test_sitemap_entries_are_sorted(tmp_path: Path) -> None:
    # What sphinx-sitemap writes after a parallel build: pages in the order
    # the writer processes finished.
    head = b"<?xml version='1.0' encoding='utf-8'?>\n<urlset xmlns=\"x\">"
    entries = [b"<url><loc>https://g/%s.html</loc></url>" % name for name in (b"b", b"c", b"a")]
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_bytes(head + b"".join(entries) + b"</urlset>")
    sort_sitemap(sitemap)
    assert sitemap.read_bytes() == head + b"".join(sorted(entries)) + b"</urlset>"
    # A file of another shape (entries apart) is left alone.
    other = head + entries[0] + b"\n<!-- x -->" + entries[2] + b"</urlset>"
    sitemap.write_bytes(other)
    sort_sitemap(sitemap)
    assert sitemap.read_bytes() == other


def test_404_links_start_at_the_canonical_path(rtd_html: Path) -> None:
    urls = _tags(rtd_html / "404.html").urls()
    local = [url for url in urls if not url.startswith(("#", "https://", "http://"))]
    assert local
    assert [url for url in local if not url.startswith("/en/latest/")] == []
    assert "/en/latest/section/deep/page.html" in local


def test_opengraph_urls_are_absolute(rtd_html: Path) -> None:
    meta = _tags(rtd_html / "section" / "deep" / "page.html").meta()
    assert meta["og:url"] == f"{CANONICAL_URL}section/deep/page.html"
    assert meta["og:description"] == (
        "This page sits two folders down, so that its links climb back to the root."
    )


def test_edit_link_points_at_the_page_source(rtd_html: Path) -> None:
    hrefs = _tags(rtd_html / "section" / "deep" / "page.html").urls()
    assert f"{REPOSITORY}/edit/main/docs/section/deep/page.rst" in hrefs
    # The 404 page has no source to edit.
    assert not [url for url in _tags(rtd_html / "404.html").urls() if "/edit/" in url]


# -- Contributor tooling ------------------------------------------------------


def _pinned(requirement: str) -> tuple[str, str]:
    """``name[extra]==1.2`` -> ``("name", "1.2")``."""
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", requirement.strip())
    assert match, requirement
    return match.group(1).lower(), match.group(2)


def test_pre_commit_runs_the_linters_pinned_for_nox() -> None:
    lock = (REPO / "requirements" / "lint.txt").read_text(encoding="utf-8")
    locked = dict(
        _pinned(line.split(";")[0])
        for line in lock.splitlines()
        if line and not line.startswith((" ", "#"))
    )
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    used = [
        _pinned(requirement)
        for hook in hooks
        for requirement in hook.get("additional_dependencies", [])
    ]
    assert {name for name, _ in used} == {"ruff", "sphinx-lint", "codespell"}
    assert [(name, version) for name, version in used if locked.get(name) != version] == []
    # The commands are the ones nox -s lint runs (ruff on the changed files).
    noxfile = (REPO / "noxfile.py").read_text(encoding="utf-8")
    entries = {hook["id"]: hook["entry"] for hook in hooks}
    call = re.search(r'session\.run\(\s*("sphinx-lint",.*?)\)', noxfile, re.DOTALL)
    assert call, "nox -s lint no longer runs sphinx-lint"
    assert entries["sphinx-lint"].split() == re.findall(r'"([^"]*)"', call.group(1))
    assert 'session.run("codespell")' in noxfile
    assert entries["codespell"] == "codespell"
    assert entries["ruff-check"].startswith("ruff check ")
    assert entries["ruff-format"].startswith("ruff format --check ")
