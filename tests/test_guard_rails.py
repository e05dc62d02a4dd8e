# SPDX-License-Identifier: MIT
"""The lint rule of docs/howto/after/guard-rails.rst bans Eventlet imports.

The page shows the Ruff configuration by including
docs/howto/after/ban-eventlet.toml. These tests run Ruff with exactly that
file as a project's pyproject.toml, on a module that imports Eventlet in the
ways the page lists and on one that does not, and check what Ruff reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the docs group installs tomli on 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "howto" / "after" / "guard-rails.rst"
CONFIG = REPO / "docs" / "howto" / "after" / "ban-eventlet.toml"
TIMEOUT = 60

BANNED = """\
import eventlet
import eventlet.green.socket
from eventlet import greenpool
from eventlet.green import threading

print(eventlet, eventlet.green.socket, greenpool, threading)
"""
CLEAN = """\
import importlib
import threading

print(threading, importlib.import_module("json"))
"""


def _ruff() -> str:
    """The ruff executable: from the ruff package if installed, else from PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return os.fspath(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
    if found is None:
        pytest.skip(
            "ruff is not installed in the test environment: "
            "add ruff to the 'test' dependency group to run the lint-rule tests"
        )
    return found


def _check(tmp_path: Path, source: str) -> tuple[int, list[dict[str, object]]]:
    (tmp_path / "pyproject.toml").write_text(CONFIG.read_text(encoding="utf-8"))
    (tmp_path / "module.py").write_text(source)
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "json", "module.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_page_includes_the_tested_configuration() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert ".. literalinclude:: ban-eventlet.toml" in text
    banned = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "TID251" in banned["extend-select"]
    assert "eventlet" in banned["flake8-tidy-imports"]["banned-api"]


def test_every_eventlet_import_is_reported(tmp_path: Path) -> None:
    status, diagnostics = _check(tmp_path, BANNED)
    banned = [d for d in diagnostics if d["code"] == "TID251"]
    assert status == 1
    # One per import statement: the module itself, a submodule, two from-imports.
    assert [d["location"]["row"] for d in banned] == [1, 2, 3, 4]  # type: ignore[index]
    message = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["ruff"]["lint"][
        "flake8-tidy-imports"
    ]["banned-api"]["eventlet"]["msg"]
    assert all(d["message"] == f"`eventlet` is banned: {message}" for d in banned)


def test_a_clean_module_passes(tmp_path: Path) -> None:
    status, diagnostics = _check(tmp_path, CLEAN)
    assert diagnostics == []
    assert status == 0


def test_a_dynamic_import_is_not_reported(tmp_path: Path) -> None:
    # As the page says: the rule sees import statements, not dynamic imports.
    source = 'import importlib\n\nimportlib.import_module("eventlet")\n__import__("eventlet")\n'
    status, diagnostics = _check(tmp_path, source)
    assert [d for d in diagnostics if d["code"] == "TID251"] == []
    assert status == 0
