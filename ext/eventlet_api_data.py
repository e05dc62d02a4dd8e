# SPDX-License-Identifier: MIT
"""Load and check the API map data file, ``docs/_data/api_map.toml``.

The file holds one table per Eventlet name::

    [entries."eventlet.greenthread.spawn"]
    kind = "function"
    summary = "Start a green thread ..."
    asyncio = ":py:func:`asyncio.create_task` ..."
    threading = ":py:class:`threading.Thread` ..."
    pitfalls = ["...", "..."]
    recipe = "/howto/asyncio/spawning"

Three kinds name things that are not Python attributes: an environment
variable Eventlet reads (``[entries."EVENTLET_HUB"]``, kind ``envvar``), a
keyword argument (``[entries."eventlet.patcher.monkey_patch.socket"]``, kind
``keyword``) and a key of the WSGI environ (``[entries."eventlet.input"]``,
kind ``environ``). Names that do not start with a module, environment
variables and environ keys, say which module's map renders them with
``module = "eventlet.hubs"``.

Text fields are reStructuredText, whatever the page that renders them is
written in. Every problem is reported with the line of the data file it
concerns; TOML parsers do not keep positions, so the lines are found again in
the text (an entry's header, then ``key =`` inside its block).

This module knows nothing of Sphinx: it returns an ``ApiMap`` whose
``problems`` the extension turns into located warnings.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: What an entry can describe.
KINDS = (
    "module",
    "class",
    "exception",
    "function",
    "method",
    "classmethod",
    "property",
    "attribute",
    "data",
    "envvar",
    "keyword",
    "environ",
)
#: Kinds whose names are not under the module that documents them.
MODULE_FIELD_KINDS = ("envvar", "environ")
REQUIRED_FIELDS = ("kind", "summary", "asyncio", "threading")
#: Every field an entry may have, and the Python type its value must have.
FIELD_TYPES: dict[str, type] = {
    "kind": str,
    "summary": str,
    "asyncio": str,
    "threading": str,
    "pitfalls": list,
    "recipe": str,
    "module": str,
}
TOP_LEVEL_KEYS = ("entries",)
NAME_RE = re.compile(r"(eventlet(\.[A-Za-z_][A-Za-z0-9_]*)*|EVENTLET_[A-Z0-9_]+)\Z")

_HEADER_RE = re.compile(r"""^\s*\[\s*entries\s*\.\s*(?:"([^"]*)"|'([^']*)')\s*\]""")
_ANY_HEADER_RE = re.compile(r"^\s*\[")
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Problem:
    """Something wrong in the data file, at a 1-based line."""

    line: int
    message: str
    #: The entry it concerns, if any: a page rendering that entry's module reports it.
    entry: str | None = None
    #: The entry's ``module`` field, if it has one: that module's page reports it too.
    module: str | None = None


@dataclass(frozen=True)
class Entry:
    """One Eventlet name, as the data file describes it."""

    name: str
    kind: str
    summary: str
    asyncio: str
    threading: str
    pitfalls: tuple[str, ...] = ()
    recipe: str | None = None
    #: The module whose ``ev:map`` renders an entry not named under it.
    module: str | None = None
    #: Line of the entry's header, and of each field.
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def in_module(self, module: str) -> bool:
        """True for the module's own entry, every name under it, and entries it adopts."""
        if self.module is not None:
            return self.module == module
        return self.name == module or self.name.startswith(module + ".")


@dataclass(frozen=True)
class ApiMap:
    path: Path
    entries: dict[str, Entry]
    problems: tuple[Problem, ...]

    def module_entries(self, module: str) -> list[Entry]:
        """The module's entry first, then its names in file order."""
        found = [entry for entry in self.entries.values() if entry.in_module(module)]
        return sorted(found, key=lambda entry: entry.name != module)

    def module_problems(self, module: str) -> list[Problem]:
        """Problems of the file as a whole and of the module's entries."""
        return [
            problem
            for problem in self.problems
            if problem.entry is None
            or problem.module == module
            or problem.entry == module
            or problem.entry.startswith(module + ".")
        ]


def _entry_blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """For each quoted ``[entries."name"]`` header: (first line, end line), 1-based."""
    blocks: dict[str, tuple[int, int]] = {}
    current: str | None = None
    for number, text in enumerate(lines, start=1):
        if _ANY_HEADER_RE.match(text):
            if current is not None:
                blocks[current] = (blocks[current][0], number)
                current = None
            match = _HEADER_RE.match(text)
            if match:
                current = match.group(1) if match.group(1) is not None else match.group(2)
                blocks.setdefault(current, (number, len(lines) + 1))
    if current is not None:
        blocks[current] = (blocks[current][0], len(lines) + 1)
    return blocks


