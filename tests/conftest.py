# SPDX-License-Identifier: MIT
"""Shared test set-up: Sphinx's own testing fixtures and our extension path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Test projects under tests/roots/ load our extensions by module name, as the
# guide's conf.py does.
sys.path.insert(0, str(REPO / "ext"))

# guide_build (tests/guide_build.py) builds the guide once for every test
# that needs it; guide_examples (tests/guide_examples.py) runs its examples
# for tests/test_examples.py.
pytest_plugins = ("sphinx.testing.fixtures", "guide_build", "guide_examples")

#: The tests that take longest, longest first. They run first, so that under
#: pytest-xdist no worker starts one of them while the others have run out of
#: work (nox -s tests runs two workers per core).
LONGEST_FIRST = (
    "tests/test_guide_print.py::test_pdf_has_every_chapter_and_diagram_and_nothing_overflows",
    "tests/test_guide_print.py::test_epub_is_valid_and_has_every_page_and_diagram",
    "tests/test_guide_build.py::test_serial_and_incremental_builds_equal_clean_parallel_ones",
    "tests/test_browser.py::test_axe_finds_nothing_critical_or_serious_on_a_page_of_each_kind",
    "tests/test_diagrams.py::test_mermaid_cli_renders_and_caches",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {nodeid: position for position, nodeid in enumerate(LONGEST_FIRST)}
    # sort() is stable: everything else keeps its order.
    items.sort(key=lambda item: rank.get(item.nodeid, len(rank)))


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the small projects named by ``testroot=``."""
    return REPO / "tests" / "roots"
