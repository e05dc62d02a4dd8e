# SPDX-License-Identifier: MIT
"""Mermaid diagrams as pre-rendered images, for every builder, with no network.

sphinxcontrib-mermaid parses the ``mermaid`` directive; by default it leaves
rendering to a script loaded from a CDN when the page opens. This extension
replaces each ``mermaid`` node, after reading and after any extension has
generated its own diagrams, with images:

- HTML: a light and a dark SVG, shown according to furo's colour scheme;
- LaTeX: a vector PDF; ePub and the other builders: the light SVG.

Renderings are cached in ``docs/_diagrams`` under a key computed from the
diagram's source and the render settings, and committed to the repository, so
an ordinary build needs neither Node.js nor a browser. When a diagram has no
cached rendering, it is rendered with mermaid-cli (``mmdc``) if that is
installed (``nox -s diagrams`` installs it); otherwise the build warns, with
the diagram's location, and shows the diagram's source in its place. In HTML
a diagram whose source has ``click`` links is embedded as inline SVG, where
the links work; any other is an image. Either sits in a frame that lets it
shrink with the column only while its text stays at ``MIN_TEXT_PX`` or more
(narrower, the frame scrolls sideways), followed by a link that opens the SVG
full size (the files are copied to ``_diagrams/`` in the output). A diagram
without ``:alt:`` text is a warning (``diagrams.no_alt``).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.osutil import relative_uri
from sphinxcontrib.mermaid import Mermaid, mermaid

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "diagrams_static"

#: Bump when the render settings below change, so every cached file is redone.
RENDER_VERSION = "3"
#: Mermaid settings for each variant. Plain SVG text labels (no HTML inside
#: foreignObject) render the same in browsers, ePub readers and PDF; the wider
#: wrapping keeps dotted names such as eventlet.greenio.GreenSocket whole.
_FLOWCHART = {"htmlLabels": False, "wrappingWidth": 260}
VARIANTS: dict[str, dict[str, Any]] = {
    "light": {"theme": "default", "htmlLabels": False, "flowchart": _FLOWCHART},
    "dark": {"theme": "dark", "htmlLabels": False, "flowchart": _FLOWCHART},
}
#: The files one diagram needs: (variant, suffix, background).
OUTPUTS = (
    ("light", ".svg", "transparent"),
    ("dark", ".svg", "transparent"),
    ("light", ".pdf", "white"),
)
#: What a builder must accept to show a rendering (the LaTeX builder takes PDF).
IMAGE_TYPES = frozenset({"image/svg+xml", "application/pdf"})
RENDER_TIMEOUT = 60
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# mmdc writes SVGs that stretch to their container (width="100%"); an <img>
# then blows a small diagram up to the full column. Give it its natural size.
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="100%"[^>]*>')
# What mermaid-cli writes that is not valid SVG 1.1, which ePub readers (and
# epubcheck) hold SVG to: rects with no size (background placeholders),
# ``name`` attributes, and the role "graphics-document document".
_RECT = re.compile(r"<rect\b[^>]*>")
_NAME_ATTRIBUTE = re.compile(r'\sname="[^"]*"')
_GRAPHICS_ROLE = 'role="graphics-document document"'
_LINK = re.compile(r"<a\s[^>]*href=")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
_SVG_TAG = re.compile(r"<svg\b")
#: Mermaid's text size (its ``fontSize`` default), in SVG units.
FONT_PX = 16
#: The smallest text a diagram may show in HTML: below this, the diagram
#: keeps its size and its frame scrolls sideways (on a phone) instead.
MIN_TEXT_PX = 10
#: Where the HTML builders put each diagram's SVG files, to open full size.
FULL_SIZE_DIR = "_diagrams"


def diagram_key(code: str) -> str:
    """The cache key of a diagram: its source and everything that shapes its rendering."""
    material = json.dumps([RENDER_VERSION, VARIANTS, code], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def cached_files(key: str) -> dict[tuple[str, str], str]:
    """File names of a diagram's renderings, by (variant, suffix)."""
    return {(variant, suffix): f"{key}-{variant}{suffix}" for variant, suffix, _ in OUTPUTS}


class LocatedMermaid(Mermaid):
    """sphinxcontrib-mermaid's directive, with the source location on its node.

    The upstream node carries no line number; ours does, so a diagram that
    cannot be rendered is reported at its file and line. A diagram without
    ``:alt:`` text is reported too: its images would say only "Diagram".
    """

    def run(self, **kwargs: Any) -> list[nodes.Node]:
        result = super().run(**kwargs)
        source, line = self.state_machine.get_source_and_line(self.lineno)
        for node in result:
            for diagram in node.findall(mermaid):
                diagram.source, diagram.line = source, line
                if not self.options.get("alt", "").strip():
                    logger.warning(
                        "diagram has no :alt: text; say what it shows, for readers who "
                        "cannot see it",
                        location=diagram, type="diagrams", subtype="no_alt",
                    )  # fmt: skip
        return result