def _field_line(lines: list[str], block: tuple[int, int], key: str) -> int:
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*=""")
    start, end = block
    for number in range(start, min(end, len(lines) + 1)):
        if pattern.match(lines[number - 1]):
            return number
    return start


def load(path: Path) -> ApiMap:
    """Read and check ``path``. Never raises for bad content: see ``ApiMap.problems``."""
    stat = path.stat()
    return _load(path.resolve(), stat.st_mtime_ns, stat.st_size)


def toml_error_line(error: tomllib.TOMLDecodeError) -> int:
    """The line a TOML parse error names (tomllib gives it only in the message)."""
    match = _TOML_POSITION_RE.search(str(error))
    return int(match.group(1)) if match else 1


@functools.lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int, _size: int) -> ApiMap:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ApiMap(path, {}, (Problem(toml_error_line(error), f"invalid TOML: {error}"),))
    return _check(path, text.splitlines(), data)


def _check(path: Path, lines: list[str], data: dict[str, Any]) -> ApiMap:
    problems: list[Problem] = []
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            line = next(
                (
                    n
                    for n, t in enumerate(lines, 1)
                    if re.match(rf"^\s*\[?\s*{re.escape(key)}\b", t)
                ),
                1,
            )
            problems.append(
                Problem(line, f"unknown top-level key {key!r}; expected {list(TOP_LEVEL_KEYS)}")
            )
    raw_entries = data.get("entries", {})
    if not isinstance(raw_entries, dict):
        return ApiMap(path, {}, (*problems, Problem(1, "'entries' must be a table of tables")))
    blocks = _entry_blocks(lines)
    entries: dict[str, Entry] = {}
    for name, raw in raw_entries.items():
        block = blocks.get(name)
        if block is None:
            # Not written as [entries."name"]: e.g. an unquoted dotted header,
            # which TOML reads as nested tables.
            header = next((n for n, t in enumerate(lines, 1) if "entries" in t), 1)
            problems.append(
                Problem(
                    header,
                    f"entry {name!r}: write each entry as its own table with a quoted "
                    f'name, [entries."eventlet.module.name"]',
                    entry=name,
                )
            )
            continue
        entry = _check_entry(name, raw, lines, block, problems)
        if entry is not None:
            entries[name] = entry
    return ApiMap(path, entries, tuple(problems))


def _check_entry(
    name: str,
    raw: Any,
    lines: list[str],
    block: tuple[int, int],
    problems: list[Problem],
) -> Entry | None:
    header = block[0]
    adopter = raw.get("module") if isinstance(raw, dict) else None
    adopter = adopter if isinstance(adopter, str) else None

    def problem(line: int, message: str) -> None:
        problems.append(Problem(line, f"entry {name!r}: {message}", entry=name, module=adopter))

    if not NAME_RE.match(name):
        problem(
            header,
            "the name must be a dotted Python name starting with 'eventlet', "
            "or an environment variable EVENTLET_...",
        )
        return None
    if not isinstance(raw, dict):
        problem(header, "must be a table")
        return None
    field_lines = {key: _field_line(lines, block, key) for key in raw}
    valid = True
    for key, value in raw.items():
        expected = FIELD_TYPES.get(key)
        if expected is None:
            problem(
                field_lines[key],
                f"unknown field {key!r}; expected one of {', '.join(FIELD_TYPES)}",
            )
            continue
        if not isinstance(value, expected) or (expected is list and not _strings(value)):
            wanted = "a list of strings" if expected is list else "a string"
            problem(field_lines[key], f"field {key!r} must be {wanted}")
            valid = False
        elif expected is str and not value.strip():
            problem(field_lines[key], f"field {key!r} is empty")
            valid = False
    for key in REQUIRED_FIELDS:
        if key not in raw:
            problem(header, f"missing required field {key!r}")
            valid = False
    kind = raw.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        problem(field_lines["kind"], f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        valid = False
    if isinstance(kind, str) and valid:
        module = raw.get("module")
        if kind in MODULE_FIELD_KINDS and module is None:
            problem(header, f"an entry of kind {kind!r} needs a 'module' field: the page it is on")
            valid = False
        elif module is not None and not NAME_RE.match(module):
            problem(field_lines["module"], f"field 'module': {module!r} is not a module name")
            valid = False
        elif name.startswith("EVENTLET_") and kind != "envvar":
            problem(field_lines["kind"], "an EVENTLET_... name is of kind 'envvar'")
            valid = False
    if not valid:
        return None
    return Entry(
        name=name,
        kind=raw["kind"],
        summary=raw["summary"].strip(),
        asyncio=raw["asyncio"].strip(),
        threading=raw["threading"].strip(),
        pitfalls=tuple(item.strip() for item in raw.get("pitfalls", ())),
        recipe=raw.get("recipe"),
        module=raw.get("module"),
        line=header,
        lines=field_lines,
    )


def _strings(value: list[Any]) -> bool:
    return all(isinstance(item, str) and item.strip() for item in value)
