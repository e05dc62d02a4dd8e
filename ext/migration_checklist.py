# SPDX-License-Identifier: MIT
"""The ``migration-checklist`` directive: every migration step of the guide, in order.

The directive leaves a placeholder at read time; a ``doctree-resolved``
handler fills it in when the page is written, from the ``migration`` domain, so the checklist is
always complete however the pages were read (incrementally, in parallel).

HTML gets a table whose first column holds checkboxes (their state is kept in
the browser's localStorage); LaTeX, ePub and text get the same table without
them. Loaded by ``migration_steps``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.errors import NoUri
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from migration_steps import (
    INTERACTIVE_BUILDERS,
    TARGETS,
    NumberedStep,
    checkbox,
    domain_of,
    warn,
)

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.util.typing import ExtensionMetadata


class migration_checklist(nodes.General, nodes.Element):
    """Placeholder for the checklist, replaced when the page is resolved."""


def matches(step: NumberedStep, applies_to: str) -> bool:
    """Whether a step belongs in a checklist filtered by ``applies_to``.

    ``asyncio`` and ``threading`` keep the steps for that target, the steps
    for ``both`` and the steps that name no target; ``both`` keeps only the
    steps that apply to both.
    """
    if not applies_to:
        return True
    if applies_to == "both":
        return step.entry.applies_to == "both"
    return step.entry.applies_to in (applies_to, "both", "")


class StepSetDirective(SphinxDirective):
    """A directive that shows the guide's steps, with an optional ``:applies-to:`` filter.

    It leaves a placeholder node (``node_class``) that a post-transform fills
    in once every page's steps are known; the checklist and the graph share it.
    """

    node_class: ClassVar[type[nodes.Element]]
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "applies-to": lambda argument: (argument or "").strip(),
    }

    def run(self) -> list[Node]:
        applies_to = self.options.get("applies-to", "")
        if applies_to and applies_to not in TARGETS:
            warn(
                f"{self.name} option :applies-to: has unknown value {applies_to!r}; "
                f"allowed: {', '.join(TARGETS)}",
                self.get_location(),
                "bad_option",
            )
            applies_to = ""
        node = self.node_class(applies_to=applies_to)
        self.set_source_info(node)
        domain_of(self.env).note_dependent(self.env.docname)
        return [node]


class MigrationChecklistDirective(StepSetDirective):
    """``.. migration-checklist::``: every step, as a table to tick."""

    node_class = migration_checklist


def _cell(*children: Node) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", *children))


def _text(value: str) -> nodes.entry:
    return _cell(nodes.Text(value or "not set"))


def render_checklists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each checklist placeholder with its table, once links can be made."""
    placeholders = list(doctree.findall(migration_checklist))
    if not placeholders:
        return
    steps = domain_of(app.env).ordered()
    interactive = app.builder.name in INTERACTIVE_BUILDERS
    for placeholder in placeholders:
        chosen = [step for step in steps if matches(step, placeholder["applies_to"])]
        if chosen:
            table: nodes.Element = checklist_table(app.builder, docname, chosen, interactive)
            if app.builder.format == "html":
                # The wrapper furo gives the tables it sees (this one is made
                # later): a wide checklist scrolls inside it, not off the page.
                table = nodes.container("", table, classes=["table-wrapper"])
            placeholder.replace_self(table)
        else:
            placeholder.replace_self(
                nodes.paragraph("", "No migration steps match this checklist.")
            )


def checklist_table(
    builder: Builder, docname: str, steps: list[NumberedStep], interactive: bool
) -> nodes.table:
    headings = ["Step", "Title", "Effort", "Risk", "Applies to"]
    widths = [8, 50, 12, 12, 18]
    if interactive:
        headings.insert(0, "Done")
        widths.insert(0, 6)
    group = nodes.tgroup(cols=len(headings))
    group.extend(nodes.colspec(colwidth=width) for width in widths)
    group += nodes.thead("", nodes.row("", *(_text(heading) for heading in headings)))
    body = nodes.tbody()
    for step in steps:
        entry = step.entry
        link = link_to(builder, docname, step, nodes.inline(entry.title, entry.title))
        cells = [
            _text(str(step.number)),
            _cell(link),
            _text(entry.effort),
            _text(entry.risk),
            _text(entry.applies_to),
        ]
        if interactive:
            cells.insert(0, _cell(checkbox(entry.id, f"Done: {step.label}")))
        body += nodes.row("", *cells)
    group += body
    return nodes.table("", group, classes=["migration-checklist"])


def link_to(builder: Builder, docname: str, step: NumberedStep, text: Node) -> Node:
    """A link to ``step``, or just ``text`` where the output has no such page.

    (A LaTeX document leaves out the pages outside its toctree.)
    """
    try:
        return make_refnode(
            builder, docname, step.entry.docname, step.entry.anchor, text, step.label
        )
    except NoUri:
        return text


def setup(app: Sphinx) -> ExtensionMetadata:
    if "migration" not in app.registry.domains:
        app.setup_extension("migration_steps")
    app.add_node(migration_checklist)
    app.add_directive("migration-checklist", MigrationChecklistDirective)
    app.connect("doctree-resolved", render_checklists)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
