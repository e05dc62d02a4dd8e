#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List every use of Eventlet in a source tree.

``eventlet_inventory.py`` is a single file that needs only the standard
library of Python 3.9 or later; Eventlet itself need not be installed. It
reads Python files with :mod:`ast` (it never imports or runs them) and reads
configuration files line by line. It reports:

* Eventlet imports in every form, then every use of the imported names:
  calls, attribute reads and writes, subclasses, decorators, and the dotted
  names that tests patch (``mock.patch("eventlet.sleep")``);
* the modules a ``monkey_patch(...)`` call patches;
* configuration that selects Eventlet: Gunicorn's ``eventlet`` worker class,
  Celery's ``eventlet`` pool, Socket.IO's ``async_mode="eventlet"``, and the
  ``EVENTLET_*`` environment variables;
* Eventlet in the dependency lists (requirements files, pyproject.toml,
  setup.cfg, setup.py, Pipfile, tox.ini);
* with ``--installed``: the installed distributions that depend on Eventlet.

Names are reported under Eventlet's canonical dotted names
(``eventlet.spawn`` is ``eventlet.greenthread.spawn``), each with the
address of its entry in the Eventlet Migration Guide's API map.

Usage::

    python3 eventlet_inventory.py [PATH ...] [--json | --markdown] [--installed]

Exit status: 0 if nothing was found, 1 if something was (a finding, or a file
that mentions Eventlet but could not be parsed), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__version__ = "1.0"

#: Where the guide is published. Change it with --base-url.
DEFAULT_BASE_URL = "https://eventlet-migration-guide.readthedocs.io/en/latest/"

# -- What Eventlet 0.41.3 has (a literal copy: Eventlet need not be installed) --

#: The top-level shortcuts that eventlet/__init__.py (0.41.3) assigns, and the
#: name each one is defined under.
SHORTCUTS = {
    "eventlet.connect": "eventlet.convenience.connect",
    "eventlet.listen": "eventlet.convenience.listen",
    "eventlet.serve": "eventlet.convenience.serve",
    "eventlet.StopServe": "eventlet.convenience.StopServe",
    "eventlet.wrap_ssl": "eventlet.convenience.wrap_ssl",
    "eventlet.Event": "eventlet.event.Event",
    "eventlet.GreenPool": "eventlet.greenpool.GreenPool",
    "eventlet.GreenPile": "eventlet.greenpool.GreenPile",
    "eventlet.sleep": "eventlet.greenthread.sleep",
    "eventlet.spawn": "eventlet.greenthread.spawn",
    "eventlet.spawn_n": "eventlet.greenthread.spawn_n",
    "eventlet.spawn_after": "eventlet.greenthread.spawn_after",
    "eventlet.kill": "eventlet.greenthread.kill",
    "eventlet.import_patched": "eventlet.patcher.import_patched",
    "eventlet.monkey_patch": "eventlet.patcher.monkey_patch",
    "eventlet.Queue": "eventlet.queue.Queue",
    "eventlet.Semaphore": "eventlet.semaphore.Semaphore",
    "eventlet.CappedSemaphore": "eventlet.semaphore.CappedSemaphore",
    "eventlet.BoundedSemaphore": "eventlet.semaphore.BoundedSemaphore",
    "eventlet.Timeout": "eventlet.timeout.Timeout",
    "eventlet.with_timeout": "eventlet.timeout.with_timeout",
    "eventlet.wrap_is_timeout": "eventlet.timeout.wrap_is_timeout",
    "eventlet.is_timeout": "eventlet.timeout.is_timeout",
    # eventlet/__init__.py: getcurrent = greenlet.greenlet.getcurrent, the
    # object that eventlet.greenthread exports as getcurrent.
    "eventlet.getcurrent": "eventlet.greenthread.getcurrent",
}

#: The submodules that eventlet/__init__.py imports itself: ``from eventlet
#: import *`` binds them (the package has no __all__).
TOP_LEVEL_MODULES = (
    "convenience", "event", "greenpool", "greenthread", "patcher", "queue", "semaphore",
    "support", "timeout",
)  # fmt: skip

#: The keyword arguments eventlet.patcher.monkey_patch accepts, in 0.41.3.
#: Without arguments every one is patched except these two, which are patched
#: only when asked for by name.
MONKEY_PATCH_MODULES = (
    "os", "select", "socket", "thread", "time", "psycopg", "MySQLdb", "builtins", "subprocess",
)  # fmt: skip
MONKEY_PATCH_OFF_BY_DEFAULT = ("MySQLdb", "builtins")

#: The keys eventlet.wsgi puts in a request's WSGI environ (API map kind
#: ``environ``).
WSGI_ENVIRON_KEYS = (
    "eventlet.input", "eventlet.minimum_write_chunk_size", "eventlet.posthooks",
    "eventlet.set_idle",
)  # fmt: skip

