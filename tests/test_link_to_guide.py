# SPDX-License-Identifier: MIT
"""Links into the guide: MyST links to labels, and other projects through intersphinx.

``test-link-guide`` is a tiny guide with every extension of ours (an API-map
entry, a migration step, a glossary term, MyST links to labels);
``test-link-client`` is another project that links to it through a locally
built ``objects.inv`` (no network).
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences
from sphinx.util.inventory import InventoryFile

from eventlet_api import label_name

ROOTS = Path(__file__).resolve().parent / "roots"
GUIDE_URL = "https://guide.example/"

pytestmark = [
    # sphinxcontrib-mermaid imports a helper that Sphinx 8.1 (the Python 3.10
    # pin) deprecates; the import happens in setup(), under pytest's "error".
    pytest.mark.filterwarnings("ignore:'sphinx.util.import_object' is deprecated"),
    # MyST 5.2's resolver of [text](#label) reads Transform.app, which Sphinx 9
    # deprecates (a Python warning, not a Sphinx one: the build stays clean).
    pytest.mark.filterwarnings("ignore:'myst_parser.sphinx_ext.myst_refs.MystReferenceResolver"),
]


def build(root: str, srcdir: Path, **kwargs: Any) -> SphinxTestApp:
    shutil.copytree(ROOTS / f"test-{root}", srcdir)
    app = SphinxTestApp(
        "html", srcdir=srcdir, freshenv=True, status=StringIO(), warning=StringIO(), **kwargs
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def warnings_of(app: SphinxTestApp) -> str:
    return strip_escape_sequences(app.warning.getvalue())


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    return build("link-guide", tmp_path_factory.mktemp("link") / "guide")


def test_myst_links_to_labels_build_strictly_with_every_domain_of_ours(
    guide: SphinxTestApp,
) -> None:
    # MyST asks every domain to resolve [text](#label); a domain without
    # resolve_any_xref gave an unlocated myst.domains warning per link.
    assert warnings_of(guide) == ""
    assert set(guide.env.domains) >= {"ev", "migration", "glossarycheck", "examples"}
    links = (guide.outdir / "links.html").read_text(encoding="utf-8")
    assert links.count('href="index.html#words"') == 2
    assert 'href="steps.html#step-switch-hub"' in links
    assert 'href="api.html#ev-eventlet.greenthread.spawn"' in links


def test_inventory_has_steps_and_entries_as_std_labels(guide: SphinxTestApp) -> None:
    with open(guide.outdir / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, GUIDE_URL, posixpath.join)
    labels = {
        name: (
            getattr(item, "uri", None) or item[2],
            getattr(item, "display_name", None) or item[3],
        )
        for name, item in inventory["std:label"].items()
    }
    assert labels["step-switch-hub"] == (
        GUIDE_URL + "steps.html#step-switch-hub",
        "Step 1: Switch the hub",
    )
    assert labels["ev-eventlet.greenthread.spawn"] == (
        GUIDE_URL + "api.html#ev-eventlet.greenthread.spawn",
        "eventlet.greenthread.spawn",
    )
    # Labels are lower case (``:ref:`` lowercases its target); the anchor is not.
    assert labels["ev-eventlet.event.event"] == (
        GUIDE_URL + "api.html#ev-eventlet.event.Event",
        "eventlet.event.Event",
    )
    # The domain objects stay, for projects that load our extensions.
    # The object type is "migration-step" (see MigrationDomain); the role is "step".
    assert "switch-hub" in inventory["migration:migration-step"]
    assert "eventlet.event.Event" in inventory["ev:api"]


def _client(guide: SphinxTestApp, tmp_path: Path, **overrides: Any) -> SphinxTestApp:
    mapping = {"guide": (GUIDE_URL, str(guide.outdir / "objects.inv"))}
    return build(
        "link-client",
        tmp_path / "client",
        confoverrides={"intersphinx_mapping": mapping, **overrides},
    )


def _links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link into the guide."""
    found = re.findall(
        rf'<a class="reference external" href="({GUIDE_URL}[^"]+)"[^>]*>(.*?)</a>', html
    )
    return [(href, re.sub(r"<[^>]+>", "", text)) for href, text in found]


