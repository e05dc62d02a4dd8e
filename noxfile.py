# SPDX-License-Identifier: MIT
"""Every task of the Eventlet Migration Guide, as a nox session.

``nox -l`` lists them. Virtual environments are reused between runs; each
session installs from the pinned files in requirements/, which ``nox -s lock``
regenerates from the dependency groups in pyproject.toml.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
DOCTREES = BUILD / "doctrees"
REQUIREMENTS = ROOT / "requirements"
MERMAID = ROOT / "tools" / "mermaid"
# The build is strict everywhere: warnings are errors, all of them are shown,
# and every cross-reference must resolve.
STRICT = ("-W", "--keep-going", "-n")
PDF_NAME = "eventlet-migration-guide"
# Never let uv try to download an interpreter: many machines are offline.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
# uv installs no bytecode by default (pip does). The guide's examples run with
# PYTHONDONTWRITEBYTECODE, so without it each of them would compile Eventlet,
# aiohttp and the rest from source again: half a second of CPU an example.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
# The Pythons the guide supports; `nox -s examples` runs the examples on each
# one the machine has.
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
# An interpreter that is not installed skips its session instead of failing
# it, on CI too (where nox fails by default). Only sessions with a python=
# list can miss one: the others run on the interpreter that runs nox.
nox.options.error_on_missing_interpreters = False


def _select_pyenv_pythons() -> None:
    """Let pyenv's shims run every installed Python of PYTHONS, not only the selected one.

    With pyenv, ``python3.12`` on PATH is a shim that fails unless 3.12 is
    selected, and nox reports that interpreter missing. The installed
    versions are added after the selected ones (PYENV_VERSION, which pyenv
    itself sets for nox when nox runs through a shim), so ``python`` and
    ``python3`` stay what they were.
    """
    if shutil.which("pyenv") is None:
        return
    try:
        selected = (
            os.environ.get("PYENV_VERSION")
            or subprocess.run(
                ["pyenv", "version-name"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        )
        installed = subprocess.run(
            ["pyenv", "versions", "--bare", "--skip-aliases"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return
    chosen = selected.split(":") if selected else []
    wanted = [
        version
        for version in installed
        if re.fullmatch(r"\d+\.\d+\.\d+", version)
        and version.rsplit(".", 1)[0] in PYTHONS
        and version not in chosen
    ]
    if chosen and wanted:
        os.environ["PYENV_VERSION"] = ":".join([*chosen, *wanted])


_select_pyenv_pythons()


def _install(session: nox.Session, group: str) -> None:
    session.install("-r", str(REQUIREMENTS / f"{group}.txt"))


def _sphinx(session: nox.Session, builder: str, outdir: Path, *extra: str) -> None:
    session.run(
        "sphinx-build", *STRICT, "-b", builder, "-d", str(DOCTREES), str(DOCS), str(outdir), *extra
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML guide into docs/_build/html."""
    _install(session, "docs")
    _sphinx(session, "html", BUILD / "html", *session.posargs)
    session.log(f"Open {(BUILD / 'html' / 'index.html').as_uri()}")


@nox.session
def pdf(session: nox.Session) -> None:
    """Build docs/_build/latex/eventlet-migration-guide.pdf through LaTeX."""
    missing = [tool for tool in ("latexmk", "pdflatex") if shutil.which(tool) is None]
    if missing:
        session.error(
            f"nox -s pdf needs TeX Live ({', '.join(missing)} not found). Debian/Ubuntu: "
            "apt-get install --no-install-recommends texlive-latex-recommended "
            "texlive-fonts-recommended texlive-latex-extra tex-gyre latexmk; "
            "macOS: brew install --cask mactex-no-gui"
        )
    _install(session, "docs")
    latex = BUILD / "latex"
    _sphinx(session, "latex", latex, *session.posargs)
    with session.chdir(latex):
        # Sphinx writes a latexmkrc next to the .tex; latexmk picks it up.
        session.run(
            "latexmk",
            "-pdf",
            "-dvi-",
            "-ps-",
            "-interaction=nonstopmode",
            "-halt-on-error",
            f"{PDF_NAME}.tex",
            external=True,
            silent=True,
        )
    session.log(f"Wrote {latex / f'{PDF_NAME}.pdf'}")


@nox.session
def epub(session: nox.Session) -> None:
    """Build docs/_build/epub/eventlet-migration-guide.epub."""
    _install(session, "docs")
    _sphinx(session, "epub", BUILD / "epub", *session.posargs)


