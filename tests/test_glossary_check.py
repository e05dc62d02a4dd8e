# SPDX-License-Identifier: MIT
"""glossary_check: unused terms and references Sphinx would not match to our glossary."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences

from glossary_check import loose_key

PYTHON_INVENTORY = Path(__file__).resolve().parent.parent / "docs" / "_intersphinx" / "python.inv"


def intersphinx() -> dict[str, tuple[str, str]]:
    """A fresh mapping for each app: Sphinx normalises the one it gets in place."""
    return {"python": ("https://docs.python.org/3", str(PYTHON_INVENTORY))}


def warnings_of(app: SphinxTestApp, kind: str) -> list[str]:
    text = strip_escape_sequences(app.warning.getvalue())
    prefix = str(app.srcdir) + "/"
    return [line.replace(prefix, "") for line in text.splitlines() if line.endswith(f"[{kind}]")]


@pytest.mark.sphinx(
    "html", testroot="glossary", freshenv=True, confoverrides={"intersphinx_mapping": intersphinx()}
)
def test_unused_terms(app: SphinxTestApp) -> None:
    app.build()
    assert [w for w in warnings_of(app, "glossary_check.unused")] == [
        "index.rst:14: WARNING: glossary term 'thread safe' is defined but never referenced "
        "with :term: [glossary_check.unused]",
        "index.rst:17: WARNING: glossary term 'monkey patching' is defined but never referenced "
        "with :term: [glossary_check.unused]",
        "index.rst:20: WARNING: glossary term 'cooperative scheduling' is defined but never "
        "referenced with :term: [glossary_check.unused]",
    ]


@pytest.mark.sphinx(
    "html", testroot="glossary", freshenv=True, confoverrides={"intersphinx_mapping": intersphinx()}
)
def test_mismatched_references_in_rst_and_myst(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app, "glossary_check.mismatch") == [
        "myst.md:3: WARNING: :term:`green threads` does not match the glossary term "
        "'green thread': Sphinx compares terms only case-insensitively, so this reference "
        "goes to another project's glossary or nowhere; write "
        ":term:`green threads <green thread>` [glossary_check.mismatch]",
        "myst.md:5: WARNING: :term:`monkeypatching` does not match the glossary term "
        "'monkey patching': Sphinx compares terms only case-insensitively, so this reference "
        "goes to another project's glossary or nowhere; write "
        ":term:`monkeypatching <monkey patching>` [glossary_check.mismatch]",
        "usage.rst:7: WARNING: :term:`thread-safe` does not match the glossary term "
        "'thread safe': Sphinx compares terms only case-insensitively, so this reference "
        "goes to another project's glossary or nowhere; write "
        ":term:`thread-safe <thread safe>` [glossary_check.mismatch]",
    ]


@pytest.mark.sphinx(
    "html", testroot="glossary", freshenv=True, confoverrides={"intersphinx_mapping": intersphinx()}
)
def test_what_sphinx_itself_does_with_these_references(app: SphinxTestApp) -> None:
    """The behaviour the check exists for: pin it, so a Sphinx change shows up here."""
    app.build()
    usage = (app.outdir / "usage.html").read_text(encoding="utf-8")
    # A difference in case only: Sphinx matches it, silently and correctly.
    assert usage.count('href="index.html#term-green-thread"') == 2
    # "thread-safe" is not our "thread safe": Sphinx says nothing and links to
    # Python's glossary instead.
    assert 'href="https://docs.python.org/3/glossary.html#term-thread-safe"' in usage
    assert "thread-safe" not in "".join(warnings_of(app, "ref.term"))
    # With no other glossary to fall back to, Sphinx does warn on its own.
    assert warnings_of(app, "ref.term") == [
        "myst.md:3: WARNING: term not in glossary: 'green threads' [ref.term]",
        "myst.md:5: WARNING: term not in glossary: 'monkeypatching' [ref.term]",
    ]


@pytest.mark.sphinx("html", testroot="glossary", freshenv=True)
def test_terms_differing_only_in_case(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app, "glossary_check.case") == [
        "index.rst:26: WARNING: glossary terms 'Hub' and 'hub' differ only in case; :term: "
        "matches case-insensitively, so it cannot tell them apart [glossary_check.case]",
    ]
    # :term:`HUB` goes to whichever of the two Sphinx read last.
    usage = (app.outdir / "usage.html").read_text(encoding="utf-8")
    assert 'href="index.html#term-hub"' in usage


@pytest.mark.sphinx(
    "html",
    testroot="glossary",
    srcdir="glossary-fixed",
    freshenv=True,
    confoverrides={"intersphinx_mapping": intersphinx()},
)
def test_clean_glossary_has_no_warnings_and_survives_an_incremental_build(
    app: SphinxTestApp, make_app
) -> None:
    (app.srcdir / "index.rst").write_text(
        "Glossary\n========\n\n.. toctree::\n\n   usage\n\n.. glossary::\n\n"
        "   green thread\n      A green thread.\n\n   thread safe\n      Safe.\n",
        encoding="utf-8",
    )
    (app.srcdir / "usage.rst").write_text(
        "Usage\n=====\n\n:term:`green thread`, :term:`Thread Safe`,\n"
        ":term:`thread-safe <thread safe>`.\n",
        encoding="utf-8",
    )
    (app.srcdir / "myst.md").unlink()
    app.build()
    assert strip_escape_sequences(app.warning.getvalue()) == ""

    # Remove the only reference to "thread safe": the unchanged glossary page's
    # term becomes unused, and the check still sees it after an incremental build.
    (app.srcdir / "usage.rst").write_text(
        "Usage\n=====\n\n:term:`green thread`.\n", encoding="utf-8"
    )
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    assert warnings_of(again, "glossary_check.unused") == [
        "index.rst:13: WARNING: glossary term 'thread safe' is defined but never referenced "
        "with :term: [glossary_check.unused]",
    ]


@pytest.mark.parametrize(
    ("reference", "term"),
    [
        ("thread-safe", "thread safe"),
        ("green threads", "green thread"),
        ("monkeypatching", "monkey patching"),
        ("STRASSE", "Straße"),  # str.lower() keeps "ß"; casefold() does not
        ("event_loop", "Event loop"),
    ],
)
def test_loose_key_matches_slips(reference: str, term: str) -> None:
    assert loose_key(reference) == loose_key(term)
    assert reference.lower() != term.lower()  # Sphinx itself would not match these


@pytest.mark.parametrize(("one", "other"), [("hub", "hug"), ("boss", "bos"), ("bus", "bust")])
def test_loose_key_keeps_different_words_apart(one: str, other: str) -> None:
    assert loose_key(one) != loose_key(other)


def _warnings_of_copy(tmp_path: Path, name: str, **kwargs: object) -> list[str]:
    srcdir = tmp_path / name
    shutil.copytree(Path(__file__).parent / "roots" / "test-glossary", srcdir)
    app = SphinxTestApp(
        "html",
        srcdir=srcdir,
        freshenv=True,
        status=StringIO(),
        warning=StringIO(),
        confoverrides={"intersphinx_mapping": intersphinx()},
        **kwargs,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    text = strip_escape_sequences(app.warning.getvalue())
    return sorted(line.replace(f"{srcdir}/", "") for line in text.splitlines() if "WARNING" in line)


def test_parallel_build_gives_the_same_warnings(tmp_path: Path) -> None:
    serial = _warnings_of_copy(tmp_path, "serial")
    parallel = _warnings_of_copy(tmp_path, "parallel", parallel=2)
    assert len([w for w in serial if "[glossary_check." in w]) == 7
    assert serial == parallel
