# SPDX-License-Identifier: MIT
"""The ``migration-graph`` directive: which migration step requires which.

The graph is generated when a page is resolved, from the ``migration``
domain, in two forms:

- Mermaid flowcharts (``sphinxcontrib.mermaid`` nodes, each in a figure
  with a caption and a generated text alternative), one per chapter, or per
  few pages of a chapter with more than ``MAX_BOXES`` steps (``drawings``),
  for the builders named in ``migration_graph_builders`` (default: the HTML
  builders); one graph of every step was too wide to read. They are
  created by a post-transform of priority 4, early enough for an extension
  that pre-renders Mermaid nodes (the guide's ``ext/diagrams.py`` runs at
  priority 5) to render them. For the HTML builders each box gets a ``click``
  link to its step, relative to the page: ext/diagrams.py embeds a diagram
  with links as inline SVG, where they work; client-side Mermaid follows them
  when ``mermaid_init_config`` sets ``securityLevel`` to ``loose`` or
  ``antiscript``. Other builders get the graph without links, one rendering
  shared by all of them.
- A list, for every builder: each step, linked, and the steps it requires,
  after the graphs. It says in words what they draw.

Loaded by ``migration_steps``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
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


#: A drawing shows at most this many of the guide's steps; a chapter with
#: more is drawn page by page. Eight boxes keep a graph about three boxes
#: wide, so its text stays >= 10 px in a 1280 px window and >= 8 pt on paper.
MAX_BOXES = 8
#: Steps that neither require nor are required by a step in the same drawing
#: are stacked in columns of this many, instead of one row of all of them.
LOOSE_ROWS = 4
#: Mermaid settings for the graph (front matter): a narrower wrap than the
#: guide's other diagrams, so three boxes fit side by side.
GRAPH_CONFIG = "---\nconfig:\n  flowchart:\n    wrappingWidth: 180\n    nodeSpacing: 30\n---\n"


@dataclass
class Drawing:
    """One graph: consecutive steps of a chapter, and where they live."""

    steps: list[NumberedStep]
    pages: list[str] = field(default_factory=list)


def chapter(docname: str) -> str:
    """A document's chapter: its folder (``howto/recipes/spawn`` -> ``howto/recipes``)."""
    return docname.rpartition("/")[0]


def drawings(steps: list[NumberedStep]) -> list[Drawing]:
    """Split the steps, in reading order, into graphs of one chapter each.

    A chapter with more than ``MAX_BOXES`` steps is split between its pages,
    consecutive pages sharing a graph while they fit; a page with more steps
    than that keeps them together.
    """
    runs: list[list[NumberedStep]] = []
    for step in steps:
        if runs and chapter(runs[-1][-1].entry.docname) == chapter(step.entry.docname):
            runs[-1].append(step)
        else:
            runs.append([step])
    result: list[Drawing] = []
    for run in runs:
        pages: dict[str, list[NumberedStep]] = {}
        for step in run:
            pages.setdefault(step.entry.docname, []).append(step)
        current: Drawing | None = None
        for docname, page_steps in pages.items():
            if current is None or len(current.steps) + len(page_steps) > MAX_BOXES:
                current = Drawing([])
                result.append(current)
            current.steps.extend(page_steps)
            current.pages.append(docname)
    return result


def _words(numbers: list[int]) -> str:
    """``[3]`` -> "step 3"; ``[1, 2, 4]`` -> "steps 1, 2 and 4"."""
    if len(numbers) == 1:
        return f"step {numbers[0]}"
    return f"steps {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def describe(steps: list[NumberedStep], by_id: dict[str, NumberedStep]) -> str:
    """The text alternative of a drawing: its steps and their arrows, in words."""
    shown = {step.entry.id for step in steps}
    parts = []
    alone = []
    for step in steps:
        known = [r for r in step.entry.requires if r in by_id]
        required = [by_id[r].number for r in known]
        if required:
            outside = [
                by_id[r].number for r in step.entry.requires if r in by_id and r not in shown
            ]
            text = f"step {step.number} requires {_words(required)}"
            if outside:
                text += f" ({_words(outside)} drawn with a dashed border, from elsewhere)"
            parts.append(text)
        elif not any(step.entry.id in other.entry.requires for other in steps):
            alone.append(step.number)
    numbers = [step.number for step in steps]
    first, last = numbers[0], numbers[-1]
    span = f"step {first}" if first == last else f"steps {first} to {last}"
    summary = f"Dependency graph of {span}"
    if parts:
        summary += ": " + "; ".join(parts)
    if alone:
        verb = "requires" if len(alone) == 1 else "require"
        summary += (": " if not parts else "; ") + f"{_words(alone)} {verb} no other step"
    return summary[0].upper() + summary[1:] + "."