@nox.session(name="api-coverage")
def api_coverage(session: nox.Session) -> None:
    """List the installed Eventlet's public names, and the names real projects use
    (docs/_data/api_usage.toml), that have no entry in the API map."""
    _install(session, "docs")
    session.run(
        "python",
        str(ROOT / "ext" / "eventlet_api_coverage.py"),
        str(DOCS / "_data" / "api_map.toml"),
        *session.posargs,
    )


@nox.session
def diagrams(session: nox.Session) -> None:
    """Render new Mermaid diagrams into docs/_diagrams and delete unused renderings.

    Installs the pinned mermaid-cli from tools/mermaid (npm, no browser
    download: it drives the system Chromium), then makes fresh HTML and LaTeX
    builds, which render every diagram that has no cached rendering, and
    deletes the renderings neither used. Commit the result.
    """
    for tool in ("npm", "chromium"):
        if shutil.which(tool) is None:
            session.error(
                f"nox -s diagrams needs {tool}. Debian/Ubuntu: apt-get install nodejs npm chromium"
            )
    session.run(
        "npm", "ci", "--no-audit", "--no-fund", "--prefix", str(MERMAID), external=True,
        env={"PUPPETEER_SKIP_DOWNLOAD": "1"},
    )  # fmt: skip
    _install(session, "docs")
    used: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        # HTML and LaTeX can need different renderings of one diagram (a
        # migration graph links its boxes in HTML only); the ePub uses LaTeX's.
        for builder in ("html", "latex"):
            manifest = Path(tmp, f"{builder}.keys")
            session.run(
                "sphinx-build", *STRICT, "-E", "-q", "-b", builder,
                "-D", f"diagrams_manifest={manifest}", str(DOCS), str(Path(tmp, builder)),
            )  # fmt: skip
            used.update(manifest.read_text().split())
    for path in sorted((DOCS / "_diagrams").glob("*")):
        if path.name.split("-")[0] not in used:
            session.log(f"Removing unused rendering {path.name}")
            path.unlink()
    session.log("Renderings are in docs/_diagrams: commit them with the pages that use them.")


def _cpus() -> int:
    """The CPUs this process may run on: its affinity mask, where the platform has one."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# pytest-xdist runs two workers per CPU. Many tests spend most of their time
# waiting (for a server to start, a timeout to expire, Chromium to render, a
# subprocess to exit), so one worker per CPU leaves the CPUs idle much of the
# time: measured on 2 cores (2026-12-02), 4 workers ran the suite in 118 s
# where 2 took 171 s, for the same CPU time; 6 and 8 were no faster.
# "worksteal" lets an idle worker take tests queued for a busy one: a few
# tests (the whole-guide builds, the PDF) take far longer than the rest.
# Give "-n 0" after "--" to run in one process.
PARALLEL = ("-n", str(2 * _cpus()), "--dist", "worksteal")
#: What ``nox -s tests`` runs: everything but the checks marked ``full``.
SUITE = (*PARALLEL, "-m", "not full")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: extension tests, strict HTML builds, the examples, the browser."""
    _install(session, "test")
    session.run("pytest", *SUITE, *session.posargs)


@nox.session(name="tests-full")
def tests_full(session: nox.Session) -> None:
    """The checks too slow for every run: PDF, ePub (epubcheck), axe on every page. CI runs it."""
    _install(session, "test")
    session.run("pytest", *PARALLEL, "-m", "full", *session.posargs)


def _installed_pythons() -> tuple[list[str], list[str]]:
    """Which of PYTHONS this machine has, and which it has not."""
    found, missing = [], []
    for version in PYTHONS:
        try:
            ok = (
                subprocess.run(
                    [f"python{version}", "-c", ""], capture_output=True, timeout=30, check=False
                ).returncode
                == 0
            )
        except (OSError, subprocess.SubprocessError):
            ok = False
        (found if ok else missing).append(version)
    return found, missing


