# SPDX-License-Identifier: MIT
"""Whole-guide builds: strict, parallel, serial, incremental, ePub and PDF.

The suite builds the guide as few times as its checks allow. One strict
``-j 2`` HTML build (tests/guide_build.py) is shared by every test that reads
HTML and by the examples. One more chain of builds proves that a serial
build gives the same bytes (so the build is reproducible and parallel-safe)
and that incremental builds give what clean builds give. The ePub and LaTeX
builders write from copies of the shared build's doctrees, as
``make html latexpdf`` would. Each build runs ``sphinx-build`` in a
subprocess with the nox sessions' strict flags, so what passes here passes
for a writer and on CI.
"""

from __future__ import annotations

import filecmp
import html as html_module
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from guide_build import DOCS, copy_doctrees, guide_build, strict_build

PDF_NAME = "eventlet-migration-guide"

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


#: A step added on the asyncio section's page, which comes before the
#: gradual-migration page in reading order: every later step moves down by one.
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
    # some index entries in search. Everything else must match.
    assert {key: value for key, value in incremental.items() if key != "indexentries"} == {
        key: value for key, value in clean.items() if key != "indexentries"
    }
    assert incremental["indexentries"].items() <= clean["indexentries"].items()


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

    # 1. A clean serial build gives the bytes of the shared -j 2 build: the
    #    build is reproducible and parallel reading and writing change nothing.
    sphinx_build("html", out, *SHOW_UNRENDERED, docs=docs)
    assert _tree_differences(html, out) == []

    # 2. Touching one page: only that page is read again, and the result is
    #    the clean build's.
    os.utime(docs / "contributing" / "index.md")
    rebuilt = sphinx_build("html", out, *SHOW_UNRENDERED, docs=docs)
    assert "0 added, 1 changed, 0 removed" in rebuilt.stdout, rebuilt.stdout
    assert _tree_differences(html, out) in ([], ["searchindex.js"])
    _search_index_matches(html, out)

    # 3. Adding a step to one page renumbers the steps of the pages after it
    #    and the checklist, although only the edited page is read again.
    steps_page = out / "howto" / "asyncio" / "gradual-migration.html"
    numbers = _step_numbers(steps_page)
    assert numbers
    section = docs / "howto" / "asyncio" / "index.rst"
    section.write_text(section.read_text(encoding="utf-8") + NEW_STEP, encoding="utf-8")
    stat = section.stat()
    os.utime(section, (stat.st_atime + 10, stat.st_mtime + 10))
    rebuilt = sphinx_build("html", out, *SHOW_UNRENDERED, docs=docs)
    assert "0 added, 1 changed, 0 removed" in rebuilt.stdout, rebuilt.stdout
    written = _written(rebuilt.stdout)
    assert {"howto/asyncio/gradual-migration", "howto/checklist"} <= written, rebuilt.stdout
    assert "contributing/index" not in written, rebuilt.stdout
    assert _step_numbers(steps_page) == [number + 1 for number in numbers]
    checklist = (out / "howto" / "checklist.html").read_text(encoding="utf-8")
    assert 'data-migration-key="read-the-path"' in checklist

    # ...and gives the pages a clean build of the edited sources gives.
    clean = tmp_path / "clean"
    sphinx_build("html", clean, *SHOW_UNRENDERED, docs=docs)
    pages = sorted(str(path.relative_to(clean)) for path in clean.rglob("*.html"))
    assert pages == sorted(str(path.relative_to(out)) for path in out.rglob("*.html"))
    assert [page for page in pages if not filecmp.cmp(clean / page, out / page, False)] == []


