# SPDX-License-Identifier: MIT
"""Name the files of a ``literalinclude`` diff by their path in the guide, not on disk.

With its ``:diff:`` option, ``literalinclude`` shows the unified diff between
two files. Sphinx (as of 9.0, ``LiteralIncludeReader.show_diff`` in
``sphinx/directives/code.py``) writes the diff's ``---`` and ``+++`` lines
with the absolute paths of both files, so a published page would show the
directory the guide happened to be built in. This extension rewrites those
two lines to paths relative to the source directory, such as
``--- tutorial/stages/s0-eventlet/service.py``: the same page from any
checkout.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

#: The language Sphinx gives a ``literalinclude`` with ``:diff:``.
DIFF_LANGUAGE = "udiff"
_HEADERS = ("--- ", "+++ ")


def relative_headers(text: str, srcdir: Path) -> str:
    """``text`` with the paths in its first two lines made relative to ``srcdir``.

    A path outside ``srcdir``, or a text that does not start with a unified
    diff's two header lines, is left as it is.
    """
    lines = text.split("\n")
    for index, prefix in enumerate(_HEADERS):
        if index >= len(lines) or not lines[index].startswith(prefix):
            return text
        path = PurePath(lines[index][len(prefix) :])
        if path.is_absolute() and path.is_relative_to(srcdir):
            lines[index] = prefix + path.relative_to(srcdir).as_posix()
    return "\n".join(lines)


def _rewrite_diffs(app: Sphinx, doctree: nodes.document) -> None:
    srcdir = Path(app.srcdir)
    for block in doctree.findall(nodes.literal_block):
        if block.get("language") != DIFF_LANGUAGE:
            continue
        text = block.astext()
        new_text = relative_headers(text, srcdir)
        if new_text != text:
            block.rawsource = new_text
            block.children[:] = [nodes.Text(new_text)]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", _rewrite_diffs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
