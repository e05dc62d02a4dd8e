# SPDX-License-Identifier: MIT
"""Sort sphinx-sitemap's ``sitemap.xml`` by URL: the same bytes from any build.

sphinx-sitemap (2.9) collects each page's URL in a queue while pages are
written and writes them in the order they arrived. In a parallel build
(``-j``) the writer processes finish in any order, so two builds of the same
sources list the same URLs in different orders. This extension rewrites the
file after sphinx-sitemap has written it, with its ``<url>`` entries sorted.

It expects the file sphinx-sitemap writes with ``sitemap_indent = 0``: one
line, ``<url>`` entries side by side. Anything else is left as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

_ENTRY = re.compile(rb"<url>.*?</url>", re.DOTALL)


def sort_sitemap(path: Path) -> None:
    """Sort the ``<url>`` entries of the sitemap at ``path`` in place."""
    data = path.read_bytes()
    entries = _ENTRY.findall(data)
    if not entries:
        return
    start = data.index(entries[0])
    end = data.rindex(entries[-1]) + len(entries[-1])
    if b"".join(entries) != data[start:end]:
        return  # not the shape described above: leave it alone
    path.write_bytes(data[:start] + b"".join(sorted(entries)) + data[end:])


def _sort_after_build(app: Sphinx, exception: BaseException | None) -> None:
    path = Path(app.outdir) / app.config.sitemap_filename
    if exception is None and app.builder.format == "html" and path.is_file():
        sort_sitemap(path)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx_sitemap")
    # After sphinx-sitemap's own build-finished listener (priority 500).
    app.connect("build-finished", _sort_after_build, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