#: The entries of the guide's API map (docs/_data/api_map.toml), by the page of
#: docs/reference/api/ that renders them. Each entry's anchor is "ev-" + its name.
API_MAP = {
    "asyncio": (
        "eventlet.asyncio",
        "eventlet.asyncio.spawn_for_awaitable",
    ),
    "backdoor": (
        "eventlet.backdoor",
        "eventlet.backdoor.FileProxy",
        "eventlet.backdoor.FileProxy.flush",
        "eventlet.backdoor.FileProxy.isatty",
        "eventlet.backdoor.FileProxy.readline",
        "eventlet.backdoor.FileProxy.write",
        "eventlet.backdoor.SocketConsole",
        "eventlet.backdoor.SocketConsole.finalize",
        "eventlet.backdoor.SocketConsole.run",
        "eventlet.backdoor.SocketConsole.switch",
        "eventlet.backdoor.SocketConsole.switch_out",
        "eventlet.backdoor.backdoor",
        "eventlet.backdoor.backdoor_server",
    ),
    "convenience": (
        "eventlet.convenience",
        "eventlet.convenience.ReusePortUnavailableWarning",
        "eventlet.convenience.ReuseRandomPortWarning",
        "eventlet.convenience.StopServe",
        "eventlet.convenience.connect",
        "eventlet.convenience.listen",
        "eventlet.convenience.serve",
        "eventlet.convenience.wrap_ssl",
    ),
    "corolocal": (
        "eventlet.corolocal",
        "eventlet.corolocal.get_ident",
        "eventlet.corolocal.local",
    ),
    "coros": (
        "eventlet.coros",
        "eventlet.coros.metaphore",
        "eventlet.coros.metaphore.dec",
        "eventlet.coros.metaphore.inc",
        "eventlet.coros.metaphore.wait",
    ),
    "dagpool": (
        "eventlet.dagpool",
        "eventlet.dagpool.Collision",
        "eventlet.dagpool.DAGPool",
        "eventlet.dagpool.DAGPool.get",
        "eventlet.dagpool.DAGPool.items",
        "eventlet.dagpool.DAGPool.keys",
        "eventlet.dagpool.DAGPool.kill",
        "eventlet.dagpool.DAGPool.post",
        "eventlet.dagpool.DAGPool.running",
        "eventlet.dagpool.DAGPool.running_keys",
        "eventlet.dagpool.DAGPool.spawn",
        "eventlet.dagpool.DAGPool.spawn_many",
        "eventlet.dagpool.DAGPool.wait",
        "eventlet.dagpool.DAGPool.wait_each",
        "eventlet.dagpool.DAGPool.wait_each_exception",
        "eventlet.dagpool.DAGPool.wait_each_success",
        "eventlet.dagpool.DAGPool.waitall",
        "eventlet.dagpool.DAGPool.waiting",
        "eventlet.dagpool.DAGPool.waiting_for",
        "eventlet.dagpool.PropagateError",
    ),
    "db_pool": (
        "eventlet.db_pool",
        "eventlet.db_pool.BaseConnectionPool",
        "eventlet.db_pool.BaseConnectionPool.clear",
        "eventlet.db_pool.BaseConnectionPool.get",
        "eventlet.db_pool.BaseConnectionPool.item",
        "eventlet.db_pool.BaseConnectionPool.put",
        "eventlet.db_pool.ConnectTimeout",
        "eventlet.db_pool.ConnectionPool",
        "eventlet.db_pool.DatabaseConnector",
        "eventlet.db_pool.DatabaseConnector.credentials_for",
        "eventlet.db_pool.DatabaseConnector.get",
        "eventlet.db_pool.GenericConnectionWrapper",
        "eventlet.db_pool.GenericConnectionWrapper.affected_rows",
        "eventlet.db_pool.GenericConnectionWrapper.autocommit",
        "eventlet.db_pool.GenericConnectionWrapper.begin",
        "eventlet.db_pool.GenericConnectionWrapper.change_user",
        "eventlet.db_pool.GenericConnectionWrapper.character_set_name",
        "eventlet.db_pool.GenericConnectionWrapper.close",
        "eventlet.db_pool.GenericConnectionWrapper.commit",
        "eventlet.db_pool.GenericConnectionWrapper.cursor",
        "eventlet.db_pool.GenericConnectionWrapper.dump_debug_info",
        "eventlet.db_pool.GenericConnectionWrapper.errno",
        "eventlet.db_pool.GenericConnectionWrapper.error",
        "eventlet.db_pool.GenericConnectionWrapper.errorhandler",
        "eventlet.db_pool.GenericConnectionWrapper.get_server_info",
        "eventlet.db_pool.GenericConnectionWrapper.insert_id",
        "eventlet.db_pool.GenericConnectionWrapper.literal",
        "eventlet.db_pool.GenericConnectionWrapper.ping",
        "eventlet.db_pool.GenericConnectionWrapper.query",
        "eventlet.db_pool.GenericConnectionWrapper.rollback",
        "eventlet.db_pool.GenericConnectionWrapper.select_db",
        "eventlet.db_pool.GenericConnectionWrapper.server_capabilities",
        "eventlet.db_pool.GenericConnectionWrapper.set_character_set",
        "eventlet.db_pool.GenericConnectionWrapper.set_isolation_level",
        "eventlet.db_pool.GenericConnectionWrapper.set_server_option",
        "eventlet.db_pool.GenericConnectionWrapper.set_sql_mode",
        "eventlet.db_pool.GenericConnectionWrapper.show_warnings",
        "eventlet.db_pool.GenericConnectionWrapper.shutdown",
        "eventlet.db_pool.GenericConnectionWrapper.sqlstate",
        "eventlet.db_pool.GenericConnectionWrapper.stat",
        "eventlet.db_pool.GenericConnectionWrapper.store_result",
        "eventlet.db_pool.GenericConnectionWrapper.string_literal",
        "eventlet.db_pool.GenericConnectionWrapper.thread_id",
        "eventlet.db_pool.GenericConnectionWrapper.use_result",
        "eventlet.db_pool.GenericConnectionWrapper.warning_count",
        "eventlet.db_pool.PooledConnectionWrapper",
        "eventlet.db_pool.PooledConnectionWrapper.close",
        "eventlet.db_pool.RawConnectionPool",
        "eventlet.db_pool.RawConnectionPool.connect",
        "eventlet.db_pool.RawConnectionPool.create",
        "eventlet.db_pool.TpooledConnectionPool",
        "eventlet.db_pool.TpooledConnectionPool.connect",
        "eventlet.db_pool.TpooledConnectionPool.create",
        "eventlet.db_pool.cleanup_rollback",
    ),
    "debug": (
        "eventlet.debug",
        "eventlet.debug.format_asyncio_info",
        "eventlet.debug.format_hub_listeners",
        "eventlet.debug.format_hub_timers",
        "eventlet.debug.format_threads_info",
        "eventlet.debug.hub_blocking_detection",
        "eventlet.debug.hub_exceptions",
        "eventlet.debug.hub_listener_stacks",
        "eventlet.debug.hub_prevent_multiple_readers",
        "eventlet.debug.hub_timer_stacks",
        "eventlet.debug.spew",
        "eventlet.debug.tpool_exceptions",
        "eventlet.debug.unspew",
    ),
    "event": (
        "eventlet.event",
        "eventlet.event.Event",
        "eventlet.event.Event.has_exception",
        "eventlet.event.Event.has_result",
        "eventlet.event.Event.poll",
        "eventlet.event.Event.poll_exception",
        "eventlet.event.Event.poll_result",
        "eventlet.event.Event.ready",
        "eventlet.event.Event.reset",
        "eventlet.event.Event.send",
        "eventlet.event.Event.send_exception",
        "eventlet.event.Event.wait",
    ),
    "green": (
        "eventlet.green",
        "eventlet.green.BaseHTTPServer",
        "eventlet.green.CGIHTTPServer",
        "eventlet.green.MySQLdb",
        "eventlet.green.OpenSSL",
        "eventlet.green.Queue",
        "eventlet.green.SimpleHTTPServer",
        "eventlet.green.SocketServer",
        "eventlet.green.asynchat",
        "eventlet.green.asyncore",
        "eventlet.green.builtin",
        "eventlet.green.ftplib",
        "eventlet.green.http",
        "eventlet.green.httplib",
        "eventlet.green.os",
        "eventlet.green.profile",
        "eventlet.green.select",
        "eventlet.green.selectors",
        "eventlet.green.socket",
        "eventlet.green.socket.getaddrinfo",
        "eventlet.green.ssl",
        "eventlet.green.ssl.wrap_socket",
        "eventlet.green.subprocess",
        "eventlet.green.subprocess.Popen",
        "eventlet.green.thread",
        "eventlet.green.threading",
        "eventlet.green.threading.Condition",
        "eventlet.green.threading.Event",
        "eventlet.green.threading.Lock",
        "eventlet.green.threading.RLock",
        "eventlet.green.time",
        "eventlet.green.urllib",
        "eventlet.green.urllib2",
        "eventlet.green.zmq",
    ),
    "greenio": (
        "eventlet.greenio",
        "eventlet.greenio.CONNECT_ERR",
        "eventlet.greenio.CONNECT_SUCCESS",
        "eventlet.greenio.GreenPipe",
        "eventlet.greenio.GreenSocket",
        "eventlet.greenio.SOCKET_BLOCKING",
        "eventlet.greenio.SOCKET_CLOSED",
        "eventlet.greenio.shutdown_safe",
    ),
    "greenpool": (
        "eventlet.greenpool",
        "eventlet.greenpool.DEBUG",
        "eventlet.greenpool.GreenPile",
        "eventlet.greenpool.GreenPile.next",
        "eventlet.greenpool.GreenPile.spawn",
        "eventlet.greenpool.GreenPool",
        "eventlet.greenpool.GreenPool.free",
        "eventlet.greenpool.GreenPool.imap",
        "eventlet.greenpool.GreenPool.resize",
        "eventlet.greenpool.GreenPool.running",
        "eventlet.greenpool.GreenPool.spawn",
        "eventlet.greenpool.GreenPool.spawn_n",
        "eventlet.greenpool.GreenPool.starmap",
        "eventlet.greenpool.GreenPool.waitall",
        "eventlet.greenpool.GreenPool.waiting",
    ),
    "greenthread": (
        "eventlet.call_after_global",
        "eventlet.greenthread",
        "eventlet.greenthread.GreenThread",
        "eventlet.greenthread.GreenThread.cancel",
        "eventlet.greenthread.GreenThread.kill",
        "eventlet.greenthread.GreenThread.link",
        "eventlet.greenthread.GreenThread.main",
        "eventlet.greenthread.GreenThread.unlink",
        "eventlet.greenthread.GreenThread.wait",
        "eventlet.greenthread.getcurrent",
        "eventlet.greenthread.kill",
        "eventlet.greenthread.sleep",
        "eventlet.greenthread.spawn",
        "eventlet.greenthread.spawn_after",
        "eventlet.greenthread.spawn_after_local",
        "eventlet.greenthread.spawn_n",
    ),
    "hubs": (
        "EVENTLET_DEPRECATED_EAI_NODATA",
        "EVENTLET_HUB",
        "EVENTLET_NO_GREENDNS",
        "eventlet.hubs",
        "eventlet.hubs.get_default_hub",
        "eventlet.hubs.get_hub",
        "eventlet.hubs.trampoline",
        "eventlet.hubs.use_hub",
    ),
    "lock": (
        "eventlet.lock",
        "eventlet.lock.Lock",
        "eventlet.lock.Lock.release",
    ),
    "patcher": (
        "eventlet.patcher",
        "eventlet.patcher.import_patched",
        "eventlet.patcher.inject",
        "eventlet.patcher.is_monkey_patched",
        "eventlet.patcher.monkey_patch",
        "eventlet.patcher.monkey_patch.MySQLdb",
        "eventlet.patcher.monkey_patch.all",
        "eventlet.patcher.monkey_patch.builtins",
        "eventlet.patcher.monkey_patch.os",
        "eventlet.patcher.monkey_patch.psycopg",
        "eventlet.patcher.monkey_patch.select",
        "eventlet.patcher.monkey_patch.socket",
        "eventlet.patcher.monkey_patch.subprocess",
        "eventlet.patcher.monkey_patch.thread",
        "eventlet.patcher.monkey_patch.time",
        "eventlet.patcher.original",
    ),
    "pools": (
        "eventlet.pools",
        "eventlet.pools.Pool",
        "eventlet.pools.Pool.create",
        "eventlet.pools.Pool.free",
        "eventlet.pools.Pool.get",
        "eventlet.pools.Pool.item",
        "eventlet.pools.Pool.put",
        "eventlet.pools.Pool.resize",
        "eventlet.pools.Pool.waiting",
        "eventlet.pools.TokenPool",
        "eventlet.pools.TokenPool.create",
    ),
    "queue": (
        "eventlet.queue",
        "eventlet.queue.Empty",
        "eventlet.queue.Full",
        "eventlet.queue.LifoQueue",
        "eventlet.queue.LightQueue",
        "eventlet.queue.LightQueue.empty",
        "eventlet.queue.LightQueue.full",
        "eventlet.queue.LightQueue.get",
        "eventlet.queue.LightQueue.get_nowait",
        "eventlet.queue.LightQueue.getting",
        "eventlet.queue.LightQueue.put",
        "eventlet.queue.LightQueue.put_nowait",
        "eventlet.queue.LightQueue.putting",
        "eventlet.queue.LightQueue.qsize",
        "eventlet.queue.LightQueue.resize",
        "eventlet.queue.PriorityQueue",
        "eventlet.queue.Queue",
        "eventlet.queue.Queue.join",
        "eventlet.queue.Queue.task_done",
    ),
    "semaphore": (
        "eventlet.semaphore",
        "eventlet.semaphore.BoundedSemaphore",
        "eventlet.semaphore.BoundedSemaphore.release",
        "eventlet.semaphore.CappedSemaphore",
        "eventlet.semaphore.CappedSemaphore.acquire",
        "eventlet.semaphore.CappedSemaphore.balance",
        "eventlet.semaphore.CappedSemaphore.bounded",
        "eventlet.semaphore.CappedSemaphore.locked",
        "eventlet.semaphore.CappedSemaphore.release",
        "eventlet.semaphore.Semaphore",
        "eventlet.semaphore.Semaphore.acquire",
        "eventlet.semaphore.Semaphore.balance",
        "eventlet.semaphore.Semaphore.bounded",
        "eventlet.semaphore.Semaphore.locked",
        "eventlet.semaphore.Semaphore.release",
    ),
    "timeout": (
        "eventlet.TimeoutError",
        "eventlet.exc_after",
        "eventlet.timeout",
        "eventlet.timeout.Timeout",
        "eventlet.timeout.Timeout.cancel",
        "eventlet.timeout.Timeout.is_timeout",
        "eventlet.timeout.Timeout.pending",
        "eventlet.timeout.Timeout.start",
        "eventlet.timeout.is_timeout",
        "eventlet.timeout.with_timeout",
        "eventlet.timeout.wrap_is_timeout",
    ),
    "tpool": (
        "EVENTLET_THREADPOOL_SIZE",
        "eventlet.tpool",
        "eventlet.tpool.Proxy",
        "eventlet.tpool.Proxy.next",
        "eventlet.tpool.execute",
        "eventlet.tpool.killall",
        "eventlet.tpool.set_num_threads",
    ),
    "websocket": (
        "eventlet.websocket",
        "eventlet.websocket.WebSocket",
        "eventlet.websocket.WebSocket.close",
        "eventlet.websocket.WebSocket.send",
        "eventlet.websocket.WebSocket.wait",
        "eventlet.websocket.WebSocketWSGI",
        "eventlet.websocket.WebSocketWSGI.configured",
    ),
    "wsgi": (
        "eventlet.input",
        "eventlet.minimum_write_chunk_size",
        "eventlet.posthooks",
        "eventlet.set_idle",
        "eventlet.wsgi",
        "eventlet.wsgi.DEFAULT_LOG_FORMAT",
        "eventlet.wsgi.DEFAULT_MAX_HTTP_VERSION",
        "eventlet.wsgi.DEFAULT_MAX_SIMULTANEOUS_REQUESTS",
        "eventlet.wsgi.HttpProtocol",
        "eventlet.wsgi.HttpProtocol.default_request_version",
        "eventlet.wsgi.MAX_HEADER_LINE",
        "eventlet.wsgi.MAX_REQUEST_LINE",
        "eventlet.wsgi.MAX_TOTAL_HEADER_SIZE",
        "eventlet.wsgi.MINIMUM_CHUNK_SIZE",
        "eventlet.wsgi.STATE_IDLE",
        "eventlet.wsgi.Server",
        "eventlet.wsgi.format_date_time",
        "eventlet.wsgi.is_accepting",
        "eventlet.wsgi.server",
    ),
}

