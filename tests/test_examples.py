# SPDX-License-Identifier: MIT
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
    Guide,
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
    except ExampleFailure:
        # One failing test says why, and the rest of the suite still runs.
        metafunc.parametrize("example", [None], ids=["the guide did not build"])
        return
    metafunc.parametrize("example", runnable, ids=[example.id for example in runnable])


def built_guide(config: pytest.Config) -> Guide:
    """The built guide, or a failure of the calling test that says why there is none."""
    try:
        return guide(config)
    except ExampleFailure as failure:
        message = str(failure)
    pytest.fail(message, pytrace=False)


def test_example(example: Example | None, tmp_path: Path, pytestconfig: pytest.Config) -> None:
    if example is None:
        built_guide(pytestconfig)
        return
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
    built = built_guide(pytestconfig)
    recorded = Counter(example.docname for example in built.examples)
    shown = python_blocks_in_html(built.html)
    differences = [
        f"{docname}: {shown[docname]} Python blocks in the HTML, "
        f"{recorded[docname]} run or marked not-run"
        for docname in sorted(shown.keys() | recorded.keys())
        if shown[docname] != recorded[docname]
    ]
    assert not differences, (
        "Python blocks that readers see but the test suite does not know about "
        "(made after the document was read?):\n" + "\n".join(differences)
    )