class RenderError(Exception):
    """mermaid-cli could not render a diagram."""


class Renderer:
    """Renders one diagram into the cache with mermaid-cli."""

    def __init__(self, mmdc: str, chromium: str) -> None:
        self.mmdc = mmdc
        self.chromium = chromium

    @classmethod
    def from_config(cls, config: Config) -> Renderer | None:
        # A path or a command name on PATH; empty turns rendering off.
        mmdc = shutil.which(config.diagrams_mmdc) if config.diagrams_mmdc else None
        if mmdc is None:
            return None
        chromium = config.diagrams_chromium or next(
            filter(None, map(shutil.which, CHROMIUM_NAMES)), None
        )
        if not chromium:
            return None
        return cls(mmdc, chromium)

    def render(self, code: str, cache: Path, key: str) -> None:
        files = cached_files(key)
        with tempfile.TemporaryDirectory(prefix="diagram-") as tmp:
            work = Path(tmp)
            (work / "diagram.mmd").write_text(code, encoding="utf-8")
            (work / "puppeteer.json").write_text(json.dumps(self._puppeteer_config()))
            for variant, suffix, background in OUTPUTS:
                (work / f"{variant}.json").write_text(json.dumps(VARIANTS[variant]))
                out = work / files[variant, suffix]
                command = [
                    self.mmdc, "--quiet",
                    "--input", str(work / "diagram.mmd"), "--output", str(out),
                    "--configFile", str(work / f"{variant}.json"),
                    "--puppeteerConfigFile", str(work / "puppeteer.json"),
                    "--backgroundColor", background,
                ]  # fmt: skip
                if suffix == ".pdf":
                    command.append("--pdfFit")
                else:
                    # Ids (and the style rules that use them) of their own, so
                    # that two inline SVGs on one page never restyle each other.
                    command.extend(["--svgId", f"d{key}-{variant}"])
                self._run(command)
                if suffix == ".svg":
                    svg = natural_size(out.read_text(encoding="utf-8"))
                    out.write_text(valid_svg(svg), encoding="utf-8")
            cache.mkdir(parents=True, exist_ok=True)
            # Move into place only once every output exists, so an interrupted
            # render never leaves half a diagram in the cache.
            for name in files.values():
                os.replace(work / name, cache / name)

    def _puppeteer_config(self) -> dict[str, Any]:
        return {
            "executablePath": self.chromium,
            "args": [
                "--no-sandbox", "--headless", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        }  # fmt: skip

    def _run(self, command: list[str]) -> None:
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=RENDER_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderError(str(error)) from error
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise RenderError(" / ".join(lines[:3]) or f"mmdc exited with {result.returncode}")


def _inline(svg: str, scheme: str, alt: str) -> nodes.raw:
    svg = _XML_DECLARATION.sub("", svg, count=1)
    # An inline SVG has no alt attribute: its name is its aria-label.
    svg = _SVG_TAG.sub(f'<svg aria-label="{html.escape(alt)}"', svg, count=1)
    markup = f'<div class="diagram diagram-inline {scheme}">{svg}</div>'
    return nodes.raw("", markup, format="html")


def natural_size(svg: str) -> str:
    """Give a full-width mermaid SVG its natural width and height from its viewBox."""
    match = _SVG_SIZE.search(svg)
    viewbox = _VIEWBOX.search(match.group(0)) if match else None
    if not match or not viewbox:
        return svg
    width, height = viewbox.groups()
    tag = match.group(0).replace('width="100%"', f'width="{width}" height="{height}"', 1)
    tag = re.sub(r'style="max-width: [\d.]+px;\s*', 'style="', tag)
    return svg[: match.start()] + tag + svg[match.end() :]


def svg_width(svg: str) -> float:
    """The width of a rendering, from its viewBox (0 if it has none)."""
    viewbox = _VIEWBOX.search(svg)
    return float(viewbox.group(1)) if viewbox else 0.0


def valid_svg(svg: str) -> str:
    """Make a mermaid SVG valid SVG 1.1 without changing what it draws.

    A rect without a size draws nothing (SVG 2 sizes it 0, or by CSS, which
    overrides attributes), so an explicit 0 changes nothing on screen.
    """

    def sized(match: re.Match[str]) -> str:
        tag = match.group(0)
        end = len(tag) - (2 if tag.endswith("/>") else 1)
        missing = "".join(
            f' {attribute}="0"' for attribute in ("width", "height")
            if not re.search(rf"\s{attribute}=", tag)
        )  # fmt: skip
        return tag[:end] + missing + tag[end:]

    svg = _RECT.sub(sized, svg)
    svg = _NAME_ATTRIBUTE.sub("", svg)
    return svg.replace(_GRAPHICS_ROLE, 'role="document"')


class DiagramImages(SphinxPostTransform):
    """Replace every ``mermaid`` node with its cached renderings."""

    # Before Sphinx's image converters (10) and the ``only`` filter (50).
    default_priority = 5
    #: Keys of the diagrams written in the current build, for ``diagrams_manifest``.
    #: Reset at builder-inited. Post-transforms run in the main process, also
    #: in parallel builds, so one set sees every document.
    used: ClassVar[set[str]] = set()

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(mermaid)):
            replacement = self._images(node)
            node.replace_self(replacement)

    def _images(self, node: mermaid) -> list[nodes.Node]:
        if not IMAGE_TYPES.intersection(self._builder().supported_image_types):
            # Text, man and other builders without images: the source is readable text.
            return [self._source_block(node)]
        code: str = node["code"]
        key = diagram_key(code)
        cache = Path(self.env.srcdir, self.config.diagrams_cache_dir)
        files = cached_files(key)
        missing = [name for name in files.values() if not (cache / name).is_file()]
        if missing and not self._render(node, code, cache, key):
            return [self._source_fallback(node)]
        self.used.add(key)
        return self._image_nodes(node, cache, files)

    def _render(self, node: mermaid, code: str, cache: Path, key: str) -> bool:
        renderer = Renderer.from_config(self.config)
        if renderer is None:
            logger.warning(
                "diagram has no cached rendering and mermaid-cli (mmdc) or Chromium is not "
                "available to render it; run `nox -s diagrams` and commit docs/%s",
                self.config.diagrams_cache_dir,
                location=node, type="diagrams", subtype="not_rendered",
            )  # fmt: skip
            return False
        logger.info("rendering diagram %s with mermaid-cli", key)
        try:
            renderer.render(code, cache, key)
        except RenderError as error:
            logger.warning(
                "mermaid-cli could not render this diagram: %s", error,
                location=node, type="diagrams", subtype="render_failed",
            )  # fmt: skip
            return False
        return True

    def _image_nodes(
        self, node: mermaid, cache: Path, files: dict[tuple[str, str], str]
    ) -> list[nodes.Node]:
        builder = self._builder()
        supported = builder.supported_image_types
        relative = cache.relative_to(self.env.srcdir).as_posix()

        def image(variant: str, suffix: str, mimetype: str, classes: list[str]) -> nodes.image:
            path = f"{relative}/{files[variant, suffix]}"
            self.env.images.add_file(self._docname(), path)
            result = nodes.image(
                uri=path, candidates={mimetype: path}, alt=node.get("alt", "Diagram"),
                classes=["diagram", *classes],
            )  # fmt: skip
            if "align" in node:
                result["align"] = node["align"]
            if classes:
                # One of the two is hidden (display: none) by the colour
                # scheme; a lazy image that is not displayed is not fetched,
                # so a page downloads only the variant it shows, and the
                # other when furo's theme toggle shows it.
                result["loading"] = "lazy"
            return result

        if "image/svg+xml" in supported and builder.format == "html" and builder.name != "epub":
            return self._html(node, cache, files, image)
        if "image/svg+xml" in supported:
            return [image("light", ".svg", "image/svg+xml", [])]
        return [image("light", ".pdf", "application/pdf", [])]

    def _html(
        self,
        node: mermaid,
        cache: Path,
        files: dict[tuple[str, str], str],
        image: Callable[[str, str, str, list[str]], nodes.image],
    ) -> list[nodes.Node]:
        """The HTML of a diagram: a frame, both schemes, and a link to the full size.

        The frame lets the diagram shrink to the column, but not so far that
        its text is smaller than ``MIN_TEXT_PX``: past that, the frame scrolls
        sideways (ext/html_access.py then gives it keyboard focus and a name).
        """
        # furo shows one or the other according to the reader's colour scheme.
        light = (cache / files["light", ".svg"]).read_text(encoding="utf-8")
        alt = node.get("alt", "Diagram")
        if _LINK.search(light):
            # An <img> cannot follow links: embed the SVG itself.
            dark = (cache / files["dark", ".svg"]).read_text(encoding="utf-8")
            shown: list[nodes.Node] = [
                _inline(light, "only-light", alt),
                _inline(dark, "only-dark", alt),
            ]
        else:
            shown = [
                image("light", ".svg", "image/svg+xml", ["only-light"]),
                image("dark", ".svg", "image/svg+xml", ["only-dark"]),
            ]
        smallest = math.ceil(svg_width(light) * MIN_TEXT_PX / FONT_PX)
        frame = f'<div class="diagram-frame" style="--diagram-min-width: {smallest}px">'
        here = self._page_uri()
        links = []
        for variant, scheme in (("light", "only-light"), ("dark", "only-dark")):
            uri = relative_uri(here, f"{FULL_SIZE_DIR}/{files[variant, '.svg']}")
            links.append(
                f'<a class="{scheme} reference external" href="{html.escape(uri)}">'
                "Open the diagram full size</a>"
            )
        return [
            nodes.raw("", frame, format="html"),
            *shown,
            nodes.raw("", "</div>", format="html"),
            nodes.raw("", f'<p class="diagram-full-size">{"".join(links)}</p>', format="html"),
        ]

    def _page_uri(self) -> str:
        """This page's URI, relative to the output root (as the HTML builder writes it)."""
        app = getattr(self.env, "_app", None) or self.app
        return app.builder.get_target_uri(self._docname())

    def _builder(self) -> type[Builder] | Builder:
        # Sphinx 9 deprecates Transform.app and keeps the builder class on the
        # environment; Sphinx 8.1 (our Python 3.10 pin) only has app.builder.
        builder = getattr(self.env, "_builder_cls", None)
        return builder if builder is not None else self.app.builder

    def _docname(self) -> str:
        # Sphinx 8.2 moved the current document's name to env.current_document.
        current = getattr(self.env, "current_document", None)
        return current.docname if current is not None else self.env.docname

    def _source_block(self, node: mermaid) -> nodes.literal_block:
        block = nodes.literal_block(node["code"], node["code"], language="text")
        block.source, block.line = node.source, node.line
        return block

    def _source_fallback(self, node: mermaid) -> nodes.Element:
        """What a reader gets when a diagram could not be rendered: its source."""
        return nodes.container(
            "",
            nodes.paragraph(text="This diagram could not be rendered; its Mermaid source:"),
            self._source_block(node),
            classes=["diagram-source"],
        )