def _stacking(
    steps: list[NumberedStep], outside: list[NumberedStep], every: dict[str, NumberedStep]
) -> list[str]:
    """Invisible links that stack a drawing's parts top to bottom.

    Left alone, Mermaid puts every part (a group of connected steps) side by
    side, and every step with no arrow in the first row. Instead, each
    connected part goes below the one before, and the loose steps follow in
    columns of ``LOOSE_ROWS``.
    """
    drawn = outside + steps
    ids = {step.entry.id for step in drawn}
    neighbours: dict[str, set[str]] = {step.entry.id: set() for step in drawn}
    for step in steps:
        for required in step.entry.requires:
            if required in ids:
                neighbours[step.entry.id].add(required)
                neighbours[required].add(step.entry.id)
    parts: list[list[NumberedStep]] = []
    seen: set[str] = set()
    for step in sorted(drawn, key=lambda step: step.number):
        if step.entry.id in seen or not neighbours[step.entry.id]:
            continue
        part, todo = [], [step.entry.id]
        seen.add(step.entry.id)
        while todo:
            current = todo.pop()
            part.append(every[current])
            for other in neighbours[current] - seen:
                seen.add(other)
                todo.append(other)
        parts.append(sorted(part, key=lambda step: step.number))
    loose = [step for step in steps if not neighbours[step.entry.id]]
    columns = [loose[start : start + LOOSE_ROWS] for start in range(0, len(loose), LOOSE_ROWS)]
    lines = [" ~~~ ".join(box(step) for step in column) for column in columns if len(column) > 1]
    shown = {step.entry.id for step in steps}
    # (first shown step, heads, end) of each block, in reading order.
    blocks = [
        (min(s.number for s in part if s.entry.id in shown), [part[0]], part[-1]) for part in parts
    ]
    if columns:
        blocks.append((loose[0].number, [column[0] for column in columns], columns[0][-1]))
    blocks.sort(key=lambda block: block[0])
    for before, after in itertools.pairwise(blocks):
        lines.extend(f"{box(before[2])} ~~~ {box(head)}" for head in after[1])
    return [f"    {line}" for line in lines]


def mermaid_source(
    steps: list[NumberedStep], every: dict[str, NumberedStep] | None = None, alt: str = ""
) -> str:
    """A top-down flowchart: an arrow from each prerequisite to what needs it.

    A prerequisite from outside ``steps`` (found in ``every``) is drawn with
    a dashed border. Steps with no arrow are stacked in columns with
    invisible links, so a row never holds more than a few boxes.
    """
    every = every if every is not None else {step.entry.id: step for step in steps}
    shown = {step.entry.id for step in steps}
    lines = [GRAPH_CONFIG + "flowchart TB"]
    if alt:
        lines.append(f"    accDescr: {alt}")
    lines.extend(f'    {box(step)}["{mermaid_label(step.label)}"]' for step in steps)
    outside: list[NumberedStep] = []
    edges = []
    for step in steps:
        for required in step.entry.requires:
            if required in every:
                prerequisite = every[required]
                if required not in shown and prerequisite not in outside:
                    outside.append(prerequisite)
                edges.append(f"    {box(prerequisite)} --> {box(step)}")
    for step in outside:
        lines.append(f'    {box(step)}["{mermaid_label(step.label)}"]:::elsewhere')
    lines.extend(edges)
    lines.extend(_stacking(steps, list(outside), every))
    if outside:
        lines.append("    classDef elsewhere stroke-dasharray: 5 4")
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
                for drawing in drawings(chosen):
                    graph += self.figure(builder, drawing, chosen, placeholder)
            graph += self.listing(chosen)
            placeholder.replace_self(graph)

    def figure(
        self,
        builder: Builder,
        drawing: Drawing,
        chosen: list[NumberedStep],
        placeholder: nodes.Element,
    ) -> nodes.figure:
        """One drawing as a figure: the Mermaid diagram and a caption naming its pages."""
        every = domain_of(self.env).index()
        alt = describe(drawing.steps, every)
        diagram = mermaid()
        diagram["code"] = mermaid_source(drawing.steps, every, alt)
        if builder.name in INTERACTIVE_BUILDERS:
            drawn = drawing.steps + [
                every[required]
                for step in drawing.steps
                for required in step.entry.requires
                if required in every and every[required] not in drawing.steps
            ]
            diagram["code"] += self.click_links(builder, list(dict.fromkeys(drawn)))
        diagram["options"] = {}
        diagram["alt"] = alt
        diagram.source, diagram.line = placeholder.source, placeholder.line
        caption = nodes.caption("", self.caption(drawing, chosen))
        caption.source, caption.line = placeholder.source, placeholder.line
        figure = nodes.figure("", diagram, caption, classes=["migration-graph-figure"])
        figure.source, figure.line = placeholder.source, placeholder.line
        # An id for the HTML writer, which numbers figures by their ids.
        self.document.set_id(figure)
        return figure

    def caption(self, drawing: Drawing, chosen: list[NumberedStep]) -> str:
        """Which pages a drawing covers: its chapter's title, and the pages if not all."""
        titles = self.env.titles
        first, last = drawing.steps[0].number, drawing.steps[-1].number
        numbers = f"step {first}" if first == last else f"steps {first} to {last}"
        pages = [titles[doc].astext() if doc in titles else doc for doc in drawing.pages]
        index = f"{chapter(drawing.pages[0])}/index".lstrip("/")
        here = chapter(drawing.pages[0])
        in_chapter = {step.entry.docname for step in chosen if chapter(step.entry.docname) == here}
        if index in titles and index not in drawing.pages:
            name = titles[index].astext()
            if set(drawing.pages) != in_chapter:
                name += ": " + ", ".join(pages)
        else:
            name = ", ".join(pages)
        return f"{name} ({numbers})"

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
