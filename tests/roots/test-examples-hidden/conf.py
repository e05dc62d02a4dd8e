# SPDX-License-Identifier: MIT
"""A project that shows a Python block the examples extension never sees.

A local extension adds the block when the page is written, after the
examples were recorded: the test that compares the HTML with the recorded
examples must catch it.
"""

from docutils import nodes

project = "Examples test root: a Python block added after reading"
extensions = ["examples"]


def add_block_late(app, doctree, docname):
    code = 'print("added when written")'
    doctree += nodes.literal_block(code, code, language="python")


def setup(app):
    app.connect("doctree-resolved", add_block_late)
