# SPDX-License-Identifier: MIT
"""pytest plugin: build the guide once, then run every Python example in it.

``ext/examples.py`` records each Python block of the guide, with its page and
line, in ``<doctreedir>/examples.json``. This plugin builds the guide (HTML,
into a temporary directory) the first time a test asks for the examples,
loads that file and runs each example in a fresh interpreter:

- a program runs as a script, ``sys.executable example.py`` in an empty
  temporary directory, and must exit 0 within the timeout; if the page
  shows its output (``example-output``), standard output must match it;
- a ``>>>`` session runs as a doctest, also in a fresh interpreter.

Blocks marked ``not-run`` are counted, not run. At the end of the session a
summary reports how many examples were found, run, passed and marked.

``--examples-docs DIR`` points the plugin at another Sphinx project (the
test suite uses it on small projects in tests/roots/), ``--examples-timeout``
sets the time limit of one example.
"""

from __future__ import annotations

import contextlib
import dataclasses
import doctest
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.specifiers import SpecifierSet

from examples import is_python
from guide_build import GuideBuild, guide_build, recorded_build

if TYPE_CHECKING:
    from collections.abc import Sequence

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
EXT = REPO / "ext"
JSON_NAME = "examples.json"
#: Seconds one example may take. Most take about a second; the framework
#: pages start a real Gunicorn, Celery worker or oslo launcher, which takes up
#: to 8 s on a 2-core machine that is also building the guide. The limit is
#: for examples that hang.
DEFAULT_TIMEOUT = 30.0
# Deprecations in the example's own code fail it; third-party code (Eventlet
# itself, whose EventletDeprecationWarning is a plain Warning) may still warn.
WARNING_FILTERS = ",".join(
    f"error::{category}:__main__"
    for category in ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")
)
# Doctest options for ">>>" sessions and for expected output: "..." in the
# expected text matches anything (a port number, an address).
CHECK_FLAGS = doctest.ELLIPSIS

# Runs one ">>>" session in a fresh interpreter: argv[1] is a JSON file with
# the session's text, name, file and first line. Exits 1 if an example fails.
_DOCTEST_DRIVER = """\
import doctest, json, sys
spec = json.loads(open(sys.argv[1], encoding="utf-8").read())
globs = {"__name__": "__main__"}
test = doctest.DocTestParser().get_doctest(
    spec["code"], globs, spec["name"], spec["filename"], spec["line"] - 1
)
runner = doctest.DocTestRunner(optionflags=spec["flags"])
runner.run(test, out=sys.stderr.write)
sys.exit(1 if runner.failures else 0)
"""


@dataclasses.dataclass(frozen=True)
class Example:
    """One Python block of the guide, as recorded by ext/examples.py."""

    #: The file the block is written in, as the test id shows it (docs/...).
    path: str
    line: int
    docname: str
    language: str
    kind: str
    code: str
    included: str | None
    #: The line of ``path`` where the code starts, if the extension found it.
    code_line: int | None
    not_run: str | None
    #: The Pythons the example runs on, as a PEP 440 specifier; None for all.
    requires_python: str | None
    output: str | None
    output_line: int | None

    #: False when the block is in a file that the document includes
    #: (``.. include::``), which other documents may include too.
    in_document: bool = True

    @property
    def id(self) -> str:
        where = f"{self.path}:{self.line}"
        return where if self.in_document else f"{where} via {self.docname}"


@dataclasses.dataclass
class Guide:
    """The result of building a Sphinx project for its examples."""

    srcdir: Path
    html: Path
    examples: list[Example]

    @property
    def runnable(self) -> list[Example]:
        return [example for example in self.examples if example.not_run is None]

    @property
    def marked(self) -> list[Example]:
        return [example for example in self.examples if example.not_run is not None]


class ExampleFailure(Exception):
    """An example did not run as the page says it does."""


def runs_here(example: Example) -> bool:
    """Whether the running Python is one the example is marked (requires-python) to run on."""
    if example.requires_python is None:
        return True
    return SpecifierSet(example.requires_python).contains(platform.python_version())