#: Pages of the guide, relative to the base URL.
API_INDEX_PAGE = "reference/api/index.html"
API_PAGE = "reference/api/{}.html"
INVENTORY_PAGE = "howto/prepare/inventory.html"
FRAMEWORK_PAGES = {
    "gunicorn": "howto/frameworks/gunicorn.html",
    "celery": "howto/frameworks/celery.html",
    "socketio": "howto/frameworks/socketio.html",
    "openstack": "howto/frameworks/openstack.html",
}

#: Kinds of finding, in the order the reports list them.
KINDS = (
    "import",
    "call",
    "attribute-read",
    "attribute-write",
    "subclass",
    "decorator",
    "patch-target",
    "monkey-patch",
    "wsgi-environ",
    "gunicorn",
    "celery",
    "socketio",
    "environment",
    "dependency",
    "installed",
    "skipped",
)

#: Directories not searched unless --no-default-excludes is given.
EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "_darcs", ".tox", ".nox", ".venv", "venv",
        "node_modules", "build", "dist", "_build", "__pycache__", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cache", "site-packages",
    }
)  # fmt: skip

ENV_VAR_RE = re.compile(r"\bEVENTLET_[A-Z0-9_]+\b")
ENV_VAR_FULL_RE = re.compile(r"EVENTLET_[A-Z0-9_]+\Z")
DOTTED_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\Z")
REQUIREMENT_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
EXTRAS_RE = re.compile(r"""extras\s*=.*["']eventlet["']""")
COMMAND_TOKEN_RE = re.compile(r"[^\s\"',\[\]{}]+")
#: The frameworks whose own extra named "eventlet" pulls Eventlet in.
EXTRA_OWNERS = {"gunicorn": "gunicorn", "celery": "celery"}


def _entry_pages() -> dict[str, str]:
    return {name: page for page, names in API_MAP.items() for name in names}


ENTRY_PAGES = _entry_pages()


def canonical(name: str) -> str:
    """``eventlet.spawn.x`` -> ``eventlet.greenthread.spawn.x``; other names unchanged."""
    parts = name.split(".")
    head = ".".join(parts[:2])
    if head in SHORTCUTS:
        return ".".join([SHORTCUTS[head], *parts[2:]])
    return name


def api_page(name: str) -> str:
    """The guide page (and anchor) for an Eventlet name: its entry, or its nearest parent's."""
    parts = name.split(".")
    for index in range(len(parts), 0, -1):
        candidate = ".".join(parts[:index])
        page = ENTRY_PAGES.get(candidate)
        if page is not None:
            return f"{API_PAGE.format(page)}#ev-{candidate}"
    return API_INDEX_PAGE


def page_for(kind: str, name: str) -> str:
    """The page (relative to the base URL) that a finding links to."""
    if kind in ("gunicorn", "celery", "socketio"):
        return FRAMEWORK_PAGES[kind]
    if kind == "skipped":
        return f"{INVENTORY_PAGE}#limits"
    if kind in ("dependency", "installed"):
        project = _normalize(name.split("[")[0])
        if project.startswith("oslo-"):
            return FRAMEWORK_PAGES["openstack"]
        if project in ("gunicorn", "celery"):
            return FRAMEWORK_PAGES[project]
        if project in ("python-socketio", "python-engineio", "flask-socketio"):
            return FRAMEWORK_PAGES["socketio"]
        return API_INDEX_PAGE
    return api_page(name)


