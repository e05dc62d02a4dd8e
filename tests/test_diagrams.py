# SPDX-License-Identifier: MIT
"""ext/diagrams.py: Mermaid diagrams as cached, pre-rendered images."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from diagrams import cached_files, diagram_key, natural_size, valid_svg
from guide_build import guide_build, uncommitted_renderings

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

# The diagram sources exactly as the directives in tests/roots/test-diagrams see them.
RST_DIAGRAM = "flowchart LR\n  A --> B"
MYST_DIAGRAM = "flowchart TD\n  C --> D"
TOOLS = Path(__file__).resolve().parent.parent / "tools"
MMDC = TOOLS / "mermaid" / "node_modules" / ".bin" / "mmdc"
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
needs_mermaid_cli = pytest.mark.skipif(
    not MMDC.is_file() or CHROMIUM is None,
    reason="mermaid-cli and Chromium not installed: `nox -s diagrams` sets them up (CI has them)",
)


def project(builder: str, name: str, **overrides: object) -> pytest.MarkDecorator:
    """A fresh copy of tests/roots/test-diagrams per test: each test owns its cache."""
    return pytest.mark.sphinx(
        builder, testroot="diagrams", srcdir=f"diagrams-{name}", confoverrides=overrides
    )


FAKE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"></svg>'
)


def fill_cache(srcdir: Path, *codes: str) -> None:
    """Put stand-in renderings for ``codes`` into the test project's cache."""
    cache = srcdir / "_diagrams"
    cache.mkdir(exist_ok=True)
    for code in codes:
        for name in cached_files(diagram_key(code)).values():
            content = "%PDF-1.4 stand-in" if name.endswith(".pdf") else FAKE_SVG
            (cache / name).write_text(content)


def test_key_changes_with_the_source() -> None:
    assert diagram_key(RST_DIAGRAM) == diagram_key(RST_DIAGRAM)
    assert diagram_key(RST_DIAGRAM) != diagram_key(RST_DIAGRAM + " --> C")


def test_natural_size_replaces_full_width() -> None:
    svg = (
        '<svg id="my-svg" width="100%" style="max-width: 612.5px; background-color: white;" '
        'viewBox="0 0 612.5 65"><g/></svg>'
    )
    assert natural_size(svg) == (
        '<svg id="my-svg" width="612.5" height="65" style="background-color: white;" '
        'viewBox="0 0 612.5 65"><g/></svg>'
    )
    # An SVG that already has a size is left alone.
    assert natural_size(FAKE_SVG) == FAKE_SVG


def test_valid_svg_sizes_rects_drops_names_and_keeps_a_valid_role() -> None:
    # What mermaid-cli 11 writes and epubcheck (SVG 1.1) rejects.
    svg = (
        '<svg role="graphics-document document"><rect class="background"/>'
        '<rect x="1" width="2" height="3" name="B"></rect><rect height="4"/></svg>'
    )
    assert valid_svg(svg) == (
        '<svg role="document"><rect class="background" width="0" height="0"/>'
        '<rect x="1" width="2" height="3"></rect><rect height="4" width="0"/></svg>'
    )


def test_committed_renderings_are_valid_svg() -> None:
    """Every SVG in docs/_diagrams went through valid_svg (epubcheck checks the ePub's)."""
    renderings = sorted((TOOLS.parent / "docs" / "_diagrams").glob("*.svg"))
    assert renderings
    for path in renderings:
        svg = path.read_text(encoding="utf-8")
        assert valid_svg(svg) == svg, path.name


def test_every_rendering_the_guide_uses_is_committed(
    guide_html: Path, pytestconfig: pytest.Config
) -> None:
    """A diagram without a committed rendering builds on CI, not on Read the Docs.

    Where mermaid-cli is installed (CI, a writer's machine) the build renders a
    diagram it finds no rendering for into docs/_diagrams, and passes; Read the
    Docs has no mermaid-cli, so there the same build fails. The PDF test checks
    the diagrams only the LaTeX build uses.
    """
    keys = guide_build(pytestconfig).diagram_keys
    assert keys
    assert uncommitted_renderings(keys) == []


@project("html", "html")
def test_html_shows_light_and_dark_renderings(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM, MYST_DIAGRAM)
    app.build()
    assert app.warning.getvalue() == ""
    key = diagram_key(RST_DIAGRAM)
    index = (app.outdir / "index.html").read_text()
    for scheme in ("light", "dark"):
        assert re.search(
            rf'<img alt="Two boxes" class="diagram only-{scheme}" loading="lazy" '
            rf'src="_images/{key}-{scheme}.svg"',
            index,
        )
        # The link to the full size, and the SVG it opens.
        assert (
            f'<a class="only-{scheme} reference external" href="_diagrams/{key}-{scheme}.svg">'
            "Open the diagram full size</a>" in index
        )
        assert (app.outdir / "_diagrams" / f"{key}-{scheme}.svg").read_text() == FAKE_SVG
    # The frame never lets the text shrink below 10 px: it scrolls instead.
    assert '<div class="diagram-frame" style="--diagram-min-width: 7px">' in index
    # No client-side Mermaid: nothing to load from a CDN, or at all.
    assert "mermaid" not in index
    assert (app.outdir / "_images" / f"{key}-dark.svg").read_text() == FAKE_SVG
    page = (app.outdir / "page.html").read_text()
    assert f"{diagram_key(MYST_DIAGRAM)}-light.svg" in page
    assert "A caption" in page


