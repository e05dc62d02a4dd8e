"""Shared test set-up: Sphinx's own testing fixtures and our extension path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Test projects under tests/roots/ load our extensions by module name, as the
# guide's conf.py does.
sys.path.insert(0, str(REPO / "ext"))

# guide_examples (tests/guide_examples.py) builds the guide and runs its
# examples for tests/test_examples.py.
pytest_plugins = ("sphinx.testing.fixtures", "guide_examples")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the small projects named by ``testroot=``."""
    return REPO / "tests" / "roots"