def _normalize(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()


@dataclass
class Finding:
    path: str
    line: int
    name: str
    kind: str
    detail: str = ""
    #: monkey-patch only: module -> True (patched), False (not) or None (decided at run time).
    patches: dict[str, bool | None] | None = None

    def as_json(self, base_url: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "name": self.name,
            "kind": self.kind,
            "url": base_url + page_for(self.kind, self.name),
            "detail": self.detail,
        }
        if self.patches is not None:
            data["patches"] = self.patches
        return data


# -- Python files ----------------------------------------------------------------


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_eventlet_module(name: str | None) -> bool:
    return name is not None and (name == "eventlet" or name.startswith("eventlet."))


def _selects_eventlet(value: str | None) -> bool:
    """A configuration value that picks Eventlet (a worker class, a pool, an async mode)."""
    if value is None:
        return False
    value = value.strip()
    return (
        value.lower() == "eventlet"
        or value.startswith("gunicorn.workers.geventlet")
        or value.startswith("celery.concurrency.eventlet")
    )


#: Configuration keys (Python assignments, dict keys, keyword arguments) -> kind.
CONFIG_KEYS = {
    "worker_class": "gunicorn",
    "worker_pool": "celery",
    "CELERYD_POOL": "celery",
    "CELERY_WORKER_POOL": "celery",
    "async_mode": "socketio",
}
CONFIG_NAMES = {
    "gunicorn": "gunicorn:worker_class=eventlet",
    "celery": "celery:pool=eventlet",
    "socketio": "socketio:async_mode=eventlet",
}


def _patch_string_target(text: str | None) -> str | None:
    """The Eventlet name in a patch target: ``"eventlet.sleep"``, ``"app.eventlet.spawn"``."""
    if text is None or not DOTTED_RE.match(text):
        return None
    parts = text.split(".")
    if "eventlet" not in parts:
        return None
    return canonical(".".join(parts[parts.index("eventlet") :]))


def monkey_patch_effect(call: ast.Call) -> tuple[dict[str, bool | None], list[str]]:
    """Which modules a ``monkey_patch(...)`` call patches, as Eventlet 0.41.3 decides.

    True: patched; False: not patched; None: decided at run time (a value
    that is not a literal, or ``**kwargs``). Also returns the problems found
    (keywords Eventlet rejects).
    """
    on: dict[str, bool | None] = {}
    problems = []
    unknown_extra = False
    for keyword in call.keywords:
        if keyword.arg is None:
            unknown_extra = True
            continue
        value = keyword.value
        # A literal decides now; anything else (a variable, a call) at run time.
        on[keyword.arg] = bool(value.value) if isinstance(value, ast.Constant) else None
    if call.args:
        problems.append("positional arguments: monkey_patch() takes keyword arguments only")
    if "__builtin__" in on:
        on["builtins"] = on.pop("__builtin__")
    everything = on.pop("all", "absent")
    for name in on:
        if name not in MONKEY_PATCH_MODULES:
            problems.append(f"unknown keyword {name!r}: monkey_patch() raises TypeError")
    default: bool | None
    if everything != "absent":
        default = everything  # type: ignore[assignment]
    elif True in on.values():
        default = False
    elif None in on.values() or unknown_extra:
        default = None
    else:
        default = True
    patches: dict[str, bool | None] = {}
    for module in MONKEY_PATCH_MODULES:
        if module in on:
            patches[module] = on[module]
        elif unknown_extra:
            patches[module] = None
        elif module in MONKEY_PATCH_OFF_BY_DEFAULT:
            patches[module] = False
        else:
            patches[module] = default
    return patches, problems


def _describe_patches(patches: dict[str, bool | None]) -> str:
    def names(value: bool | None) -> str:
        return ", ".join(m for m, v in patches.items() if v is value) or "none"

    text = f"patches: {names(True)}; not: {names(False)}"
    if None in patches.values():
        text += f"; decided at run time: {names(None)}"
    return text


class Scope:
    """The names one scope binds: to an Eventlet name (a str), or to something else (None)."""

    def __init__(
        self, kind: str, parent: Scope | None, analyzer: PythonAnalyzer, node: Any = None
    ) -> None:
        self.kind = kind  # module, class, function, comprehension
        self.parent = parent
        self.analyzer = analyzer
        self.node = node  # the function or lambda, for its local names
        self.env: dict[str, str | None] = {}
        self.module: Scope = parent.module if parent is not None else self
        self._names: tuple[set[str], set[str]] | None = None

    def _function_names(self) -> tuple[set[str], set[str]]:
        # Computed only when a name that Eventlet binds somewhere is looked up here.
        if self._names is None:
            self._names = _function_names(self.node) if self.node is not None else (set(), set())
        return self._names

    def lookup(self, name: str) -> str | None:
        if name not in self.analyzer.interesting:
            return None  # no Eventlet name is ever bound to it in this module
        scope: Scope | None = self
        while scope is not None:
            local_names, global_names = scope._function_names()
            if name in global_names:
                scope = scope.module
                continue
            if name in scope.env:
                return scope.env[name]
            if scope.kind == "function" and name in local_names:
                return None  # local, not bound (yet) on this path
            scope = scope.parent
        return None

    def bind(self, name: str, target: str | None) -> None:
        if target is not None:
            self.analyzer.interesting.add(name)
        elif name not in self.analyzer.interesting:
            return
        scope = self.module if name in self._function_names()[1] else self
        scope.env[name] = target


def _merge(first: dict[str, str | None], second: dict[str, str | None]) -> dict[str, str | None]:
    """After a branch: a name is Eventlet's if it may be on either path."""
    merged = dict(first)
    for name, target in second.items():
        if merged.get(name) is None:
            merged[name] = target
    return merged


def _function_names(node: ast.AST) -> tuple[set[str], set[str]]:
    """The local and the global-declared names of a function or lambda."""
    local: set[str] = set()
    declared_global: set[str] = set()
    args = node.args  # type: ignore[attr-defined]
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            local.add(arg.arg)
    body = node.body if isinstance(node.body, list) else [node.body]  # type: ignore[attr-defined]
    stack: list[ast.AST] = list(body)
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    while stack:
        child = stack.pop()
        if isinstance(child, nested):
            local.add(child.name)
            stack.extend(child.decorator_list)
            if not isinstance(child, ast.ClassDef):
                stack.extend(child.args.defaults)
                stack.extend(d for d in child.args.kw_defaults if d is not None)
            else:
                stack.extend(child.bases)
            continue
        if isinstance(child, ast.Lambda):
            stack.extend(child.args.defaults)
            continue
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            local.add(child.id)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            for alias in child.names:
                if alias.name != "*":
                    local.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            local.add(child.name)
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            declared_global.update(child.names)
            if isinstance(child, ast.Nonlocal):
                local.difference_update(child.names)
        elif type(child).__name__ in ("MatchAs", "MatchStar") and getattr(child, "name", None):
            local.add(child.name)  # type: ignore[attr-defined]
        elif type(child).__name__ == "MatchMapping" and getattr(child, "rest", None):
            local.add(child.rest)  # type: ignore[attr-defined]
        if isinstance(child, ast.comprehension):
            # The comprehension's own variables are not the function's.
            stack.append(child.iter)
            stack.extend(child.ifs)
            continue
        stack.extend(ast.iter_child_nodes(child))
    nonlocal_names = {
        name for child in ast.walk(node) if isinstance(child, ast.Nonlocal) for name in child.names
    }
    declared_global -= nonlocal_names
    return local - declared_global - nonlocal_names, declared_global


ROLE_KINDS = {
    "read": "attribute-read",
    "call": "call",
    "write": "attribute-write",
    "subclass": "subclass",
    "decorator": "decorator",
}
_BRANCHING = tuple(
    getattr(ast, name) for name in ("If", "For", "AsyncFor", "While", "Try", "TryStar", "Match")
    if hasattr(ast, name)
)  # fmt: skip


class PythonAnalyzer:
    """Walks one module's syntax tree in execution order, tracking what names are bound to."""

    def __init__(self, path: str, is_setup_py: bool = False, source: str | None = None) -> None:
        self.path = path
        self.is_setup_py = is_setup_py
        #: The source's lines, to skip functions that cannot hold a finding.
        self.lines = re.split(r"\r\n|\r|\n", source) if source is not None else None
        self._pattern: tuple[int, re.Pattern[str]] | None = None
        self.findings: list[Finding] = []
        #: Every name that some statement binds to an Eventlet name.
        self.interesting: set[str] = set()
        self.scope = Scope("module", None, self)
        self.deferred: list[tuple[ast.AST, Scope]] = []

    # -- entry point and reporting

    def run(self, tree: ast.Module) -> list[Finding]:
        self.exec_block(tree.body)
        # Function bodies run later, with the module's names as they end up.
        while self.deferred:
            node, scope = self.deferred.pop(0)
            if not self.may_use_eventlet(node):
                continue  # nor do the functions nested in it
            self.scope = scope
            if isinstance(node, ast.Lambda):
                self.visit(node.body)
            else:
                self.exec_block(node.body)  # type: ignore[attr-defined]
        if self.is_setup_py:
            self.setup_py_requirements(tree)
        self.findings.sort(key=lambda f: (f.line, KINDS.index(f.kind), f.name))
        return self.findings

    def may_use_eventlet(self, node: ast.AST) -> bool:
        """False if the function's text names nothing a finding could come from.

        Every finding in a function needs "eventlet" (any case) in its text, a
        name bound to something of Eventlet's, or a configuration key.
        """
        if self.lines is None:
            return True
        if self._pattern is None or self._pattern[0] != len(self.interesting):
            words = sorted({*self.interesting, *CONFIG_KEYS}, key=len, reverse=True)
            alternatives = "|".join(map(re.escape, words))
            self._pattern = (
                len(self.interesting),
                re.compile(rf"(?i:eventlet)|\b(?:{alternatives})\b"),
            )
        start = node.lineno  # type: ignore[attr-defined]
        end = getattr(node, "end_lineno", None) or len(self.lines)
        return self._pattern[1].search("\n".join(self.lines[start - 1 : end])) is not None

    def report(self, node: ast.AST, name: str, kind: str, detail: str = "", **extra: Any) -> None:
        if kind in ROLE_KINDS.values() or kind in ("import", "patch-target", "monkey-patch"):
            name = canonical(name)
        line = getattr(node, "lineno", 0)
        self.findings.append(Finding(self.path, line, name, kind, detail, **extra))

    def resolve(self, node: ast.AST) -> str | None:
        """The Eventlet name a ``Name``/``Attribute`` chain stands for, or None."""
        if isinstance(node, ast.Name):
            return self.scope.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is not None:
                return f"{base}.{node.attr}"
        return None

    # -- statements

    def exec_block(self, statements: Sequence[ast.stmt]) -> None:
        for statement in statements:
            self.exec_statement(statement)

    def _branch(self, blocks: Sequence[Sequence[ast.stmt]], may_skip: bool) -> None:
        """Run alternative blocks from the same state; merge what each leaves bound."""
        start = dict(self.scope.env)
        results = []
        for block in blocks:
            self.scope.env = dict(start)
            self.exec_block(block)
            results.append(self.scope.env)
        merged = dict(start) if may_skip else results[0] if results else dict(start)
        for env in results:
            merged = _merge(merged, env)
        self.scope.env = merged

    def exec_statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            self.do_import(node)
        elif isinstance(node, ast.ImportFrom):
            self.do_import_from(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.do_function(node)
        elif isinstance(node, ast.ClassDef):
            self.do_class(node)
        elif isinstance(node, ast.Assign):
            self.visit(node.value)
            alias = self.alias_of(node.value)
            for target in node.targets:
                self.assign(target, alias, node.value)
        elif isinstance(node, ast.AnnAssign):
            self.visit(node.annotation)
            if node.value is not None:
                self.visit(node.value)
                self.assign(node.target, self.alias_of(node.value), node.value)
            elif not isinstance(node.target, ast.Name):
                self.visit(node.target)
        elif isinstance(node, ast.AugAssign):
            self.visit(node.value)
            self.assign(node.target, None, None)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.assign(target, None, None, detail="del")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.visit(node.iter)
            self.assign(node.target, None, None)
            self._branch([node.body], may_skip=True)
            self._branch([node.orelse], may_skip=True)
        elif isinstance(node, ast.While):
            self.visit(node.test)
            self._branch([node.body], may_skip=True)
            self._branch([node.orelse], may_skip=True)
        elif isinstance(node, ast.If):
            self.visit(node.test)
            self._branch([node.body, node.orelse], may_skip=False)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.visit(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, None, None)
            self.exec_block(node.body)
        elif isinstance(node, _BRANCHING) and hasattr(node, "handlers"):  # Try, TryStar
            start = dict(self.scope.env)
            self.exec_block(node.body)  # type: ignore[attr-defined]
            after_body = self.scope.env
            self.exec_block(node.orelse)  # type: ignore[attr-defined]
            paths = [self.scope.env]
            for handler in node.handlers:  # type: ignore[attr-defined]
                self.scope.env = _merge(start, after_body)
                if handler.type is not None:
                    self.visit(handler.type)
                if handler.name:
                    self.scope.bind(handler.name, None)
                self.exec_block(handler.body)
                paths.append(self.scope.env)
            merged = paths[0]
            for env in paths[1:]:
                merged = _merge(merged, env)
            self.scope.env = merged
            self.exec_block(node.finalbody)  # type: ignore[attr-defined]
        elif type(node).__name__ == "Match":
            self.visit(node.subject)  # type: ignore[attr-defined]
            start = dict(self.scope.env)
            merged = dict(start)
            for case in node.cases:  # type: ignore[attr-defined]
                self.scope.env = dict(start)
                for child in ast.walk(case.pattern):
                    name = getattr(child, "name", None) or getattr(child, "rest", None)
                    if isinstance(name, str):
                        self.scope.bind(name, None)
                    if isinstance(child, ast.expr):
                        self.visit(child)
                if case.guard is not None:
                    self.visit(case.guard)
                self.exec_block(case.body)
                merged = _merge(merged, self.scope.env)
            self.scope.env = merged
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            pass
        else:  # Expr, Return, Raise, Assert, Pass, Break, Continue
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit(child)

    def do_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _is_eventlet_module(alias.name):
                self.report(node, alias.name, "import")
                if alias.asname:
                    self.scope.bind(alias.asname, alias.name)
                else:
                    self.scope.bind("eventlet", "eventlet")
            else:
                self.scope.bind(alias.asname or alias.name.split(".")[0], None)

    def do_import_from(self, node: ast.ImportFrom) -> None:
        module = node.module if node.level == 0 else None  # relative: never Eventlet
        for alias in node.names:
            if not _is_eventlet_module(module):
                if alias.name != "*":
                    self.scope.bind(alias.asname or alias.name, None)
                continue
            if alias.name == "*":
                detail = "star import: the names it binds are not all known"
                self.report(node, module, "import", detail)  # type: ignore[arg-type]
                if module == "eventlet":
                    for shortcut in SHORTCUTS:
                        self.scope.bind(shortcut.split(".")[1], shortcut)
                    for submodule in TOP_LEVEL_MODULES:
                        self.scope.bind(submodule, f"eventlet.{submodule}")
                continue
            full = canonical(f"{module}.{alias.name}")
            self.report(node, full, "import")
            self.scope.bind(alias.asname or alias.name, full)

    def _enclosing_function_scope(self) -> Scope:
        scope = self.scope
        while scope.kind in ("class", "comprehension") and scope.parent is not None:
            scope = scope.parent
        return scope

    def _defer(self, node: ast.AST) -> None:
        parent = self._enclosing_function_scope()
        self.deferred.append((node, Scope("function", parent, self, node)))

    def _visit_arguments(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def do_function(self, node: Any) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator, "decorator")
        self._visit_arguments(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self.scope.bind(node.name, None)
        self._defer(node)

    def do_class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator, "decorator")
        for base in node.bases:
            self.visit(base, "subclass")
        for keyword in node.keywords:
            self.visit(keyword.value)
        outer = self.scope
        self.scope = Scope("class", outer, self)
        try:
            self.exec_block(node.body)
        finally:
            self.scope = outer
        self.scope.bind(node.name, None)

    def alias_of(self, value: ast.AST) -> str | None:
        """What a name assigned ``value`` stands for: ``spawn = eventlet.spawn``."""
        if isinstance(value, (ast.Name, ast.Attribute)):
            target = self.resolve(value)
            return canonical(target) if target is not None else None
        if isinstance(value, ast.Call):
            module = self.dynamic_import(value)
            if module is not None:
                return module
        return None

    def assign(
        self,
        target: ast.AST,
        alias: str | None,
        value: ast.AST | None,
        detail: str = "",
    ) -> None:
        if isinstance(target, ast.Name):
            self.config_setting(target, target.id, value)
            self.scope.bind(target.id, alias)
        elif isinstance(target, ast.Attribute):
            resolved = self.resolve(target)
            if resolved is not None:
                self.report(target, resolved, "attribute-write", detail)
            else:
                self.visit(target.value)
                self.config_setting(target, target.attr, value)
        elif isinstance(target, ast.Subscript):
            key = _string(target.slice)
            if key is not None:
                self.config_setting(target, key, value)
            self.visit(target, role="write")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign(element, None, None, detail)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, None, None, detail)
        else:
            self.visit(target)

    def config_setting(self, node: ast.AST, key: str, value: ast.AST | None) -> None:
        kind = CONFIG_KEYS.get(key)
        text = _string(value)
        if kind is not None and _selects_eventlet(text):
            self.report(node, CONFIG_NAMES[kind], kind, f"{key} = {text!r}")

    # -- expressions

    def visit(self, node: ast.AST | None, role: str = "read") -> None:
        if node is None:
            return
        if isinstance(node, (ast.Name, ast.Attribute)):
            resolved = self.resolve(node)
            if resolved is not None:
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    return
                kind = ROLE_KINDS[role]
                if not isinstance(node.ctx, ast.Load):
                    kind = "attribute-write"
                self.report(node, resolved, kind)
            elif isinstance(node, ast.Attribute):
                self.visit(node.value)
            return
        if isinstance(node, ast.Call):
            self.visit_call(node, role)
        elif isinstance(node, ast.Lambda):
            self._visit_arguments(node.args)
            self._defer(node)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self.visit_comprehension(node)
        elif isinstance(node, ast.NamedExpr):
            self.visit(node.value)
            self._enclosing_function_scope().bind(node.target.id, self.alias_of(node.value))
        elif isinstance(node, ast.Subscript):
            self.check_environ_key(node.value, node.slice, node)
            self.visit(node.value)
            self.visit(node.slice)
        elif isinstance(node, ast.Compare):
            if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):  # codespell:ignore
                self.check_environ_key(node.comparators[0], node.left, node)
            self.visit(node.left)
            for comparator in node.comparators:
                self.visit(comparator)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):  # noqa: B905 (3.9 has no strict=)
                text = _string(key)
                if text is not None:
                    self.config_setting(key, text, value)  # type: ignore[arg-type]
                    if ENV_VAR_FULL_RE.match(text):
                        self.report(key, text, "environment", "set in a dict")  # type: ignore[arg-type]
                self.visit(key)
                self.visit(value)
        elif isinstance(node, (ast.List, ast.Tuple)):
            self.check_command_line(node)
            for element in node.elts:
                self.visit(element)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit(child)
                elif isinstance(child, ast.keyword):
                    self.visit(child.value)

    def visit_comprehension(self, node: Any) -> None:
        outer = self.scope
        self.scope = Scope("comprehension", outer, self)
        try:
            for generator in node.generators:
                self.visit(generator.iter)
                self.assign(generator.target, None, None)
                for condition in generator.ifs:
                    self.visit(condition)
            if isinstance(node, ast.DictComp):
                self.visit(node.key)
                self.visit(node.value)
            else:
                self.visit(node.elt)
        finally:
            self.scope = outer

    def visit_call(self, node: ast.Call, role: str) -> None:
        function = self.resolve(node.func)
        consumed: set[int] = set()  # arguments already accounted for
        if function is not None and canonical(function) == "eventlet.patcher.monkey_patch":
            patches, problems = monkey_patch_effect(node)
            detail = "; ".join([_describe_patches(patches), *problems])
            self.report(node, function, "monkey-patch", detail, patches=patches)
        elif function is not None and role == "decorator":
            self.report(node, function, "decorator")
        else:
            self.visit(node.func, "call")
        consumed |= self.check_patch(node)
        consumed |= self.check_attr_builtin(node)
        self.check_dynamic_import(node)
        self.check_environ_call(node)
        for keyword in node.keywords:
            if keyword.arg is not None:
                self.config_setting(keyword, keyword.arg, keyword.value)
        for index, argument in enumerate(node.args):
            if index not in consumed:
                self.visit(argument)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def check_patch(self, node: ast.Call) -> set[int]:
        """``mock.patch("eventlet.sleep")``, ``mock.patch.object(eventlet, "sleep")``, ..."""
        name = _dotted(node.func) or ""
        parts = name.split(".")
        last = parts[-1]
        args = node.args
        string_form = last in ("patch", "MockPatch", "setattr", "delattr", "multiple") and (
            (last != "setattr" and last != "delattr") or len(parts) > 1
        )
        if last == "multiple" and "patch" not in parts[:-1]:
            string_form = False
        if string_form and args:
            target = _patch_string_target(_string(args[0]))
            if target is not None:
                if last == "multiple":
                    for keyword in node.keywords:
                        if keyword.arg is not None:
                            self.report(node, f"{target}.{keyword.arg}", "patch-target")
                else:
                    self.report(node, target, "patch-target", f"{name}({args[0].value!r})")  # type: ignore[attr-defined]
                return {0}
        object_form = (
            (last == "object" and len(parts) > 1 and parts[-2] == "patch")
            or last == "MockPatchObject"
            or (last in ("setattr", "delattr") and len(parts) > 1)
        )
        if object_form and len(args) >= 2:
            owner = self.resolve(args[0])
            attribute = _string(args[1])
            if owner is not None and attribute is not None:
                detail = f"{name}(..., {attribute!r})"
                self.report(node, f"{owner}.{attribute}", "patch-target", detail)
                return {0, 1}
        if last == "multiple" and "patch" in parts[:-1] and args:
            owner = self.resolve(args[0])
            if owner is not None:
                for keyword in node.keywords:
                    if keyword.arg is not None:
                        self.report(node, f"{owner}.{keyword.arg}", "patch-target")
                return {0}
        return set()

    def check_attr_builtin(self, node: ast.Call) -> set[int]:
        """``getattr(eventlet, "spawn")``, ``setattr(eventlet.wsgi, "MAX_HEADER_LINE", n)``."""
        if not isinstance(node.func, ast.Name) or len(node.args) < 2:
            return set()
        if node.func.id not in ("getattr", "hasattr", "setattr", "delattr"):
            return set()
        if self.scope.lookup(node.func.id) is not None:
            return set()
        owner = self.resolve(node.args[0])
        attribute = _string(node.args[1])
        if owner is None or attribute is None:
            return set()
        kind = "attribute-write" if node.func.id in ("setattr", "delattr") else "attribute-read"
        self.report(node, f"{owner}.{attribute}", kind, f"{node.func.id}(..., {attribute!r})")
        return {0, 1}

    def dynamic_import(self, node: ast.Call) -> str | None:
        """The module that ``importlib.import_module("eventlet.x")`` and kin return."""
        name = _dotted(node.func) or ""
        last = name.split(".")[-1]
        if last not in ("import_module", "__import__", "importorskip") or not node.args:
            return None
        module = _string(node.args[0])
        if not _is_eventlet_module(module):
            return None
        fromlist = len(node.args) >= 4 or any(k.arg == "fromlist" for k in node.keywords)
        if last == "__import__" and not fromlist:
            return "eventlet"  # __import__("eventlet.wsgi") returns the package
        return module

    def check_dynamic_import(self, node: ast.Call) -> None:
        if self.dynamic_import(node) is not None:
            self.report(node, _string(node.args[0]), "import", "imported by name")  # type: ignore[arg-type]

    def check_environ_call(self, node: ast.Call) -> None:
        """``os.getenv("EVENTLET_HUB")``, ``os.environ.get(...)``, ``monkeypatch.setenv(...)``."""
        if not node.args:
            return
        key = _string(node.args[0])
        if key is None:
            return
        name = _dotted(node.func) or ""
        parts = name.split(".")
        if ENV_VAR_FULL_RE.match(key):
            getter = parts[-1] in ("getenv", "putenv", "unsetenv", "setenv", "delenv")
            method = len(parts) > 1 and parts[-2] == "environ"
            if getter or (method and parts[-1] in ("get", "pop", "setdefault")):
                self.report(node, key, "environment", f"{name}({key!r})")
        elif key in WSGI_ENVIRON_KEYS and parts[-1] in ("get", "pop", "setdefault"):
            self.report(node, key, "wsgi-environ", f"{name}({key!r})")

    def check_environ_key(self, container: ast.AST, key_node: ast.AST, node: ast.AST) -> None:
        """``os.environ["EVENTLET_HUB"]``, ``"EVENTLET_HUB" in os.environ``, ``environ[...]``."""
        key = _string(key_node)
        if key is None:
            return
        if ENV_VAR_FULL_RE.match(key) and (_dotted(container) or "").split(".")[-1] == "environ":
            self.report(node, key, "environment", f"environ[{key!r}]")
        elif key in WSGI_ENVIRON_KEYS:
            self.report(node, key, "wsgi-environ")

    def check_command_line(self, node: ast.AST) -> None:
        """``["gunicorn", "-k", "eventlet", ...]``, ``["worker", "--pool=eventlet"]``."""
        elements = node.elts  # type: ignore[attr-defined]
        words = [_string(element) for element in elements]
        if len(words) < 2 or any(word is None for word in words):
            return
        for kind, line, text in command_line_selections(
            [(getattr(e, "lineno", 0), w) for e, w in zip(elements, words)],  # noqa: B905
            python_list=True,
        ):
            self.findings.append(Finding(self.path, line, CONFIG_NAMES[kind], kind, text))

    def setup_py_requirements(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                for element in node.elts:
                    text = _string(element)
                    if text is None:
                        continue
                    found = requirement_name(text)
                    if found is not None:
                        self.findings.append(
                            Finding(self.path, element.lineno, found, "dependency", text.strip())
                        )


# -- Requirements and command lines --------------------------------------------------


def requirement_name(text: str) -> str | None:
    """``eventlet>=0.30`` -> ``eventlet``; ``gunicorn[eventlet]`` -> ``gunicorn[eventlet]``."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", text)
    if egg and _normalize(egg.group(1)) == "eventlet":
        return "eventlet"
    match = REQUIREMENT_RE.match(text)
    if match is None:
        return None
    rest = text[match.end() :].lstrip()
    if rest and rest[0] not in "<>=!~;@(,":
        return None  # prose, not a requirement
    project = _normalize(match.group(1))
    if project == "eventlet":
        return "eventlet"
    extras = {_normalize(extra) for extra in (match.group(2) or "").split(",")}
    if "eventlet" in extras:
        return f"{project}[eventlet]"
    return None


def command_line_selections(
    words: Sequence[tuple[int, str]], python_list: bool = False
) -> Iterator[tuple[str, int, str]]:
    """Gunicorn's ``-k eventlet`` and Celery's ``-P eventlet`` in one command line.

    ``words`` are (line, word) pairs. Yields (kind, line, matched text). A
    Gunicorn option counts only when the command line mentions Gunicorn
    (``pytest -k eventlet`` selects tests); a Celery option only when it
    mentions Celery (or, in a Python list, a ``worker`` subcommand).
    """
    text = " ".join(word for _, word in words).lower()
    gunicorn = "gunicorn" in text
    celery = "celery" in text or (python_list and "worker" in text.split())
    options = []
    if gunicorn:
        options.append(("gunicorn", ("-k", "--worker-class")))
    if celery:
        options.append(("celery", ("-P", "--pool")))
    if not options:
        return
    for index, (line, word) in enumerate(words):
        for kind, (short, long) in options:
            value = None
            if word in (short, long) and index + 1 < len(words):
                value, line = words[index + 1][1], words[index + 1][0]
            elif word.startswith(long + "="):
                value = word[len(long) + 1 :]
            elif word.startswith(short) and len(word) > len(short) and not word.startswith("--"):
                value = word[len(short) :]
            if _selects_eventlet(value):
                yield kind, line, f"{word} {value}" if word in (short, long) else word


YAML_FOLDED_RE = re.compile(r":\s*>[-+]?[1-9]?\s*(#.*)?\Z")


def _logical_lines(lines: Sequence[str], yaml: bool) -> Iterator[list[tuple[int, str]]]:
    """Group lines into commands: backslash continuations, YAML block lists and
    YAML folded scalars (``command: >``, whose lines YAML joins into one)."""
    group: list[tuple[int, str]] = []
    list_indent: int | None = None
    folded_indent: int | None = None  # indent of the key that opened a folded scalar
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            if group and not group[-1][1].endswith("\\"):
                yield group
                group, list_indent, folded_indent = [], None, None
            continue
        indent = len(raw) - len(raw.lstrip())
        is_item = yaml and stripped.startswith("- ")
        if group:
            continues = group[-1][1].endswith("\\")
            same_list = is_item and list_indent is not None and indent == list_indent
            starts_list = is_item and list_indent is None and group[-1][1].endswith(":")
            folded = folded_indent is not None and indent > folded_indent
            if not (continues or same_list or starts_list or folded):
                yield group
                group, list_indent, folded_indent = [], None, None
        if is_item and list_indent is None:
            list_indent = indent
        if yaml and folded_indent is None and YAML_FOLDED_RE.search(stripped):
            folded_indent = indent
        group.append((number, stripped))
    if group:
        yield group


def scan_text(path: str, text: str, name: str) -> list[Finding]:
    """Command lines and EVENTLET_* variables in a shell script, unit, Dockerfile, YAML, ini."""
    findings: list[Finding] = []
    lines = text.splitlines()
    yaml = name.endswith((".yml", ".yaml"))
    for group in _logical_lines(lines, yaml):
        words = []
        for number, segment in group:
            words.extend(
                (number, word) for word in COMMAND_TOKEN_RE.findall(segment.rstrip("\\"))
                if word != "-"
            )  # fmt: skip
        for kind, line, matched in command_line_selections(words):
            findings.append(Finding(path, line, CONFIG_NAMES[kind], kind, matched))
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if stripped.startswith(("#", ";")):
            continue
        for variable in dict.fromkeys(ENV_VAR_RE.findall(raw)):
            findings.append(Finding(path, number, variable, "environment"))
    return findings


def _strip_toml_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
    return line


def scan_toml(path: str, text: str, pipfile: bool) -> list[Finding]:
    """Eventlet in pyproject.toml's dependency lists, or in a Pipfile."""
    findings = []
    table = ""
    key: str | None = None
    depth = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_toml_comment(raw).strip()
        if not line:
            continue
        header = re.match(r"\[\[?\s*([^\]]+?)\s*\]\]?$", line)
        if header and depth == 0:
            table = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
            key = None
            continue
        assignment = re.match(r"""("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$""", line)
        value = line
        if assignment and depth == 0:
            key = assignment.group(1).strip("\"'")
            value = assignment.group(2)
        unquoted = re.sub(r""""[^"]*"|'[^']*'""", "", value)
        depth = max(0, depth + unquoted.count("[") - unquoted.count("]"))
        strings = re.findall(r""""([^"]*)"|'([^']*)'""", value)
        if _table_key_is_name(table, pipfile):
            if key is not None and assignment and _normalize(key) == "eventlet":
                findings.append(Finding(path, number, "eventlet", "dependency", line))
            elif key is not None and assignment and EXTRAS_RE.search(value):
                name = f"{_normalize(key)}[eventlet]"
                findings.append(Finding(path, number, name, "dependency", line))
            continue
        if not _table_key_lists_requirements(table, key):
            continue
        for first, second in strings:
            found = requirement_name(first or second)
            if found is not None:
                text = (first or second).strip()
                findings.append(Finding(path, number, found, "dependency", text))
    return findings


def _table_key_is_name(table: str, pipfile: bool) -> bool:
    """Tables whose keys are project names: Poetry's dependencies, Pipfile's packages."""
    if pipfile:
        return table in ("packages", "dev-packages")
    return table.startswith("tool.poetry") and table.endswith("dependencies")


def _table_key_lists_requirements(table: str, key: str | None) -> bool:
    if table == "project":
        return key == "dependencies"
    if table in ("project.optional-dependencies", "dependency-groups"):
        return True
    if table.startswith(("tool.hatch.envs", "tool.pdm", "tool.tox")):
        return key in ("dependencies", "extra-dependencies", "dev-dependencies", "deps")
    return False


def scan_ini(path: str, text: str, tox: bool) -> list[Finding]:
    """Eventlet in setup.cfg's install_requires / extras_require, or in tox.ini's deps."""
    findings = []
    section = ""
    key: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        header = re.match(r"\[([^\]]+)\]$", stripped)
        if header:
            section, key = header.group(1).strip(), None
            continue
        value = stripped
        if raw[:1] not in (" ", "\t"):
            assignment = re.match(r"([^=:]+?)\s*[=:]\s*(.*)$", stripped)
            if assignment is None:
                key = None
                continue
            key, value = assignment.group(1).strip(), assignment.group(2)
        if tox:
            relevant = section.startswith("testenv") and key == "deps"
        else:
            relevant = (
                section == "options"
                and key in ("install_requires", "tests_require", "setup_requires")
            ) or section == "options.extras_require"
        if relevant and value:
            found = requirement_name(value)
            if found is not None:
                findings.append(Finding(path, number, found, "dependency", value.strip()))
    return findings


def scan_requirements(path: str, text: str) -> list[Finding]:
    findings = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if line.startswith(("-e ", "--editable ")):
            line = line.split(None, 1)[1]
        elif line.startswith("-"):
            continue
        found = requirement_name(line)
        if found is not None:
            findings.append(Finding(path, number, found, "dependency", line))
    return findings


# -- Files and the tree ----------------------------------------------------------------


@dataclass
class Report:
    roots: list[str]
    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    seconds: float = 0.0
    installed: list[str] = field(default_factory=list)  # notes for --installed

    def by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.path, []).append(finding)
        return grouped


