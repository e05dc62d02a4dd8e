# SPDX-License-Identifier: MIT
"""pytest plugin: build the whole guide once per test run, shared by every test.

A strict HTML build of the guide is the slowest thing the suite does, and
many tests need one: the build checks, the checks of the HTML, and the guide's
examples, which ext/examples.py records while the guide builds. This plugin
makes that build once, the first time a test (or the collection of the
examples) asks for it, and every later request gets the same output.

With pytest-xdist, each worker is its own process; the controller gives all of
them one directory, and a file lock lets the first worker that asks build
there while the others wait and then read the same result.

The build is the one the nox sessions make (``-W --keep-going -n``), with
``-j 2`` and a fixed ``SOURCE_DATE_EPOCH``. A warning does not stop it: the
examples still run, and ``tests/test_guide_build.py`` fails on the warning.
The other builds there compare a serial and an incremental build with this
one, so the one build also proves that parallel builds are right.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
#: The nox sessions' flags: warnings are errors, all are shown, every
#: cross-reference must resolve.
STRICT = ("-W", "--keep-going", "-n")
#: Any fixed moment: two builds with the same value must give the same bytes.
REPRODUCIBLE_EPOCH = "1767225600"
#: Parallel jobs of the shared build: it is built while the collection waits
#: for its examples, so it may use both cores of a small machine.
JOBS = "2"

#: The cache keys of the diagrams the shared build used (ext/diagrams.py), beside it.
DIAGRAM_KEYS = "diagrams.keys"

_DIRECTORY = pytest.StashKey[Path]()
_BUILD = pytest.StashKey["GuideBuild"]()
_WORKER_INPUT = "guide_build_directory"


@dataclasses.dataclass(frozen=True)
class GuideBuild:
    """The shared build: where it wrote and what sphinx-build said."""

    html: Path
    doctrees: Path
    returncode: int
    stderr: str

    @property
    def diagram_keys(self) -> list[str]:
        """The cache keys of the diagrams the build used (``diagrams_manifest``)."""
        return (self.html.parent / DIAGRAM_KEYS).read_text(encoding="utf-8").split()

    @property
    def clean(self) -> bool:
        return self.returncode == 0 and "WARNING" not in self.stderr


def run_sphinx(
    builder: str,
    srcdir: Path,
    outdir: Path,
    doctrees: Path,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the nox sessions' strict ``sphinx-build``, without colour, and return what it said.

    CI sets FORCE_COLOR, and escape codes would break the tests that read
    the build's output. The environment defaults to build_environment().
    """
    command = [
        sys.executable, "-m", "sphinx", "--no-color", *STRICT,
        "-b", builder, "-d", str(doctrees), *extra, str(srcdir), str(outdir),
    ]  # fmt: skip
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=build_environment() if env is None else env,
        check=False,
    )


def strict_build(
    builder: str,
    srcdir: Path,
    outdir: Path,
    *extra: str,
    doctrees: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Build ``srcdir`` with ``builder``; fail the calling test on an error or any warning.

    Doctrees (pickles, not output) go beside the output unless given, so that
    comparing two output trees compares only what readers get.
    """
    if doctrees is None:
        doctrees = outdir.with_name(f"{outdir.name}.doctrees")
    result = run_sphinx(builder, srcdir, outdir, doctrees, *extra, env=env)
    assert result.returncode == 0, f"sphinx-build -b {builder} failed:\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    return result


def build_environment() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}


def guide_build(config: pytest.Config) -> GuideBuild:
    """The strict ``-j 2`` HTML build of docs/, made by whichever test asks first."""
    cached = config.stash.get(_BUILD, None)
    if cached is not None:
        return cached
    directory = config.stash[_DIRECTORY]
    html, doctrees, record = directory / "html", directory / "doctrees", directory / "build.json"
    with (directory / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.is_file():
            result = run_sphinx(
                "html", DOCS, html, doctrees, "-j", JOBS,
                "-D", f"diagrams_manifest={directory / DIAGRAM_KEYS}",
            )  # fmt: skip
            # Written last: a build that was interrupted is made again.
            record.write_text(
                json.dumps({"returncode": result.returncode, "stderr": result.stderr}),
                encoding="utf-8",
            )
        data = json.loads(record.read_text(encoding="utf-8"))
    built = GuideBuild(html, doctrees, data["returncode"], data["stderr"])
    config.stash[_BUILD] = built
    return built


@pytest.fixture(scope="session")
def guide_html(pytestconfig: pytest.Config) -> Path:
    """The HTML of the shared build; the test fails if the build was not clean."""
    built = guide_build(pytestconfig)
    if not built.clean:
        pytest.fail(
            f"the strict build of the guide failed (exit status {built.returncode}):\n"
            f"{built.stderr}",
            pytrace=False,
        )
    return built.html


def copy_doctrees(built: GuideBuild, destination: Path) -> Path:
    """A private copy of the shared build's doctrees, for another builder to reuse.

    Sphinx shares doctrees between builders (the ePub and LaTeX builders
    write from what the HTML build read), but two builds must not write
    one environment at the same time: each gets its own copy.
    """
    shutil.copytree(built.doctrees, destination)
    return destination


class _XdistController:
    """Gives every pytest-xdist worker the controller's build directory."""

    @staticmethod
    def pytest_configure_node(node: object) -> None:
        node.workerinput[_WORKER_INPUT] = str(node.config.stash[_DIRECTORY])  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        config.stash[_DIRECTORY] = Path(workerinput[_WORKER_INPUT])
        return
    directory = Path(tempfile.mkdtemp(prefix="guide-build-"))
    config.stash[_DIRECTORY] = directory
    # Removed when the controller ends, after every worker has.
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistController())


def recorded_build(config: pytest.Config) -> GuideBuild | None:
    """The shared build if some process of this run made it, without building it."""
    directory = config.stash.get(_DIRECTORY, None)
    if directory is None or not (directory / "build.json").is_file():
        return None
    return guide_build(config)


def uncommitted_renderings(keys: Iterable[str]) -> list[str]:
    """The renderings of these diagram keys that git does not track in docs/_diagrams.

    Skips the calling test where the sources are not a git checkout.
    """
    # Imported here, not with the plugin: ext/diagrams.py imports
    # sphinxcontrib-mermaid, which warns under the older Sphinx of Python 3.10,
    # and `nox -s examples-3.10` loads this plugin with warnings as errors.
    from diagrams import cached_files

    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot tell which renderings are committed")
    listed = subprocess.run(
        ["git", "ls-files", "docs/_diagrams"], cwd=REPO, capture_output=True, text=True
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: cannot tell which renderings are committed")
    tracked = set(listed.stdout.split())
    return [
        path
        for key in sorted(set(keys))
        for name in cached_files(key).values()
        if (path := f"docs/_diagrams/{name}") not in tracked
    ]
