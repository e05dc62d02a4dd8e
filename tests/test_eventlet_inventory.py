# SPDX-License-Identifier: MIT
"""The guide's downloadable tool, docs/howto/prepare/eventlet_inventory.py.

Every test scans real files written to a temporary directory, or a real
installed package, and checks what the tool reports, line by line.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
TOOL = DOCS / "howto" / "prepare" / "eventlet_inventory.py"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eventlet_inventory", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


inventory = _load_tool()


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def run_tool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def findings_of(root: Path) -> list[tuple[str, int, str, str]]:
    """(path, line, kind, name) of every finding, from the JSON output."""
    result = run_tool("--json", str(root))
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"], f["kind"], f["name"]) for f in json.loads(result.stdout)]


# -- A tree with every form the tool knows ------------------------------------------

FIXTURE: dict[str, str | bytes] = {
    "app/service.py": '''
        """A service that calls eventlet.spawn: prose in a docstring is not a use."""

        import eventlet
        import eventlet.wsgi
        import eventlet.wsgi as w
        from eventlet import wsgi as ew
        from eventlet.green import socket
        from eventlet.green.threading import Thread
        from eventlet import spawn, Timeout
        from . import eventlet as vendored
        from .eventlet import sleep

        eventlet.monkey_patch(socket=True, select=True)
        eventlet.wsgi.MAX_HEADER_LINE = 16384
        limit = w.MAX_REQUEST_LINE


        class Protocol(ew.HttpProtocol):
            pass


        @eventlet.wrap_is_timeout
        def make_timeout():
            return TimeoutError()


        def serve(app):
            # eventlet.spawn(app) in a comment is not a use
            sock = socket.socket()
            worker = Thread(target=app)
            spawn(app)
            with Timeout(5):
                sleep(1)
            vendored.spawn(app)
            return eventlet.listen(("127.0.0.1", 0)), sock, worker


        def shadowed(eventlet, Timeout):
            eventlet.spawn(print)
            raise Timeout()
        ''',
    "app/helpers.py": """
        import importlib

        green = importlib.import_module("eventlet.green.subprocess")


        def run(command):
            return green.Popen(command)


        def lazy():
            import eventlet as ev
            pool = ev.GreenPool(10)
            sleeper = getattr(ev, "sleep")
            return pool, sleeper


        def spawn(function):  # the application's own spawn
            return function()


        spawn(print)
        """,
    "app/optional.py": """
        try:
            import eventlet
        except ImportError:  # the service also runs without Eventlet
            eventlet = None


        def pause():
            if eventlet is not None:
                eventlet.sleep(0)
        """,
    "app/environment.py": """
        import os

        hub = os.environ.get("EVENTLET_HUB", "poll")
        size = os.getenv("EVENTLET_THREADPOOL_SIZE")
        os.environ["EVENTLET_NO_GREENDNS"] = "yes"


        def app(environ, start_response):
            body = environ["eventlet.input"].read()
            start_response("200 OK", [])
            return [body]
        """,
    "app/realtime.py": """
        import socketio

        sio = socketio.Server(async_mode="eventlet")
        """,
    "tests/test_service.py": """
        from unittest import mock

        import eventlet


        @mock.patch("eventlet.sleep")
        def test_sleep(sleep):
            eventlet.sleep(1)


        def test_spawn(monkeypatch):
            monkeypatch.setattr("eventlet.spawn", lambda *a: None)
            monkeypatch.setattr(eventlet, "kill", lambda *a: None)
            with mock.patch.object(eventlet, "sleep"):
                pass
            with mock.patch("myapp.server.eventlet.GreenPool"):
                pass
            monkeypatch.setenv("EVENTLET_HUB", "poll")


        def test_message():
            assert "eventlet.sleep" in "use eventlet.sleep"


        def test_fixtures():
            fixtures.MockPatch("eventlet.sleep")
            fixtures.MockPatchObject(eventlet, "spawn")
        """,
    "gunicorn.conf.py": """
        bind = "127.0.0.1:8000"
        worker_class = "eventlet"
        workers = 4
        """,
    "celeryconfig.py": """
        broker_url = "memory://"
        worker_pool = "eventlet"
        """,
    "Procfile": """
        web: gunicorn -k eventlet app:app
        worker: celery -A proj worker -P eventlet
        """,
    "scripts/start.sh": """
        #!/bin/sh
        # gunicorn -k eventlet is what we used to run
        export EVENTLET_HUB=poll
        exec gunicorn --worker-class=eventlet \\
            --bind 127.0.0.1:8000 app:app
        """,
    "deploy/app.service": """
        [Service]
        Environment=EVENTLET_HUB=poll
        ExecStart=/srv/venv/bin/gunicorn --worker-class eventlet app:app
        """,
    "Dockerfile": """
        FROM python:3.12-slim
        ENV EVENTLET_NO_GREENDNS=yes
        CMD ["gunicorn", "-k", "eventlet", "app:app"]
        """,
    "docker-compose.yml": """
        services:
          web:
            command: gunicorn -k eventlet app:app
          worker:
            command:
              - celery
              - -A
              - proj
              - worker
              - --pool=eventlet
            environment:
              EVENTLET_HUB: poll
        """,
    "tox.ini": """
        [tox]
        envlist = py311

        [testenv]
        deps =
            pytest
            eventlet>=0.36
        setenv =
            EVENTLET_HUB = poll
        commands =
            pytest -k eventlet tests
            gunicorn --check-config -k eventlet app:app
        """,
    "requirements.txt": """
        flask==3.1.3
        eventlet==0.41.3  # pinned until the migration is done
        gunicorn[eventlet]==22.0.0
        eventlet-stubs
        """,
    "pyproject.toml": """
        [project]
        name = "service"
        dependencies = [
            "flask",
            "eventlet>=0.36",
        ]

        [project.optional-dependencies]
        worker = ["celery[eventlet]"]

        [tool.ruff.lint.isort]
        known-third-party = ["eventlet"]
        """,
    "setup.cfg": """
        [metadata]
        name = service

        [options]
        install_requires =
            requests
            eventlet
        """,
    "setup.py": """
        from setuptools import setup

        setup(name="service", install_requires=["requests", "eventlet>=0.30"])
        """,
    # Never searched: a virtualenv, VCS metadata, node_modules, build output.
    ".venv/lib/eventlet_user.py": "import eventlet\n",
    ".git/hooks/post-commit.py": "import eventlet\n",
    "node_modules/pkg/x.py": "import eventlet\n",
    "build/lib/app/service.py": "import eventlet\n",
}

EXPECTED = [
    ("Dockerfile", 2, "environment", "EVENTLET_NO_GREENDNS"),
    ("Dockerfile", 3, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("Procfile", 1, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("Procfile", 2, "celery", "celery:pool=eventlet"),
    ("app/environment.py", 3, "environment", "EVENTLET_HUB"),
    ("app/environment.py", 4, "environment", "EVENTLET_THREADPOOL_SIZE"),
    ("app/environment.py", 5, "environment", "EVENTLET_NO_GREENDNS"),
    ("app/environment.py", 9, "wsgi-environ", "eventlet.input"),
    ("app/helpers.py", 3, "import", "eventlet.green.subprocess"),
    ("app/helpers.py", 7, "call", "eventlet.green.subprocess.Popen"),
    ("app/helpers.py", 11, "import", "eventlet"),
    ("app/helpers.py", 12, "call", "eventlet.greenpool.GreenPool"),
    ("app/helpers.py", 13, "attribute-read", "eventlet.greenthread.sleep"),
    ("app/optional.py", 2, "import", "eventlet"),
    # The guard reads the module itself: removing Eventlet touches this line too.
    ("app/optional.py", 8, "attribute-read", "eventlet"),
    ("app/optional.py", 9, "call", "eventlet.greenthread.sleep"),
    ("app/realtime.py", 3, "socketio", "socketio:async_mode=eventlet"),
    ("app/service.py", 3, "import", "eventlet"),
    ("app/service.py", 4, "import", "eventlet.wsgi"),
    ("app/service.py", 5, "import", "eventlet.wsgi"),
    ("app/service.py", 6, "import", "eventlet.wsgi"),
    ("app/service.py", 7, "import", "eventlet.green.socket"),
    ("app/service.py", 8, "import", "eventlet.green.threading.Thread"),
    ("app/service.py", 9, "import", "eventlet.greenthread.spawn"),
    ("app/service.py", 9, "import", "eventlet.timeout.Timeout"),
    ("app/service.py", 13, "monkey-patch", "eventlet.patcher.monkey_patch"),
    ("app/service.py", 14, "attribute-write", "eventlet.wsgi.MAX_HEADER_LINE"),
    ("app/service.py", 15, "attribute-read", "eventlet.wsgi.MAX_REQUEST_LINE"),
    ("app/service.py", 18, "subclass", "eventlet.wsgi.HttpProtocol"),
    ("app/service.py", 22, "decorator", "eventlet.timeout.wrap_is_timeout"),
    ("app/service.py", 29, "call", "eventlet.green.socket.socket"),
    ("app/service.py", 30, "call", "eventlet.green.threading.Thread"),
    ("app/service.py", 31, "call", "eventlet.greenthread.spawn"),
    ("app/service.py", 32, "call", "eventlet.timeout.Timeout"),
    ("app/service.py", 35, "call", "eventlet.convenience.listen"),
    ("celeryconfig.py", 2, "celery", "celery:pool=eventlet"),
    ("deploy/app.service", 2, "environment", "EVENTLET_HUB"),
    ("deploy/app.service", 3, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("docker-compose.yml", 3, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("docker-compose.yml", 10, "celery", "celery:pool=eventlet"),
    ("docker-compose.yml", 12, "environment", "EVENTLET_HUB"),
    ("gunicorn.conf.py", 2, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("pyproject.toml", 5, "dependency", "eventlet"),
    ("pyproject.toml", 9, "dependency", "celery[eventlet]"),
    ("requirements.txt", 2, "dependency", "eventlet"),
    ("requirements.txt", 3, "dependency", "gunicorn[eventlet]"),
    ("scripts/start.sh", 3, "environment", "EVENTLET_HUB"),
    ("scripts/start.sh", 4, "gunicorn", "gunicorn:worker_class=eventlet"),
    ("setup.cfg", 7, "dependency", "eventlet"),
    ("setup.py", 3, "dependency", "eventlet"),
    ("tests/test_service.py", 3, "import", "eventlet"),
    ("tests/test_service.py", 6, "patch-target", "eventlet.greenthread.sleep"),
    ("tests/test_service.py", 8, "call", "eventlet.greenthread.sleep"),
    ("tests/test_service.py", 12, "patch-target", "eventlet.greenthread.spawn"),
    ("tests/test_service.py", 13, "patch-target", "eventlet.greenthread.kill"),
    ("tests/test_service.py", 14, "patch-target", "eventlet.greenthread.sleep"),
    ("tests/test_service.py", 16, "patch-target", "eventlet.greenpool.GreenPool"),
    ("tests/test_service.py", 18, "environment", "EVENTLET_HUB"),
    ("tests/test_service.py", 26, "patch-target", "eventlet.greenthread.sleep"),
    ("tests/test_service.py", 27, "patch-target", "eventlet.greenthread.spawn"),
    ("tox.ini", 7, "dependency", "eventlet"),
    ("tox.ini", 9, "environment", "EVENTLET_HUB"),
    ("tox.ini", 12, "gunicorn", "gunicorn:worker_class=eventlet"),
]


@pytest.fixture
def fixture_tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "service", FIXTURE)


def test_every_form_is_found_on_its_line(fixture_tree: Path) -> None:
    assert findings_of(fixture_tree) == EXPECTED


def test_monkey_patch_arguments_are_reported(fixture_tree: Path) -> None:
    result = run_tool("--json", str(fixture_tree / "app" / "service.py"))
    (finding,) = [f for f in json.loads(result.stdout) if f["kind"] == "monkey-patch"]
    assert finding["patches"] == {
        "os": False,
        "select": True,
        "socket": True,
        "thread": False,
        "time": False,
        "psycopg": False,
        "MySQLdb": False,
        "builtins": False,
        "subprocess": False,
    }
    assert finding["detail"] == (
        "patches: select, socket; not: os, thread, time, psycopg, MySQLdb, builtins, subprocess"
    )


DEFAULT_ON = {"os", "select", "socket", "thread", "time", "psycopg", "subprocess"}


def _effect(call: str) -> dict[str, bool | None]:
    node = ast.parse(call).body[0].value  # type: ignore[attr-defined]
    patches, _ = inventory.monkey_patch_effect(node)
    return {module for module, on in patches.items() if on is True}, {  # type: ignore[return-value]
        module for module, on in patches.items() if on is None
    }


@pytest.mark.parametrize(
    ("call", "patched", "undecided"),
    [
        # Eventlet 0.41.3, patcher.monkey_patch: all but MySQLdb and builtins by default.
        ("monkey_patch()", DEFAULT_ON, set()),
        # A True argument turns the default off for the others.
        ("monkey_patch(thread=True)", {"thread"}, set()),
        # Only False arguments: the others keep the default (on).
        ("monkey_patch(os=False, thread=False)", DEFAULT_ON - {"os", "thread"}, set()),
        ("monkey_patch(all=False, socket=True)", {"socket"}, set()),
        ("monkey_patch(MySQLdb=True, all=True)",
         {"os", "select", "socket", "thread", "time", "psycopg", "subprocess", "MySQLdb"}, set()),
        ("monkey_patch(__builtin__=True)", {"builtins"}, set()),
        # A value known only at run time.
        ("monkey_patch(thread=flag)", set(), {"os", "select", "socket", "thread", "time",
                                             "psycopg", "subprocess"}),
        ("monkey_patch(socket=True, thread=flag)", {"socket"}, {"thread"}),
    ],
)  # fmt: skip
def test_monkey_patch_effect(call: str, patched: set[str], undecided: set[str]) -> None:
    assert _effect(call) == (patched, undecided)


def test_monkey_patch_unknown_keyword_is_a_problem() -> None:
    node = ast.parse("monkey_patch(sockets=True)").body[0].value  # type: ignore[attr-defined]
    _, problems = inventory.monkey_patch_effect(node)
    assert problems == ["unknown keyword 'sockets': monkey_patch() raises TypeError"]


def test_monkey_patch_keywords_match_installed_eventlet() -> None:
    """The tool's copy of Eventlet's accepted_args, read from the installed patcher.py."""
    spec = importlib.util.find_spec("eventlet")
    assert spec is not None
    assert spec.origin is not None
    source = (Path(spec.origin).parent / "patcher.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    (accepted,) = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "accepted_args" for t in node.targets)
    ]
    assert set(ast.literal_eval(accepted)) == set(inventory.MONKEY_PATCH_MODULES)
    assert re.search(r'if modname == "MySQLdb":\s+# [^\n]*\n\s+on.setdefault\(modname, False\)',
                     source)  # fmt: skip
    assert 'if modname == "builtins":\n            on.setdefault(modname, False)' in source


def test_more_dependency_forms_and_star_imports(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "more",
        {
            "pyproject.toml": """
                [tool.poetry.dependencies]
                python = "^3.9"
                eventlet = "^0.33"
                gunicorn = {version = "^21.2", extras = ["eventlet"]}

                [dependency-groups]
                test = [
                    "pytest",
                    "eventlet ; python_version < '3.13'",
                ]
                """,
            "Pipfile": """
                [packages]
                flask = "*"
                eventlet = "==0.41.3"
                """,
            "requirements/prod.in": """
                -r base.txt
                -e git+https://github.com/eventlet/eventlet.git#egg=eventlet
                Eventlet>=0.30
                """,
            # eventlet has no __all__: a star import binds its shortcuts and
            # the submodules its __init__ imports.
            "star.py": """
                from eventlet import *

                sleep(0)
                greenthread.spawn_n(print)
                """,
        },
    )
    assert findings_of(root) == [
        ("Pipfile", 3, "dependency", "eventlet"),
        ("pyproject.toml", 3, "dependency", "eventlet"),
        ("pyproject.toml", 4, "dependency", "gunicorn[eventlet]"),
        ("pyproject.toml", 9, "dependency", "eventlet"),
        ("requirements/prod.in", 2, "dependency", "eventlet"),
        ("requirements/prod.in", 3, "dependency", "eventlet"),
        ("star.py", 1, "import", "eventlet"),
        ("star.py", 3, "call", "eventlet.greenthread.sleep"),
        ("star.py", 4, "call", "eventlet.greenthread.spawn_n"),
    ]


# -- What must not be reported ---------------------------------------------------------

NEGATIVES: dict[str, str | bytes] = {
    "prose.py": '''
        """Notes on eventlet: we used eventlet.spawn and eventlet.monkey_patch() once."""

        import eventlet_compat
        from eventletx import spawn
        from . import eventlet
        from .eventlet import sleep

        # eventlet.sleep(1) would block here; import eventlet
        MESSAGE = "eventlet.sleep is gone"
        print(f"eventlet.spawn {MESSAGE}")
        worker_class = "sync"
        worker_pool = "prefork"
        key = "EVENTLET_HUB"
        spawn(print)
        sleep(0)
        eventlet.spawn(print)
        ''',
    "shadow.py": """
        import eventlet as real


        def handler(eventlet, spawn=None):
            eventlet.spawn(print)
            spawn(print)


        def comprehension():
            return [real.spawn for real in range(3)]


        def loop():
            for real in range(3):
                real.sleep(0)


        class Holder:
            real = None
            value = real
        """,
    "tox.ini": """
        [testenv]
        commands = pytest -k eventlet tests
        """,
    "config.yml": """
        # gunicorn -k eventlet
        steps:
          - run: echo "done"
        """,
    "README.md": "Run `gunicorn -k eventlet app:app` and set EVENTLET_HUB.\n",
    "notes.txt": "import eventlet\n",
    "python2_without_eventlet.py": 'print "hello"\n',
}


def test_negatives_give_no_findings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "neg", NEGATIVES)
    findings = findings_of(root)
    # shadow.py's own import is the only use; every later "real" is a local name.
    assert findings == [("shadow.py", 1, "import", "eventlet")]


def test_a_name_rebound_later_is_not_eventlet(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "rebound",
        {
            "app.py": """
                import eventlet
                eventlet.sleep(0)
                eventlet = None
                eventlet.sleep(0)
                """
        },
    )
    assert findings_of(root) == [
        ("app.py", 1, "import", "eventlet"),
        ("app.py", 2, "call", "eventlet.greenthread.sleep"),
    ]


def test_yaml_folded_command_is_one_command_line(tmp_path: Path) -> None:
    # YAML joins the lines of a folded scalar (">") into one command line; a literal
    # scalar ("|") keeps them apart, so its pytest -k stays a test selection.
    root = write_tree(
        tmp_path / "k8s",
        {
            "deploy.yaml": """
                containers:
                  - name: web
                    command: >-
                      gunicorn --workers 2
                      -k eventlet app:app
                  - name: worker
                    args: >
                      celery -A app worker
                      --pool eventlet
                steps:
                  - run: |
                      pip install gunicorn
                      pytest -k eventlet
                  - name: later
                    run: >
                      pytest tests
                  - -k eventlet
            """,
        },
    )
    result = run_tool("--json", str(root))
    found = [(f["line"], f["kind"], f["detail"]) for f in json.loads(result.stdout)]
    assert found == [(5, "gunicorn", "-k eventlet"), (9, "celery", "--pool eventlet")]


def test_celery_init_script_settings_are_read(tmp_path: Path) -> None:
    # /etc/default/celeryd is a shell file without a #! line or a suffix.
    root = write_tree(
        tmp_path / "deploy",
        {
            "default/celeryd": 'CELERYD_NODES="w1"\nCELERYD_OPTS="--pool=eventlet -c 100"\n',
            "default/celeryd.bak": 'CELERYD_OPTS="--pool=eventlet"\n',
        },
    )
    result = run_tool("--json", str(root))
    found = [(f["path"], f["line"], f["kind"]) for f in json.loads(result.stdout)]
    assert found == [("default/celeryd", 2, "celery")]


def test_nothing_found_exits_0(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "clean", {"app.py": "import asyncio\n"})
    result = run_tool(str(root))
    assert result.returncode == 0, result.stderr
    assert "0 findings in 0 files" in result.stdout


# -- Files that cannot be parsed ----------------------------------------------------------


def test_unparseable_files_are_skipped_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "mixed",
        {
            "py2.py": 'import eventlet\nprint "hello"\n',
            "latin1.py": b"# -*- coding: latin-1 -*-\nimport eventlet\nname = 'caf\xe9'\n",
            "bad_utf8.py": b"import eventlet\nname = '\xff\xfe'\n",
            "binary.py": b"\x00\x01eventlet\x00\xff",
            "good.py": "import eventlet\n",
        },
    )
    result = run_tool("--json", str(root))
    assert result.returncode == 1, result.stderr
    findings = {(f["path"], f["kind"]): f for f in json.loads(result.stdout)}
    assert set(findings) == {
        ("bad_utf8.py", "skipped"),
        ("binary.py", "skipped"),
        ("good.py", "import"),
        ("latin1.py", "import"),
        ("py2.py", "skipped"),
    }
    assert findings[("py2.py", "skipped")]["detail"] == (
        "not parsed (SyntaxError on line 2: Missing parentheses in call to 'print'. "
        "Did you mean print(...)?); mentions Eventlet on lines 1"
    )
    assert findings[("bad_utf8.py", "skipped")]["detail"].startswith("not parsed (SyntaxError")
    assert "mentions Eventlet on lines 1" in findings[("binary.py", "skipped")]["detail"]
    text = run_tool(str(root)).stdout
    assert "Skipped 3 files that mention Eventlet (check by hand):" in text
    assert "(5 files read in " in text


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "one", {"py2.py": 'import eventlet\nprint "x"\n'})
    text = run_tool(str(root)).stdout
    assert text.startswith(f"Eventlet inventory of {root}: 0 findings in 0 files (1 file read ")
    assert "Skipped 1 file that mentions Eventlet (check by hand):" in text
    write_tree(root, {"good.py": "import eventlet\n"})
    assert ": 1 finding in 1 file (2 files read " in run_tool(str(root)).stdout
    markdown = run_tool("--markdown", str(root)).stdout
    assert "1 use of Eventlet in 1 file (" in markdown


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    # Opening a FIFO for reading blocks until a writer comes: the scan would hang.
    root = write_tree(tmp_path / "tree", {"good.py": "import eventlet\n"})
    os.mkfifo(root / "pipe.py")
    result = run_tool("--json", str(root))
    assert result.returncode == 1, result.stderr
    found = [(f["path"], f["kind"]) for f in json.loads(result.stdout)]
    assert found == [("good.py", "import")]


# -- Output formats and the command line -------------------------------------------------


def test_json_schema(fixture_tree: Path) -> None:
    result = run_tool("--json", "--base-url", "https://example.org/guide", str(fixture_tree))
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    assert len(findings) == len(EXPECTED)
    for finding in findings:
        expected_keys = {"path", "line", "name", "kind", "url", "detail"}
        if finding["kind"] == "monkey-patch":
            expected_keys.add("patches")
        assert set(finding) == expected_keys
        assert isinstance(finding["line"], int)
        assert finding["line"] > 0
        assert finding["kind"] in inventory.KINDS
        assert not finding["path"].startswith("/")
        assert "\\" not in finding["path"]
        assert finding["url"].startswith("https://example.org/guide/")
    by_name = {f["name"]: f["url"] for f in findings}
    assert by_name["eventlet.greenthread.spawn"] == (
        "https://example.org/guide/reference/api/greenthread.html#ev-eventlet.greenthread.spawn"
    )
    # A class that real projects subclass has an entry of its own...
    assert by_name["eventlet.wsgi.HttpProtocol"] == (
        "https://example.org/guide/reference/api/wsgi.html#ev-eventlet.wsgi.HttpProtocol"
    )
    # ...and a name with no entry of its own links to its module's entry.
    assert by_name["eventlet.green.threading.Thread"] == (
        "https://example.org/guide/reference/api/green.html#ev-eventlet.green.threading"
    )
    assert by_name["EVENTLET_HUB"] == (
        "https://example.org/guide/reference/api/hubs.html#ev-EVENTLET_HUB"
    )
    assert by_name["gunicorn:worker_class=eventlet"] == (
        "https://example.org/guide/howto/frameworks/gunicorn.html"
    )
    assert by_name["celery[eventlet]"] == "https://example.org/guide/howto/frameworks/celery.html"


def test_text_report_groups_by_file(fixture_tree: Path) -> None:
    result = run_tool(str(fixture_tree), cwd=fixture_tree)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Eventlet inventory of {fixture_tree}: {len(EXPECTED)} findings")
    start = lines.index("app/optional.py")
    assert lines[start + 1 : start + 4] == [
        "      2  import           eventlet",
        "      8  attribute-read   eventlet",
        "      9  call             eventlet.greenthread.sleep",
    ]
    assert "  monkey-patch     1" in lines


def test_markdown_output(fixture_tree: Path) -> None:
    result = run_tool("--markdown", str(fixture_tree))
    assert result.returncode == 1
    text = result.stdout
    assert text.startswith("## Eventlet inventory\n\n")
    assert f"{len(EXPECTED)} uses of Eventlet in 18 files" in text
    assert "\n### `app/optional.py`\n\n- [ ] line 2: import [`eventlet`](" in text
    assert (
        "- [ ] line 9: call [`eventlet.greenthread.sleep`]"
        f"({inventory.DEFAULT_BASE_URL}reference/api/greenthread.html"
        "#ev-eventlet.greenthread.sleep)"
    ) in text
    # Markdown in a detail is escaped, so it cannot break the list.
    assert (
        "### `tox.ini`\n\n- [ ] line 7: dependency [`eventlet`]"
        f"({inventory.DEFAULT_BASE_URL}reference/api/index.html) (eventlet\\>=0.36)\n"
    ) in text
    assert text.count("- [ ] ") == len(EXPECTED)


def test_exit_codes(tmp_path: Path, fixture_tree: Path) -> None:
    assert run_tool(str(fixture_tree)).returncode == 1
    clean = write_tree(tmp_path / "clean", {"app.py": "print('hello')\n"})
    assert run_tool(str(clean)).returncode == 0
    missing = run_tool(str(tmp_path / "missing"))
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stderr
    assert run_tool("--no-such-option").returncode == 2
    assert run_tool("--json", "--markdown", str(clean)).returncode == 2


def test_default_path_is_the_current_directory(fixture_tree: Path) -> None:
    result = run_tool("--json", cwd=fixture_tree)
    assert [(f["path"], f["line"], f["kind"], f["name"]) for f in json.loads(result.stdout)] == (
        EXPECTED
    )


def test_several_roots_keep_their_names_in_paths(fixture_tree: Path) -> None:
    result = run_tool("--json", "app", "tests/", "Procfile", cwd=fixture_tree)
    found = [(f["path"], f["line"], f["kind"], f["name"]) for f in json.loads(result.stdout)]
    assert found == [
        f for f in EXPECTED if f[0].startswith(("app/", "tests/")) or f[0] == "Procfile"
    ]


def test_excludes(fixture_tree: Path) -> None:
    result = run_tool("--json", "--exclude", "app/*", "--exclude", "*.toml", str(fixture_tree))
    paths = {f["path"] for f in json.loads(result.stdout)}
    assert not any(p.startswith("app/") or p.endswith(".toml") for p in paths)
    everything = run_tool("--json", "--no-default-excludes", str(fixture_tree))
    paths = {f["path"] for f in json.loads(everything.stdout)}
    assert {".venv/lib/eventlet_user.py", "node_modules/pkg/x.py", "build/lib/app/service.py"} <= (
        paths
    )


def test_installed_lists_distributions_that_require_eventlet(tmp_path: Path) -> None:
    clean = write_tree(tmp_path / "clean", {"app.py": "print('hello')\n"})
    result = run_tool("--installed", "--json", str(clean))
    installed = {f["name"]: f for f in json.loads(result.stdout) if f["kind"] == "installed"}
    # celery 5.x declares eventlet under its extra "eventlet" (celery's METADATA).
    celery = installed["celery"]
    assert celery["path"] == "<installed>"
    assert celery["line"] == 0
    assert "only with its extra 'eventlet'" in celery["detail"]
    assert celery["url"].endswith("howto/frameworks/celery.html")
    if importlib.util.find_spec("oslo_service") is not None:
        assert "only with" not in installed["oslo.service"]["detail"]
        assert installed["oslo.service"]["url"].endswith("howto/frameworks/openstack.html")
    text = run_tool("--installed", str(clean)).stdout
    assert re.search(r"^eventlet \S+ is installed$", text, re.MULTILINE)


# -- A real package -----------------------------------------------------------------------


def test_oslo_service(tmp_path: Path) -> None:
    """oslo.service 4.8.0 keeps an Eventlet backend; the tool must see its uses."""
    spec = importlib.util.find_spec("oslo_service")
    if spec is None or spec.origin is None:
        pytest.skip("oslo.service is not installed (the test environment has it on Python 3.11+)")
    package = Path(spec.origin).parent
    result = run_tool("--json", str(package))
    assert result.returncode == 1, result.stderr
    found = {(f["path"], f["line"], f["kind"], f["name"]) for f in json.loads(result.stdout)}
    source = (package / "backend" / "_eventlet" / "service.py").read_text(encoding="utf-8")
    lines = source.splitlines()

    def line_of(text: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if text in line)

    service = "backend/_eventlet/service.py"
    expected = {
        (service, line_of("import eventlet"), "import", "eventlet"),
        (service, line_of("from eventlet import tpool"), "import", "eventlet.tpool"),
        (service, line_of("eventlet.spawn(self._handle_signal_cb"), "call",
         "eventlet.greenthread.spawn"),
        (service, line_of("select_module = eventlet.patcher.original('select')"), "call",
         "eventlet.patcher.original"),
        (service, line_of("eventlet.hubs.use_hub()"), "call", "eventlet.hubs.use_hub"),
        (service, line_of("eventlet.spawn_n(self._pipe_watcher)"), "call",
         "eventlet.greenthread.spawn_n"),
        (service, line_of("except eventlet.greenlet.GreenletExit"), "attribute-read",
         "eventlet.greenlet.GreenletExit"),
    }  # fmt: skip
    assert expected <= found
    # The comments that mention eventlet.spawn() are not uses.
    comment = line_of("# eventlet.spawn() is not signal-safe")
    assert not any(f[0] == service and f[1] == comment for f in found)
    wsgi = (package / "wsgi.py").read_text(encoding="utf-8").splitlines()
    header = next(n for n, line in enumerate(wsgi, 1) if "eventlet.wsgi.MAX_HEADER_LINE =" in line)
    assert ("wsgi.py", header, "attribute-write", "eventlet.wsgi.MAX_HEADER_LINE") in found
    assert any(f[0] == "tests/test_eventlet_backdoor.py" and f[2] == "patch-target" for f in found)


# -- The tool's tables against the guide and the installed Eventlet -------------------------


def test_api_map_table_matches_the_data_file() -> None:
    """API_MAP is a copy of docs/_data/api_map.toml, by the page that renders each entry."""
    sys.path.insert(0, str(REPO / "ext"))
    try:
        import eventlet_api_data
    finally:
        sys.path.remove(str(REPO / "ext"))
    api_map = eventlet_api_data.load(DOCS / "_data" / "api_map.toml")
    pages = {}
    for rst in (DOCS / "reference" / "api").glob("*.rst"):
        for match in re.finditer(r"^\.\. ev:map:: (\S+)$", rst.read_text(encoding="utf-8"), re.M):
            pages[match.group(1)] = rst.stem
    expected: dict[str, set[str]] = {}
    for entry in api_map.entries.values():
        (module,) = [m for m in pages if entry.in_module(m)]
        expected.setdefault(pages[module], set()).add(entry.name)
    assert {page: set(names) for page, names in inventory.API_MAP.items()} == expected
    assert set(inventory.WSGI_ENVIRON_KEYS) <= set(api_map.entries)


def test_shortcuts_match_installed_eventlet() -> None:
    sys.path.insert(0, str(REPO / "ext"))
    try:
        from eventlet_api_introspect import inspect_installed
    finally:
        sys.path.remove(str(REPO / "ext"))
    assert inspect_installed({"eventlet.spawn"}).shortcuts == inventory.SHORTCUTS


def test_tool_is_python_3_9_syntax() -> None:
    source = TOOL.read_text(encoding="utf-8")
    ast.parse(source, feature_version=(3, 9))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


@pytest.mark.skipif(shutil.which("python3.9") is None, reason="no python3.9 on PATH")
def test_tool_runs_on_python_3_9(fixture_tree: Path) -> None:
    result = subprocess.run(
        ["python3.9", str(TOOL), "--json", str(fixture_tree)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode not in (0, 1) and "python3.9" in result.stderr:
        pytest.skip(f"python3.9 on PATH does not run: {result.stderr.strip().splitlines()[0]}")
    assert [(f["path"], f["line"], f["kind"], f["name"]) for f in json.loads(result.stdout)] == (
        EXPECTED
    )


def test_speed_on_a_generated_tree(tmp_path: Path) -> None:
    """2,000 files (a tenth of them using Eventlet) in well under a minute, even on a busy CI."""
    root = tmp_path / "generated"
    plain = "import os\n\n\ndef f{n}(x):\n    return os.path.join(x, '{n}')\n" * 20
    uses = "import eventlet\n\n\ndef g{n}():\n    eventlet.sleep(0)\n"
    for n in range(2000):
        path = root / f"pkg{n // 100}" / f"mod{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(((uses if n % 10 == 0 else "") + plain).format(n=n), encoding="utf-8")
    result = run_tool("--json", str(root))
    findings = json.loads(result.stdout)
    assert len(findings) == 400  # 200 files, one import and one call each
    report = inventory.scan([str(root)])
    assert report.files_scanned == 2000
    assert report.seconds < 60


# -- Every URL the tool can emit exists in the built guide -------------------------------


# guide_html (tests/guide_build.py) is the shared strict build of the guide.


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


@functools.cache
def _ids(page: Path) -> set[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


def _every_url() -> set[str]:
    """Every page and anchor the tool can link to, but the framework pages (tested below)."""
    pages = {inventory.api_page(name) for name in inventory.ENTRY_PAGES}
    for kind in inventory.KINDS:
        for name in ("eventlet", "eventlet.no_such_module.x", "EVENTLET_TESTS",
                     "celery[eventlet]", "gunicorn[eventlet]", "oslo.service", "flask-socketio",
                     "requests"):  # fmt: skip
            if kind not in ("gunicorn", "celery", "socketio"):
                pages.add(inventory.page_for(kind, name))
    return pages - set(inventory.FRAMEWORK_PAGES.values())


@pytest.mark.slow
def test_every_url_points_into_the_built_guide(guide_html: Path) -> None:
    checked = 0
    for url in sorted(_every_url()):
        page, _, anchor = url.partition("#")
        path = guide_html / page
        assert path.is_file(), f"{url}: {page} is not in the built guide"
        if anchor:
            assert anchor in _ids(path), f"{url}: no id {anchor!r} in {page}"
        checked += 1
    assert checked > 200  # every entry of the API map has its own anchor
    assert {inventory.page_for(k, "x") for k in ("gunicorn", "celery", "socketio")} | {
        inventory.page_for("installed", "oslo.service")
    } == set(inventory.FRAMEWORK_PAGES.values())


@pytest.mark.slow
@pytest.mark.parametrize("framework", sorted(inventory.FRAMEWORK_PAGES))
def test_framework_urls_point_into_the_built_guide(guide_html: Path, framework: str) -> None:
    page = inventory.FRAMEWORK_PAGES[framework]
    if (
        not (DOCS / page).with_suffix(".rst").exists()
        and not (DOCS / page).with_suffix(".md").exists()
    ):
        pytest.skip(f"{page}: the {framework} page is not written yet")
    assert (guide_html / page).is_file()


@pytest.mark.slow
def test_the_page_offers_the_tool_for_download(guide_html: Path) -> None:
    (download,) = guide_html.glob("_downloads/*/eventlet_inventory.py")
    assert download.read_bytes() == TOOL.read_bytes()
    page = (guide_html / "howto" / "prepare" / "inventory.html").read_text(encoding="utf-8")
    assert f'href="../../{download.relative_to(guide_html).as_posix()}"' in page