TEXT_SUFFIXES = (
    ".sh", ".bash", ".zsh", ".ksh", ".service", ".yml", ".yaml", ".ini", ".cfg", ".conf",
    ".toml", ".env", ".dockerfile", ".mk",
)  # fmt: skip
TEXT_NAMES = ("Procfile", "Dockerfile", "Containerfile", "Makefile", "makefile", "GNUmakefile",
              "Justfile", "justfile", ".env")  # fmt: skip


def file_roles(name: str, parent: str) -> tuple[str, ...]:
    """Which scanners a file needs, from its name alone ("" if none)."""
    roles: list[str] = []
    lower = name.lower()
    if lower.endswith((".py", ".pyw")):
        roles.append("python")
    if lower.endswith((".txt", ".in")) and (
        "requirements" in lower or "constraints" in lower or parent.lower() == "requirements"
    ):
        roles.append("requirements")
    if name == "pyproject.toml":
        roles.append("pyproject")
    elif name == "Pipfile":
        roles.append("pipfile")
    elif name == "setup.cfg":
        roles.append("setup.cfg")
    elif name == "tox.ini":
        roles.append("tox.ini")
    if (
        lower.endswith(TEXT_SUFFIXES)
        or name.startswith(TEXT_NAMES)
        or name == "celeryd"  # Celery's init-script settings, /etc/default/celeryd
        or lower.startswith(("docker-compose", "compose."))
    ):
        roles.append("text")
    return tuple(roles)


