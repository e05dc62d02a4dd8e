# SPDX-License-Identifier: MIT
"""The ``ev`` domain: the guide's map of Eventlet's API.

Markup
    ``.. ev:api:: eventlet.greenthread.spawn`` declares one entry (option
    ``:kind:``; content: a summary and the fields ``:asyncio:``,
    ``:threading:``, ``:pitfalls:``, ``:recipe:``).

    ``.. ev:map:: eventlet.greenthread`` renders the module's entries from the
    data file (``eventlet_api_map``, by default ``docs/_data/api_map.toml``;
    see ``eventlet_api_data``), after a compact table of them (name, kind,
    first sentence of the summary). Its text fields are reStructuredText,
    also when the page is MyST. Entries of the kinds ``envvar``, ``keyword``
    and ``environ`` (``EVENTLET_HUB``, ``eventlet.patcher.monkey_patch.socket``,
    ``eventlet.input``) are shown as what they are; the installed source
    says whether they exist (see ``eventlet_api_introspect``).

    ``:ev:api:`eventlet.spawn``` links to an entry; ``:ev:`eventlet.spawn```
    is the same role under a short name (MyST: ``{ev}`eventlet.spawn```).
    ``~`` shows only the last component; ``!`` writes the name without a link
    (and without checking it). A top-level shortcut and the name
    it stands for (``eventlet.spawn``, ``eventlet.greenthread.spawn``) reach
    the same entry, computed from the installed Eventlet.

Checks (all warnings have type ``eventlet_api``; the subtype says which)
    ``missing``: a declared or referenced name does not resolve in the
    installed Eventlet. ``unmapped``: a reference to a name with no entry.
    ``schema``: the data file is malformed (located in the data file, and
    naming the directive that loaded it). ``duplicate``: one name (or one
    object under two names) declared twice. ``unrendered``: an entry of the
    data file that no ``ev:map`` renders. ``kind``: the declared kind is not
    what the installed Eventlet has. ``introspection``: the installed
    Eventlet could not be inspected at all. ``role``: a reference that names
    nothing (``:ev:`~```). ``label``: the ``std:label`` of an entry (see
    below) is taken by something else.

Links from other projects
    Every entry is also a ``std:label`` named ``ev-`` and its dotted name in
    lower case (``ev-eventlet.event.event``), so a project with intersphinx
    alone can link to it with ``:external+guide:ref:``.

State lives in the domain's data (entries and references per document), so
incremental and parallel builds purge and merge it like Sphinx's own domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes, utils
from docutils.nodes import Element, Node, system_message
from docutils.parsers import rst
from docutils.parsers.rst import directives, states
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.addnodes import desc_signature, pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.directives import ObjectDescription
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.docfields import Field, GroupedField
from sphinx.util.docutils import LoggingReporter, SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.typing import ExtensionMetadata

import eventlet_api_data as api_data
from eventlet_api_introspect import IntrospectionError, canonical_name, inspect_installed

logger = logging.getLogger(__name__)

WARNING_TYPE = "eventlet_api"
#: Increment when the shape of the domain data changes: Sphinx then rebuilds.
DATA_VERSION = 2
_LOADED_BY = "eventlet_api_loaded_by"
#: Declared kinds accepted for what introspection finds (a plain value can be
#: described as data or as an attribute).
_COMPATIBLE_KINDS = {"data": {"data", "attribute"}}
#: Why a name of a kind that is not an attribute is missing (introspection
#: only says that no attribute has that name).
_MISSING_REASONS = {
    "envvar": "its source never reads this environment variable",
    "keyword": "the function accepts no such keyword argument",
    "environ": "eventlet.wsgi never sets this environ key",
}


#: How a kind reads on the page and in the index, where the kind's name is not
#: plain English.
KIND_LABELS = {
    "envvar": "environment variable",
    "keyword": "keyword argument",
    "environ": "environ key",
}


def kind_label(kind: str) -> str:
    """``envvar`` -> ``environment variable``; other kinds read as they are."""
    return KIND_LABELS.get(kind, kind)


def _warn(message: str, location: Any, subtype: str) -> None:
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=subtype)


def _split(name: str) -> tuple[str, str]:
    head, _, tail = name.rpartition(".")
    return head, tail


# -- Directives ---------------------------------------------------------------


class EventletApiDirective(ObjectDescription[str]):
    """``.. ev:api:: eventlet.module.name``: one entry of the API map."""

    has_content = True
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    option_spec: ClassVar[dict[str, Any]] = {
        "kind": lambda argument: directives.choice(argument, api_data.KINDS),
        "no-index": directives.flag,
        "no-index-entry": directives.flag,
        "no-contents-entry": directives.flag,
    }
    doc_field_types: ClassVar[list[Field]] = [  # type: ignore[misc]
        Field("asyncio", label="asyncio", has_arg=False, names=("asyncio",)),
        Field("threading", label="threading", has_arg=False, names=("threading",)),
        GroupedField(
            "pitfalls", label="Pitfalls", names=("pitfalls", "pitfall"), can_collapse=True
        ),
        Field("recipe", label="Recipe", has_arg=False, names=("recipe",)),
    ]

    def get_signatures(self) -> list[str]:
        return [self.arguments[0].strip()]

    def handle_signature(self, sig: str, signode: desc_signature) -> str:
        if not api_data.NAME_RE.match(sig):
            _warn(
                f"ev:api: {sig!r} is not a dotted Eventlet name (eventlet.module.name)",
                self.get_location(),
                "directive",
            )
            raise ValueError(sig)
        kind = self.options.get("kind")
        if kind is None:
            _warn(f"ev:api {sig}: missing option ':kind:'", self.get_location(), "directive")
            kind = ""  # reported; shown without a kind, and not checked
        self.options["kind"] = kind
        signode["fullname"] = sig
        if kind:
            label = kind_label(kind)
            signode += addnodes.desc_annotation(label, "", addnodes.desc_sig_keyword(label, label))
            signode += addnodes.desc_sig_space()
        head, tail = _split(sig)
        if kind == "keyword":  # eventlet.patcher.monkey_patch(socket=...)
            signode += addnodes.desc_addname(head + "(", head + "(")
            signode += addnodes.desc_name(tail, tail)
            signode += addnodes.desc_addname("=...)", "=...)")
        elif kind == "environ":  # environ["eventlet.input"]
            signode += addnodes.desc_addname('environ["', 'environ["')
            signode += addnodes.desc_name(sig, sig)
            signode += addnodes.desc_addname('"]', '"]')
        elif kind in {"module", "envvar"} or not head:
            signode += addnodes.desc_name(sig, sig)
        else:
            signode += addnodes.desc_addname(head + ".", head + ".")
            signode += addnodes.desc_name(tail, tail)
        return sig

    def add_target_and_index(self, name: str, sig: str, signode: desc_signature) -> None:
        node_id = f"ev-{name}"
        domain = self.env.domains[EventletApiDomain.name]
        if node_id in self.state.document.ids:
            # The domain reports duplicates with both locations; keep one anchor.
            domain.note_entry(
                name, self.options["kind"], node_id, self.get_location(), self._loaded_by()
            )
            return
        signode["ids"].append(node_id)
        self.state.document.note_explicit_target(signode)
        domain.note_entry(
            name, self.options["kind"], node_id, self.get_location(), self._loaded_by()
        )
        if "no-index-entry" not in self.options:
            text = f"{name} (Eventlet {kind_label(self.options['kind']) or 'API'})"
            self.indexnode["entries"].append(("single", text, node_id, "", None))
            if self.options["kind"] == "envvar":
                pair = f"environment variable; {name}"
                self.indexnode["entries"].append(("pair", pair, node_id, "", None))

    def _loaded_by(self) -> str | None:
        """Where the ``ev:map`` that generated this directive is, if one did."""
        source = self.get_source_info()[0]
        return (self.env.temp_data.get(_LOADED_BY) or {}).get(source)

    def _object_hierarchy_parts(self, sig_node: desc_signature) -> tuple[str, ...]:
        return tuple(sig_node.get("fullname", "").split("."))

    def _toc_entry_name(self, sig_node: desc_signature) -> str:
        fullname = sig_node.get("fullname", "")
        if not fullname or self.options.get("kind") in {"module", "envvar", "environ"}:
            return fullname
        return _split(fullname)[1]


class EventletApiMapDirective(SphinxDirective):
    """``.. ev:map:: eventlet.module``: render a module's entries from the data file."""

    has_content = False
    required_arguments = 1
    optional_arguments = 0
    option_spec: ClassVar[dict[str, Any]] = {"data": directives.unchanged_required}

    def run(self) -> list[Node]:
        module = self.arguments[0].strip()
        relative = self.options.get("data", self.config.eventlet_api_map)
        path = (Path(self.env.srcdir) / relative).resolve()
        here = self.get_location()
        if not path.is_file():
            _warn(f"ev:map: data file not found: {path}", here, "schema")
            return []
        self.env.note_dependency(str(path))
        api_map = api_data.load(path)
        for problem in api_map.module_problems(module):
            _warn(f"{problem.message} (loaded by {here})", f"{path}:{problem.line}", "schema")
        domain = self.env.domains[EventletApiDomain.name]
        domain.note_map(str(path), module)
        entries = api_map.module_entries(module)
        if not entries:
            if not api_map.module_problems(module):
                _warn(f"ev:map: the data file {path} has no entries for {module}", here, "schema")
            return []
        # The generated ev:api directives tell where they came from.
        self.env.temp_data.setdefault(_LOADED_BY, {})[str(path)] = here
        content = _entries_as_rst(entries, str(path), module)
        if isinstance(self.state, states.RSTState):
            # Like ``.. include::``: hand the lines to the page's own state
            # machine, which keeps each line's source, so a warning about a
            # field's markup points at the data file's line.
            machine = self.state_machine
            machine.input_lines.insert(machine.line_offset + 1, content)
            return []
        return self._parse_as_rst(content)

    def _parse_as_rst(self, content: StringList) -> list[Node]:
        """Parse generated rST on a MyST page.

        MyST's nested parser reads Markdown, so run docutils' rST state machine
        on a scratch document that shares the page's settings (and so the Sphinx
        environment), then move the result into the page. The scratch reporter
        logs through Sphinx like the page's own, and locates messages by the
        data file's lines.
        """
        host = self.state.document
        scratch = utils.new_document(host["source"], host.settings)
        scratch.reporter = LoggingReporter.from_reporter(host.reporter)
        parser = rst.Parser()
        parser.setup_parse("", scratch)
        machine = states.RSTStateMachine(
            state_classes=parser.state_classes,
            initial_state=parser.initial_state,
            debug=scratch.reporter.debug_flag,
        )
        machine.run(content, scratch, inliner=parser.inliner)
        parser.finish_parse()
        children = list(scratch.children)
        scratch.children = []
        for child in children:
            child.parent = None
        return children


