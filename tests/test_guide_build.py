"""Whole-guide builds: strict HTML, reproducible HTML, ePub and PDF.

Each build runs ``sphinx-build`` in a subprocess with the same strict flags
as the nox sessions, so what passes here passes for a writer and on CI.
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

DOCS = Path(__file__).resolve().parent.parent / "docs"
STRICT = ("-W", "--keep-going", "-n")
PDF_NAME = "eventlet-migration-guide"
# Any fixed moment: two builds with the same value must give the same bytes.
REPRODUCIBLE_EPOCH = "1767225600"

pytestmark = pytest.mark.slow


def sphinx_build(
    builder: str, outdir: Path, *extra: str, docs: Path = DOCS
) -> subprocess.CompletedProcess[str]:
    """Build the guide with ``builder`` into ``outdir``; fail the test on any warning.

    Without colour: CI sets FORCE_COLOR, and escape codes would break the
    tests that read the build's output.
    """
    env = {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}
    # Doctrees (pickles, not output) go beside the output so that comparing
    # two output trees compares only what readers get.
    doctrees = outdir.with_name(f"{outdir.name}.doctrees")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "--no-color",
        *STRICT,
        "-b",
        builder,
        "-d",
        str(doctrees),
    ]
    result = subprocess.run(
        [*command, *extra, str(docs), str(outdir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"sphinx-build -b {builder} failed:\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("html")
    sphinx_build("html", outdir)
    return outdir


def test_html_build_has_no_warnings(html: Path) -> None:
    # sphinx_build has already asserted a clean exit and a quiet stderr;
    # check that the guide's entry points really came out.
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "Eventlet Migration Guide" in index
    assert (html / "searchindex.js").stat().st_size > 0
    assert (html / "genindex.html").is_file()


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


def test_two_clean_html_builds_are_byte_identical(html: Path, tmp_path: Path) -> None:
    again = tmp_path / "html"
    sphinx_build("html", again)
    assert _tree_differences(html, again) == []


def test_parallel_build_equals_serial(html: Path, tmp_path: Path) -> None:
    parallel = tmp_path / "html"
    sphinx_build("html", parallel, "-j", "2")
    assert _tree_differences(html, parallel) == []


def test_incremental_rebuild_equals_clean_build(html: Path, tmp_path: Path) -> None:
    # A copy of the sources (conf.py finds ext/ beside docs/), so that touching
    # a page leaves the repository alone.
    for part in ("docs", "ext"):
        shutil.copytree(
            DOCS.parent / part, tmp_path / part, ignore=shutil.ignore_patterns("_build")
        )
    docs, out = tmp_path / "docs", tmp_path / "html"
    sphinx_build("html", out, docs=docs)
    page = docs / "contributing" / "index.md"
    os.utime(page)
    rebuilt = sphinx_build("html", out, docs=docs)
    assert "1 changed" in rebuilt.stdout  # the rebuild read only the touched page
    assert _tree_differences(html, out) in ([], ["searchindex.js"])
    clean, incremental = _search_index(html), _search_index(out)
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


def test_epub_has_every_page_and_diagram(html: Path, tmp_path: Path) -> None:
    sphinx_build("epub", tmp_path)
    epub = tmp_path / f"{PDF_NAME}.epub"
    with zipfile.ZipFile(epub) as archive:
        # The first entry of an ePub must be the uncompressed mimetype file.
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert archive.read(first) == b"application/epub+zip"
        names = set(archive.namelist())
        xhtml = "\n".join(
            archive.read(name).decode("utf-8") for name in names if name.endswith(".xhtml")
        )
    pages = {str(page.relative_to(html).with_suffix(".xhtml")) for page in html.rglob("*.html")}
    pages -= {"genindex.xhtml", "search.xhtml"}  # HTML-only pages
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
def test_pdf_has_every_chapter_and_diagram(html: Path, tmp_path: Path) -> None:
    latex = tmp_path / "latex"
    sphinx_build("latex", latex)
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
    chapters = _chapter_titles(latex.with_name("latex.doctrees"))
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