def _shebang_roles(data: bytes) -> tuple[str, ...]:
    first = data.split(b"\n", 1)[0]
    if not first.startswith(b"#!"):
        return ()
    if b"python" in first:
        return ("python",)
    if re.search(rb"\b(ba|z|k|da)?sh\b", first):
        return ("text",)
    return ()


def _mentions(data: bytes) -> list[int]:
    lines = data.lower().split(b"\n")
    return [number for number, line in enumerate(lines, 1) if b"eventlet" in line]


def scan_file(path: Path, relative: str, roles: Sequence[str]) -> list[Finding]:
    """All findings in one file; a file that cannot be read or parsed gives one "skipped"."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return [Finding(relative, 0, "", "skipped", f"cannot read: {error.strerror or error}")]
    if not roles:
        roles = _shebang_roles(data[:200])
    if b"eventlet" not in data.lower():
        return []  # no spelling of Eventlet at all: nothing to find
    findings: list[Finding] = []
    if "python" in roles:
        try:
            tree = ast.parse(data, filename=relative)
        except (SyntaxError, ValueError, UnicodeError, RecursionError, MemoryError) as error:
            reason = type(error).__name__
            if isinstance(error, SyntaxError) and error.lineno:
                reason += f" on line {error.lineno}: {error.msg}"
            elif str(error):
                reason += f": {error}"
            lines = _mentions(data)
            shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
            detail = f"not parsed ({reason}); mentions Eventlet on lines {shown}"
            return [Finding(relative, 0, "", "skipped", detail)]
        source = data.decode("utf-8", errors="replace")
        analyzer = PythonAnalyzer(relative, path.name == "setup.py", source)
        try:
            findings.extend(analyzer.run(tree))
        except RecursionError:
            return [Finding(relative, 0, "", "skipped", "too deeply nested to analyse")]
    if b"\0" in data[:8192] and "python" not in roles:
        return findings  # binary
    text = data.decode("utf-8", errors="replace")
    if "requirements" in roles:
        findings.extend(scan_requirements(relative, text))
    if "pyproject" in roles or "pipfile" in roles:
        findings.extend(scan_toml(relative, text, pipfile="pipfile" in roles))
    if "setup.cfg" in roles or "tox.ini" in roles:
        findings.extend(scan_ini(relative, text, tox="tox.ini" in roles))
    if "text" in roles or "tox.ini" in roles or "setup.cfg" in roles:
        findings.extend(scan_text(relative, text, path.name))
    return findings


def _is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def iter_files(
    root: Path, default_excludes: bool = True, excludes: Sequence[str] = ()
) -> Iterator[tuple[Path, str, tuple[str, ...]]]:
    """(path, path relative to root in POSIX form, roles) for every file worth reading."""
    if root.is_file():
        roles = file_roles(root.name, root.parent.name)
        yield root, root.name, roles  # no roles: scan_file looks for a #! line
        return
    for directory, subdirectories, files in os.walk(root):
        relative_dir = os.path.relpath(directory, root)
        relative_dir = "" if relative_dir == "." else relative_dir.replace(os.sep, "/") + "/"
        kept = []
        for sub in sorted(subdirectories):
            full = os.path.join(directory, sub)
            if default_excludes and (
                sub in EXCLUDED_DIRS or sub.endswith(".egg-info") or _is_virtualenv(full)
            ):
                continue
            if any(fnmatch.fnmatch(relative_dir + sub, pattern) for pattern in excludes):
                continue
            kept.append(sub)
        subdirectories[:] = kept
        parent = os.path.basename(directory)
        for name in sorted(files):
            relative = relative_dir + name
            if any(fnmatch.fnmatch(relative, pattern) for pattern in excludes):
                continue
            roles = file_roles(name, parent)
            if not roles and "." in name:
                continue  # not a file any scanner reads; extensionless files may be scripts
            path = Path(directory, name)
            if not path.is_file():
                continue  # a FIFO, socket or device: reading it could block for ever
            yield path, relative, roles


def scan(
    paths: Sequence[str], default_excludes: bool = True, excludes: Sequence[str] = ()
) -> Report:
    start = time.perf_counter()
    report = Report(roots=[str(Path(p)) for p in paths])
    with warnings.catch_warnings():
        # Invalid escape sequences and the like in scanned code are not ours to report.
        warnings.simplefilter("ignore")
        for root in paths:
            # With several roots, each path starts with its root as given.
            prefix = Path(root).as_posix().rstrip("/") + "/" if len(paths) > 1 else ""
            for path, relative, roles in iter_files(Path(root), default_excludes, excludes):
                if prefix:
                    relative = prefix + relative if Path(root).is_dir() else Path(root).as_posix()
                report.files_scanned += 1
                report.findings.extend(scan_file(path, relative, roles))
    report.seconds = time.perf_counter() - start
    return report


# -- Installed distributions ----------------------------------------------------------


def installed_dependents() -> tuple[list[Finding], list[str]]:
    """Installed distributions that require Eventlet (in this interpreter's environment)."""
    from importlib import metadata

    findings = []
    notes = []
    seen = set()
    for distribution in metadata.distributions():
        project = distribution.metadata["Name"] or ""
        normalized = _normalize(project)
        if not project or normalized in seen:
            continue
        seen.add(normalized)
        if normalized == "eventlet":
            notes.append(f"eventlet {distribution.version} is installed")
        for requirement in distribution.requires or ():
            if requirement_name(requirement) != "eventlet":
                continue
            optional = re.search(r"""extra\s*==\s*["']([^"']+)["']""", requirement)
            detail = f"{project} {distribution.version} requires {requirement}"
            if optional:
                detail += f" (only with its extra {optional.group(1)!r})"
            findings.append(Finding("<installed>", 0, project, "installed", detail))
    findings.sort(key=lambda f: _normalize(f.name))
    if not notes:
        notes.append("eventlet is not installed")
    return findings, notes


# -- Output ----------------------------------------------------------------------------


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line, KINDS.index(f.kind), f.name))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def format_text(report: Report, base_url: str) -> str:
    findings = [f for f in report.findings if f.kind != "skipped"]
    skipped = [f for f in report.findings if f.kind == "skipped"]
    files = {f.path for f in findings}
    out = [
        f"Eventlet inventory of {', '.join(report.roots)}: {_count(len(findings), 'finding')} "
        f"in {_count(len(files), 'file')} ({_count(report.files_scanned, 'file')} read "
        f"in {report.seconds:.1f} s)."
    ]
    out.extend(report.installed)
    for path, items in sorted(Report(report.roots, _sorted(findings)).by_file().items()):
        out.append("")
        out.append(path)
        for finding in items:
            line = f"  {finding.line:>5}  {finding.kind:<15}  {finding.name}"
            if finding.detail:
                line += f"  ({finding.detail})"
            out.append(line)
    if skipped:
        out.append("")
        out.append(
            f"Skipped {_count(len(skipped), 'file')} that "
            f"{'mentions' if len(skipped) == 1 else 'mention'} Eventlet (check by hand):"
        )
        for finding in _sorted(skipped):
            out.append(f"  {finding.path}: {finding.detail}")
    if findings:
        out.append("")
        out.append("Summary:")
        for kind in KINDS:
            count = sum(1 for f in findings if f.kind == kind)
            if count:
                out.append(f"  {kind:<15}  {count}")
        out.append("")
        out.append("Where the guide covers each name:")
        for name, url in sorted({(f.name, _url(f, base_url)) for f in findings}):
            out.append(f"  {name}: {url}")
    return "\n".join(out) + "\n"


