# SPDX-License-Identifier: MIT
"""Load and check ``docs/_data/api_usage.toml``: the Eventlet names real projects use.

``__all__`` is not the whole of what applications use: they subclass
``eventlet.wsgi.HttpProtocol``, set ``eventlet.wsgi.is_accepting``, open an
``eventlet.greenio.GreenPipe``. The usage file records such names, each with
where it was seen, in public projects surveyed at a fixed commit::

    [projects."openstack/swift"]
    commit = "99c629edb813c7d9fcd736f5d34b3a47d224a457"

    [names."eventlet.wsgi.HttpProtocol"]
    seen = ["openstack/swift:swift/common/wsgi.py", "openstack/nova:nova/wsgi.py"]

A name that deserves no entry of its own says why, with ``unmapped =
"..."`` (the standard library's own object re-exported by a green module, or
an internal used by one project).

The check (``check``) holds the map to the survey: every name must exist in
the installed Eventlet, and every name without ``unmapped`` must have an
entry in the API map, directly or through the name it stands for
(``eventlet.green.time.sleep`` is ``eventlet.greenthread.sleep``; see
``eventlet_api_introspect``); a name with ``unmapped`` must have none.
``eventlet_api_coverage`` runs it.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import eventlet_api_data as api_data
from eventlet_api_introspect import inspect_installed

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOP_LEVEL_KEYS = ("projects", "names")
PROJECT_FIELDS = ("commit",)
NAME_FIELDS = ("seen", "unmapped")
_COMMIT_RE = re.compile(r"[0-9a-f]{40}\Z")
_REPO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
#: A table header such as ``[names."eventlet.wsgi.HttpProtocol"]``.
_HEADER_RE = re.compile(r"""^\s*\[\s*(\w+)\s*(?:\.\s*(?:"([^"]*)"|'([^']*)'|([\w-]+)))?\s*\]""")

#: Reports one problem at a 1-based line of the usage file.
Report = Callable[[int, str], None]


@dataclass(frozen=True)
class UsedName:
    name: str
    #: ``(repository, path)`` pairs, in file order.
    seen: tuple[tuple[str, str], ...]
    #: Why the name has no entry, or None when it must have one.
    unmapped: str | None = None

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(repo for repo, _ in self.seen))


@dataclass(frozen=True)
class Usage:
    path: Path
    #: repository -> the commit it was surveyed at.
    projects: dict[str, str]
    names: dict[str, UsedName]
    problems: tuple[str, ...]


def load(path: Path) -> Usage:
    """Read ``path``; malformed content is reported in ``Usage.problems``.

    Each problem reads ``path:line: message``; the line is that of the table
    the problem is in (TOML parsers keep no positions, so the headers are
    found again in the text).
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = api_data.toml_error_line(error)
        return Usage(path, {}, {}, (f"{path}:{line}: invalid TOML: {error}",))
    headers = _header_lines(text)
    problems: list[str] = []

    def problem(line: int, message: str) -> None:
        problems.append(f"{path}:{line}: {message}")

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problem(
                headers.get((key, None), 1),
                f"unknown top-level key {key!r}; expected {list(TOP_LEVEL_KEYS)}",
            )
    projects: dict[str, str] = {}
    for repo, raw in _table(data.get("projects", {}), "projects", headers, problem).items():
        line = headers.get(("projects", repo), 1)
        commit = raw.get("commit") if isinstance(raw, dict) else None
        if not _REPO_RE.match(repo):
            problem(line, f"project {repo!r}: not an owner/name repository")
        elif not isinstance(commit, str) or not _COMMIT_RE.match(commit):
            problem(line, f"project {repo!r}: 'commit' must be 40 lower-case hex digits")
        else:
            projects[repo] = commit
            for key in raw:
                if key not in PROJECT_FIELDS:
                    problem(line, f"project {repo!r}: unknown field {key!r}")
    names: dict[str, UsedName] = {}
    for name, raw in _table(data.get("names", {}), "names", headers, problem).items():
        at_header = functools.partial(problem, headers.get(("names", name), 1))
        used = _used_name(name, raw, projects, at_header)
        if used is not None:
            names[name] = used
    return Usage(path, projects, names, tuple(problems))


def _header_lines(text: str) -> dict[tuple[str, str | None], int]:
    """The 1-based line of each table header: ``("names", "eventlet.x")`` or ``("key", None)``."""
    lines: dict[tuple[str, str | None], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER_RE.match(line)
        if match:
            table, *keys = match.groups()
            key = next((part for part in keys if part is not None), None)
            lines.setdefault((table, key), number)
            lines.setdefault((table, None), number)
    return lines


def _table(
    value: Any, key: str, headers: dict[tuple[str, str | None], int], problem: Report
) -> dict[str, Any]:
    if not isinstance(value, dict):
        problem(headers.get((key, None), 1), f"{key!r} must be a table of tables")
        return {}
    return value


def _used_name(
    name: str, raw: Any, projects: dict[str, str], problem: Callable[[str], None]
) -> UsedName | None:
    if not api_data.NAME_RE.match(name) or name.startswith("EVENTLET_"):
        problem(f"name {name!r}: not a dotted Eventlet name")
        return None
    if not isinstance(raw, dict):
        problem(f"name {name!r}: must be a table")
        return None
    for key in raw:
        if key not in NAME_FIELDS:
            problem(f"name {name!r}: unknown field {key!r}; expected {', '.join(NAME_FIELDS)}")
    seen_raw = raw.get("seen")
    if not isinstance(seen_raw, list) or not seen_raw:
        problem(f"name {name!r}: 'seen' must be a non-empty list of 'owner/name:path'")
        return None
    seen: list[tuple[str, str]] = []
    for item in seen_raw:
        repo, _, file = item.partition(":") if isinstance(item, str) else ("", "", "")
        if not file:
            problem(f"name {name!r}: {item!r} is not 'owner/name:path'")
        elif repo not in projects:
            problem(f"name {name!r}: {repo!r} is not in [projects]")
        else:
            seen.append((repo, file))
    unmapped = raw.get("unmapped")
    if unmapped is not None and (not isinstance(unmapped, str) or not unmapped.strip()):
        problem(f"name {name!r}: 'unmapped' must be a non-empty reason")
        unmapped = None
    return UsedName(name, tuple(seen), unmapped)


@dataclass(frozen=True)
class UsageReport:
    usage: Usage
    #: Used names that must have an entry and have none, directly or through
    #: the name they stand for.
    unmapped: tuple[str, ...]
    #: Used names that the installed Eventlet does not have, with the reason.
    absent: dict[str, str]
    #: Names that say why they have no entry, and have one: the reason is stale.
    stale: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[str, ...]:
        return self.usage.problems


def check(api_map_path: Path, usage_path: Path, python: str | None = None) -> UsageReport:
    """Compare the usage file with the API map and the installed Eventlet."""
    usage = load(usage_path)
    declared = set(api_data.load(api_map_path).entries)
    answer = inspect_installed(declared | set(usage.names), python=python)
    entries = declared | {answer.names[name].canonical for name in declared}
    absent = {
        name: answer.names[name].error or "not found"
        for name in usage.names
        if not answer.names[name].exists
    }

    def mapped(name: str) -> bool:
        return name in entries or answer.names[name].canonical in entries

    unmapped = tuple(
        name
        for name, used in usage.names.items()
        if used.unmapped is None and name not in absent and not mapped(name)
    )
    stale = tuple(
        name
        for name, used in usage.names.items()
        if used.unmapped is not None and name not in absent and mapped(name)
    )
    return UsageReport(usage, unmapped, absent, stale)
