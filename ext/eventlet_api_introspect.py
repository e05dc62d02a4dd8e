# SPDX-License-Identifier: MIT
"""Ask the installed Eventlet which names exist, in a separate interpreter.

The API map promises that every Eventlet name the guide mentions exists in the
Eventlet the guide was built against. Checking that means importing Eventlet,
and importing Eventlet is not free of side effects: as of Eventlet 0.41 it
emits an ``EventletDeprecationWarning`` (a subclass of ``Warning``), and it
registers an ``os.register_at_fork`` hook that warns on every later ``fork()``,
which is how ``sphinx-build -j N`` starts its workers. So the build never
imports Eventlet itself: this module runs itself as a script in a child
interpreter (the same ``sys.executable``), imports Eventlet there with its
warnings silenced and without monkey patching or starting a hub, and answers
in JSON.

The same child computes what "public" means for the coverage report, from the
installed package rather than from a hand-kept list:

* every module ``eventlet.<name>`` that does not start with ``_``, except the
  packages in ``NOT_PUBLIC_PACKAGES`` (a module entry covers the module);
* in each, the names in ``__all__``, or where a module has no ``__all__``, its
  public top-level names that are not modules and are not classes or functions
  imported from another module;
* the modules of ``eventlet.green`` (a module entry covers each);
* the public methods and properties that a public Eventlet class defines
  itself (inherited ones are covered by the base class's entries), listed
  under the class's own name only, not again under an alias such as
  ``eventlet.db_pool.ConnectionPool``;
* the public top-level names of ``eventlet`` that are not shortcuts for one of
  the above (a shortcut such as ``eventlet.spawn`` is covered by the entry of
  what it points to, ``eventlet.greenthread.spawn``);
* the public names that ``__all__`` leaves out but applications use
  (``EXTRA_PUBLIC``, such as ``eventlet.patcher.original``), and the module
  settings in ``SETTINGS`` (``eventlet.wsgi.MAX_HEADER_LINE``);
* names that are not Python attributes at all, found in the installed source
  (see ``_extras``): the environment variables Eventlet reads
  (``EVENTLET_HUB``, kind ``envvar``), the keyword arguments that
  ``monkey_patch`` accepts (``eventlet.patcher.monkey_patch.socket``, kind
  ``keyword``), and the keys ``eventlet.wsgi`` puts in the WSGI environ
  (``eventlet.input``, kind ``environ``).

This file imports only the standard library, so it runs in any interpreter
that has Eventlet installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import subprocess
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Subpackages of ``eventlet`` that are not API for applications:
#: ``support`` holds Eventlet's internal helpers, ``zipkin`` is an optional
#: contrib package with its own dependencies, and ``green`` is counted module
#: by module instead of name by name.
NOT_PUBLIC_PACKAGES = frozenset({"support", "zipkin", "green"})

#: Public names that no ``__all__`` lists but that applications call.
EXTRA_PUBLIC = ("eventlet.patcher.original",)

#: Module settings: in each module, the upper-case top-level names with one of
#: these prefixes (the limits applications raise by assigning to them).
SETTINGS = {"eventlet.wsgi": ("MAX_", "MINIMUM_", "DEFAULT_")}

#: ``os.environ.get("EVENTLET_HUB")``, ``os.environ["..."]``, ``os.getenv("...")``.
_ENVVAR_RE = re.compile(
    r"""(?:environ\.get\(|environ\[|getenv\()\s*['"](EVENTLET_[A-Z0-9_]+)['"]"""
)
#: An environ key that eventlet.wsgi sets: ``env['eventlet.input'] =``, or
#: reads with a default: ``environ.get('eventlet.minimum_write_chunk_size', ...)``.
_ENVIRON_KEY_RE = re.compile(
    r"""(?:env(?:iron)?\[\s*|environ\.get\(\s*)['"](eventlet\.[a-z_]+)['"]"""
)
#: Environment variables that only Eventlet's own test suite sets.
_INTERNAL_ENVVARS = frozenset({"EVENTLET_TESTS"})

#: How long the child interpreter may take before we give up on it.
TIMEOUT_SECONDS = 120


class IntrospectionError(RuntimeError):
    """The child interpreter could not answer (Eventlet missing, crash, timeout)."""


@dataclass(frozen=True)
class NameInfo:
    """What the installed Eventlet says about one dotted name."""

    exists: bool
    #: The name under which the object is defined: ``eventlet.spawn`` gives
    #: ``eventlet.greenthread.spawn``. Equal to the name when it is not a shortcut.
    canonical: str
    #: Why the name does not resolve, when it does not.
    error: str = ""
    #: What the object is, in the API map's terms (see ``_kind``); "" if it does not exist.
    kind: str = ""


@dataclass(frozen=True)
class Introspection:
    """The answer of the child interpreter."""

    version: str
    names: dict[str, NameInfo]
    #: Every top-level shortcut: ``{"eventlet.spawn": "eventlet.greenthread.spawn", ...}``.
    shortcuts: dict[str, str]
    #: The public names (see the module docstring), when asked for.
    public: tuple[str, ...] = ()
    #: Public modules that failed to import, with the reason.
    unimportable: dict[str, str] = field(default_factory=dict)


# -- The child side: runs inside the interpreter that imports Eventlet ---------


def _import_quietly(module_name: str) -> Any:
    with warnings.catch_warnings():
        # EventletDeprecationWarning derives from Warning, not from
        # DeprecationWarning: silence every category while importing.
        warnings.simplefilter("ignore")
        return importlib.import_module(module_name)


def _kind(obj: Any, owner: Any) -> str:
    """The API map's word for ``obj``, found as an attribute of ``owner``."""
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if isinstance(obj, property):
        return "property"
    if isinstance(obj, classmethod):
        return "classmethod"
    if inspect.isclass(owner) and (inspect.isfunction(obj) or isinstance(obj, staticmethod)):
        return "method"
    if callable(obj):
        return "function"
    return "data"


def _resolve(name: str) -> tuple[Any, str, str]:
    """Import the longest module prefix of ``name``, then look up the rest.

    Returns the object, its kind (``_kind``) and the module it was found in,
    or raises LookupError with a one-line reason. Class attributes are looked
    up in the class ``__dict__`` where they are defined, so a property is a
    property, not its value.
    """
    parts = name.split(".")
    if parts[0] != "eventlet" or not all(part.isidentifier() for part in parts):
        raise LookupError("not a dotted Eventlet name")
    module = None
    reason = ""
    for index in range(len(parts), 0, -1):
        module_name = ".".join(parts[:index])
        try:
            module = _import_quietly(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and not module_name.startswith(error.name):
                # The module exists but needs something that is not installed.
                reason = f"importing {module_name} failed: {error}"
                break
            continue
        except Exception as error:  # any import-time failure is an answer, not a crash
            reason = f"importing {module_name} failed: {type(error).__name__}: {error}"
            break
        obj: Any = module
        owner: Any = None
        for depth, attribute in enumerate(parts[index:], start=index):
            owner = obj
            try:
                obj = getattr(obj, attribute)
            except AttributeError:
                where = ".".join(parts[:depth])
                raise LookupError(f"{where} has no attribute {attribute!r}") from None
            if inspect.isclass(owner):
                for klass in inspect.getmro(owner):
                    if attribute in vars(klass):
                        obj = vars(klass)[attribute]
                        break
        return obj, _kind(obj, owner), module_name
    raise LookupError(reason or f"no module named {parts[0]!r}")


def _defined_as(name: str, obj: Any, module_name: str) -> str:
    """The name a re-exported Eventlet class or function is defined under.

    ``eventlet.green.time.sleep`` is the function ``eventlet.greenthread.sleep``,
    and ``eventlet.green.socket.socket`` the class
    ``eventlet.greenio.base.GreenSocket``: both names reach the same entry,
    as a top-level shortcut does. Only objects defined in another Eventlet
    module count, and only when that name gives back the very same object;
    an alias inside one module (``eventlet.db_pool.ConnectionPool``) keeps
    its own name.
    """
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return name
    home = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if (
        not isinstance(home, str)
        or not isinstance(qualname, str)
        or home == module_name
        or not home.startswith("eventlet.")
        or "<" in qualname
    ):
        return name
    defined = f"{home}.{qualname}"
    try:
        other = _resolve(defined)[0]
    except LookupError:
        return name
    return defined if other is obj else name


def _monkey_patch_keywords(function: Any) -> list[str]:
    """The keywords ``monkey_patch(**on)`` accepts, read from its code.

    As of Eventlet 0.41 they are a set literal (``accepted_args``) inside the
    function, plus ``all``; the set literal is a ``frozenset`` constant of the
    compiled code. ``__builtin__``, an alias of ``builtins``, is left out.
    """
    sets = [c for c in function.__code__.co_consts if isinstance(c, frozenset)]
    if not sets:
        return []
    return sorted({*max(sets, key=len), "all"})


def _extras(eventlet: Any) -> dict[str, str]:
    """Names that are not attributes, found in the installed source: name -> kind."""
    root = Path(eventlet.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _ENVVAR_RE.finditer(text):
            if match.group(1) not in _INTERNAL_ENVVARS:
                found[match.group(1)] = "envvar"
    wsgi = root / "wsgi.py"
    if wsgi.is_file():
        for match in _ENVIRON_KEY_RE.finditer(wsgi.read_text(encoding="utf-8")):
            found[match.group(1)] = "environ"
    patcher = _import_quietly("eventlet.patcher")
    for keyword in _monkey_patch_keywords(patcher.monkey_patch):
        found[f"eventlet.patcher.monkey_patch.{keyword}"] = "keyword"
    return found


def _settings() -> list[str]:
    names = []
    for module_name, prefixes in SETTINGS.items():
        module = _import_quietly(module_name)
        names.extend(
            f"{module_name}.{name}"
            for name, value in vars(module).items()
            if name.isupper() and name.startswith(prefixes) and isinstance(value, (int, str))
        )
    return names


def _module_file_exists(name: str) -> bool:
    """Whether ``name`` is a module of the installed package, importable or not."""
    parent, _, _ = name.rpartition(".")
    if not name.startswith("eventlet.") or not all(p.isidentifier() for p in name.split(".")):
        return False
    try:
        _import_quietly(parent)
        return importlib.util.find_spec(name) is not None
    except Exception:  # the parent cannot be imported, or is not a package
        return False


def _public_modules(eventlet: Any) -> tuple[list[str], dict[str, str]]:
    names, unimportable = [], {}
    for info in sorted(pkgutil.iter_modules(eventlet.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in NOT_PUBLIC_PACKAGES:
            continue
        module_name = f"eventlet.{info.name}"
        try:
            _import_quietly(module_name)
        except Exception as error:
            unimportable[module_name] = f"{type(error).__name__}: {error}"
            continue
        names.append(module_name)
    return names, unimportable


def _module_public_names(module: Any) -> list[str]:
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return [str(name) for name in declared]
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        defined_in = getattr(value, "__module__", None)
        if (inspect.isclass(value) or inspect.isroutine(value)) and defined_in != module.__name__:
            continue
        names.append(name)
    return names


def _class_public_members(cls: type) -> list[str]:
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if inspect.isroutine(value) or isinstance(value, (property, classmethod, staticmethod)):
            members.append(name)
    return members


def _shortcuts(eventlet: Any, modules: list[str], imported: frozenset[str]) -> dict[str, str]:
    """Map each top-level ``eventlet.X`` to the module attribute it is.

    Several modules may hold the same object (``eventlet.asyncio`` re-exports
    ``spawn``); the defining one wins: the module named by the object's
    ``__module__``, then one whose ``__all__`` lists the name, then one that
    ``eventlet/__init__.py`` itself imports.
    """
    shortcuts = {}
    for name, value in vars(eventlet).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        candidates = []
        for module_name in modules:
            module = sys.modules[module_name]
            if getattr(module, name, None) is not value:
                continue
            rank = (
                getattr(value, "__module__", None) != module_name,
                name not in getattr(module, "__all__", ()),
                module_name not in imported,
                module_name,
            )
            candidates.append(rank)
        if candidates:
            shortcuts[f"eventlet.{name}"] = f"{min(candidates)[-1]}.{name}"
    return shortcuts


def _public_names(
    eventlet: Any, modules: list[str], shortcuts: dict[str, str], extras: dict[str, str]
) -> list[str]:
    public: list[str] = [*EXTRA_PUBLIC, *_settings(), *extras]
    for module_name in modules:
        public.append(module_name)
        module = sys.modules[module_name]
        for name in _module_public_names(module):
            qualified = f"{module_name}.{name}"
            public.append(qualified)
            value = getattr(module, name, None)
            if (
                inspect.isclass(value)
                and getattr(value, "__module__", "") == module_name
                and value.__name__ == name  # an alias's members are listed under the class
            ):
                public.extend(f"{qualified}.{member}" for member in _class_public_members(value))
    green = _import_quietly("eventlet.green")
    public.extend(
        f"eventlet.green.{info.name}"
        for info in sorted(pkgutil.iter_modules(green.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    )
    for name, value in vars(eventlet).items():
        qualified = f"eventlet.{name}"
        if name.startswith("_") or inspect.ismodule(value) or qualified in shortcuts:
            continue
        if isinstance(value, type) and issubclass(value, Warning):
            continue  # EventletDeprecationWarning: the warning itself, not an API
        public.append(qualified)
    return sorted(dict.fromkeys(public))


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Compute the JSON answer for ``request`` (runs in the child)."""
    eventlet = _import_quietly("eventlet")
    # The submodules that eventlet/__init__.py imports itself, before we
    # import the rest.
    imported = frozenset(
        value.__name__ for value in vars(eventlet).values() if inspect.ismodule(value)
    )
    modules, unimportable = _public_modules(eventlet)
    shortcuts = _shortcuts(eventlet, modules, imported)
    extras = _extras(eventlet)
    names = {}
    for name in request.get("names", []):
        canonical = canonical_name(name, shortcuts)
        if canonical in extras:
            kind = extras[canonical]
            names[name] = {"exists": True, "canonical": canonical, "error": "", "kind": kind}
            continue
        try:
            obj, kind, module_name = _resolve(name)
        except LookupError as error:
            if _module_file_exists(canonical):
                # A module of the package whose import needs what is not
                # installed here (eventlet.green.zmq without pyzmq): it exists.
                names[name] = {
                    "exists": True,
                    "canonical": canonical,
                    "error": "",
                    "kind": "module",
                }
                continue
            names[name] = {"exists": False, "canonical": name, "error": str(error), "kind": ""}
        else:
            if canonical == name:
                canonical = _defined_as(name, obj, module_name)
            names[name] = {"exists": True, "canonical": canonical, "error": "", "kind": kind}
    reply: dict[str, Any] = {
        "version": str(getattr(eventlet, "__version__", "unknown")),
        "names": names,
        "shortcuts": shortcuts,
        "unimportable": unimportable,
    }
    if request.get("public"):
        reply["public"] = _public_names(eventlet, modules, shortcuts, extras)
    return reply


def canonical_name(name: str, shortcuts: dict[str, str]) -> str:
    """``eventlet.Timeout.cancel`` -> ``eventlet.timeout.Timeout.cancel``."""
    parts = name.split(".")
    for index in range(len(parts), 1, -1):
        head = ".".join(parts[:index])
        if head in shortcuts:
            return ".".join([shortcuts[head], *parts[index:]])
    return name


def main() -> None:
    """Child entry point: a JSON request on stdin, a JSON answer on stdout."""
    request = json.load(sys.stdin)
    json.dump(answer(request), sys.stdout)


# -- The parent side: what the Sphinx extension and the coverage report call ----


def _ask(names: tuple[str, ...], public: bool, python: str) -> Introspection:
    request = json.dumps({"names": list(names), "public": public})
    try:
        completed = subprocess.run(
            [python, str(Path(__file__).resolve())],
            input=request,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise IntrospectionError(f"could not run {python}: {error}") from error
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise IntrospectionError(f"inspecting Eventlet with {python} failed: {last}")
    try:
        reply = json.loads(completed.stdout)
    except ValueError as error:
        raise IntrospectionError(f"unreadable answer from {python}: {error}") from error
    return Introspection(
        version=reply["version"],
        names={name: NameInfo(**info) for name, info in reply["names"].items()},
        shortcuts=dict(reply["shortcuts"]),
        public=tuple(reply.get("public", ())),
        unimportable=dict(reply["unimportable"]),
    )


#: What each interpreter has answered so far, name by name. Each name is
#: answered on its own (nothing in the child depends on which other names were
#: asked for), so a later question about names already answered needs no child.
_KNOWN: dict[str, Introspection] = {}


def inspect_installed(
    names: Iterable[str] = (), *, public: bool = False, python: str | None = None
) -> Introspection:
    """Ask the Eventlet installed for ``python`` (default: this interpreter) about ``names``.

    Answers are cached for the life of the process: the installed package does
    not change under a running build. Only names not answered before, or the
    public names if they were never asked for, start a child interpreter.
    """
    python = python or sys.executable
    wanted = set(names)
    known = _KNOWN.get(python)
    unknown = wanted - known.names.keys() if known is not None else wanted
    if known is None or unknown or (public and not known.public):
        fresh = _ask(tuple(sorted(unknown)), public, python)
        if known is not None:
            fresh = replace(
                fresh,
                names={**known.names, **fresh.names},
                public=fresh.public or known.public,
            )
        known = _KNOWN[python] = fresh
    return replace(
        known,
        names={name: known.names[name] for name in wanted},
        public=known.public if public else (),
    )


if __name__ == "__main__":
    main()