def test_epub_has_every_page_and_diagram(
    html: Path, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    doctrees = copy_doctrees(guide_build(pytestconfig), tmp_path / "doctrees")
    out = tmp_path / "epub"
    sphinx_build("epub", out, doctrees=doctrees)
    epub = out / f"{PDF_NAME}.epub"
    with zipfile.ZipFile(epub) as archive:
        # The first entry of an ePub must be the uncompressed mimetype file.
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert archive.read(first) == b"application/epub+zip"
        names = set(archive.namelist())
        xhtml = "\n".join(
            archive.read(name).decode("utf-8") for name in names if name.endswith(".xhtml")
        )
        opf = archive.read("content.opf").decode("utf-8")
    # The ePub's metadata names the licences and describes the guide.
    assert re.search(r"<dc:rights>[^<]*CC BY 4\.0[^<]*MIT[^<]*</dc:rights>", opf), opf
    assert "<dc:description>A tested guide" in opf
    pages = {str(page.relative_to(html).with_suffix(".xhtml")) for page in html.rglob("*.html")}
    # HTML-only pages; sphinx-notfound-page makes no 404 page for an ePub.
    pages -= {"genindex.xhtml", "search.xhtml", "404.xhtml"}
    assert {page for page in pages if f"{page}" not in names} == set()
    diagrams = re.findall(r'src="(?:\.\./)*(_images/\w+-light\.svg)"', xhtml)
    assert len(diagrams) == _diagram_count(html)
    assert set(diagrams) <= names


def _chapter_titles(doctrees: Path) -> list[str]:
    """The titles of the pages the root page's toctrees include: the PDF's chapters."""
    with (doctrees / "environment.pickle").open("rb") as pickled:
        env = pickle.load(pickled)  # written by the build this test just ran
    return [env.titles[docname].astext() for docname in env.toctree_includes["index"]]


@pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
    reason="latexmk/pdflatex not installed: the PDF is built on CI (see .ci/run)",
)
def test_pdf_has_every_chapter_and_diagram(
    html: Path, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    latex = tmp_path / "latex"
    doctrees = copy_doctrees(guide_build(pytestconfig), tmp_path / "doctrees")
    sphinx_build("latex", latex, doctrees=doctrees)
    result = subprocess.run(
        ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode", "-halt-on-error",
         f"{PDF_NAME}.tex"],
        cwd=latex, capture_output=True, text=True, check=False,
    )  # fmt: skip
    log = (latex / f"{PDF_NAME}.log").read_text(errors="replace")
    assert result.returncode == 0, log[-4000:]
    pdf = latex / f"{PDF_NAME}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")

    # pdflatex names every graphic it embeds in its log: each diagram of the
    # HTML build must be there, as the vector PDF rendering.
    assert len(re.findall(r"<\./\w+-light\.pdf>", log)) == _diagram_count(html)

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: cannot read the PDF's text")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Eventlet Migration Guide" in flat
    chapters = _chapter_titles(doctrees)
    assert chapters
    assert [title for title in chapters if title not in flat] == []
    # "??" is what LaTeX prints for a reference it could not resolve.
    assert "??" not in text
    # Lines that stick out into the margin by more than a hair cut text in print.
    overfull = [
        float(width) for width in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide", log)
    ]
    assert [width for width in overfull if width > 2.0] == []

    reader = PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == "Eventlet Migration Guide"
    # docs/conf.py's \hypersetup: a subject, keywords and the licences.
    assert reader.metadata.subject.startswith("Moving Python services off Eventlet")
    assert "asyncio" in reader.metadata["/Keywords"]
    assert "CC BY 4.0" in reader.metadata["/Copyright"]
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    # The chapters, then the back matter LaTeX adds when there are index entries.
    assert bookmarks[: len(chapters)] == chapters
    assert set(bookmarks[len(chapters) :]) <= {"Index"}
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(pdf)).group(1))
    # A title page, the contents and at least one page a chapter; far fewer
    # than a runaway layout (a code block that repeats, an image per page).
    assert 2 + len(chapters) <= pages <= 40 * len(chapters)


def _search_index(html: Path) -> dict[str, Any]:
    """The data of searchindex.js: ``Search.setIndex({...})``."""
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def _diagram_count(html: Path) -> int:
    """How many diagrams the HTML build shows, as images or inline SVG (with links)."""
    pages = "\n".join(page.read_text(encoding="utf-8") for page in html.rglob("*.html"))
    return len(re.findall(r'class="diagram (?:diagram-inline )?only-light"', pages))


def _pdfinfo(pdf: Path) -> str:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) not installed")
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
