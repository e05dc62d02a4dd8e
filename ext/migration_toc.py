# SPDX-License-Identifier: MIT
"""Migration steps in the page's contents ("On this page").

A step card is not a section, so Sphinx's table of contents skips it and a
reader cannot jump to a step from the page's contents. After Sphinx has
collected a document's sections, this adds one entry per step, under the
section that holds it, in the order of the page. The entry shows the step's
title without its number: numbers are known only when the whole project has
been read, and the contents are stored per document.

Loaded by ``migration_steps``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from migration_steps import anchor_for

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

#: After Sphinx's own collector (priority 500) has stored the document's toc.
PRIORITY = 600


def add_steps_to_toc(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    toc = env.tocs.get(env.docname)
    cards = [node for node in doctree.findall(nodes.container) if node.get("migration_step")]
    if toc is None or not cards:
        return
    position = {id(node): index for index, node in enumerate(doctree.findall(nodes.Element))}
    sections = {
        f"#{section['ids'][0]}": section
        for section in doctree.findall(nodes.section)
        if section["ids"]
    }
    # A toc entry per section: the page's title has the empty anchor.
    items: dict[str, nodes.list_item] = {}
    for reference in toc.findall(nodes.reference):
        item = reference.parent.parent
        if isinstance(item, nodes.list_item):
            items.setdefault(reference["anchorname"], item)
    changed: dict[int, tuple[nodes.bullet_list, nodes.list_item]] = {}
    for card in cards:
        section = card.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        if section is None or not section["ids"]:
            continue
        item = items.get(f"#{section['ids'][0]}") or items.get("")
        if item is None:
            continue
        sublist = next((c for c in item.children if isinstance(c, nodes.bullet_list)), None)
        if sublist is None:
            sublist = nodes.bullet_list()
            item += sublist
        title = card.children[0].astext().strip()
        reference = nodes.reference(
            "", "", nodes.Text(title),
            internal=True, refuri=env.docname, anchorname=f"#{anchor_for(card['migration_step'])}",
        )  # fmt: skip
        entry = nodes.list_item("", addnodes.compact_paragraph("", "", reference))
        entry["migration_position"] = position[id(card)]
        sublist += entry
        changed[id(sublist)] = (sublist, item)

    def places(entries: list[nodes.Node]) -> list[int]:
        """Where each entry is on the page; a toctree keeps to the entry before it."""
        found, last = [], -1
        for entry in entries:
            if isinstance(entry, nodes.Element) and "migration_position" in entry:
                last = entry["migration_position"]
            else:
                reference = next(iter(entry.findall(nodes.reference)), None)
                if reference is not None and reference["anchorname"] in sections:
                    last = position[id(sections[reference["anchorname"]])]
            found.append(last)
        return found

    for sublist, _ in changed.values():
        # Steps and subsections in the order of the page (a stable sort).
        entries = list(sublist.children)
        ordered = [
            entry
            for _, entry in sorted(zip(places(entries), entries, strict=True), key=lambda p: p[0])
        ]
        del sublist[:]
        sublist.extend(ordered)
        for entry in sublist.children:
            if isinstance(entry, nodes.Element):
                entry.attributes.pop("migration_position", None)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", add_steps_to_toc, priority=PRIORITY)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
