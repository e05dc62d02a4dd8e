# SPDX-License-Identifier: MIT
"""The guide on paper and in e-readers: the PDF and the ePub.

Both builders write from copies of the shared strict HTML build's doctrees
(tests/guide_build.py), as ``make html latexpdf`` would. These tests are
marked ``full``: they take most of a minute each (pdflatex, epubcheck's
JVM), so ``nox -s tests`` leaves them out and ``nox -s tests-full`` runs
them; CI (.ci/run) runs both sessions.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from guide_build import copy_doctrees, guide_build, strict_build, uncommitted_renderings

NAME = "eventlet-migration-guide"
#: A page-high box that sticks out of the text block by more than this runs
#: into the footer or off the page (smaller ones are rounding: a line's depth).
OVERFULL_VBOX_LIMIT = 10.0
#: An hbox (a line) that sticks out by more than a hair cuts text in print.
OVERFULL_HBOX_LIMIT = 2.0

#: The smallest diagram text the PDF may print, in pt.
MIN_DIAGRAM_TEXT_PT = 8.0

pytestmark = [pytest.mark.slow, pytest.mark.full]


def _diagram_count(html: Path) -> int:
    """How many diagrams the HTML build shows, as images or inline SVG (with links)."""
    pages = "\n".join(page.read_text(encoding="utf-8") for page in html.rglob("*.html"))
    return len(re.findall(r'class="diagram (?:diagram-inline )?only-light"', pages))


def _smallest_text(pdf: Path) -> float:
    """The smallest text size on the first page of a PDF, in pt."""
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            sizes.append(size * math.hypot(a, b))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return min(sizes)


def _times(m: list[float], n: list[float]) -> list[float]:
    """The product of two PDF transformation matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    return [
        a * n[0] + b * n[2], a * n[1] + b * n[3], c * n[0] + d * n[2], c * n[1] + d * n[3],
        e * n[0] + f * n[2] + n[4], e * n[1] + f * n[3] + n[5],
    ]  # fmt: skip


