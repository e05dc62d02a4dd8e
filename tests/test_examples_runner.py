# SPDX-License-Identifier: MIT
"""tests/guide_examples.py: running examples, and reporting failures by page and line.

The end-to-end test runs tests/test_examples.py, the same module that runs the
guide's examples, in a child pytest pointed at tests/roots/test-examples-broken,
a small project whose examples pass and fail in known ways.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guide_examples import Example, ExampleFailure, check_output, run_example

REPO = Path(__file__).resolve().parent.parent
BROKEN = "tests/roots/test-examples-broken"


def example(code: str, kind: str = "script", output: str | None = None) -> Example:
    return Example(
        path="docs/page.rst",
        line=7,
        docname="page",
        language="python",
        kind=kind,
        code=code,
        included=None,
        code_line=None,
        not_run=None,
        requires_python=None,
        output=output,
        output_line=12 if output is not None else None,
    )


@pytest.fixture(scope="module")
def broken_run() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_examples.py",
            f"--examples-docs={BROKEN}",
            "--examples-timeout=3",
            "-v",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_failing_examples_are_reported_by_page_and_line(
    broken_run: subprocess.CompletedProcess[str],
) -> None:
    output = broken_run.stdout
    assert broken_run.returncode == 1, output + broken_run.stderr
    failed = set(re.findall(r"^FAILED tests/test_examples.py::test_example\[(.+?)\]", output, re.M))
    passed = set(re.findall(r"::test_example\[(.+?)\] PASSED", output))
    assert failed == {
        f"{BROKEN}/index.rst:8",  # exits with status 3
        f"{BROKEN}/index.rst:23",  # prints something other than its output block
        f"{BROKEN}/index.rst:31",  # a >>> session whose output is wrong
        f"{BROKEN}/index.rst:34",  # sleeps past the timeout
        f"{BROKEN}/index.rst:46",  # emits a DeprecationWarning of its own
        f"{BROKEN}/page.md:3",  # raises, in MyST
        f"{BROKEN}/page.md:7",  # a >>> session in MyST whose output is wrong
    }
    assert passed == {
        f"{BROKEN}/index.rst:4",
        f"{BROKEN}/index.rst:15",  # its output block uses "..."
        f"{BROKEN}/index.rst:52",  # imports Eventlet, which warns that it is deprecated
        f"{BROKEN}/index.rst:66",  # requires-python 3.10: runs everywhere
        # One file included by two pages: two examples, told apart by page.
        f"{BROKEN}/_snippets/shared.rst:1 via index",
        f"{BROKEN}/_snippets/shared.rst:1 via other",
    }
    skipped = set(re.findall(r"::test_example\[(.+?)\] SKIPPED", output))
    assert skipped == {f"{BROKEN}/index.rst:60"}  # requires-python <3.10
    assert "test_every_python_block_in_the_html_is_run_or_marked PASSED" in output
    assert (
        "15 found, 13 run, 6 passed, 7 failed, 1 marked not-run, "
        "1 skipped (marked for another Python)\n"
    ) in output
    assert f"not run: {BROKEN}/index.rst:42: Pseudo-code." in output


@pytest.mark.parametrize(
    ("page", "line", "evidence"),
    [
        ("index.rst", 8, "exited with status 3\n"),
        ("index.rst", 8, "about to fail"),
        ("index.rst", 23, "printed something other than the output shown at line 27"),
        ("index.rst", 23, "Expected:\n    hello\nGot:\n    goodbye"),
        ("index.rst", 31, f'File "{BROKEN}/index.rst", line 31'),
        ("index.rst", 34, "did not finish within 3 s"),
        ("index.rst", 46, "DeprecationWarning: an API of this example's own"),
        # The script is numbered like the page: line 50 is the warn() call.
        ("index.rst", 46, 'example.py", line 50, in <module>'),
        ("index.rst", 46, f"line numbers in example.py are those of {BROKEN}/index.rst"),
        # The >>> line of a pycon fence, not the fence, is where doctest looks.
        ("page.md", 7, f'File "{BROKEN}/page.md", line 8'),
    ],
)
def test_failure_reports_say_what_went_wrong(
    broken_run: subprocess.CompletedProcess[str], page: str, line: int, evidence: str
) -> None:
    sections = re.split(r"^_{3,} test_example\[(.+?)\] _{3,}$", broken_run.stdout, flags=re.M)
    reports = dict(zip(sections[1::2], sections[2::2], strict=True))
    report = reports[f"{BROKEN}/{page}:{line}"]
    assert report.startswith(f"\n{BROKEN}/{page}:{line}: ")
    assert evidence in report


def test_a_script_runs_in_an_empty_directory_of_its_own(tmp_path: Path) -> None:
    code = "import os, sys\nprint(os.listdir('.'), sys.argv[0])\n"
    run_example(example(code, output="['example.py'] example.py"), tmp_path)


def test_output_check_allows_ellipsis_and_trailing_space() -> None:
    assert (
        check_output("serving on 127.0.0.1:...\ndone", "serving on 127.0.0.1:4321  \ndone\n\n")
        is None
    )
    assert check_output("a\nb", "a\nc\n") == "Expected:\n    a\n    b\nGot:\n    a\n    c\n"
    # Longer outputs are compared as a unified diff.
    difference = check_output("1\n2\n3\n4", "1\n2\nthree\n4\n")
    assert difference is not None
    assert "-3\n    +three" in difference


def test_a_doctest_failure_names_the_page_line(tmp_path: Path) -> None:
    with pytest.raises(ExampleFailure, match=r'File "docs/page.rst", line 8'):
        run_example(example(">>> x = 1\n>>> x + 1\n3\n", kind="doctest"), tmp_path)


def test_a_doctest_runs_as_main_in_a_fresh_interpreter(tmp_path: Path) -> None:
    session = ">>> __name__\n'__main__'\n>>> import sys\n>>> 'pytest' in sys.modules\nFalse\n"
    run_example(example(session, kind="doctest"), tmp_path)


def test_a_timeout_kills_what_the_example_started(tmp_path: Path) -> None:
    code = (
        "import pathlib, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "pathlib.Path('child.pid').write_text(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    with pytest.raises(ExampleFailure, match="did not finish within 2 s"):
        run_example(example(code), tmp_path, timeout=2)
    pid = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_processes_an_example_leaves_behind_are_ended(tmp_path: Path) -> None:
    code = (
        "import pathlib, subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "pathlib.Path('child.pid').write_text(str(child.pid))\n"
    )
    run_example(example(code), tmp_path)
    pid = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ")[-1][:1] != "Z"


def test_a_guide_that_does_not_build_fails_two_tests_not_the_session(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text(
        'extensions = ["examples"]\nraise RuntimeError("conf.py is broken")\n', encoding="utf-8"
    )
    (tmp_path / "index.rst").write_text("Title\n=====\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_examples.py",
            f"--examples-docs={tmp_path}",
            "-p",
            "no:cacheprovider",
            "-rf",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED tests/test_examples.py::test_example[the guide did not build]" in result.stdout
    assert "FAILED tests/test_examples.py::test_every_python_block_in_the_html" in result.stdout
    assert "RuntimeError: conf.py is broken" in result.stdout
    assert "error during collection" not in result.stdout


def test_a_python_block_that_is_not_recorded_fails_the_count() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_examples.py",
            "--examples-docs=tests/roots/test-examples-hidden",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "FAILED tests/test_examples.py::test_every_python_block_in_the_html" in result.stdout
    assert "index: 2 Python blocks in the HTML, 1 run or marked not-run" in result.stdout