def _indented(text: str, indent: str) -> list[str]:
    return [indent + line if line.strip() else "" for line in text.splitlines()]


_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`:(])")
_INLINE_MARKUP_RE = re.compile(r"``.+?``|`[^`]*`")


def _first_sentence(text: str) -> str:
    """The first sentence of an rST paragraph, never cut inside inline markup."""
    flat = " ".join(text.split())
    spans = [m.span() for m in _INLINE_MARKUP_RE.finditer(flat)]
    for match in _SENTENCE_END_RE.finditer(flat):
        if not any(start < match.start() < end for start, end in spans):
            return flat[: match.start()]
    return flat


def _entries_as_rst(
    entries: list[api_data.Entry], source: str, module: str | None = None
) -> StringList:
    """The ``ev:api`` directives for ``entries``; each line keeps its data-file line.

    With ``module``, a compact overview table comes first: each name (a link
    to its entry), its kind and the first sentence of its summary.
    """
    content = StringList()

    def add(lines: list[str], line: int) -> None:
        for text in lines:
            content.append(text, source, line - 1)  # StringList offsets are 0-based

    rows = [entry for entry in entries if module is not None and entry.name != module]
    if rows:
        add(
            [
                ".. list-table::",
                "   :header-rows: 1",
                "   :widths: 44 14 42",
                # Sphinx's LaTeX writer uses a longtable only above 30 rows;
                # a shorter table of long summaries still outgrows a page and
                # runs through the footer, so always let it break.
                "   :class: ev-overview longtable",
                "",
                "   * - Name",
                "     - Kind",
                "     - What it does",
            ],
            rows[0].line,
        )
        prefix = f"{module}."
        for entry in rows:
            short = entry.name.removeprefix(prefix)
            add(
                [f"   * - :ev:`{short} <{entry.name}>`", f"     - {kind_label(entry.kind)}"],
                entry.line,
            )
            summary = _first_sentence(entry.summary)
            add([f"     - {summary}"], entry.lines.get("summary", entry.line))
        add([""], rows[-1].line)

    for entry in entries:
        fields = entry.lines
        add([f".. ev:api:: {entry.name}", f"   :kind: {entry.kind}", ""], entry.line)
        add([*_indented(entry.summary, "   "), ""], fields.get("summary", entry.line))
        for key in ("asyncio", "threading"):
            add([f"   :{key}:", *_indented(getattr(entry, key), "      ")], fields[key])
        if entry.pitfalls:
            lines = ["   :pitfalls:"]
            for item in entry.pitfalls:
                first, *rest = item.splitlines()
                lines.append(f"      * {first}")
                lines.extend(_indented("\n".join(rest), "        "))
            add(lines, fields["pitfalls"])
        if entry.recipe:
            add([f"   :recipe: :doc:`{entry.recipe}`"], fields["recipe"])
        add([""], entry.line)
    return content


# -- Role ---------------------------------------------------------------------


class EventletApiRole(XRefRole):
    """``:ev:api:`name``` and its short form ``:ev:`name```."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        # Registered under two names; both are references of type ev:api.
        self.refdomain, self.reftype = EventletApiDomain.name, "api"
        self.classes = ["xref", "ev", "ev-api"]
        if self.disabled:  # :ev:`!name`: the name as code, no link, no check
            return self.create_non_xref_node()
        return self.create_xref_node()

    def process_link(
        self,
        env: BuildEnvironment,
        refnode: Element,
        has_explicit_title: bool,
        title: str,
        target: str,
    ) -> tuple[str, str]:
        target = target.strip()
        if target.startswith("~"):
            target = target[1:]
            if not has_explicit_title:
                title = _split(target)[1] or target
        elif not has_explicit_title:
            title = target
        return title, target

    def result_nodes(
        self, document: nodes.document, env: BuildEnvironment, node: Element, is_ref: bool
    ) -> tuple[list[Node], list[system_message]]:
        if is_ref and not node["reftarget"]:
            _warn(
                f"{self.rawtext} names no Eventlet object: write a dotted name, "
                "such as :ev:`eventlet.spawn`",
                self.get_location(),
                "role",
            )
            return [node[0].deepcopy()], []
        if is_ref:
            # get_location() maps the line through includes and generated input.
            env.domains[EventletApiDomain.name].note_reference(
                env.docname, node["reftarget"], self.get_location()
            )
        return [node], []


# -- Domain -------------------------------------------------------------------


class EventletApiDomain(Domain):
    """Holds every entry and every reference, per document."""

    name = "ev"
    label = "Eventlet API"
    object_types: ClassVar[dict[str, ObjType]] = {"api": ObjType("Eventlet API", "api")}
    directives: ClassVar[dict[str, type[Any]]] = {
        "api": EventletApiDirective,
        "map": EventletApiMapDirective,
    }
    roles: ClassVar[dict[str, Any]] = {"api": EventletApiRole(innernodeclass=nodes.literal)}
    initial_data: ClassVar[dict[str, Any]] = {
        # name -> {docname, node_id, kind, location, loaded_by}
        "entries": {},
        # docname -> [(target, "source:line")]
        "references": {},
        # docname -> [(data file, module)] rendered by ev:map
        "maps": {},
        # What the installed Eventlet says; refreshed after every read phase.
        "eventlet": {"version": "", "names": {}, "shortcuts": {}, "error": ""},
    }
    data_version = DATA_VERSION

    # -- recording (read phase) ----------------------------------------------

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        return self.data["entries"]

    def note_entry(
        self, name: str, kind: str, node_id: str, location: str, loaded_by: str | None
    ) -> None:
        record = {
            "docname": self.env.docname,
            "node_id": node_id,
            "kind": kind,
            "location": location,
            "loaded_by": loaded_by,
        }
        if name in self.entries:
            self._warn_duplicate(name, self.entries[name], record)
            return
        self.entries[name] = record

    def note_reference(self, docname: str, target: str, location: str) -> None:
        self.data["references"].setdefault(docname, []).append((target, location))

    def note_map(self, path: str, module: str) -> None:
        self.data["maps"].setdefault(self.env.docname, []).append((path, module))

    @staticmethod
    def _warn_duplicate(name: str, first: dict[str, Any], second: dict[str, Any]) -> None:
        _warn(
            f"duplicate entry for {name}; the other one is at {first['location']}",
            second["location"],
            "duplicate",
        )

    def clear_doc(self, docname: str) -> None:
        for name in [n for n, record in self.entries.items() if record["docname"] == docname]:
            del self.entries[name]
        self.data["references"].pop(docname, None)
        self.data["maps"].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for name, record in otherdata["entries"].items():
            if record["docname"] not in docnames:
                continue
            if name in self.entries:
                self._warn_duplicate(name, self.entries[name], record)
            else:
                self.entries[name] = record
        for key in ("references", "maps"):
            for docname, items in otherdata[key].items():
                if docname in docnames:
                    self.data[key][docname] = items

    # -- the installed Eventlet ----------------------------------------------

    def referenced_targets(self) -> set[str]:
        return {target for refs in self.data["references"].values() for target, _ in refs}

    def refresh_eventlet(self, python: str | None) -> None:
        """Ask the installed Eventlet about every declared and referenced name."""
        names = set(self.entries) | self.referenced_targets()
        try:
            answer = inspect_installed(names, python=python)
        except IntrospectionError as error:
            self.data["eventlet"] = {
                "version": "",
                "names": {},
                "shortcuts": {},
                "error": str(error),
            }
            return
        self.data["eventlet"] = {
            "version": answer.version,
            "names": {
                name: (info.exists, info.canonical, info.error, info.kind)
                for name, info in answer.names.items()
            },
            "shortcuts": answer.shortcuts,
            "error": "",
        }

    def _canonical(self, name: str) -> str:
        known = self.data["eventlet"]["names"].get(name)
        if known is not None:
            return known[1]
        return canonical_name(name, self.data["eventlet"]["shortcuts"])

    def _missing(self, name: str) -> str | None:
        """Why ``name`` does not resolve in the installed Eventlet, or None."""
        known = self.data["eventlet"]["names"].get(name)
        if known is None or known[0]:
            return None
        return known[2]

    def lookup(self, target: str) -> str | None:
        """The entry ``target`` names, directly or through a shortcut."""
        if target in self.entries:
            return target
        wanted = self._canonical(target)
        for name in sorted(self.entries):
            if self._canonical(name) == wanted:
                return name
        return None

    def check_consistency(self) -> None:
        info = self.data["eventlet"]
        if info["error"]:
            _warn(
                f"cannot check names against the installed Eventlet: {info['error']}",
                None,
                "introspection",
            )
            return
        version = info["version"]
        by_object: dict[str, list[str]] = {}
        for name in sorted(self.entries):
            record = self.entries[name]
            by_object.setdefault(self._canonical(name), []).append(name)
            loaded = f" (loaded by {record['loaded_by']})" if record["loaded_by"] else ""
            reason = self._missing(name)
            if reason is not None:
                reason = _MISSING_REASONS.get(record["kind"], reason)
                _warn(
                    f"{name} is not in the installed Eventlet {version}: {reason}{loaded}",
                    record["location"],
                    "missing",
                )
                continue
            actual = info["names"].get(name, (True, name, "", ""))[3]
            declared = record["kind"]
            if actual and declared and declared not in _COMPATIBLE_KINDS.get(actual, {actual}):
                _warn(
                    f"{name} is declared as a {record['kind']}, but in Eventlet {version} "
                    f"it is a {actual}{loaded}",
                    record["location"],
                    "kind",
                )
        for names in by_object.values():
            if len(names) > 1:
                first, *others = names
                for other in others:
                    _warn(
                        f"{other} and {first} are the same object in Eventlet {version}; "
                        f"keep one entry (the other name links to it)",
                        self.entries[other]["location"],
                        "duplicate",
                    )
        for docname in sorted(self.data["references"]):
            for target, location in self.data["references"][docname]:
                if target in self.entries:
                    continue  # a missing entry is reported where it is declared
                reason = self._missing(target)
                if reason is not None:
                    _warn(
                        f"reference to {target}: not in the installed Eventlet {version}: {reason}",
                        location,
                        "missing",
                    )
        self._check_unrendered()

    def _check_unrendered(self) -> None:
        rendered: dict[str, set[str]] = {}
        for items in self.data["maps"].values():
            for path, module in items:
                rendered.setdefault(path, set()).add(module)
        for path in sorted(rendered):
            if not Path(path).is_file():
                continue
            api_map = api_data.load(Path(path))
            for problem in api_map.problems:
                # A bad entry that no map renders would otherwise go unreported.
                if problem.entry is not None and not any(
                    problem in api_map.module_problems(module) for module in rendered[path]
                ):
                    _warn(problem.message, f"{path}:{problem.line}", "schema")
            for entry in api_map.entries.values():
                if not any(entry.in_module(module) for module in rendered[path]):
                    _warn(
                        f"{entry.name} is in the data file, but no ev:map renders its module",
                        f"{path}:{entry.line}",
                        "unrendered",
                    )

    # -- resolving (write phase) ---------------------------------------------

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> Element | None:
        name = self.lookup(target)
        if name is None:
            if self._missing(target) is None:  # a missing name was reported already
                _warn(
                    f"{target} has no entry in the API map; add one to "
                    f"{env.config.eventlet_api_map} or write it as ``{target}``",
                    node,
                    "unmapped",
                )
            # Resolved to plain text: Sphinx must not warn a second time.
            return contnode
        record = self.entries[name]
        return make_refnode(
            builder, fromdocname, record["docname"], record["node_id"], contnode, name
        )

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        name = self.lookup(target)
        if name is None:
            return []
        record = self.entries[name]
        ref = make_refnode(
            builder, fromdocname, record["docname"], record["node_id"], contnode, name
        )
        return [("ev:api", ref)]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for name, record in self.entries.items():
            yield name, name, "api", record["docname"], record["node_id"], 1
        # The shortcuts (eventlet.spawn) reach the same anchors, for intersphinx users.
        for shortcut in self.data["eventlet"]["shortcuts"]:
            if shortcut in self.entries:
                continue
            name = self.lookup(shortcut)
            if name is not None:
                record = self.entries[name]
                yield shortcut, shortcut, "api", record["docname"], record["node_id"], 2

    def get_type_name(self, type: ObjType, primary: bool = False) -> str:
        # The search page shows this after each result; Sphinx's default puts
        # the domain's label first ("Eventlet API Eventlet API").
        return type.lname

    def get_full_qualified_name(self, node: Element) -> str | None:
        return node.get("reftarget")


# -- Events -------------------------------------------------------------------


def _refresh(app: Sphinx, env: BuildEnvironment) -> None:
    env.domains[EventletApiDomain.name].refresh_eventlet(app.config.eventlet_api_python)


def label_name(name: str, kind: str, names: Set[str]) -> str:
    """The ``std:label`` of an entry: ``ev-`` and its dotted name in lower case.

    Sphinx stores labels in lower case (``:ref:`` lowercases its target), so
    ``eventlet.event.Event`` is the label ``ev-eventlet.event.event``. Two
    names can differ only in case (the class ``eventlet.wsgi.Server`` and the
    function ``eventlet.wsgi.server``): the all-lower-case one keeps the plain
    label and the other adds its kind (``ev-eventlet.wsgi.server-class``).
    The rule depends only on the set of names, never on reading order.
    """
    label = f"ev-{name.lower()}"
    if name != name.lower() and name.lower() in names:
        return f"{label}-{kind}"
    return label


def _add_std_labels(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: make each entry a ``std:label``, for projects without this domain.

    A project that loads the guide's inventory with intersphinx alone can
    write ``:external+guide:ref:`ev-eventlet.greenthread.spawn```. The labels
    live in the standard domain's data under the entry's page, so Sphinx
    purges them with the page; they are set again after every read.
    """
    std = env.get_domain("std")
    entries = env.domains[EventletApiDomain.name].entries
    names = set(entries)
    for name in sorted(entries):
        record = entries[name]
        label = label_name(name, record["kind"], names)
        held = std.anonlabels.get(label)  # type: ignore[attr-defined]
        if held is not None and tuple(held[:2]) != (record["docname"], record["node_id"]):
            _warn(
                f"{name}: the label {label!r} already names something else "
                f"(in {env.doc2path(held[0])}), so other projects cannot link to this "
                "entry by label; rename that label",
                record["location"],
                "label",
            )
            continue
        std.labels[label] = (record["docname"], record["node_id"], name)  # type: ignore[attr-defined]
        std.anonlabels[label] = (record["docname"], record["node_id"])  # type: ignore[attr-defined]


def _outdated_referrers(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Re-read pages whose references may now resolve differently.

    Sphinx rewrites only changed pages; a page that links to an entry that
    another page (or the data file) just removed or added would keep a stale
    link, or a stale warning, without this.
    """
    domain = env.domains[EventletApiDomain.name]
    touched = added | changed | removed
    affected = {name for name, record in domain.entries.items() if record["docname"] in touched}
    outdated = []
    for docname, references in domain.data["references"].items():
        if docname in touched:
            continue
        for target, _ in references:
            name = domain.lookup(target)
            if name is None or name in affected:
                outdated.append(docname)
                break
    return sorted(outdated)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "eventlet_api_map",
        "_data/api_map.toml",
        "env",
        types=frozenset({str}),
        description="The API map data file, relative to the source directory.",
    )
    app.add_config_value(
        "eventlet_api_python",
        None,
        "env",
        types=frozenset({str, type(None)}),
        description="The interpreter whose Eventlet the names are checked against "
        "(default: the one running Sphinx).",
    )
    app.add_domain(EventletApiDomain)
    # The short form reads the same in rST (:ev:`x`) and MyST ({ev}`x`).
    app.add_role("ev", EventletApiRole(innernodeclass=nodes.literal))
    app.connect("env-updated", _refresh)
    app.connect("env-updated", _add_std_labels)
    app.connect("env-get-outdated", _outdated_referrers)
    return {
        "version": "1",
        "env_version": DATA_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
