"""Whole-guide builds: strict HTML, reproducible HTML, ePub and PDF.

Each build runs ``sphinx-build`` in a subprocess with the same strict flags
as the nox sessions, so what passes here passes for a writer and on CI.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
STRICT = ("-W", "--keep-going", "-n")
PDF_NAME = "eventlet-migration-guide"
# Any fixed moment: two builds with the same value must give the same bytes.
REPRODUCIBLE_EPOCH = "1767225600"

pytestmark = pytest.mark.slow


def sphinx_build(builder: str, outdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Build the guide with ``builder`` into ``outdir``; fail the test on any warning."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}
    # Doctrees (pickles, not output) go beside the output so that comparing
    # two output trees compares only what readers get.
    doctrees = outdir.with_name(f"{outdir.name}.doctrees")
    command = [sys.executable, "-m", "sphinx", *STRICT, "-b", builder, "-d", str(doctrees)]
    result = subprocess.run(
        [*command, *extra, str(DOCS), str(outdir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"sphinx-build -b {builder} failed:\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("html")
    sphinx_build("html", outdir)
    return outdir


def test_html_build_has_no_warnings(html: Path) -> None:
    # sphinx_build has already asserted a clean exit and a quiet stderr;
    # check that the guide's entry points really came out.
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "Eventlet Migration Guide" in index
    assert (html / "searchindex.js").stat().st_size > 0
    assert (html / "genindex.html").is_file()


def _tree_differences(left: Path, right: Path) -> list[str]:
    """Every path that is missing on one side or differs in bytes."""
    differences: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: Path) -> None:
        differences.extend(str(prefix / name) for name in comparison.left_only)
        differences.extend(str(prefix / name) for name in comparison.right_only)
        for name in comparison.common_files:
            if not filecmp.cmp(Path(comparison.left, name), Path(comparison.right, name), False):
                differences.append(str(prefix / name))
        for name, sub in comparison.subdirs.items():
            walk(sub, prefix / name)

    walk(filecmp.dircmp(left, right), Path())
    return differences


def test_two_clean_html_builds_are_byte_identical(html: Path, tmp_path: Path) -> None:
    again = tmp_path / "html"
    sphinx_build("html", again)
    assert _tree_differences(html, again) == []


def test_epub_builds(tmp_path: Path) -> None:
    sphinx_build("epub", tmp_path)
    epub = tmp_path / f"{PDF_NAME}.epub"
    with zipfile.ZipFile(epub) as archive:
        # The first entry of an ePub must be the uncompressed mimetype file.
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert archive.read(first) == b"application/epub+zip"
        assert "index.xhtml" in archive.namelist()


@pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdflatex") is None,
    reason="latexmk/pdflatex not installed: the PDF is built on CI (see .ci/run)",
)
def test_pdf_builds(tmp_path: Path) -> None:
    sphinx_build("latex", tmp_path)
    result = subprocess.run(
        [
            "latexmk",
            "-pdf",
            "-dvi-",
            "-ps-",
            "-interaction=nonstopmode",
            "-halt-on-error",
            f"{PDF_NAME}.tex",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    log = tmp_path / f"{PDF_NAME}.log"
    assert result.returncode == 0, log.read_text(errors="replace")[-4000:]
    pdf = tmp_path / f"{PDF_NAME}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Eventlet Migration Guide" in text
        # "??" is what LaTeX prints for a reference it could not resolve.
        assert "??" not in text