def test_plain_sphinx_project_links_to_an_entry_a_step_and_a_term(
    guide: SphinxTestApp, tmp_path: Path
) -> None:
    client = _client(guide, tmp_path)
    assert warnings_of(client) == ""
    assert _links((client.outdir / "index.html").read_text(encoding="utf-8")) == [
        (GUIDE_URL + "steps.html#step-switch-hub", "Step 1: Switch the hub"),
        (GUIDE_URL + "api.html#ev-eventlet.greenthread.spawn", "eventlet.greenthread.spawn"),
        (GUIDE_URL + "api.html#ev-eventlet.event.Event", "the event"),
        (GUIDE_URL + "index.html#term-green-thread", "green thread"),
    ]


def test_project_with_our_domains_links_through_them(guide: SphinxTestApp, tmp_path: Path) -> None:
    client = _client(
        guide,
        tmp_path,
        extensions=["sphinx.ext.intersphinx", "eventlet_api", "migration_steps"],
        exclude_patterns=["_build"],
    )
    assert warnings_of(client) == ""
    assert _links((client.outdir / "with-ev.html").read_text(encoding="utf-8")) == [
        (GUIDE_URL + "api.html#ev-eventlet.greenthread.spawn", "eventlet.greenthread.spawn"),
        (GUIDE_URL + "steps.html#step-switch-hub", "Step 1: Switch the hub"),
    ]


def _labels(app: SphinxTestApp) -> dict[str, str]:
    with open(app.outdir / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", posixpath.join)
    return {
        name: getattr(item, "uri", None) or item[2]
        for name, item in inventory["std:label"].items()
        if name.startswith(("step-", "ev-"))
    }


def test_labels_follow_an_incremental_rebuild(tmp_path: Path) -> None:
    srcdir = tmp_path / "guide"
    first = build("link-guide", srcdir)
    assert _labels(first) == {
        "ev-eventlet.event.event": "api.html#ev-eventlet.event.Event",
        "ev-eventlet.greenthread.spawn": "api.html#ev-eventlet.greenthread.spawn",
        "step-switch-hub": "steps.html#step-switch-hub",
    }
    # Rename the step and drop an entry; the other pages are not read again.
    steps = srcdir / "steps.rst"
    steps.write_text(steps.read_text(encoding="utf-8").replace("switch-hub", "set-hub"))
    api = srcdir / "api.rst"
    api.write_text(api.read_text(encoding="utf-8").split(".. ev:api:: eventlet.event")[0])
    for path in (steps, api):
        os.utime(path, (path.stat().st_atime + 10, path.stat().st_mtime + 10))
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    try:
        app.build()
    finally:
        app.cleanup()
    assert "reading sources... [100%] steps" in strip_escape_sequences(app.status.getvalue())
    # links.md still links to #step-switch-hub: now an unknown target.
    assert _labels(app) == {
        "ev-eventlet.greenthread.spawn": "api.html#ev-eventlet.greenthread.spawn",
        "step-set-hub": "steps.html#step-set-hub",
    }


def test_names_that_differ_only_in_case_get_distinct_labels() -> None:
    # The guide's own case: the function eventlet.wsgi.server and the class
    # eventlet.wsgi.Server would both be "ev-eventlet.wsgi.server".
    names = {"eventlet.wsgi.server", "eventlet.wsgi.Server", "eventlet.event.Event"}
    assert label_name("eventlet.wsgi.server", "function", names) == "ev-eventlet.wsgi.server"
    assert label_name("eventlet.wsgi.Server", "class", names) == "ev-eventlet.wsgi.server-class"
    # Without a lower-case twin a capitalised name keeps the plain label.
    assert label_name("eventlet.event.Event", "class", names) == "ev-eventlet.event.event"