def _display_path(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_examples(json_path: Path, base: Path) -> list[Example]:
    """Read examples.json; paths are shown relative to ``base`` (the repository)."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    srcdir = Path(data["srcdir"])
    examples = []
    for record in data["examples"]:
        output = record["output"]
        examples.append(
            Example(
                path=_display_path(srcdir / record["source"], base),
                line=record["line"],
                docname=record["docname"],
                language=record["language"],
                kind=record["kind"],
                code=record["code"],
                included=record["included"],
                code_line=record["code_line"],
                not_run=record["not_run"],
                requires_python=record["requires_python"],
                output=output["text"] if output else None,
                output_line=output["line"] if output else None,
                in_document=Path(record["source"]).with_suffix("").as_posix() == record["docname"],
            )
        )
    return examples


def build(srcdir: Path, outdir: Path, base: Path = REPO) -> Guide:
    """Build ``srcdir`` as HTML into ``outdir`` and load the examples it recorded.

    The build is not strict: a warning elsewhere must not hide the examples'
    results (tests/test_guide_build.py is the strict build).
    """
    doctrees = outdir / "doctrees"
    html = outdir / "html"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "--no-color",
        "-q",
        "-b",
        "html",
        "-d",
        str(doctrees),
    ]
    # The guide's conf.py puts ext/ on sys.path itself; a test root's does not.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(EXT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [*command, str(srcdir), str(html)], capture_output=True, text=True, env=env, check=False
    )
    json_path = doctrees / JSON_NAME
    if result.returncode != 0:
        raise ExampleFailure(
            f"building {srcdir} to collect its examples failed "
            f"(exit status {result.returncode}):\n{result.stderr}"
        )
    if not json_path.is_file():
        raise ExampleFailure(
            f"building {srcdir} recorded no examples: add 'examples' (ext/examples.py) "
            "to the extensions in its conf.py"
        )
    return Guide(srcdir=srcdir, html=html, examples=load_examples(json_path, base))


def _environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONWARNINGS": WARNING_FILTERS, "PYTHONDONTWRITEBYTECODE": "1"}
    env["PYTHONIOENCODING"] = "utf-8"
    # The example sees only the standard library and what the environment
    # installs, never this repository's test helpers.
    env.pop("PYTHONPATH", None)
    return env


def _run(command: Sequence[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a session of its own; then end whatever it left running.

    The example has ``timeout`` seconds to exit; then it and everything it
    started are killed. After a normal exit, processes it started and did
    not wait for are killed too, so that no example outlives its test. Its
    output goes to files, not pipes, so that such a process cannot hold the
    test up by keeping a pipe open.
    """
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stdout,
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stderr,
    ):
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        else:
            timed_out = False
        finally:
            _kill_group(process.pid)
            process.wait()
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if timed_out:
        raise ExampleFailure(
            f"did not finish within {timeout:g} s (it may be waiting on a thread, "
            f"a socket or an event loop that never stops)\n{_streams(out, err)}"
        )
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill_group(pgid: int) -> None:
    """Kill the process group ``pgid`` (the example and what it started), if any is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _streams(stdout: str, stderr: str) -> str:
    parts = []
    if stdout.strip():
        parts.append(f"--- stdout ---\n{stdout.rstrip()}")
    if stderr.strip():
        parts.append(f"--- stderr ---\n{stderr.rstrip()}")
    return "\n".join(parts)


def _normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def check_output(expected: str, actual: str) -> str | None:
    """None if ``actual`` matches ``expected`` ("..." matches anything), else a diff."""
    want, got = _normalise(expected), _normalise(actual)
    checker = doctest.OutputChecker()
    if checker.check_output(want, got, CHECK_FLAGS):
        return None
    return checker.output_difference(
        doctest.Example("", want), got, CHECK_FLAGS | doctest.REPORT_UDIFF
    )


def run_example(example: Example, workdir: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Run one example in a fresh interpreter; raise ExampleFailure if it fails."""
    if example.kind == "doctest":
        spec = workdir / "session.json"
        spec.write_text(
            json.dumps(
                {
                    "code": example.code,
                    "name": example.id,
                    "filename": example.path,
                    # Where the ">>>" lines start, so that failures name page lines.
                    "line": example.code_line or example.line,
                    "flags": CHECK_FLAGS,
                }
            ),
            encoding="utf-8",
        )
        result = _run([sys.executable, "-c", _DOCTEST_DRIVER, spec.name], workdir, timeout)
        if result.returncode != 0:
            raise ExampleFailure(
                f"the >>> session does not give the output it shows\n"
                f"{_streams(result.stdout, result.stderr)}"
            )
        return
    script = workdir / "example.py"
    if example.code_line:
        # Blank lines first, so that a traceback's line numbers are the page's.
        script.write_text("\n" * (example.code_line - 1) + example.code, encoding="utf-8")
        numbering = f"line numbers in example.py are those of {example.path}"
    else:
        script.write_text(example.code, encoding="utf-8")
        numbering = "line numbers in example.py count from the first line of the block"
    result = _run([sys.executable, script.name], workdir, timeout)
    if result.returncode != 0:
        raise ExampleFailure(
            f"exited with status {result.returncode}\n({numbering})\n"
            f"{_streams(result.stdout, result.stderr)}"
        )
    if example.output is not None:
        difference = check_output(example.output, result.stdout)
        if difference is not None:
            raise ExampleFailure(
                f"printed something other than the output shown at line "
                f"{example.output_line}\n{difference}"
                + (f"\n--- stderr ---\n{result.stderr.rstrip()}" if result.stderr.strip() else "")
            )