def no_client_side_mermaid(app: Sphinx, config: Config) -> None:
    """Keep sphinxcontrib-mermaid from adding its CDN script to any page.

    It skips the script only on pages whose doctree has no diagram; generated
    pages (the index, search) have no doctree and would still load mermaid from
    a CDN. Every diagram is an image here, so nothing needs that script.
    """
    config.mermaid_output_format = "svg"


def add_static_path(app: Sphinx) -> None:
    """Let the HTML builders copy our stylesheet with their own static files."""
    app.config.html_static_path.append(str(STATIC))


def reset_used(app: Sphinx) -> None:
    DiagramImages.used = set()


def write_manifest(app: Sphinx, exception: Exception | None) -> None:
    """With ``diagrams_manifest``, list the cache keys this build used, one a line.

    ``nox -s diagrams`` builds each kind of output that can differ (an HTML
    graph has links, a PDF one does not) and deletes the renderings that no
    manifest lists; a single build cannot know what another builder needs.
    """
    if exception is None and app.config.diagrams_manifest:
        keys = "".join(f"{key}\n" for key in sorted(DiagramImages.used))
        Path(app.config.diagrams_manifest).write_text(keys, encoding="utf-8")


def copy_full_size(app: Sphinx, exception: Exception | None) -> None:
    """Copy the SVG renderings the HTML pages link to ("Open the diagram full size")."""
    builder = app.builder
    if exception is not None or builder.format != "html" or builder.name == "epub":
        return
    cache = Path(app.srcdir, app.config.diagrams_cache_dir)
    target = Path(builder.outdir, FULL_SIZE_DIR)
    for key in sorted(DiagramImages.used):
        for (_variant, suffix), name in cached_files(key).items():
            if suffix == ".svg" and (cache / name).is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(cache / name, target / name)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_directive("mermaid", LocatedMermaid, override=True)
    app.add_config_value("diagrams_cache_dir", "_diagrams", "env", str)
    app.add_config_value("diagrams_mmdc", "mmdc", "", str)
    app.add_config_value("diagrams_chromium", "", "", str)
    app.add_config_value("diagrams_manifest", "", "", str)
    app.add_post_transform(DiagramImages)
    app.connect("config-inited", no_client_side_mermaid)
    app.connect("builder-inited", reset_used)
    app.connect("builder-inited", add_static_path)
    app.add_css_file("diagrams.css")
    app.connect("build-finished", write_manifest)
    app.connect("build-finished", copy_full_size)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