@nox.session(python=PYTHONS)
def examples(session: nox.Session) -> None:
    """Run the guide's Python examples on each supported Python that is installed."""
    found, missing = _installed_pythons()
    session.log(
        f"Pythons found: {', '.join(found) or 'none'}; "
        f"not installed, so skipped: {', '.join(missing) or 'none'}"
    )
    _install(session, "test")
    session.run("pytest", *PARALLEL, "tests/test_examples.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check Python style, reStructuredText/MyST markup and spelling."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run(
        "sphinx-lint",
        "--enable",
        "all",
        "--disable",
        "line-too-long",
        "--ignore",
        "_build",
        "docs",
    )
    session.run("codespell")


@nox.session
def linkcheck(session: nox.Session) -> None:
    """Check every external link (needs a network; for maintainers, not CI)."""
    _install(session, "docs")
    _sphinx(session, "linkcheck", BUILD / "linkcheck", *session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Rebuild on every change and serve the HTML at http://127.0.0.1:8000."""
    _install(session, "serve")
    session.run(
        "sphinx-autobuild",
        *STRICT,
        "--watch",
        str(ROOT / "ext"),
        "--port",
        "8000",
        str(DOCS),
        str(BUILD / "serve"),
        *session.posargs,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Time a clean strict HTML build, a rebuild after touching one page, a -j 2 build,
    and the whole test suite (as ``nox -s tests`` runs it)."""
    _install(session, "test")
    figures: list[tuple[str, float]] = []

    def timed(label: str, *command: str) -> None:
        start = time.perf_counter()
        session.run(*command, silent=True)
        figures.append((label, time.perf_counter() - start))

    def build(label: str, outdir: Path, *extra: str) -> None:
        timed(label, "sphinx-build", *STRICT, "-q", "-b", "html", *extra, str(DOCS), str(outdir))

    with tempfile.TemporaryDirectory() as tmp:
        serial, parallel = Path(tmp, "serial"), Path(tmp, "parallel")
        build("clean build", serial)
        page = DOCS / "index.rst"
        page.touch()
        build("rebuild after touching index.rst", serial)
        build("clean build, -j 2", parallel, "-j", "2")
    timed("test suite (nox -s tests)", "pytest", "-q", *SUITE, *session.posargs)
    width = max(len(label) for label, _ in figures)
    for label, seconds in figures:
        session.log(f"{label:<{width}}  {seconds:6.2f} s")
    clean, suite = figures[0][1], figures[-1][1]
    session.log(f"test suite / clean build: {suite / clean:.1f} (the target is at most 8)")


@nox.session(name="tutorial-bench")
def tutorial_bench(session: nox.Session) -> None:
    """Load the tutorial's service, first and last stage of each track, on 127.0.0.1.

    Prints requests per second, latency percentiles, peak memory and threads of each
    stage side by side, and writes every figure to docs/_build/tutorial-bench.json.
    Options go to tools/tutorial_bench.py: ``nox -s tutorial-bench -- --seconds 4``.
    """
    _install(session, "test")
    BUILD.mkdir(parents=True, exist_ok=True)
    session.run(
        "python",
        str(ROOT / "tools" / "tutorial_bench.py"),
        "--json",
        str(BUILD / "tutorial-bench.json"),
        *session.posargs,
    )


@nox.session(venv_backend="uv|virtualenv")
def lock(session: nox.Session) -> None:
    """Regenerate requirements/*.txt from pyproject.toml's dependency groups (needs PyPI)."""
    session.install("uv")
    # Lint first: the test group pins Ruff (tests/test_guard_rails.py runs it)
    # to the version that `nox -s lint` runs.
    for group in ("lint", "docs", "serve", "test"):
        constraints = ("-c", str(REQUIREMENTS / "lint.txt")) if group == "test" else ()
        session.run(
            "uv", "pip", "compile", "--quiet", "--universal", "--python-version", "3.10",
            "--upgrade", "--group", group, *constraints, "pyproject.toml",
            "-o", str(REQUIREMENTS / f"{group}.txt"),
            env={"UV_CUSTOM_COMPILE_COMMAND": "nox -s lock"},
        )  # fmt: skip


@nox.session(venv_backend="none")
def intersphinx(session: nox.Session) -> None:
    """Refresh the cached intersphinx inventories in docs/_intersphinx (needs a network)."""
    # conf.py's intersphinx_mapping is the one list: (base URL, cached file) per project.
    mapping = runpy.run_path(str(DOCS / "conf.py"))["intersphinx_mapping"]
    for base, cached in mapping.values():
        url = f"{base.rstrip('/')}/objects.inv"
        with urllib.request.urlopen(url, timeout=30) as response:
            Path(cached).write_bytes(response.read())
        session.log(f"{url} -> {Path(cached).relative_to(ROOT)}")


@nox.session(venv_backend="none")
def inventory(session: nox.Session) -> None:
    """List every use of Eventlet under the given paths (default: the current directory).

    Runs docs/howto/prepare/eventlet_inventory.py, the guide's downloadable tool,
    with the interpreter that runs nox (it needs only the standard library of
    Python 3.9+). Options go after the paths: ``nox -s inventory -- src --json``.
    """
    import sys

    if sys.version_info < (3, 9):  # noqa: UP036 (nox may run on an older Python than ours)
        session.error("the inventory tool needs Python 3.9 or later")
    tool = DOCS / "howto" / "prepare" / "eventlet_inventory.py"
    # Exit status 1 means "Eventlet found": a result, not a failure of the session.
    session.run(
        sys.executable, str(tool), *(session.posargs or ["."]), external=True, success_codes=[0, 1]
    )
