"""The ``migration-graph`` directive: the ``:requires:`` graph of the steps.

In HTML the graph is a Mermaid flowchart generated at build time (a
``sphinxcontrib.mermaid`` node) in which every step is a node that links to
the step. Mermaid only follows ``click`` links when its ``securityLevel`` is
``loose`` or ``antiscript``, which ``mermaid_init_config`` sets in conf.py.

LaTeX, ePub and text get the same information as a list: each step and the
steps it requires. Loaded by ``migration_steps``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from migration_checklist import link_to, matches
from migration_steps import INTERACTIVE_BUILDERS, TARGETS, NumberedStep, domain_of, warn
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.mermaid import mermaid

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.util.typing import ExtensionMetadata


class migration_graph(nodes.General, nodes.Element):
    """Placeholder for the graph, replaced when the page is resolved."""


class MigrationGraphDirective(SphinxDirective):
    """``.. migration-graph::`` with an optional ``:applies-to:`` filter."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "applies-to": lambda argument: (argument or "").strip(),
    }

    def run(self) -> list[Node]:
        applies_to = self.options.get("applies-to", "")
        if applies_to and applies_to not in TARGETS:
            warn(
                f"migration-graph option :applies-to: has unknown value {applies_to!r}; "
                f"allowed: {', '.join(TARGETS)}",
                self.get_location(),
                "bad_option",
            )
            applies_to = ""
        node = migration_graph(applies_to=applies_to)
        self.set_source_info(node)
        domain_of(self.env).note_dependent(self.env.docname)
        return [node]


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid node label."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def mermaid_source(steps: list[NumberedStep], links: dict[str, str]) -> str:
    """A top-down flowchart: an arrow from each prerequisite to what needs it."""
    node_of = {step.entry.id: f"step{step.number}" for step in steps}
    lines = ["flowchart TD"]
    for step in steps:
        lines.append(f'    {node_of[step.entry.id]}["{mermaid_label(step.label)}"]')
    for step in steps:
        for required in step.entry.requires:
            if required in node_of:
                lines.append(f"    {node_of[required]} --> {node_of[step.entry.id]}")
    for step in steps:
        uri = links[step.entry.id].replace('"', "%22")
        tooltip = mermaid_label(f"Go to {step.label}")
        lines.append(f'    click {node_of[step.entry.id]} href "{uri}" "{tooltip}"')
    return "\n".join(lines) + "\n"


def render_graphs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each graph placeholder with a Mermaid diagram or a list."""
    placeholders = list(doctree.findall(migration_graph))
    if not placeholders:
        return
    index = domain_of(app.env).index()
    # One node per step id: a duplicate id is reported, not drawn twice.
    steps = list(index.values())
    interactive = app.builder.name in INTERACTIVE_BUILDERS
    for placeholder in placeholders:
        chosen = [step for step in steps if matches(step, placeholder["applies_to"])]
        if not chosen:
            placeholder.replace_self(nodes.paragraph("", "No migration steps to draw."))
        elif interactive:
            placeholder.replace_self(diagram(app.builder, docname, chosen))
        else:
            placeholder.replace_self(listing(app.builder, docname, chosen, index))


def diagram(builder: Builder, docname: str, steps: list[NumberedStep]) -> Node:
    uris = {}
    for step in steps:
        page = ""
        if step.entry.docname != docname:
            page = builder.get_relative_uri(docname, step.entry.docname)
        uris[step.entry.id] = f"{page}#{step.entry.anchor}"
    node = mermaid()
    node["code"] = mermaid_source(steps, uris)
    node["options"] = {}
    node["alt"] = "Dependency graph of the migration steps"
    return nodes.container("", node, classes=["migration-graph"])


def listing(
    builder: Builder, docname: str, steps: list[NumberedStep], index: dict[str, NumberedStep]
) -> Node:
    def link(step: NumberedStep) -> Node:
        return link_to(builder, docname, step, nodes.inline(step.label, step.label))

    items = nodes.bullet_list(classes=["migration-graph"])
    for step in steps:
        paragraph = nodes.paragraph("", "", link(step))
        known = [index[required] for required in step.entry.requires if required in index]
        if known:
            paragraph += nodes.Text(" requires ")
            for position, required in enumerate(known):
                if position:
                    paragraph += nodes.Text(", ")
                paragraph += link(required)
        else:
            paragraph += nodes.Text(" requires no other step")
        items += nodes.list_item("", paragraph)
    return items


def setup(app: Sphinx) -> ExtensionMetadata:
    if "migration" not in app.registry.domains:
        app.setup_extension("migration_steps")
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_node(migration_graph)
    app.add_directive("migration-graph", MigrationGraphDirective)
    app.connect("doctree-resolved", render_graphs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
