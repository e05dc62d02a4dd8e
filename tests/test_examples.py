"""Every Python example in the guide runs: one test per example, named by page and line.

The examples are recorded by ext/examples.py while the guide builds, and run
by tests/guide_examples.py (see there, and the "Code examples" section of
docs/contributing/index.md for the conventions writers follow).
"""

from __future__ import annotations

import platform
from collections import Counter
from pathlib import Path

import pytest
from guide_examples import (
    Example,
    ExampleFailure,
    guide,
    python_blocks_in_html,
    run_example,
    runs_here,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "example" not in metafunc.fixturenames:
        return
    try:
        runnable = guide(metafunc.config).runnable
    except ExampleFailure as failure:
        message = str(failure)
    else:
        metafunc.parametrize("example", runnable, ids=[example.id for example in runnable])
        return
    pytest.fail(message, pytrace=False)


def test_example(example: Example, tmp_path: Path, pytestconfig: pytest.Config) -> None:
    if not runs_here(example):
        pytest.skip(f"requires-python {example.requires_python}: not {platform.python_version()}")
    try:
        run_example(example, tmp_path, pytestconfig.getoption("examples_timeout"))
    except ExampleFailure as failure:
        message = f"{example.id}: {failure}"
    else:
        return
    # Outside the except clause, so that the report shows the message once.
    pytest.fail(message, pytrace=False)


def test_every_python_block_in_the_html_is_run_or_marked(pytestconfig: pytest.Config) -> None:
    # What readers see as Python, counted in the HTML Sphinx wrote, page by
    # page, against what the test suite runs plus what is marked not-run.
    built = guide(pytestconfig)
    recorded = Counter(example.docname for example in built.examples)
    assert python_blocks_in_html(built.html) == recorded
