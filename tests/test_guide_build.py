# SPDX-License-Identifier: MIT
"""Whole-guide HTML builds: strict, parallel, serial, incremental.

The suite builds the guide as few times as its checks allow. One strict
``-j 2`` HTML build (tests/guide_build.py) is shared by every test that reads
HTML and by the examples. One more clean build, serial and of edited
sources, followed by one incremental build that undoes the edit, proves that
a serial build gives the same bytes (so the build is reproducible and
parallel-safe) and that incremental builds give what clean builds give (the
ePub and the PDF are tested in test_guide_print.py). Each build runs ``sphinx-build`` in a
subprocess with the nox sessions' strict flags, so what passes here passes
for a writer and on CI.
"""

from __future__ import annotations

import filecmp
import html as html_module
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from guide_build import DOCS, guide_build, strict_build

pytestmark = pytest.mark.slow


def sphinx_build(
    builder: str, outdir: Path, *extra: str, docs: Path = DOCS, doctrees: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Build the guide (or the copy at ``docs``) strictly into ``outdir``."""
    return strict_build(builder, docs, outdir, *extra, doctrees=doctrees)


@pytest.fixture
def html(guide_html: Path) -> Path:
    return guide_html


def test_html_build_has_no_warnings(pytestconfig: pytest.Config) -> None:
    built = guide_build(pytestconfig)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    # The guide's entry points really came out.
    index = (built.html / "index.html").read_text(encoding="utf-8")
    assert "Eventlet Migration Guide" in index
    assert (built.html / "searchindex.js").stat().st_size > 0
    assert (built.html / "genindex.html").is_file()


def test_general_index_lists_every_api_map_entry(html: Path) -> None:
    """A reader finds every Eventlet name of the API map in the general index."""
    sys.path.insert(0, str(DOCS.parent / "ext"))
    try:
        import eventlet_api_data
        from eventlet_api import kind_label
    finally:
        sys.path.pop(0)
    entries = eventlet_api_data.load(DOCS / "_data" / "api_map.toml").entries
    index = html_module.unescape(
        re.sub(r"<[^>]+>", "", (html / "genindex.html").read_text(encoding="utf-8"))
    )
    missing = [
        name
        for name, entry in entries.items()
        if f"{name} (Eventlet {kind_label(entry.kind)})" not in index
    ]
    assert missing == []
    assert len(entries) > 300


#: Attributes whose URL a browser fetches by itself to show a page.
FETCHED_ATTRIBUTES = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",),
}  # fmt: skip
FETCHED_LINK_RELS = frozenset({"stylesheet", "icon", "preload", "modulepreload", "prefetch"})


class ResourceFinder(HTMLParser):
    """Collects every URL a browser would fetch by itself to show a page.

    Links a reader may follow (``<a href>``) are not requests and do not count.
    """

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._element = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        names = FETCHED_ATTRIBUTES.get(tag, ())
        if tag == "link" and FETCHED_LINK_RELS & set(values.get("rel", "").split()):
            names = ("href",)
        for name in names:
            self.urls.extend(values.get(name, "").replace(",", " ").split())
        self.urls.extend(css_urls(values.get("style", "")))
        self._element = tag

    def handle_endtag(self, tag: str) -> None:
        self._element = ""

    def handle_data(self, data: str) -> None:
        if self._element == "style":
            self.urls.extend(css_urls(data))
        elif self._element == "script":
            self.urls.extend(js_imports(data))


def css_urls(css: str) -> list[str]:
    return re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", css)


def js_imports(script: str) -> list[str]:
    """URLs of ES module imports: how sphinxcontrib-mermaid would load its CDN copy."""
    return re.findall(r"""(?:\bfrom|\bimport\s*\(?)\s*['"]((?:https?:)?//[^'"]+)""", script)


def is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def remote_requests(html: str) -> list[str]:
    finder = ResourceFinder()
    finder.feed(html)
    return [url for url in finder.urls if is_remote(url)]


def test_the_request_finder_sees_what_a_browser_would_fetch() -> None:
    page = """
    <link rel="stylesheet" href="https://cdn.example/a.css">
    <link rel="canonical" href="https://example.org/guide/">
    <script src="_static/local.js"></script>
    <script type="module">import mermaid from "https://cdn.example/mermaid.mjs";</script>
    <style>@font-face { src: url('https://fonts.example/f.woff2'); }</style>
    <img srcset="//img.example/a.png 1x, _images/b.png 2x" src="_images/b.png">
    <a href="https://eventlet.readthedocs.io/">a link a reader may follow</a>
    """
    assert remote_requests(page) == [
        "https://cdn.example/a.css",
        "https://cdn.example/mermaid.mjs",
        "https://fonts.example/f.woff2",
        "//img.example/a.png",
    ]


def test_html_loads_nothing_from_other_hosts(html: Path) -> None:
    remote: list[str] = []
    pages = sorted(html.rglob("*.html"))
    for page in pages:
        urls = remote_requests(page.read_text(encoding="utf-8"))
        remote.extend(f"{page.relative_to(html)}: {url}" for url in urls)
    for stylesheet in sorted(html.rglob("*.css")):
        urls = css_urls(stylesheet.read_text(encoding="utf-8"))
        remote.extend(f"{stylesheet.relative_to(html)}: {url}" for url in urls if is_remote(url))
    for script in sorted(html.rglob("*.js")):
        urls = js_imports(script.read_text(encoding="utf-8"))
        remote.extend(f"{script.relative_to(html)}: {url}" for url in urls)
    assert pages
    assert remote == []


def _tree_differences(left: Path, right: Path) -> list[str]:
    """Every path that is missing on one side or differs in bytes."""
    differences: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: Path) -> None:
        differences.extend(str(prefix / name) for name in comparison.left_only)
        differences.extend(str(prefix / name) for name in comparison.right_only)
        for name in comparison.common_files:
            if not filecmp.cmp(Path(comparison.left, name), Path(comparison.right, name), False):
                differences.append(str(prefix / name))
        for name, sub in comparison.subdirs.items():
            walk(sub, prefix / name)

    walk(filecmp.dircmp(left, right), Path())
    return differences


#: A step for the asyncio section's page.
NEW_STEP = """
.. migration-step:: Read the asyncio path
   :id: read-the-path
   :effort: small
   :risk: low
   :applies-to: asyncio

   .. after::

      You know the five steps that follow.
"""
# The new step changes the dependency graph, whose rendering is not in
# docs/_diagrams (and mermaid-cli is not run here): the page shows the
# diagram's source instead, in the incremental and the clean build alike.
# Every build of the chain uses this setting: a change of configuration
# would make Sphinx read every page again.
SHOW_UNRENDERED = ("-D", "suppress_warnings=diagrams.not_rendered")


def _step_numbers(page: Path) -> list[int]:
    found = re.findall(r'migration-step-number">Step (\d+): ', page.read_text(encoding="utf-8"))
    return [int(number) for number in found]


def _written(output: str) -> set[str]:
    return set(re.findall(r"writing output\.\.\. \[ *\d+%\] (\S+)", output))


def _search_index_matches(clean_html: Path, incremental_html: Path) -> None:
    clean, incremental = _search_index(clean_html), _search_index(incremental_html)
    # Sphinx bug https://github.com/sphinx-doc/sphinx/issues/12599 (open, seen
    # since 7.4): IndexBuilder.load() does not restore "indexentries" (the
    # index directive and glossary terms) of pages an incremental build does
    # not rewrite; they live in env._search_index_index_entries, which is
    # filled while writing, after the environment was pickled. Clean builds
    # (CI, Read the Docs) are complete; a writer's incremental preview can miss
    # some index entries in search.
    # Each entry the incremental build has is one the clean build has.
    clean_entries = {
        (key, json.dumps(entry))
        for key, entries in clean["indexentries"].items()
        for entry in entries
    }
    assert {
        (key, json.dumps(entry))
        for key, entries in incremental["indexentries"].items()
        for entry in entries
    } <= clean_entries
    # IndexBuilder.prune() (sphinx/search/__init__.py) takes a re-read page
    # out of each word's set of pages but keeps the word: a word that only
    # the old text of a re-read page had stays in "terms" or "titleterms" with
    # no page ([]), which a search cannot show. Everything else must match.
    for key in ("terms", "titleterms"):
        incremental[key] = {word: pages for word, pages in incremental[key].items() if pages != []}
    assert {key: value for key, value in incremental.items() if key != "indexentries"} == {
        key: value for key, value in clean.items() if key != "indexentries"
    }


def test_serial_and_incremental_builds_equal_clean_parallel_ones(
    html: Path, tmp_path: Path
) -> None:
    # A copy of the sources (conf.py finds ext/ beside docs/), so that editing
    # pages leaves the repository alone.
    for part in ("docs", "ext"):
        shutil.copytree(
            DOCS.parent / part,
            tmp_path / part,
            ignore=shutil.ignore_patterns("_build", "__pycache__"),
        )
    docs, out = tmp_path / "docs", tmp_path / "html"
    section = docs / "howto" / "asyncio" / "index.rst"
    original = section.read_text(encoding="utf-8")
    steps_page = out / "howto" / "asyncio" / "gradual-migration.html"
    checklist = out / "howto" / "checklist.html"

    # One clean serial build, of the sources with one more step: on the
    # asyncio section's page, which comes before the gradual-migration page
    # in reading order, so every later step is numbered one higher.
    section.write_text(original + NEW_STEP, encoding="utf-8")
    sphinx_build("html", out, *SHOW_UNRENDERED, docs=docs)
    numbers = _step_numbers(steps_page)
    assert numbers
    assert 'data-migration-key="read-the-path"' in checklist.read_text(encoding="utf-8")

    # Removing the step again: only the edited page is read again, yet the
    # steps of the pages after it and the checklist are renumbered...
    section.write_text(original, encoding="utf-8")
    stat = section.stat()
    os.utime(section, (stat.st_atime + 10, stat.st_mtime + 10))
    rebuilt = sphinx_build("html", out, *SHOW_UNRENDERED, docs=docs)
    assert "0 added, 1 changed, 0 removed" in rebuilt.stdout, rebuilt.stdout
    written = _written(rebuilt.stdout)
    assert {"howto/asyncio/gradual-migration", "howto/checklist"} <= written, rebuilt.stdout
    # A page that shows no step, and lists no page that does, is left alone.
    assert "reference/glossary" not in written, rebuilt.stdout
    assert _step_numbers(steps_page) == [number - 1 for number in numbers]
    assert 'data-migration-key="read-the-path"' not in checklist.read_text(encoding="utf-8")

    # ...and the result has the bytes of the shared clean -j 2 build: the
    # pages this build rewrote show that incremental builds are right, the
    # others (written by the serial build) that the build is reproducible and
    # that parallel reading and writing change nothing.
    assert _tree_differences(html, out) in ([], ["searchindex.js"])
    _search_index_matches(html, out)


def _search_index(html: Path) -> dict[str, Any]:
    """The data of searchindex.js: ``Search.setIndex({...})``."""
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])
