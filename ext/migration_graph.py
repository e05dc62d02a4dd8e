# SPDX-License-Identifier: MIT
"""The ``migration-graph`` directive: which migration step requires which.

The graph is generated when a page is resolved, from the ``migration``
domain, in two forms:

- A Mermaid flowchart (a ``sphinxcontrib.mermaid`` node), for the builders
  named in ``migration_graph_builders`` (default: the HTML builders). It is
  created by a post-transform of priority 4, early enough for an extension
  that pre-renders Mermaid nodes (the guide's ``ext/diagrams.py`` runs at
  priority 5) to render it. For the HTML builders each box gets a ``click``
  link to its step, relative to the page: ext/diagrams.py embeds a diagram
  with links as inline SVG, where they work; client-side Mermaid follows them
  when ``mermaid_init_config`` sets ``securityLevel`` to ``loose`` or
  ``antiscript``. Other builders get the graph without links, one rendering
  shared by all of them.
- A list, for every builder: each step, linked, and the steps it requires.
  It is the diagram's text alternative.

Loaded by ``migration_steps``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.mermaid import mermaid

from migration_checklist import StepSetDirective, matches
from migration_steps import (
    INTERACTIVE_BUILDERS,
    NumberedStep,
    domain_of,
    step_xref,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.util.typing import ExtensionMetadata


class migration_graph(nodes.General, nodes.Element):
    """Placeholder for the graph, replaced when the page is resolved."""


class MigrationGraphDirective(StepSetDirective):
    """``.. migration-graph::``: which step requires which."""

    node_class = migration_graph


#: A double quote that opens a quotation: at the start or after a space or bracket.
_OPENING_QUOTE = re.compile(r'(^|[\s(\[{])"')


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid node label.

    Straight double quotes become typographic ones, as Sphinx's smart quotes
    make them in the step's own title: Mermaid 11 writes its ``#quot;``
    escape as a literal "&quot;" in SVG text labels (``htmlLabels: false``,
    as ext/diagrams.py renders), while ``#amp;``, ``#lt;`` and ``#gt;`` work,
    and so does a straight single quote.
    """
    text = _OPENING_QUOTE.sub("\\1\u201c", text).replace('"', "\u201d")
    return text.replace("&", "#amp;").replace("<", "#lt;").replace(">", "#gt;")


def box(step: NumberedStep) -> str:
    """The Mermaid id of a step's box."""
    return f"step{step.number}"


def mermaid_source(steps: list[NumberedStep]) -> str:
    """A top-down flowchart: an arrow from each prerequisite to what needs it."""
    by_id = {step.entry.id: step for step in steps}
    lines = ["flowchart TD"]
    lines.extend(f'    {box(step)}["{mermaid_label(step.label)}"]' for step in steps)
    for step in steps:
        for required in step.entry.requires:
            if required in by_id:
                lines.append(f"    {box(by_id[required])} --> {box(step)}")
    return "\n".join(lines) + "\n"


def _builder(transform: SphinxPostTransform) -> Builder:
    # Sphinx 9 deprecates Transform.app, and the environment keeps the
    # application privately; Sphinx 8.1 (the Python 3.10 pin) only has .app.
    app = getattr(transform.env, "_app", None)
    return (app if app is not None else transform.app).builder


class GraphRender(SphinxPostTransform):
    """Replace each graph placeholder with a diagram (where configured) and a list."""

    # Before pre-rendering extensions (ext/diagrams.py: 5) and reference
    # resolution (10), which turns the list's references into links.
    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        placeholders = list(self.document.findall(migration_graph))
        if not placeholders:
            return
        # One box per step id: a duplicate id is reported, not drawn twice.
        steps = list(domain_of(self.env).index().values())
        builder = _builder(self)
        with_diagram = builder.name in self.config.migration_graph_builders
        for placeholder in placeholders:
            chosen = [step for step in steps if matches(step, placeholder["applies_to"])]
            if not chosen:
                placeholder.replace_self(nodes.paragraph("", "No migration steps to draw."))
                continue
            graph = nodes.container("", classes=["migration-graph"])
            if with_diagram:
                diagram = mermaid()
                diagram["code"] = mermaid_source(chosen)
                if builder.name in INTERACTIVE_BUILDERS:
                    diagram["code"] += self.click_links(builder, chosen)
                diagram["options"] = {}
                diagram["alt"] = (
                    "Flowchart of the migration steps: an arrow goes from each step "
                    "to the steps that require it. The list below gives the same links."
                )
                diagram.source, diagram.line = placeholder.source, placeholder.line
                graph += diagram
            graph += self.listing(chosen)
            placeholder.replace_self(graph)

    def click_links(self, builder: Builder, steps: list[NumberedStep]) -> str:
        """A ``click`` line per box: a link to its step, relative to this page."""
        docname = self.env.docname
        clicks = []
        for step in steps:
            page = ""
            if step.entry.docname != docname:
                page = builder.get_relative_uri(docname, step.entry.docname)
            uri = f"{page}#{step.entry.anchor}".replace('"', "%22")
            tooltip = mermaid_label(f"Go to {step.label}")
            clicks.append(f'    click {box(step)} href "{uri}" "{tooltip}"\n')
        return "".join(clicks)

    def listing(self, steps: list[NumberedStep]) -> nodes.bullet_list:
        shown = {step.entry.id for step in steps}
        # A filtered graph leaves out steps that a shown step may still require.
        every = domain_of(self.env).index()
        docname = self.env.docname
        items = nodes.bullet_list(classes=["migration-graph-list"])
        for step in steps:
            paragraph = nodes.paragraph("", "", step_xref(docname, step.entry.id, quiet=True))
            known = [required for required in step.entry.requires if required in every]
            if known:
                paragraph += nodes.Text(" requires ")
                for position, required in enumerate(known):
                    if position:
                        paragraph += nodes.Text(", ")
                    paragraph += step_xref(docname, required, quiet=True)
                    if required not in shown:
                        paragraph += nodes.Text(" (not in this graph)")
            else:
                paragraph += nodes.Text(" requires no other step")
            items += nodes.list_item("", paragraph)
        return items


def setup(app: Sphinx) -> ExtensionMetadata:
    if "migration" not in app.registry.domains:
        app.setup_extension("migration_steps")
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_config_value(
        "migration_graph_builders",
        ("html", "dirhtml", "singlehtml"),
        "html",
        (tuple, list),
        description="Builders whose migration-graph includes the Mermaid diagram.",
    )
    app.add_node(migration_graph)
    app.add_directive("migration-graph", MigrationGraphDirective)
    app.add_post_transform(GraphRender)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
