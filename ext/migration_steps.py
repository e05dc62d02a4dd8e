# SPDX-License-Identifier: MIT
"""Migration steps: numbered, linkable cards that the whole guide shares.

Writers mark up each step of a migration with the ``migration-step``
directive; inside it, ``before`` and ``after`` blocks hold the Eventlet code
and its replacement, and ``done-when`` says how to know the step is finished.
The ``step`` role links to a step as "Step 3: Title".

Every step lives in the ``migration`` domain, so purging a document on an
incremental build and merging data from parallel readers come from Sphinx.
Numbers are never stored: they are computed when a document is resolved, from
the toctree order of the environment (depth first from the root document),
then the position of the step in its page. HTML and LaTeX therefore agree,
and a step added on one page renumbers the steps of every later page.

Bad input gives a located warning of type ``migration`` with a subtype
(``missing_title``, ``missing_id``, ``bad_id``, ``bad_option``, ``duplicate_id``,
``unknown_requires``, ``unknown_step``, ``cycle``, ``order``, ``outside_step``,
``nested``, ``anchor_clash``, ``only``, ``title_xref``, ``no_after``, ``empty``,
``latex_title``), which ``suppress_warnings`` can silence.

Each step is also a ``std:label`` named ``step-<id>`` (its anchor), so that a
project with intersphinx alone can link to it.

Loading this extension also loads ``migration_checklist`` and
``migration_graph`` (the checklist and the dependency graph),
``migration_print`` (steps as cards in the PDF), ``migration_toc`` (steps
in the page's contents), plus
``sphinx_design`` (tabs) and ``sphinxcontrib.mermaid`` (the graph).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain, ObjType
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import make_refnode, split_explicit_title

if TYPE_CHECKING:
    from docutils.nodes import Element, Node, system_message
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The warning type of every warning this extension (and its parts) emits.
WARNING_TYPE = "migration"
#: A step id: lower-case words of letters and digits joined by single hyphens.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
#: A reStructuredText or MyST option line, such as ``:language: python``.
OPTION_LINE = re.compile(r":[A-Za-z][\w.-]*:(?:\s|\Z)")
EFFORTS = ("small", "medium", "large")
RISKS = ("low", "medium", "high")
TARGETS = ("asyncio", "threading", "both")
#: Builders that get the interactive rendering: tabs, checkboxes, graph links.
#: ePub is HTML too, but e-readers run no scripts: it gets the plain blocks.
INTERACTIVE_BUILDERS = ("html", "dirhtml", "singlehtml")
STATIC = Path(__file__).resolve().parent / "migration_static"
#: The characters beyond ASCII that pdflatex typesets with Sphinx's default
#: set-up (inputenc utf8, fontenc T1, and TS1, OT1 and OMS, which LaTeX loads):
#: every \DeclareUnicodeCharacter of TeX Live 2022's t1enc.dfu, ts1enc.dfu,
#: ot1enc.dfu and omsenc.dfu, as ranges. Anything else stops pdflatex with
#: "Unicode character ... not set up for use with LaTeX", unless the project
#: declares it in latex_elements.
# fmt: off
PDFLATEX_RANGES = (
    (0x00A0, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x0165),
    (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB),
    (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237),
    (0x02C7, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DB), (0x02DD, 0x02DD), (0x0E3F, 0x0E3F),
    (0x1E02, 0x1E03), (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25), (0x1E30, 0x1E31),
    (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B),
    (0x1E63, 0x1E63), (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3),
    (0x200C, 0x200C), (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022),
    (0x2030, 0x2031), (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044), (0x204E, 0x204E),
    (0x2052, 0x2052), (0x20A1, 0x20A1), (0x20A4, 0x20A4), (0x20A6, 0x20A6), (0x20A9, 0x20A9),
    (0x20AB, 0x20AC), (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117), (0x211E, 0x211E),
    (0x2120, 0x2120), (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E), (0x2190, 0x2193),
    (0x2329, 0x232A), (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF), (0x266A, 0x266A),
    (0x27E8, 0x27E9), (0x3008, 0x3009), (0xFB00, 0xFB06), (0xFEFF, 0xFEFF),
)
# fmt: on
_DECLARED = re.compile(r"\\DeclareUnicodeCharacter\{([0-9A-Fa-f]+)\}")


def warn(message: str, location: Any, subtype: str) -> None:
    """Emit a located ``migration.<subtype>`` warning."""
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=subtype)


def anchor_for(step_id: str) -> str:
    """The HTML anchor (and LaTeX label) of a step."""
    return f"step-{step_id}"


@dataclass(frozen=True)
class StepEntry:
    """What the domain knows about one ``migration-step``."""

    id: str
    docname: str
    lineno: int
    #: Position of the step in its document (0, 1, ...).
    serial: int
    title: str
    effort: str
    risk: str
    applies_to: str
    requires: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return anchor_for(self.id)


@dataclass(frozen=True)
class NumberedStep:
    """A step with its global number, in reading order."""

    number: int
    entry: StepEntry

    @property
    def label(self) -> str:
        return f"Step {self.number}: {self.entry.title}"


def reading_order(env: BuildEnvironment) -> list[str]:
    """Every document in reading order: the toctree, depth first from the root.

    Documents outside every toctree (orphans) follow, sorted by name, so their
    steps still get numbers, after all the others.
    """
    order: list[str] = []
    seen: set[str] = set()
    stack = [env.config.root_doc]
    while stack:
        docname = stack.pop()
        if docname in seen or docname not in env.all_docs:
            continue
        seen.add(docname)
        order.append(docname)
        stack.extend(reversed(env.toctree_includes.get(docname, ())))
    order.extend(sorted(docname for docname in env.all_docs if docname not in seen))
    return order


# -- Nodes ----------------------------------------------------------------------
# Placeholders only: post-transforms replace them for every builder, so no
# writer ever sees them.


class migration_step_number(nodes.Inline, nodes.Element):
    """Stands for "Step N: " until the step numbers are known."""


# -- Domain ---------------------------------------------------------------------


class MigrationDomain(Domain):
    """Owns every migration step of the project, and who depends on them."""

    name = "migration"
    label = "Migration steps"
    # The object type is not called "step": Sphinx's search index stores an
    # anchor "<type>-<name>" as "-", and its script rebuilds it from the
    # display name ("step-Step 3: Title"), so a result would open the top of
    # the page (https://github.com/sphinx-doc/sphinx/issues/10380). The role
    # keeps the name ``step``; intersphinx finds the type through it.
    object_types: ClassVar[dict[str, ObjType]] = {
        "migration-step": ObjType("migration step", "step")
    }
    # ``:migration:step:``, the same role as the short ``:step:`` (set below).
    roles: ClassVar[dict[str, Any]] = {}
    initial_data: ClassVar[dict[str, Any]] = {
        # docname -> [StepEntry, ...] in page order
        "steps": {},
        # docname -> True: documents whose output shows step numbers or titles
        "dependents": {},
        # what the steps looked like when the dependents were last written
        "fingerprint": (),
    }
    data_version = 1

    @property
    def steps(self) -> dict[str, list[StepEntry]]:
        return self.data["steps"]

    @property
    def dependents(self) -> dict[str, bool]:
        return self.data["dependents"]

    def add_step(self, entry: StepEntry) -> None:
        self.steps.setdefault(entry.docname, []).append(entry)
        self.note_dependent(entry.docname)

    def note_dependent(self, docname: str) -> None:
        self.dependents[docname] = True

    def clear_doc(self, docname: str) -> None:
        self.steps.pop(docname, None)
        self.dependents.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["steps"]:
                self.steps[docname] = otherdata["steps"][docname]
            if docname in otherdata["dependents"]:
                self.dependents[docname] = True

    # -- Reading order and numbers --

    def ordered(self) -> list[NumberedStep]:
        """Every step, numbered from 1 in reading order."""
        entries: list[StepEntry] = []
        for docname in reading_order(self.env):
            entries.extend(sorted(self.steps.get(docname, ()), key=lambda e: e.serial))
        return [NumberedStep(number, entry) for number, entry in enumerate(entries, 1)]

    def index(self) -> dict[str, NumberedStep]:
        """Step id -> its first definition in reading order."""
        found: dict[str, NumberedStep] = {}
        for step in self.ordered():
            found.setdefault(step.entry.id, step)
        return found

    def fingerprint(self) -> tuple[tuple[Any, ...], ...]:
        return tuple(
            (
                step.entry.docname,
                step.entry.id,
                step.entry.title,
                step.entry.effort,
                step.entry.risk,
                step.entry.applies_to,
                step.entry.requires,
            )
            for step in self.ordered()
        )

    # -- Validation across documents --

    def check_consistency(self) -> None:
        ordered = self.ordered()
        first: dict[str, StepEntry] = {}
        for step in ordered:
            entry = step.entry
            if entry.id in first:
                other = first[entry.id]
                other_path = self.env.doc2path(other.docname)
                warn(
                    f"duplicate migration step id {entry.id!r}: "
                    f"already defined at {other_path}:{other.lineno}",
                    (entry.docname, entry.lineno),
                    "duplicate_id",
                )
                continue
            first[entry.id] = entry
        for entry in first.values():
            for required in entry.requires:
                if required not in first:
                    warn(
                        f"migration step {entry.id!r} requires unknown step {required!r}",
                        (entry.docname, entry.lineno),
                        "unknown_requires",
                    )
        cycles = find_cycles(first)
        self._check_order(ordered, first, {frozenset(cycle) for cycle in cycles})
        for cycle in cycles:
            entry = first[cycle[0]]
            warn(
                "dependency cycle between migration steps: " + " -> ".join([*cycle, cycle[0]]),
                (entry.docname, entry.lineno),
                "cycle",
            )

    def _check_order(
        self,
        ordered: list[NumberedStep],
        first: dict[str, StepEntry],
        cycles: set[frozenset[str]],
    ) -> None:
        """Warn about a step that requires a step the reader has not reached yet.

        A cycle is reported once, as a cycle, not as an order problem too.
        """
        number = {}
        for step in ordered:
            number.setdefault(step.entry.id, step.number)
        for entry in first.values():
            for required in entry.requires:
                if required not in first or number[required] < number[entry.id]:
                    continue
                if any({entry.id, required} <= cycle for cycle in cycles):
                    continue
                later = first[required]
                warn(
                    f"migration step {entry.id!r} (Step {number[entry.id]}) requires step "
                    f"{required!r}, which comes later in reading order (Step "
                    f"{number[required]}, {self.env.doc2path(later.docname)}:{later.lineno}): "
                    "move the required step before it",
                    (entry.docname, entry.lineno),
                    "order",
                )

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        """Warn about a step inside ``only``: builders that drop it still list it."""
        for card in document.findall(nodes.container):
            step_id = card.get("migration_step")
            if not step_id:
                continue
            parent = card.parent
            while parent is not None and not isinstance(parent, addnodes.only):
                parent = parent.parent
            if parent is not None:
                warn(
                    f"migration step {step_id!r} is inside 'only:: {parent['expr']}': an "
                    "output that leaves it out would still number it and list it in the "
                    "checklist and the graph, with a link to nothing; put the 'only' "
                    "inside the step instead",
                    card,
                    "only",
                )

    # -- Cross-references --

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: addnodes.pending_xref,
        contnode: Element,
    ) -> Element | None:
        step = self.index().get(target)
        if step is None:
            if not node.get("migration_quiet"):
                warn(
                    f"unknown migration step id {target!r} in step reference", node, "unknown_step"
                )
            # Keep the text, without a link; the warning says what is wrong.
            return contnode
        if not node.get("refexplicit"):
            contnode = nodes.inline(step.label, step.label, classes=contnode["classes"])
        return make_refnode(
            builder, fromdocname, step.entry.docname, step.entry.anchor, contnode, step.label
        )

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        if target not in self.index():
            return []
        resolved = self.resolve_xref(env, fromdocname, builder, "step", target, node, contnode)
        assert isinstance(resolved, nodes.reference)
        return [("migration:step", resolved)]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for step in self.index().values():
            yield (
                step.entry.id,
                step.label,
                "migration-step",
                step.entry.docname,
                step.entry.anchor,
                1,
            )

    def get_type_name(self, type: ObjType, primary: bool = False) -> str:
        # The search page shows this after each result; Sphinx's default puts
        # the domain's label first ("Migration steps migration step").
        return type.lname


def domain_of(env: BuildEnvironment) -> MigrationDomain:
    domain = env.get_domain(MigrationDomain.name)
    assert isinstance(domain, MigrationDomain)
    return domain


def find_cycles(steps: dict[str, StepEntry]) -> list[list[str]]:
    """Each distinct dependency cycle once, starting at its first step.

    ``steps`` maps id to entry in reading order; unknown requirements are
    ignored here (``check_consistency`` reports them separately).
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(steps, white)
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    order = {step_id: position for position, step_id in enumerate(steps)}

    def visit(start: str) -> None:
        # Iterative depth-first search; the path is the grey chain.
        path: list[str] = [start]
        iterators = [iter(steps[start].requires)]
        colour[start] = grey
        while iterators:
            nxt = next(iterators[-1], None)
            if nxt is None:
                iterators.pop()
                colour[path.pop()] = black
                continue
            if nxt not in steps:
                continue
            if colour[nxt] == grey:
                cycle = path[path.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    pivot = min(range(len(cycle)), key=lambda i: order[cycle[i]])
                    cycles.append(cycle[pivot:] + cycle[:pivot])
            elif colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                iterators.append(iter(steps[nxt].requires))

    for step_id in steps:
        if colour[step_id] == white:
            visit(step_id)
    return cycles


# -- Directives -----------------------------------------------------------------

_STACK = "migration_step_stack"


def _unchecked(argument: str | None) -> str:
    """Accept any option value; the directive validates it with a typed warning."""
    return (argument or "").strip()


class MigrationStepDirective(SphinxDirective):
    """``.. migration-step:: Title`` with ``:id:``, ``:effort:``, ``:risk:``,
    ``:applies-to:`` and ``:requires:``."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "id": _unchecked,
        "effort": _unchecked,
        "risk": _unchecked,
        "applies-to": _unchecked,
        "requires": _unchecked,
    }

    def _choice(self, option: str, allowed: tuple[str, ...]) -> str:
        value = self.options.get(option, "")
        if value and value not in allowed:
            warn(
                f"migration-step option :{option}: has unknown value {value!r}; "
                f"allowed: {', '.join(allowed)}",
                self.get_location(),
                "bad_option",
            )
            return ""
        return value

    def run(self) -> list[Node]:
        domain = domain_of(self.env)
        location = self.get_location()
        if self.env.temp_data.get(_STACK):
            warn(
                "migration-step inside another migration-step: steps cannot nest; "
                "end the outer step first (unindent this one)",
                location,
                "nested",
            )
        step_id = self.options.get("id", "")
        if "id" not in self.options or not step_id:
            warn(
                "migration-step needs an :id: option (a slug such as 'use-asyncio-hub')",
                location,
                "missing_id",
            )
            step_id = ""
        elif not ID_PATTERN.match(step_id):
            warn(
                f"migration-step :id: {step_id!r} is not a slug: use lower-case letters, "
                "digits and single hyphens, such as 'use-asyncio-hub'",
                location,
                "bad_id",
            )
            step_id = ""
        effort = self._choice("effort", EFFORTS)
        risk = self._choice("risk", RISKS)
        applies_to = self._choice("applies-to", TARGETS)
        requires = self._requires()

        if self.arguments:
            title_source = self.arguments[0]
        else:
            warn("migration-step needs a title (its argument)", location, "missing_title")
            title_source = step_id or "Untitled step"
        title_nodes, messages = self.parse_inline(title_source, lineno=self.lineno)
        self._check_title(title_nodes)
        title = nodes.rubric(title_source, "", classes=["migration-step-title"])
        serial = self.env.new_serialno("migration-step")
        if step_id:
            title += migration_step_number(docname=self.env.docname, serial=serial)
        title.extend(title_nodes)

        card = nodes.container(classes=["migration-step"])
        self.set_source_info(card)
        # A target before the card, like a label: HTML gets an id on the card,
        # LaTeX a \label (LaTeX writes no labels for containers' own ids).
        target: list[Node] = []
        if step_id:
            card["migration_step"] = step_id
            anchor = anchor_for(step_id)
            if anchor in self.state.document.ids:
                holder = self.state.document.ids[anchor]
                what = "a section" if isinstance(holder, nodes.section) else "a label"
                warn(
                    f"migration step {step_id!r}: {what} on this page already has the "
                    f"anchor {anchor!r}, so links to the step would go there; rename "
                    f"the {what.split()[1]} or the step's :id:",
                    location,
                    "anchor_clash",
                )
            else:
                target_node = nodes.target("", "", ids=[anchor])
                self.state.document.note_explicit_target(target_node)
                target.append(target_node)
        card += title
        card += self._metadata(effort, risk, applies_to, requires)

        stack: list[dict[str, Any]] = self.env.temp_data.setdefault(_STACK, [])
        stack.append({"afters": 0})
        try:
            body = self.parse_content_to_nodes(allow_section_headings=False)
        finally:
            state = stack.pop()
        card.extend(group_variants(body))
        if state["afters"] == 0:
            warn(
                f"migration-step {step_id or title_source!r} has no 'after' block",
                location,
                "no_after",
            )

        if step_id:
            domain.add_step(
                StepEntry(
                    id=step_id,
                    docname=self.env.docname,
                    lineno=self.lineno,
                    serial=serial,
                    title="".join(node.astext() for node in title_nodes),
                    effort=effort,
                    risk=risk,
                    applies_to=applies_to,
                    requires=requires,
                )
            )
        else:
            domain.note_dependent(self.env.docname)
        return [*target, card, *messages]

    def _requires(self) -> tuple[str, ...]:
        """The ``:requires:`` ids, each once; an empty or repeated entry is reported."""
        items = [item.strip() for item in self.options.get("requires", "").split(",")]
        if "requires" in self.options and "" in items:
            warn(
                f"migration-step option :requires: has an empty entry in "
                f"{self.options['requires']!r}: separate ids with single commas",
                self.get_location(),
                "bad_option",
            )
        requires: list[str] = []
        for item in items:
            if item in requires:
                warn(
                    f"migration-step option :requires: names {item!r} more than once",
                    self.get_location(),
                    "bad_option",
                )
            elif item:
                requires.append(item)
        return tuple(requires)

    def _check_title(self, title_nodes: list[Node]) -> None:
        """A ``:step:`` link in a title would read as a bare id everywhere else."""
        for parent in title_nodes:
            for xref in parent.findall(addnodes.pending_xref):
                if xref.get("refdomain") != MigrationDomain.name or xref.get("refexplicit"):
                    continue
                warn(
                    f"migration-step title links to step {xref['reftarget']!r} with "
                    "':step:': the checklist, the graph and links show titles as plain "
                    f"text, where it would read {xref['reftarget']!r}; give the link a "
                    "text (:step:`text <id>`) or link from the step's body",
                    self.get_location(),
                    "title_xref",
                )

    def _metadata(
        self, effort: str, risk: str, applies_to: str, requires: tuple[str, ...]
    ) -> nodes.field_list:
        fields = nodes.field_list(classes=["migration-step-meta"])

        def field(name: str, *body: Node) -> None:
            fields.append(
                nodes.field(
                    "",
                    nodes.field_name(name, name),
                    nodes.field_body("", nodes.paragraph("", "", *body)),
                )
            )

        if effort:
            field("Effort", nodes.Text(effort))
        if risk:
            field("Risk", nodes.Text(risk))
        if applies_to:
            field("Applies to", nodes.Text(applies_to))
        if requires:
            links: list[Node] = []
            for position, required in enumerate(requires):
                if position:
                    links.append(nodes.Text(", "))
                links.append(step_xref(self.env.docname, required, quiet=True))
            field("Requires", *links)
        return fields


def step_xref(docname: str, step_id: str, *, quiet: bool = False) -> addnodes.pending_xref:
    """A reference to a step that the domain resolves to "Step N: Title"."""
    xref = addnodes.pending_xref(
        "",
        nodes.inline(step_id, step_id, classes=["xref", "migration-step-ref"]),
        refdomain=MigrationDomain.name,
        reftype="step",
        reftarget=step_id,
        refexplicit=False,
        refwarn=False,
        refdoc=docname,
    )
    if quiet:
        # check_consistency already reports unknown :requires: ids.
        xref["migration_quiet"] = True
    return xref


def group_variants(body: list[Node]) -> list[Node]:
    """Wrap each run of consecutive before/after blocks in one container.

    The container becomes a sphinx-design tab set in HTML; elsewhere the
    blocks stay one after the other, each under its label.
    """
    grouped: list[Node] = []
    run: list[Node] = []

    def flush() -> None:
        if run:
            grouped.append(nodes.container("", *run, classes=["migration-variants"]))
            run.clear()

    for node in body:
        if isinstance(node, nodes.container) and "migration-variant" in node["classes"]:
            run.append(node)
        elif isinstance(node, nodes.comment) and run:
            continue
        else:
            flush()
            grouped.append(node)
    flush()
    return grouped


class _StepPartDirective(SphinxDirective):
    """Shared behaviour of the blocks that only make sense inside a step."""

    has_content = True
    name_in_source: ClassVar[str]

    def in_step(self) -> dict[str, Any] | None:
        stack = self.env.temp_data.get(_STACK)
        return stack[-1] if stack else None

    def check_placement(self) -> None:
        if self.in_step() is None:
            warn(
                f"'{self.name_in_source}' is only allowed inside a migration-step",
                self.get_location(),
                "outside_step",
            )

    def check_no_options(self) -> bool:
        """Warn about an option line right under the directive; these take none.

        rST reads such a line as part of the argument (or as a field list in
        the content), MyST as body text: either way it would vanish silently.
        """
        lines = self.block_text.splitlines()
        if len(lines) < 2 or not OPTION_LINE.match(lines[1].strip()):
            return False
        warn(
            f"'{self.name_in_source}' takes no options, but its next line is "
            f"{lines[1].strip()!r}: give options to the block inside it, after a blank line",
            self.get_location(),
            "bad_option",
        )
        return True

    def content_nodes(self) -> list[Node]:
        if not self.content:
            warn(f"'{self.name_in_source}' block is empty", self.get_location(), "empty")
            return []
        return self.parse_content_to_nodes(allow_section_headings=False)


class VariantDirective(_StepPartDirective):
    """``before`` or ``after``: code and prose under a label, optionally qualified."""

    optional_arguments = 1
    final_argument_whitespace = True
    kind: ClassVar[str]

    def run(self) -> list[Node]:
        self.check_placement()
        step = self.in_step()
        if step is not None and self.kind == "after":
            step["afters"] += 1
        qualifier = self.arguments[0].strip() if self.arguments else ""
        if self.check_no_options():
            # rST read the option line as more of the argument.
            qualifier = OPTION_LINE.split(" " + qualifier, maxsplit=1)[0].strip()
        text = self.kind.capitalize() + (f" ({qualifier})" if qualifier else "")
        label = nodes.rubric(text, text, classes=["migration-variant-label"])
        if qualifier:
            # Tabs with the same label stay in step across the page (sphinx-design sync).
            label["migration_sync"] = f"{self.kind}-{qualifier.lower()}"
        body = nodes.container("", *self.content_nodes(), classes=["migration-variant-body"])
        block = nodes.container(
            "", label, body, classes=["migration-variant", f"migration-{self.kind}"]
        )
        self.set_source_info(block)
        return [block]


class BeforeDirective(VariantDirective):
    kind = "before"
    name_in_source = "before"


class AfterDirective(VariantDirective):
    kind = "after"
    name_in_source = "after"


class DoneWhenDirective(_StepPartDirective):
    """``done-when``: the checks that say a step is finished, as a checklist."""

    name_in_source = "done-when"

    def run(self) -> list[Node]:
        self.check_placement()
        self.check_no_options()
        label = nodes.rubric("Done when", "Done when", classes=["migration-done-when-label"])
        block = nodes.container("", label, *self.content_nodes(), classes=["migration-done-when"])
        self.set_source_info(block)
        return [block]


# -- Role -----------------------------------------------------------------------


class StepRole(SphinxRole):
    """``:step:`id``` renders "Step N: Title"; ``:step:`text <id>``` keeps the text."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        explicit, title, target = split_explicit_title(self.text)
        target = target.strip()
        xref = step_xref(self.env.docname, target)
        if explicit:
            xref["refexplicit"] = True
            xref[0] = nodes.inline(title, title, classes=["xref", "migration-step-ref"])
        self.set_source_info(xref)
        domain_of(self.env).note_dependent(self.env.docname)
        return [xref], []


MigrationDomain.roles["step"] = StepRole()


# -- Resolving and writing ------------------------------------------------------


class StepNumbers(SphinxPostTransform):
    """Write "Step N: " into each step title, for every builder."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        placeholders = list(self.document.findall(migration_step_number))
        if not placeholders:
            return
        numbers = {
            (step.entry.docname, step.entry.serial): step.number
            for step in domain_of(self.env).ordered()
        }
        for placeholder in placeholders:
            number = numbers.get((placeholder["docname"], placeholder["serial"]))
            text = f"Step {number}: " if number else ""
            placeholder.replace_self(nodes.inline(text, text, classes=["migration-step-number"]))


def pdflatex_cannot_typeset(text: str, declared: Set[int] = frozenset()) -> list[str]:
    """The characters of ``text`` that pdflatex stops at, each once, in order."""
    found: list[str] = []
    for char in text:
        code = ord(char)
        if code < 0x7F or code in declared or char in found:
            continue
        if not any(low <= code <= high for low, high in PDFLATEX_RANGES):
            found.append(char)
    return found


class LatexTitles(SphinxPostTransform):
    """With pdflatex, warn about a step title that the PDF build cannot typeset.

    Sphinx writes the .tex file without complaint; pdflatex then stops at the
    first character it has no definition for. Characters the project declares
    with \\DeclareUnicodeCharacter in ``latex_elements`` count as typeset.
    """

    default_priority = 6
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        if self.config.latex_engine != "pdflatex":
            return
        elements = self.config.latex_elements
        declared = {
            int(code, 16)
            for key in ("preamble", "utf8extra")
            for code in _DECLARED.findall(elements.get(key, ""))
        }
        for card in self.document.findall(nodes.container):
            step_id = card.get("migration_step")
            if not step_id:
                continue
            bad = pdflatex_cannot_typeset(card.children[0].astext(), declared)
            if bad:
                chars = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in bad)
                warn(
                    f"migration step {step_id!r}: pdflatex cannot typeset {chars} in its "
                    "title, and the PDF build would stop there; write the title without "
                    "them, declare them with \\DeclareUnicodeCharacter in "
                    "latex_elements['preamble'], or set latex_engine to 'xelatex'",
                    card,
                    "latex_title",
                )


class VariantTabs(SphinxPostTransform):
    """In interactive HTML, turn each group of before/after blocks into tabs.

    The result is sphinx-design's own tab-set structure, so its transform
    (priority 200) renders it, with its CSS and tab-sync script.
    """

    default_priority = 150
    builders = INTERACTIVE_BUILDERS

    def run(self, **kwargs: Any) -> None:
        for group in self.document.findall(nodes.container):
            if "migration-variants" not in group["classes"]:
                continue
            group["design_component"] = "tab-set"
            group["is_div"] = True
            group["classes"] += ["sd-tab-set"]
            for item in group.children:
                if not isinstance(item, nodes.container):
                    continue
                label, body = item.children
                item["design_component"] = "tab-item"
                item["is_div"] = True
                item["classes"] += ["sd-tab-item"]
                label["classes"] += ["sd-tab-label"]
                if "migration_sync" in label:
                    label["sync_group"] = "migration-variant"
                    label["sync_id"] = label["migration_sync"]
                body["design_component"] = "tab-content"
                body["is_div"] = True
                body["classes"] += ["sd-tab-content"]


def checkbox(key: str, label: str | None) -> nodes.raw:
    """A checkbox whose state the page script keeps in the browser.

    Boxes with the same key show the same state: a step ticked on its own
    page is ticked in the checklist too. Without ``label``, the box must be
    inside a ``<label>`` that names it.
    """
    name = "" if label is None else f' aria-label="{escape(label)}"'
    html = (
        f'<input type="checkbox" class="migration-check" '
        f'data-migration-key="{escape(key)}"{name} /> '
    )
    return nodes.raw("", html, format="html")


def owner(node: Node) -> Element | None:
    """The step card that ``node`` belongs to (the innermost, if steps nest)."""
    parent = node.parent
    while parent is not None and not parent.get("migration_step"):
        parent = parent.parent
    return parent


class StepCheckboxes(SphinxPostTransform):
    """In interactive HTML, put checkboxes on each step and its "done when" items."""

    # After StepNumbers, so that labels carry the step's number.
    default_priority = 150
    builders = INTERACTIVE_BUILDERS

    def run(self, **kwargs: Any) -> None:
        for card in list(self.document.findall(nodes.container)):
            step_id = card.get("migration_step")
            if not step_id:
                continue
            title = card.children[0]
            assert isinstance(title, nodes.rubric)
            title.insert(0, checkbox(step_id, f"Done: {title.astext()}"))
            if self.config.html_permalinks:
                # A permalink, as headings have (shown on hover and on focus).
                title += nodes.raw(
                    "",
                    f'<a class="headerlink" href="#{escape(anchor_for(step_id))}" '
                    f'title="Link to this step">{self.config.html_permalinks_icon}</a>',
                    format="html",
                )
            for block in card.findall(nodes.container):
                if "migration-done-when" in block["classes"] and owner(block) is card:
                    self.tick_items(block, step_id)

    def tick_items(self, block: nodes.container, step_id: str) -> None:
        items = [
            item
            for bullet in block.findall(nodes.bullet_list)
            for item in bullet.children
            if isinstance(item, nodes.list_item)
        ]
        for position, item in enumerate(items):
            first = item.children[0] if item.children else None
            if isinstance(first, nodes.paragraph):
                # The whole sentence is the box's label: a click on it ticks the box.
                opening = '<label class="migration-check-label">'
                first.insert(0, nodes.raw("", opening, format="html"))
                first.insert(1, checkbox(f"{step_id}/done/{position}", None))
                first += nodes.raw("", "</label>", format="html")
                item["classes"].append("migration-check-item")


# -- Events ---------------------------------------------------------------------


def rewrite_dependents(app: Sphinx, env: BuildEnvironment) -> Iterable[str]:
    """After reading: if any step changed, rewrite every page that shows steps.

    Step numbers, titles and checklists depend on other documents, which an
    incremental build would not otherwise rewrite.
    """
    domain = domain_of(env)
    fingerprint = domain.fingerprint()
    if fingerprint == domain.data["fingerprint"]:
        return []
    domain.data["fingerprint"] = fingerprint
    return sorted(domain.dependents)


def add_std_labels(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: make each step a ``std:label`` named ``step-<id>``.

    Another project reaches a label through intersphinx with Sphinx alone
    (``:external+guide:ref:`step-<id>```), where ``migration:step`` needs this
    extension. The labels go into the standard domain's data under the step's
    page, so Sphinx purges them with the page; they are set again after every
    read, with the current number in their title.
    """
    std = env.get_domain("std")
    for step in domain_of(env).index().values():
        entry = step.entry
        name = entry.anchor
        held = std.anonlabels.get(name)  # type: ignore[attr-defined]
        if held is not None and tuple(held[:2]) != (entry.docname, entry.anchor):
            warn(
                f"migration step {entry.id!r} has the anchor and label {name!r}, but the "
                f"label {name!r} in {env.doc2path(held[0])} already names something else: "
                "links to it would not reach the step; rename the label",
                (entry.docname, entry.lineno),
                "anchor_clash",
            )
            continue
        std.labels[name] = (entry.docname, entry.anchor, step.label)  # type: ignore[attr-defined]
        std.anonlabels[name] = (entry.docname, entry.anchor)  # type: ignore[attr-defined]


def add_static_path(app: Sphinx) -> None:
    """Let the HTML builders copy our CSS and script with their own static files."""
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx_design")
    app.add_domain(MigrationDomain)
    app.add_node(migration_step_number)
    app.add_directive("migration-step", MigrationStepDirective)
    app.add_directive("before", BeforeDirective)
    app.add_directive("after", AfterDirective)
    app.add_directive("done-when", DoneWhenDirective)
    app.add_role("step", MigrationDomain.roles["step"])
    app.add_post_transform(StepNumbers)
    app.add_post_transform(LatexTitles)
    app.add_post_transform(VariantTabs)
    app.add_post_transform(StepCheckboxes)
    app.add_css_file("migration-steps.css")
    app.add_js_file("migration-steps.js")
    app.connect("env-get-updated", rewrite_dependents)
    app.connect("env-updated", add_std_labels)
    app.connect("builder-inited", add_static_path)
    app.setup_extension("migration_checklist")
    app.setup_extension("migration_graph")
    app.setup_extension("migration_print")
    app.setup_extension("migration_toc")
    return {
        "version": "1.0",
        "env_version": 1,
        # All cross-document data lives in the domain, which merges it.
        "parallel_read_safe": True,
        # Writing only reads the environment.
        "parallel_write_safe": True,
    }
