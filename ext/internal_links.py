# SPDX-License-Identifier: MIT
"""Warn about hard-coded links to the guide's own pages.

A link written as a URL (``../howto/x.html``, or the published site's
address) escapes every check Sphinx has: it breaks silently when a page moves,
points at the live site from a local or PDF build, and does not exist in the
ePub. Cross-references (``:doc:``, ``:ref:``, MyST ``[text](path.md)`` or
``{ref}``) are resolved and checked at build time.

Warns (type ``internal_links``, subtype ``hardcoded``) about:

* a relative URL whose path ends in ``.html`` or ``.htm``;
* an absolute URL that starts with one of ``guide_own_urls`` or with
  ``html_baseurl`` (Read the Docs sets it to the canonical URL).

In MyST, ``[text](page.html)`` never reaches this check: MyST treats a
relative link as a cross-reference and warns itself (``myst.xref_missing``)
when no source page matches.

The check needs no cross-document state: each page is checked as it is read.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from docutils.utils import get_source_line
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

WARNING_TYPE = "internal_links"
_PAGE_SUFFIXES = (".html", ".htm")


def own_prefixes(app: Sphinx) -> list[str]:
    """The URL prefixes of the published guide, each ending in ``/``."""
    prefixes = [*app.config.guide_own_urls]
    if app.config.html_baseurl:
        prefixes.append(app.config.html_baseurl)
    return sorted({prefix.rstrip("/") + "/" for prefix in prefixes if prefix.strip()})


def hardcoded_reason(refuri: str, prefixes: list[str]) -> str | None:
    """Why ``refuri`` is a hard-coded link to our own pages, or None if it is not."""
    for prefix in prefixes:
        if refuri == prefix.rstrip("/") or refuri.startswith(prefix):
            return f"an absolute link to this guide ({prefix})"
    parts = urlsplit(refuri)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.lower().endswith(_PAGE_SUFFIXES):
        return "a relative link to a built page"
    return None


@functools.lru_cache(maxsize=64)
def _source_lines(path: str, _mtime_ns: int) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8").splitlines())


def _location(node: nodes.Element, refuri: str) -> str | nodes.Element:
    """``source:line`` of the line that holds ``refuri``.

    docutils gives reference nodes no line of their own, only their
    paragraph's first line; a link on a later line of the paragraph would be
    reported on the wrong line. Look for the URL from there on.
    """
    source, line = get_source_line(node)
    if not source or not line:
        return node
    try:
        lines = _source_lines(source, Path(source).stat().st_mtime_ns)
    except (OSError, UnicodeDecodeError):
        return node
    for number in range(line, min(line + 50, len(lines) + 1)):
        if refuri in lines[number - 1]:
            return f"{source}:{number}"
    return f"{source}:{line}"


def check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    prefixes = own_prefixes(app)
    for node in doctree.findall(nodes.reference):
        refuri = node.get("refuri")
        if not refuri or node.get("internal"):
            continue
        reason = hardcoded_reason(refuri, prefixes)
        if reason is not None:
            logger.warning(
                f"hard-coded link {refuri!r} is {reason}; link the page with :doc: or "
                f"a section with :ref: so the build checks it",
                location=_location(node, refuri),
                type=WARNING_TYPE,
                subtype="hardcoded",
            )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "guide_own_urls",
        [],
        "env",
        types=frozenset({list, tuple}),
        description="URL prefixes where the guide is published (html_baseurl is added).",
    )
    app.connect("doctree-read", check_doctree)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