@project("html", "linked")
def test_a_diagram_with_links_is_embedded_inline_in_html(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM)
    linked = (
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" id="d-light">'
        '<a xlink:href="page.html#x"><text>A</text></a></svg>'
    )
    files = cached_files(diagram_key(MYST_DIAGRAM))
    cache = app.srcdir / "_diagrams"
    for (variant, suffix), name in files.items():
        content = "%PDF-1.4 stand-in" if suffix == ".pdf" else linked.replace("light", variant)
        (cache / name).write_text(content)
    app.build()
    assert app.warning.getvalue() == ""
    page = (app.outdir / "page.html").read_text()
    # Inline, so that the link works; each colour scheme in its own wrapper.
    assert '<div class="diagram diagram-inline only-light"><svg' in page
    assert '<div class="diagram diagram-inline only-dark"><svg' in page
    assert 'xlink:href="page.html#x"' in page
    assert "<?xml" not in page
    assert "_static/diagrams.css" in page
    # An inline SVG has no alt attribute: its :alt: is its aria-label.
    assert '<svg aria-label="C goes to D" xmlns=' in page
    assert 'href="_diagrams/' in page
    # A diagram without links stays an image.
    index = (app.outdir / "index.html").read_text()
    assert "diagram-inline" not in index
    assert '<img alt="Two boxes" class="diagram only-light"' in index


@project("latex", "latex")
def test_latex_includes_the_pdf_rendering(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM, MYST_DIAGRAM)
    app.build()
    assert app.warning.getvalue() == ""
    tex = next(app.outdir.glob("*.tex")).read_text()
    key = diagram_key(RST_DIAGRAM)
    assert f"\\sphinxincludegraphics{{{{{key}-light}}.pdf}}" in tex
    assert "dark" not in tex
    assert (app.outdir / f"{key}-light.pdf").is_file()


@project("epub", "epub")
def test_epub_gets_only_the_light_svg(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM, MYST_DIAGRAM)
    app.build()
    assert app.warning.getvalue() == ""
    index = (app.outdir / "index.xhtml").read_text()
    assert f"{diagram_key(RST_DIAGRAM)}-light.svg" in index
    assert "-dark.svg" not in index


@project("text", "text")
def test_text_builder_shows_the_source(app: SphinxTestApp) -> None:
    app.build()
    # No image support, so no rendering is needed and nothing is missing.
    assert app.warning.getvalue() == ""
    assert "A --> B" in (app.outdir / "index.txt").read_text()


@project("html", "missing")
def test_missing_rendering_warns_at_the_diagram_and_shows_its_source(app: SphinxTestApp) -> None:
    app.build()
    warnings = app.warning.getvalue()
    assert "index.rst:4: WARNING: diagram has no cached rendering" in warnings
    assert "page.md:3: WARNING: diagram has no cached rendering" in warnings
    assert "nox -s diagrams" in warnings
    assert "[diagrams.not_rendered]" in warnings
    index = (app.outdir / "index.html").read_text()
    assert "This diagram could not be rendered" in index
    assert "A --&gt; B" in index


@project("html", "no-alt")
def test_a_diagram_without_alt_text_warns_at_its_location(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM, MYST_DIAGRAM)
    page = app.srcdir / "page.md"
    page.write_text(page.read_text().replace(":alt: C goes to D\n", ""))
    app.build()
    warnings = app.warning.getvalue()
    assert "page.md:3: WARNING: diagram has no :alt: text" in warnings
    assert "[diagrams.no_alt]" in warnings
    assert "index.rst" not in warnings
    assert 'alt="Diagram"' in (app.outdir / "page.html").read_text()


@project("html", "suppressed", suppress_warnings=["diagrams.not_rendered"])
def test_the_warning_can_be_suppressed(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue() == ""


@project("html", "manifest")
def test_the_manifest_lists_the_renderings_a_build_used(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, RST_DIAGRAM, MYST_DIAGRAM, "flowchart LR\n  gone --> away")
    manifest = app.srcdir / "used.keys"
    app.config.diagrams_manifest = str(manifest)
    app.build()
    assert app.warning.getvalue() == ""
    # What nox -s diagrams keeps; the third rendering is no diagram's.
    assert manifest.read_text().split() == sorted(
        diagram_key(code) for code in (RST_DIAGRAM, MYST_DIAGRAM)
    )


@needs_mermaid_cli
@project("html", "render", diagrams_mmdc=str(MMDC))
def test_mermaid_cli_renders_and_caches(app: SphinxTestApp) -> None:
    # One diagram is enough to prove the rendering (each rendering starts
    # Chromium three times); the MyST page's diagram comes from the cache.
    fill_cache(app.srcdir, MYST_DIAGRAM)
    app.build()
    assert app.warning.getvalue() == ""
    files = cached_files(diagram_key(RST_DIAGRAM))
    svg = (app.srcdir / "_diagrams" / files["light", ".svg"]).read_text()
    assert svg.startswith("<svg")
    assert 'width="100%"' not in svg
    assert (app.srcdir / "_diagrams" / files["light", ".pdf"]).read_bytes().startswith(b"%PDF")
    assert "<svg" in (app.srcdir / "_diagrams" / files["dark", ".svg"]).read_text()


@needs_mermaid_cli
@project("html", "syntax-error", diagrams_mmdc=str(MMDC))
def test_a_diagram_mermaid_cannot_parse_warns_at_its_location(app: SphinxTestApp) -> None:
    fill_cache(app.srcdir, MYST_DIAGRAM)
    index = app.srcdir / "index.rst"
    index.write_text(index.read_text().replace("A --> B", "A -->"))
    app.build()
    warnings = app.warning.getvalue()
    assert "index.rst:4: WARNING: mermaid-cli could not render this diagram" in warnings
    assert "[diagrams.render_failed]" in warnings