def _url(finding: Finding, base_url: str) -> str:
    return base_url + page_for(finding.kind, finding.name)


def format_markdown(report: Report, base_url: str) -> str:
    findings = [f for f in report.findings if f.kind != "skipped"]
    skipped = [f for f in report.findings if f.kind == "skipped"]
    files = {f.path for f in findings}
    out = [
        "## Eventlet inventory",
        "",
        f"{_count(len(findings), 'use')} of Eventlet in {_count(len(files), 'file')} "
        f"(`eventlet_inventory.py` {__version__}).",
    ]
    for note in report.installed:
        out += ["", note]
    for path, items in sorted(Report(report.roots, _sorted(findings)).by_file().items()):
        out += ["", f"### `{path}`", ""]
        for finding in items:
            where = f"line {finding.line}" if finding.line else "installed"
            item = f"- [ ] {where}: {finding.kind} [`{finding.name}`]({_url(finding, base_url)})"
            if finding.detail:
                item += f" ({_markdown_escape(finding.detail)})"
            out.append(item)
    if skipped:
        out += ["", "### Files to check by hand", ""]
        for finding in _sorted(skipped):
            out.append(f"- [ ] `{finding.path}`: {_markdown_escape(finding.detail)}")
    return "\n".join(out) + "\n"


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def format_json(report: Report, base_url: str) -> str:
    return json.dumps([f.as_json(base_url) for f in _sorted(report.findings)], indent=2) + "\n"


