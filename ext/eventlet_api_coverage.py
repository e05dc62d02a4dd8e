# SPDX-License-Identifier: MIT
"""Which public names of the installed Eventlet have no entry in the API map.

"Public" is computed from the installed package (see
``eventlet_api_introspect``): ``__all__`` of each public module, the
``eventlet.green`` modules, the public methods of the classes those modules
define. An entry covers a name when it declares the name itself, or the name
a shortcut stands for (an entry ``eventlet.greenthread.spawn`` covers
``eventlet.spawn`` too).

Run it as ``nox -s api-coverage``, or directly::

    python ext/eventlet_api_coverage.py docs/_data/api_map.toml

It prints the missing names. It exits 0 unless ``--strict`` is given, in
which case any missing name makes it exit 1: the guide covers 100% of the
public names, and its test suite holds it there.

It then checks the names real projects use (``api_usage.toml`` beside the
map, or ``--usage PATH``; see ``eventlet_api_usage``): each must exist in the
installed Eventlet and, unless the file says why not, have an entry. It
prints the ones that fail, after the public names; ``--strict`` fails on
them too.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import eventlet_api_data as api_data
import eventlet_api_usage
from eventlet_api_introspect import inspect_installed

#: The usage file read when ``--usage`` is not given, beside the map.
USAGE_FILE = "api_usage.toml"


@dataclass(frozen=True)
class Coverage:
    version: str
    public: tuple[str, ...]
    missing: tuple[str, ...]
    #: Public modules Eventlet could not import here, with the reason.
    unimportable: dict[str, str]

    @property
    def covered(self) -> int:
        return len(self.public) - len(self.missing)


def coverage(api_map_path: Path, python: str | None = None) -> Coverage:
    """Compare the public names of the installed Eventlet with the data file."""
    declared = set(api_data.load(api_map_path).entries)
    answer = inspect_installed(declared, public=True, python=python)
    covered = declared | {answer.names[name].canonical for name in declared}
    missing = tuple(name for name in answer.public if name not in covered)
    return Coverage(answer.version, answer.public, missing, answer.unimportable)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("api_map", type=Path, help="the API map data file (TOML)")
    parser.add_argument("--module", help="only names under this module, e.g. eventlet.queue")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any public name, or any name real projects use, has no entry",
    )
    parser.add_argument(
        "--usage",
        type=Path,
        help=f"the names real projects use (default: {USAGE_FILE} beside the map, if there)",
    )
    args = parser.parse_args(argv)
    usage_path = args.usage or args.api_map.with_name(USAGE_FILE)
    check_usage = args.usage is not None or usage_path.is_file()
    if check_usage:
        # One child interpreter answers for both checks: the introspection
        # cache then serves each of them (see inspect_installed).
        _ask_once(args.api_map, usage_path)
    report = coverage(args.api_map)
    missing = [
        name
        for name in report.missing
        if args.module is None or name == args.module or name.startswith(args.module + ".")
    ]
    for name in missing:
        print(name)
    for module, reason in sorted(report.unimportable.items()):
        print(f"# not importable here, not counted: {module} ({reason})", file=sys.stderr)
    print(
        f"# Eventlet {report.version}: {report.covered} of {len(report.public)} public names "
        f"have an entry; {len(report.missing)} missing"
        + (f" ({len(missing)} under {args.module})" if args.module else ""),
        file=sys.stderr,
    )
    failed = bool(missing)
    if check_usage:
        failed = _check_usage(args.api_map, usage_path) or failed
    return 1 if args.strict and failed else 0


def _ask_once(api_map: Path, usage_path: Path) -> None:
    """Inspect every name either check will ask about, and the public names, at once."""
    try:
        names = set(api_data.load(api_map).entries) | set(eventlet_api_usage.load(usage_path).names)
    except (OSError, ValueError):
        return  # each check reports its own problem with the files
    inspect_installed(names, public=True)


def _check_usage(api_map: Path, usage_path: Path) -> bool:
    """Print what fails in the usage file; True if anything does."""
    if not usage_path.is_file():
        print(f"# usage file not found: {usage_path}", file=sys.stderr)
        return True
    usage = eventlet_api_usage.check(api_map, usage_path)
    for message in usage.problems:
        print(f"# {message}", file=sys.stderr)
    for name in usage.unmapped:
        print(name)
    for name, reason in sorted(usage.absent.items()):
        print(name)
        print(
            f"# used by projects, not in the installed Eventlet: {name} ({reason})", file=sys.stderr
        )
    for name in usage.stale:
        print(name)
        print(f"# {name} has an entry: drop its 'unmapped' reason", file=sys.stderr)
    names = usage.usage.names
    print(
        f"# {len(names)} names used by {len(usage.usage.projects)} surveyed projects "
        f"({usage_path.name}): {len(usage.unmapped)} without an entry, "
        f"{len(usage.absent)} not in Eventlet",
        file=sys.stderr,
    )
    return bool(usage.problems or usage.unmapped or usage.absent or usage.stale)


if __name__ == "__main__":
    sys.exit(main())
