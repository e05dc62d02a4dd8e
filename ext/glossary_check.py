# SPDX-License-Identifier: MIT
"""Check the glossary against the ``:term:`` references that use it.

How Sphinx matches ``:term:`` (8.1 and 9.x, ``sphinx/domains/std``): the
glossary records each term under its exact text and, separately, under
``term.lower()``; a reference first tries the exact text, then falls back to
``target.lower()``. Anything else fails to match locally, and then
``sphinx.ext.intersphinx`` gets its chance: if the Python glossary (or any
other inventory) has the text, the link quietly goes there instead of to our
glossary. That is where a writer's slip goes unnoticed. So this extension warns
(type ``glossary_check``) about:

``unused``
    a term that no ``:term:`` reference anywhere in the project points to
    (compared the way Sphinx compares, case-insensitively);
``mismatch``
    a ``:term:`` reference that Sphinx cannot match to any of our terms, but
    that is the same words as one of them once you ignore what Sphinx does
    not: hyphens, underscores and spacing (``thread-safe`` for ``thread
    safe``), a plural ``s`` (``green threads`` for ``green thread``), or case
    beyond ``str.lower`` (``STRASSE`` for ``Straße``). Sphinx sends such a
    reference to another project's glossary if one has the text, and warns
    only if none does;
``case``
    two terms that differ only in case: a reference in a third case resolves
    to whichever Sphinx read last.

References and terms are recorded per document in the ``glossarycheck``
domain, so incremental and parallel builds purge and merge them; the checks run
once all documents are read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from typing import Any, ClassVar

from docutils import nodes
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

WARNING_TYPE = "glossary_check"
_SEPARATORS = re.compile(r"[\s\-_]+")


def loose_key(text: str) -> str:
    """What is left of a term once case, separators and a plural ``s`` are ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = [word for word in _SEPARATORS.split(folded) if word]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return "".join(words)


class GlossaryCheckDomain(Domain):
    """Terms and term references, per document. No markup of its own."""

    name = "glossarycheck"
    label = "Glossary check"
    initial_data: ClassVar[dict[str, Any]] = {
        "terms": {},  # docname -> [(term text, "source:line")]
        "references": {},  # docname -> [(target, "source:line")]
    }
    data_version = 1

    def clear_doc(self, docname: str) -> None:
        self.data["terms"].pop(docname, None)
        self.data["references"].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in ("terms", "references"):
            for docname, items in otherdata[key].items():
                if docname in docnames:
                    self.data[key][docname] = items

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """Nothing to resolve: this domain has no objects.

        MyST asks every domain for a ``[text](#target)`` link, and warns about a
        domain without this method, so a valid link would fail a strict build.
        """
        return []

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        terms = []
        for glossary in document.findall(addnodes.glossary):
            for term in glossary.findall(nodes.term):
                if term["ids"]:
                    terms.append((term.astext(), _term_location(term)))
        references = [
            (node["reftarget"], get_node_location(node))
            for node in document.findall(addnodes.pending_xref)
            if node.get("refdomain") == "std" and node.get("reftype") == "term"
        ]
        if terms:
            self.data["terms"][docname] = terms
        if references:
            self.data["references"][docname] = references

    def check_consistency(self) -> None:
        terms = [
            (text, location)
            for docname in sorted(self.data["terms"])
            for text, location in self.data["terms"][docname]
        ]
        references = [
            (target, location)
            for docname in sorted(self.data["references"])
            for target, location in self.data["references"][docname]
        ]
        referenced = {target.lower() for target, _ in references}
        by_lower: dict[str, str] = {}
        by_loose: dict[str, str] = {}
        for text, location in terms:
            first = by_lower.setdefault(text.lower(), text)
            if first != text:
                _warn(
                    f"glossary terms {first!r} and {text!r} differ only in case; :term: "
                    f"matches case-insensitively, so it cannot tell them apart",
                    location,
                    "case",
                )
            by_loose.setdefault(loose_key(text), text)
            if text.lower() not in referenced:
                _warn(
                    f"glossary term {text!r} is defined but never referenced with :term:",
                    location,
                    "unused",
                )
        for target, location in references:
            if target.lower() in by_lower:
                continue  # Sphinx matches it
            term = by_loose.get(loose_key(target))
            if term is not None:
                _warn(
                    f":term:`{target}` does not match the glossary term {term!r}: Sphinx "
                    f"compares terms only case-insensitively, so this reference goes to "
                    f"another project's glossary or nowhere; write "
                    f":term:`{target} <{term}>`",
                    location,
                    "mismatch",
                )


def get_node_location(node: nodes.Node) -> str | None:
    """``source:line`` of ``node`` (or of the nearest ancestor that knows)."""
    source, line = get_source_line(node)
    if source and line:
        return f"{source}:{line}"
    return source or None


def _term_location(term: nodes.term) -> str | None:
    # Sphinx's glossary directive (8.1, 9.x) sets a term's line from the
    # 0-based offset of its content, one less than the line in the file.
    source, line = get_source_line(term)
    if source and line is not None:
        return f"{source}:{line + 1}"
    return get_node_location(term)


def _warn(message: str, location: str | None, subtype: str) -> None:
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=subtype)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_domain(GlossaryCheckDomain)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
