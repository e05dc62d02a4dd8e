# SPDX-License-Identifier: MIT
"""diff_paths: a literalinclude diff names its files relative to the source directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from diff_paths import relative_headers

SRCDIR = Path("/src/docs")


def test_relative_headers() -> None:
    text = "--- /src/docs/a/old.py\n+++ /src/docs/a/new.py\n@@ -1 +1 @@\n-x\n+y\n"
    assert relative_headers(text, SRCDIR) == "--- a/old.py\n+++ a/new.py\n@@ -1 +1 @@\n-x\n+y\n"


@pytest.mark.parametrize(
    "text",
    [
        "--- /elsewhere/old.py\n+++ /elsewhere/new.py\n",  # outside the source directory
        "--- a/old.py\n+++ a/new.py\n",  # already relative
        "print('--- /src/docs/a.py')\n",  # not a diff
        "--- /src/docs/a.py\n",  # no second header line
    ],
)
def test_other_texts_are_left_alone(text: str) -> None:
    assert relative_headers(text, SRCDIR) == text


@pytest.mark.sphinx("html", testroot="diff-paths", freshenv=True)
def test_literalinclude_diff_in_a_build(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue() == ""
    doctree = app.env.get_doctree("index")
    diff, plain = [block.astext() for block in doctree.findall(nodes.literal_block)]
    assert diff.startswith("--- stages/old.py\n+++ stages/new.py\n@@ ")
    assert '+print("hello, world")' in diff
    assert plain.startswith("--- /somewhere/else.py\n+++ /somewhere/else.py\n")
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert str(app.srcdir) not in html
