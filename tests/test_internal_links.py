# SPDX-License-Identifier: MIT
"""internal_links: hard-coded links to the guide's own pages."""

from __future__ import annotations

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences

from internal_links import hardcoded_reason

ADVICE = "link the page with :doc: or a section with :ref: so the build checks it"


def warnings_of(app: SphinxTestApp) -> list[str]:
    text = strip_escape_sequences(app.warning.getvalue())
    prefix = str(app.srcdir) + "/"
    return [line.replace(prefix, "") for line in text.splitlines() if "WARNING" in line]


@pytest.mark.sphinx("html", testroot="links", freshenv=True)
def test_hard_coded_links_in_rst_and_myst(app: SphinxTestApp) -> None:
    app.build()
    own = "an absolute link to this guide (https://guide.example.org/en/latest/)"
    assert warnings_of(app) == [
        f"howto/page.rst:4: WARNING: hard-coded link '../index.html#links' is a relative link "
        f"to a built page; {ADVICE} [internal_links.hardcoded]",
        # A named target: reported where the URL is written.
        f"howto/page.rst:8: WARNING: hard-coded link '../index.html' is a relative link "
        f"to a built page; {ADVICE} [internal_links.hardcoded]",
        f"index.rst:11: WARNING: hard-coded link 'howto/page.html' is a relative link to a "
        f"built page; {ADVICE} [internal_links.hardcoded]",
        f"index.rst:12: WARNING: hard-coded link "
        f"'https://guide.example.org/en/latest/howto/page.html#x' is {own}; {ADVICE} "
        f"[internal_links.hardcoded]",
        f"myst.md:5: WARNING: hard-coded link 'https://guide.example.org/en/latest/index.html' "
        f"is {own}; {ADVICE} [internal_links.hardcoded]",
    ]


@pytest.mark.sphinx(
    "html",
    testroot="links",
    freshenv=True,
    confoverrides={"guide_own_urls": [], "html_baseurl": "https://guide.example.org/en/latest"},
)
def test_html_baseurl_counts_as_our_own_site(app: SphinxTestApp) -> None:
    app.build()
    absolute = [w for w in warnings_of(app) if "absolute link" in w]
    assert len(absolute) == 2


@pytest.mark.sphinx(
    "html",
    testroot="links",
    freshenv=True,
    confoverrides={"suppress_warnings": ["internal_links.hardcoded"]},
)
def test_the_check_can_be_suppressed(app: SphinxTestApp) -> None:
    app.build()
    assert [w for w in warnings_of(app) if "internal_links" in w] == []


@pytest.mark.parametrize(
    "refuri",
    [
        "https://docs.python.org/3/library/asyncio.html",
        "https://guide.example.org.evil.example/en/latest/x.html",
        "#section",
        "mailto:someone@example.org",
        "_static/diagram.svg",
        "../_downloads/example.py",
    ],
)
def test_links_that_are_not_ours_pass(refuri: str) -> None:
    assert hardcoded_reason(refuri, ["https://guide.example.org/"]) is None


@pytest.mark.parametrize(
    "refuri",
    [
        "../howto/x.html",
        "x.HTML#anchor",
        "reference/api/greenthread.htm?q=1",
        "https://guide.example.org/",
        "https://guide.example.org",
        "https://guide.example.org/howto/x.html",
    ],
)
def test_links_to_our_pages_are_caught(refuri: str) -> None:
    assert hardcoded_reason(refuri, ["https://guide.example.org/"]) is not None