# -- Command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eventlet_inventory.py",
        description="List every use of Eventlet in a source tree.",
        epilog="Exit status: 0 nothing found, 1 something found, 2 usage error.",
    )
    parser.add_argument("paths", nargs="*", default=["."], help="directories or files (default: .)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON list of findings")
    output.add_argument("--markdown", action="store_true", help="print a Markdown checklist")
    parser.add_argument(
        "--installed",
        action="store_true",
        help="also list the installed distributions that depend on Eventlet",
    )
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="the guide's address")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories whose relative path matches (repeatable)",
    )
    parser.add_argument(
        "--no-default-excludes",
        action="store_true",
        help="also search .git, virtualenvs, node_modules, build, dist, ...",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    missing = [path for path in args.paths if not os.path.exists(path)]
    if missing:
        parser.print_usage(sys.stderr)
        message = f"no such file or directory: {', '.join(missing)}"
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return 2
    base_url = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
    report = scan(args.paths, not args.no_default_excludes, args.exclude)
    if args.installed:
        found, notes = installed_dependents()
        report.findings.extend(found)
        report.installed = notes
    if args.json:
        sys.stdout.write(format_json(report, base_url))
    elif args.markdown:
        sys.stdout.write(format_markdown(report, base_url))
    else:
        sys.stdout.write(format_text(report, base_url))
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
