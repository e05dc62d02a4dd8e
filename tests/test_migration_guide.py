"""The guide's own migration steps: an incremental build renumbers them right.

Builds a copy of the guide (docs/ and ext/) with the same strict flags as the
nox sessions. After a step is added on one page, an incremental build must
give the same pages as a clean build of the changed sources, including the
renumbered steps and the checklist on pages that were not edited.
(tests/test_guide_build.py compares parallel, incremental and clean builds of
the unchanged guide.)
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The new step changes the dependency graph, whose rendering is not in
# docs/_diagrams (and mermaid-cli is not copied): the page shows the diagram's
# source instead, in both builds alike.
STRICT = ("-W", "--keep-going", "-n", "-D", "suppress_warnings=diagrams.not_rendered")
REPRODUCIBLE_EPOCH = "1767225600"

pytestmark = pytest.mark.slow


def build(srcdir: Path, outdir: Path, *extra: str) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}
    doctrees = outdir.with_name(f"{outdir.name}.doctrees")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "--no-color",
            *STRICT,
            "-b",
            "html",
            "-d",
            str(doctrees),
            *extra,
            str(srcdir),
            str(outdir),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return result.stdout


def html_differences(left: Path, right: Path) -> list[str]:
    names = sorted(str(path.relative_to(left)) for path in left.rglob("*.html"))
    assert names == sorted(str(path.relative_to(right)) for path in right.rglob("*.html"))
    return [name for name in names if not filecmp.cmp(left / name, right / name, shallow=False)]


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    """A private copy of the guide's sources and extensions."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO / "ext", root / "ext", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "docs"


def step_numbers(page: Path) -> list[str]:
    return re.findall(r'migration-step-number">(Step \d+): ', page.read_text(encoding="utf-8"))


def test_incremental_build_equals_clean_build(guide: Path, tmp_path: Path):
    incremental = tmp_path / "incremental"
    build(guide, incremental)
    steps_page = incremental / "howto" / "asyncio" / "gradual-migration.html"
    assert step_numbers(steps_page)[0] == "Step 1"

    # Add a step to the section page, which comes before the steps page in
    # reading order: every step of the guide moves down by one.
    section = guide / "howto" / "asyncio" / "index.rst"
    section.write_text(
        section.read_text(encoding="utf-8")
        + "\n.. migration-step:: Read the asyncio path\n   :id: read-the-path\n"
        "   :effort: small\n   :risk: low\n   :applies-to: asyncio\n\n"
        "   .. after::\n\n      You know the five steps that follow.\n",
        encoding="utf-8",
    )
    stat = section.stat()
    os.utime(section, (stat.st_atime + 10, stat.st_mtime + 10))
    output = build(guide, incremental)
    written = set(re.findall(r"writing output\.\.\. \[ *\d+%\] (\S+)", output))
    # Only the section page was read again...
    assert "0 added, 1 changed, 0 removed" in output, output
    # ...yet the unedited steps page and checklist were rewritten, and pages
    # without steps were not.
    assert {"howto/asyncio/gradual-migration", "howto/checklist"} <= written, output
    assert "contributing/index" not in written, output
    assert step_numbers(steps_page)[:2] == ["Step 2", "Step 3"]
    checklist = (incremental / "howto" / "checklist.html").read_text(encoding="utf-8")
    assert 'data-migration-key="read-the-path"' in checklist

    clean = tmp_path / "clean"
    build(guide, clean)
    assert html_differences(incremental, clean) == []
