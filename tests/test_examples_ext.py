# SPDX-License-Identifier: MIT
"""ext/examples.py: which blocks it records, how its directives render, how it warns.

The same examples are written in reStructuredText (tests/roots/test-examples-rst)
and in MyST (tests/roots/test-examples-myst), and both must be recorded with
the file and line a writer would go to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from docutils import nodes
from packaging.specifiers import SpecifierSet
from sphinx.util.console import strip_escape_sequences

from examples import describe_pythons, is_console, is_python, runs_on
from guide_examples import python_blocks_in_html

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

REPO = Path(__file__).resolve().parent.parent
ROOTS = REPO / "tests" / "roots"
NOT_RUN = "Not run by the test suite:"

# (file, line, language, kind, not-run reason, (expected output, its line),
#  included file, requires-python)
RST_EXAMPLES = [
    ("index.rst", 6, "default", "script", None, None, None, None),
    ("index.rst", 8, "python", "script", None, None, None, None),
    ("index.rst", 12, "default", "doctest", None, None, None, None),
    ("index.rst", 19, "python3", "script", None, None, None, None),
    ("index.rst", 23, "default", "script", None, None, "greet.py", None),
    ("index.rst", 27, "python", "script", "A fragment of a larger *handler*.", None, None, None),
    ("index.rst", 31, "py", "script", None, ("hello", 36), None, None),
    ("index.rst", 40, "pycon", "doctest", None, None, None, None),
    ("index.rst", 47, "python", "script", None, None, None, ">=3.11"),
]
MYST_EXAMPLES = [
    ("index.md", 3, "default", "script", None, None, None, None),
    ("index.md", 7, "python", "script", None, None, None, None),
    ("index.md", 11, "pycon", "doctest", None, None, None, None),
    # MyST numbers a block nested two directives deep (tab-set, tab-item)
    # from its first line of code, one after the fence.
    ("index.md", 19, "python3", "script", None, None, None, None),
    ("index.md", 24, "default", "script", None, None, "greet.py", None),
    ("index.md", 28, "python", "script", "A fragment of a larger *handler*.", None, None, None),
    ("index.md", 33, "py", "script", None, ("hello", 39), None, None),
    ("index.md", 44, "python", "script", None, None, None, "<3.14,>=3.11"),
]
FORMATS = [
    pytest.param("examples-rst", RST_EXAMPLES, id="rst"),
    pytest.param("examples-myst", MYST_EXAMPLES, id="myst"),
]


def recorded(doctreedir: str | Path) -> list[dict[str, Any]]:
    data = json.loads((Path(doctreedir) / "examples.json").read_text(encoding="utf-8"))
    return data["examples"]


def summary(examples: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            example["source"],
            example["line"],
            example["language"],
            example["kind"],
            example["not_run"],
            (example["output"]["text"], example["output"]["line"]) if example["output"] else None,
            example["included"],
            example["requires_python"],
        )
        for example in examples
    ]


def warnings_of(app: SphinxTestApp) -> str:
    return strip_escape_sequences(app.warning.getvalue())


BuildRoot = Callable[[str, str], "SphinxTestApp"]


@pytest.fixture
def build_root(make_app: Any, tmp_path: Path) -> BuildRoot:
    """Build a copy of ``tests/roots/test-<testroot>`` with ``builder``; return the app."""

    def build(testroot: str, builder: str) -> SphinxTestApp:
        srcdir = tmp_path / testroot
        shutil.copytree(ROOTS / f"test-{testroot}", srcdir)
        app = make_app(builder, srcdir=srcdir)
        app.build()
        return app

    return build


@pytest.mark.parametrize(("testroot", "expected"), FORMATS)
def test_records_every_python_block_with_its_line(
    build_root: BuildRoot, testroot: str, expected: list[tuple[Any, ...]]
) -> None:
    app = build_root(testroot, "html")
    assert warnings_of(app) == ""
    examples = recorded(app.doctreedir)
    assert summary(examples) == expected
    included = next(example for example in examples if example["included"])
    assert included["code"] == '# SPDX-License-Identifier: MIT\nprint("included")\n'
    # Where the code itself starts, so that tracebacks can use the page's lines.
    source = (Path(app.srcdir) / expected[0][0]).read_text(encoding="utf-8").splitlines()
    for example in examples:
        if example["included"]:
            assert example["code_line"] is None
            continue
        first = example["code"].splitlines()[0]
        assert source[example["code_line"] - 1].strip() == first, example
    # What readers see as Python in the HTML is exactly what was recorded.
    assert python_blocks_in_html(Path(app.outdir)) == Counter({"index": len(expected)})


@pytest.mark.parametrize("builder", ["html", "latex", "epub", "text"])
@pytest.mark.parametrize("testroot", ["examples-rst", "examples-myst"])
def test_markers_are_visible_in_every_format(
    build_root: BuildRoot, builder: str, testroot: str
) -> None:
    app = build_root(testroot, builder)
    assert warnings_of(app) == ""
    outdir = Path(app.outdir)
    suffix = {"html": ".html", "latex": ".tex", "epub": ".xhtml", "text": ".txt"}[builder]
    text = "\n".join(page.read_text(encoding="utf-8") for page in outdir.rglob(f"*{suffix}"))
    flat = re.sub(r"\s+", " ", text)
    assert NOT_RUN in flat
    assert "A fragment of a larger" in flat
    # The reason's inline markup is rendered, not shown as asterisks...
    if builder != "text":
        assert "*handler*" not in flat
    # ...and the output block carries its caption.
    assert "Output" in flat
    assert "Needs Python 3.11 or later" in flat


@pytest.mark.sphinx("html", testroot="examples-bad", freshenv=True)
def test_bad_input_gives_located_typed_warnings(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    index = f"{app.srcdir / 'index.rst'}"
    bad = f"{app.srcdir / 'bad.md'}"
    expected = [
        (index, 4, "example-output has no Python example before it", "examples.output"),
        (index, 8, "not-run needs a reason that readers can see", "examples.not_run"),
        (index, 14, "example-output follows a block marked not-run (line 10)", "examples.output"),
        (index, 18, "not-run wraps nothing", "examples.not_run"),
        (index, 20, "not-run contains no Python block", "examples.not_run"),
        (index, 29, "example-output follows a >>> session (line 26)", "examples.output"),
        (
            index,
            41,
            "the example at line 33 already has an example-output (line 37)",
            "examples.output",
        ),
        (index, 45, "example-output is empty", "examples.output"),
        (
            index,
            54,
            "requires-python needs a Python version such as '3.11' or a specifier such as "
            "'>=3.11,<3.14', not 'three point eleven'",
            "examples.requires_python",
        ),
        (index, 60, "requires-python contains no Python block", "examples.requires_python"),
        (bad, 3, "example-output has no Python example before it", "examples.output"),
        (bad, 7, "not-run needs a reason that readers can see", "examples.not_run"),
        (
            bad,
            13,
            "requires-python '>=3.11,<3.9' matches none of the Pythons the guide supports "
            "(3.10, 3.11, 3.12, 3.13, 3.14; examples_pythons), so its examples never run",
            "examples.requires_python",
        ),
    ]
    for path, line, message, kind in expected:
        pattern = (
            rf"^{re.escape(path)}:{line}: WARNING: {re.escape(message)}.*\[{re.escape(kind)}\]$"
        )
        assert re.search(pattern, warnings, re.MULTILINE), (
            f"no {kind} warning at line {line}:\n{warnings}"
        )
    assert f'{index}:47: ERROR: Error in "not-run" directive:\nunknown option: "reason"' in warnings
    assert warnings.count("WARNING") == len(expected)
    # The block with the misplaced output is still recorded, once, unmarked.
    once = next(example for example in recorded(app.doctreedir) if example["line"] == 33)
    assert once["output"] == {"text": "once", "line": 37}


@pytest.mark.sphinx(
    "html",
    testroot="examples-bad",
    freshenv=True,
    confoverrides={"suppress_warnings": ["examples"]},
)
def test_warnings_can_be_suppressed_by_type(app: SphinxTestApp) -> None:
    app.build()
    assert "[examples." not in warnings_of(app)


@pytest.mark.parametrize(
    ("language", "python"),
    [
        ("python", True),
        ("Python", True),
        ("py3", True),
        ("python2", True),
        ("pycon", True),
        ("pycon3", True),
        ("default", True),
        ("starlark", False),
        ("pytb", False),
        ("console", False),
        ("text", False),
        ("no-such-lexer", False),
    ],
)
def test_which_languages_are_python(language: str, python: bool) -> None:
    assert is_python(language) is python


@pytest.mark.parametrize(
    ("specifier", "python", "runs"),
    [
        (">=3.11", "3.11", True),
        (">=3.11", "3.10", False),
        (">=3.11.4", "3.11", True),  # a later 3.11 release meets it
        ("==3.12.*", "3.12", True),
        (">=3.11,<3.9", "3.11", False),
        (">=3.11,<3.9", "3.8", False),
    ],
)
def test_which_pythons_a_specifier_runs_on(specifier: str, python: str, runs: bool) -> None:
    assert runs_on(SpecifierSet(specifier), python) is runs


@pytest.mark.parametrize(
    ("specifier", "words"),
    [
        (">=3.11", "3.11 or later"),
        ("<3.14,>=3.11", "3.11 or later and earlier than 3.14"),
        ("!=3.12.0,<=3.13,>3.10", "later than 3.10 and other than 3.12.0 and 3.13 or earlier"),
        ("==3.12.*", "3.12.*"),
    ],
)
def test_requires_python_is_said_in_words(specifier: str, words: str) -> None:
    assert describe_pythons(SpecifierSet(specifier)) == words


def test_console_sessions_are_told_apart_from_programs() -> None:
    assert is_console("python", ">>> 1\n1")
    assert not is_console("python", "x = 1  # >>> not a prompt")
    assert is_console("pycon", "# a comment first\n>>> 1\n1")
    assert not is_console("python2", ">>> 1")


# -- Parallel and incremental builds ---------------------------------------------

PAGE = """\
Page {n}
=======

