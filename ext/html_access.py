# SPDX-License-Identifier: MIT
"""Keyboard and screen-reader fixes to the guide's HTML pages.

Every page gets a stylesheet and a small script (``html_access_static/``):

- a region that scrolls sideways (a wide code block, table or diagram) can take
  keyboard focus and has a name, so a keyboard user can scroll it (WCAG
  2.1.1; axe-core's ``scrollable-region-focusable``). Only the regions that
  overflow at the current width get a tab stop, so the script decides, and
  decides again when a region's size changes (a resized window, a tab shown);
- sphinx-copybutton's buttons show when they have keyboard focus;
- wide tables show a shadow at an edge that hides more columns;
- the generated index wraps long names instead of scrolling the page;
- on a phone, sphinx-design's tab labels share one row;
- a search page opened from disk (``file://``) asks for no excerpts, which a
  browser refuses to read from disk, and says why they are missing.

The templates in ``docs/_templates`` fix the theme's markup itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

STATIC = Path(__file__).resolve().parent / "html_access_static"


def add_static_path(app: Sphinx) -> None:
    """Let the HTML builders copy our CSS and script with their own static files."""
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", add_static_path)
    app.add_css_file("html-access.css")
    app.add_js_file("html-access.js")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