def _diagram_text_sizes(pdf: Path, latex: Path) -> dict[str, float]:
    """The smallest text of each diagram as printed, in pt, by page and file.

    pdfTeX includes each diagram's PDF as a form XObject named by its
    /PTEX.FileName; its text prints at its own size times the scale of the
    transformation in force where the page draws it.
    """
    reader = PdfReader(pdf)
    found: dict[str, float] = {}
    for number, page in enumerate(reader.pages, 1):
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        if not xobjects:
            continue
        ctm, saved = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append(ctm)
            elif operator == b"Q":
                ctm = saved.pop()
            elif operator == b"cm":
                ctm = _times([float(x) for x in operands], ctm)
            elif operator == b"Do":
                form = xobjects[operands[0]].get_object()
                name = Path(str(form.get("/PTEX.FileName", ""))).name
                if name.endswith("-light.pdf"):
                    matrix = [float(x) for x in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    full = _times(matrix, ctm)
                    scale = math.hypot(full[0], full[1])
                    found[f"page {number}: {name}"] = _smallest_text(latex / name) * scale
    return found


def _epubcheck() -> list[str] | None:
    """The command that runs epubcheck, or None if it is not installed.

    Debian installs it as /usr/bin/epubcheck, a link to a jar file that only
    runs directly where binfmt support is set up: run jars with java.
    """
    found = shutil.which("epubcheck")
    if found is None:
        return None
    if os.path.realpath(found).endswith(".jar"):
        java = shutil.which("java")
        return [java, "-jar", os.path.realpath(found)] if java else None
    return [found]


def test_epub_is_valid_and_has_every_page_and_diagram(
    guide_html: Path, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    doctrees = copy_doctrees(guide_build(pytestconfig), tmp_path / "doctrees")
    out = tmp_path / "epub"
    built = strict_build("epub", Path(pytestconfig.rootpath, "docs"), out, doctrees=doctrees)
    assert built.returncode == 0, built.stderr
    epub = out / f"{NAME}.epub"
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
    pages = {
        str(page.relative_to(guide_html).with_suffix(".xhtml"))
        for page in guide_html.rglob("*.html")
    }
    # HTML-only pages; sphinx-notfound-page makes no 404 page for an ePub.
    pages -= {"genindex.xhtml", "search.xhtml", "404.xhtml"}
    assert {page for page in pages if f"{page}" not in names} == set()
    diagrams = re.findall(r'src="(?:\.\./)*(_images/\w+-light\.svg)"', xhtml)
    assert len(diagrams) == _diagram_count(guide_html)
    assert set(diagrams) <= names
    # Field names end with the HTML writer's colon; the ePub theme adds one
    # more unless docs/_static/epub-field-lists.css hides it ("Effort::").
    assert '<span class="colon">:</span>' in xhtml
    assert re.search(r'href="(?:\.\./)*_static/epub-field-lists\.css"', xhtml)

    command = _epubcheck()
    if command is None:
        pytest.skip("epubcheck (and java) not installed: CI installs them (see .ci/run)")
    checked = subprocess.run(
        [*command, str(epub)], capture_output=True, text=True, check=False, timeout=300
    )
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report[-4000:]
    assert re.search(r"Messages: 0 fatals / 0 errors", report), report[-4000:]


def _chapter_titles(doctrees: Path) -> list[str]:
    """The titles of the pages the root page's toctrees include: the PDF's chapters."""
    with (doctrees / "environment.pickle").open("rb") as pickled:
        env = pickle.load(pickled)  # written by the build this test just ran
    return [env.titles[docname].astext() for docname in env.toctree_includes["index"]]


def _pdfinfo(pdf: Path) -> str:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) not installed")
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


def _overfull(log: str, box: str) -> list[float]:
    """How far each overfull box of this kind sticks out, in points."""
    return [float(size) for size in re.findall(rf"Overfull \\{box} \((\d+\.?\d*)pt too", log)]


@pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
    reason="latexmk/pdflatex not installed: the PDF is built on CI (see .ci/run)",
)
def test_pdf_has_every_chapter_and_diagram_and_nothing_overflows(
    guide_html: Path, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    latex = tmp_path / "latex"
    doctrees = copy_doctrees(guide_build(pytestconfig), tmp_path / "doctrees")
    keys = tmp_path / "latex.keys"
    built = strict_build(
        "latex", Path(pytestconfig.rootpath, "docs"), latex,
        "-D", f"diagrams_manifest={keys}", doctrees=doctrees,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    # The HTML build's diagrams are checked in test_diagrams.py; these include
    # the diagrams only the PDF shows.
    assert uncommitted_renderings(keys.read_text(encoding="utf-8").split()) == []
    result = subprocess.run(
        ["latexmk", "-pdf", "-dvi-", "-ps-", "-interaction=nonstopmode", "-halt-on-error",
         f"{NAME}.tex"],
        cwd=latex, capture_output=True, text=True, check=False,
    )  # fmt: skip
    log = (latex / f"{NAME}.log").read_text(errors="replace")
    assert result.returncode == 0, log[-4000:]
    pdf = latex / f"{NAME}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")

    # pdflatex names every graphic it embeds in its log: each diagram of the
    # HTML build must be there, as the vector PDF rendering.
    # (pdfTeX wraps its log at 79 characters, through a file name too.)
    included = re.findall(r"<\./\w+-light\.pdf>", log.replace("\n", ""))
    assert len(included) == _diagram_count(guide_html)
    # Each prints its text at 8 pt or more.
    sizes = _diagram_text_sizes(latex / f"{NAME}.pdf", latex)
    assert len(sizes) == _diagram_count(guide_html)
    small = {where: round(size, 2) for where, size in sizes.items() if size < MIN_DIAGRAM_TEXT_PT}
    assert small == {}
    # Nothing runs into the margin (a line) or through the footer (a table,
    # a figure, a step): LaTeX reports both as overfull boxes.
    assert [size for size in _overfull(log, "hbox") if size > OVERFULL_HBOX_LIMIT] == []
    assert [size for size in _overfull(log, "vbox") if size > OVERFULL_VBOX_LIMIT] == []
    # Steps print as cards (ext/latex/migrationsteps.sty).
    tex = (latex / f"{NAME}.tex").read_text(encoding="utf-8")
    assert r"\usepackage{migrationsteps}" in tex
    assert (latex / "migrationsteps.sty").is_file()

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
    # A step's metadata is one line (ext/migration_print.py), not a list.
    assert re.search(r"Effort: \w+ · Risk: \w+ · Applies to: \w+", flat)
    # Print asks nobody to click or tick.
    assert [word for word in ("click", "tick the box") if word in flat.lower()] == []

    reader = PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == "Eventlet Migration Guide"
    # docs/conf.py's \hypersetup: a subject, keywords and the licences.
    assert reader.metadata.subject.startswith("Moving Python services off Eventlet")
    assert "asyncio" in reader.metadata["/Keywords"]
    assert "CC BY 4.0" in reader.metadata["/Copyright"]
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    # The root page's own text (an unnumbered "Introduction", see
    # docs/conf.py), the chapters, then the back matter LaTeX adds when
    # there are index entries.
    assert bookmarks[0] == "Introduction"
    assert bookmarks[1 : len(chapters) + 1] == chapters
    assert set(bookmarks[len(chapters) + 1 :]) <= {"Index"}
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(pdf)).group(1))
    # A title page, the contents and at least one page a chapter; far fewer
    # than a runaway layout (a code block that repeats, an image per page).
    assert 2 + len(chapters) <= pages <= 40 * len(chapters)