class _HighlightedBlocks(HTMLParser):
    """Collects the language of every highlighted code block in an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        for name, value in attrs:
            if name == "class" and value:
                self.languages.extend(
                    token.removeprefix("highlight-")
                    for token in value.split()
                    if token.startswith("highlight-")
                )


def python_blocks_in_html(html: Path) -> Counter[str]:
    """How many Python-highlighted blocks each page of an HTML build shows, by docname."""
    counts: Counter[str] = Counter()
    for page in sorted(html.rglob("*.html")):
        parser = _HighlightedBlocks()
        parser.feed(page.read_text(encoding="utf-8"))
        docname = page.relative_to(html).with_suffix("").as_posix()
        count = sum(1 for language in parser.languages if is_python(language))
        if count:
            counts[docname] = count
    return counts


# -- pytest integration ---------------------------------------------------------


@dataclasses.dataclass
class _State:
    guide: Guide | None = None
    error: str | None = None
    ran: int = 0
    passed: int = 0
    #: Examples skipped because they need another Python (requires-python).
    other_python: int = 0
    failed: list[str] = dataclasses.field(default_factory=list)


_STATE = pytest.StashKey[_State]()
#: Marks an example's test report, so that the summary can count it in the
#: process that prints it: with pytest-xdist that is the controller, which
#: sees reports but not items.
_EXAMPLE_PROPERTY = ("guide example", True)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("guide examples", "running the guide's Python examples")
    group.addoption(
        "--examples-docs",
        type=Path,
        default=None,
        help="Sphinx source directory whose examples to run (default: docs/)",
    )
    group.addoption(
        "--examples-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds one example may run (default: {DEFAULT_TIMEOUT:g})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _State()
    config.pluginmanager.register(_ExampleSummary(config), "guide-example-summary")


def guide(config: pytest.Config) -> Guide:
    """The built guide and its examples, built on first use in this session."""
    state = config.stash[_STATE]
    if state.error is not None:
        raise ExampleFailure(state.error)
    if state.guide is None:
        try:
            state.guide = _build_for(config)
        except ExampleFailure as failure:
            state.error = str(failure)
            raise
    return state.guide


def _build_for(config: pytest.Config) -> Guide:
    """The guide's own examples come from the shared strict build (tests/guide_build.py)."""
    srcdir = (config.getoption("examples_docs") or DOCS).resolve()
    if srcdir == DOCS.resolve():
        return _from_shared_build(guide_build(config), config.rootpath)
    outdir = Path(tempfile.mkdtemp(prefix="guide-examples-"))
    config.add_cleanup(lambda: shutil.rmtree(outdir, ignore_errors=True))
    return build(srcdir, outdir, config.rootpath)


def _from_shared_build(built: GuideBuild, base: Path) -> Guide:
    json_path = built.doctrees / JSON_NAME
    if not json_path.is_file():
        # A warning alone does not stop the examples (test_guide_build.py
        # reports it); a build that wrote nothing does.
        raise ExampleFailure(
            f"building the guide to collect its examples failed "
            f"(exit status {built.returncode}):\n{built.stderr}"
        )
    return Guide(srcdir=DOCS, html=built.html, examples=load_examples(json_path, base))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("example"), Example):
            item.user_properties.append(_EXAMPLE_PROPERTY)


class _ExampleSummary:
    """Counts the examples' reports and prints the summary line at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or _EXAMPLE_PROPERTY not in report.user_properties:
            return
        state = self.config.stash[_STATE]
        if report.skipped:
            state.other_python += 1
            return
        state.ran += 1
        if report.passed:
            state.passed += 1
        else:
            state.failed.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        state = self.config.stash[_STATE]
        built = self._guide()
        if built is None or not (state.ran or state.other_python or state.guide):
            return
        marked = built.marked
        line = (
            f"{len(built.examples)} found, {state.ran} run, {state.passed} passed, "
            f"{len(state.failed)} failed, {len(marked)} marked not-run"
        )
        if state.other_python:
            line += f", {state.other_python} skipped (marked for another Python)"
        not_selected = len(built.runnable) - state.ran - state.other_python
        if not_selected:
            line += f", {not_selected} not run (deselected, or the session stopped early)"
        terminalreporter.write_sep("-", "guide examples")
        terminalreporter.write_line(line)
        if self.config.getoption("verbose") > 0:
            for example in marked:
                terminalreporter.write_line(f"  not run: {example.id}: {example.not_run}")

    def _guide(self) -> Guide | None:
        """This process's guide, or (in an xdist controller) the one the workers built."""
        state = self.config.stash[_STATE]
        if state.guide is not None or self.config.getoption("examples_docs") is not None:
            return state.guide
        built = recorded_build(self.config)
        if built is None:
            return None
        try:
            return _from_shared_build(built, self.config.rootpath)
        except ExampleFailure:
            return None
