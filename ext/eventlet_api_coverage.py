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
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import eventlet_api_data as api_data
from eventlet_api_introspect import inspect_installed


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
        "--strict", action="store_true", help="exit 1 if any public name has no entry"
    )
    args = parser.parse_args(argv)
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
    return 1 if args.strict and missing else 0


if __name__ == "__main__":
    sys.exit(main())