.. code-block:: python

   print({n})

.. not-run:: Page {n} shows a fragment.

   .. code-block:: python

      fragment({n})
"""


def _project(srcdir: Path, pages: int) -> None:
    srcdir.mkdir(parents=True, exist_ok=True)
    (srcdir / "conf.py").write_text('extensions = ["examples"]\n', encoding="utf-8")
    toctree = "\n".join(f"   page{n}" for n in range(pages))
    (srcdir / "index.rst").write_text(
        f"Index\n=====\n\n.. toctree::\n\n{toctree}\n", encoding="utf-8"
    )
    for n in range(pages):
        (srcdir / f"page{n}.rst").write_text(PAGE.format(n=n), encoding="utf-8")


def _build(srcdir: Path, outdir: Path, *extra: str) -> list[dict[str, Any]]:
    doctrees = outdir / "doctrees"
    env = {**os.environ, "PYTHONPATH": str(REPO / "ext")}
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "--no-color",
        "-W",
        "-b",
        "html",
        "-d",
        str(doctrees),
        *extra,
    ]
    result = subprocess.run(
        [*command, str(srcdir), str(outdir / "html")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return recorded(doctrees)


def test_parallel_build_records_the_same_examples(tmp_path: Path) -> None:
    # Nine documents: with -j 2, worker processes read them in chunks and
    # the main process merges what each recorded.
    _project(tmp_path / "src", pages=8)
    serial = _build(tmp_path / "src", tmp_path / "serial")
    parallel = _build(tmp_path / "src", tmp_path / "parallel", "-j", "2")
    assert len(serial) == 16
    assert parallel == serial


def test_incremental_rebuild_updates_only_what_changed(tmp_path: Path) -> None:
    srcdir, outdir = tmp_path / "src", tmp_path / "out"
    _project(srcdir, pages=3)
    first = _build(srcdir, outdir)
    assert [example["code"] for example in first if example["docname"] == "page1"] == [
        "print(1)",
        "fragment(1)",
    ]
    # Page 1 loses its marked fragment and changes its example; page 2 goes.
    (srcdir / "page1.rst").write_text(
        "Page 1\n======\n\n.. code-block:: python\n\n   print('changed')\n", encoding="utf-8"
    )
    (srcdir / "page2.rst").unlink()
    (srcdir / "index.rst").write_text(
        "Index\n=====\n\n.. toctree::\n\n   page0\n   page1\n", encoding="utf-8"
    )
    second = _build(srcdir, outdir)
    assert [(example["docname"], example["code"]) for example in second] == [
        ("page0", "print(0)"),
        ("page0", "fragment(0)"),
        ("page1", "print('changed')"),
    ]


def _marker_nodes(app: SphinxTestApp) -> list[nodes.Element]:
    """The nodes the directives made on a root's index page, in order."""
    doctree = app.env.get_doctree("index")
    return [
        node
        for node in doctree.findall(nodes.Element)
        if "example-not-run-note" in node["classes"]
        or "example-requires-python-note" in node["classes"]
        or (
            isinstance(node, nodes.container)
            and any("example-output" in child["classes"] for child in node.children)
        )
    ]


def test_directives_make_the_same_nodes_in_rst_and_myst(build_root: BuildRoot) -> None:
    rst = _marker_nodes(build_root("examples-rst", "html"))
    myst = _marker_nodes(build_root("examples-myst", "html"))
    # The roots ask for different Pythons, so compare those notes' shape only.
    assert [node.pformat() for node in rst[:2]] == [node.pformat() for node in myst[:2]]
    note, output, requires = rst
    assert note.pformat() == (
        '<paragraph classes="example-not-run-note">\n'
        "    <strong>\n"
        "        Not run by the test suite:\n"
        "     \n"
        "    A fragment of a larger \n"
        "    <emphasis>\n"
        "        handler\n"
        "    .\n"
    )
    caption, block = output.children
    assert isinstance(caption, nodes.caption)
    assert caption.astext() == "Output"
    assert isinstance(block, nodes.literal_block)
    assert (block["language"], block.astext()) == ("text", "hello")
    assert requires.astext() == "Needs Python 3.11 or later."
    assert myst[2].astext() == "Needs Python 3.11 or later and earlier than 3.14."
