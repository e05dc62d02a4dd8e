# SPDX-License-Identifier: MIT
"""The ``ev`` domain: real builds of the small projects in tests/roots/test-api*."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from sphinx import addnodes
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences
from sphinx.util.inventory import InventoryFile

import eventlet_api_data as api_data
import eventlet_api_introspect
import eventlet_api_usage
from eventlet_api import _first_sentence
from eventlet_api_coverage import coverage
from eventlet_api_introspect import Introspection, inspect_installed

ROOTS = Path(__file__).resolve().parent / "roots"
INSTALLED = inspect_installed().version


def warnings_of(app: SphinxTestApp) -> list[str]:
    """Each warning (and docutils error) as ``relative/path:line: message [type.subtype]``."""
    text = strip_escape_sequences(app.warning.getvalue())
    prefix = str(app.srcdir) + "/"
    return [
        line.replace(prefix, "")
        for line in text.splitlines()
        if "WARNING" in line or "ERROR" in line
    ]


def inventory(app: SphinxTestApp) -> dict[str, dict[str, tuple[str, ...]]]:
    with open(app.outdir / "objects.inv", "rb") as stream:
        return InventoryFile.load(stream, "", posixpath.join)


def anchors(html: str) -> list[str]:
    """The targets of the page's ev:api references (not its own headerlinks)."""
    return re.findall(r'href="([^"]*#ev-[^"]*)" title="[^"]*"><code class="xref ev ev-api', html)


def uri(item: object) -> str:
    """An inventory item's URI (a tuple before Sphinx 9, an object since)."""
    return getattr(item, "uri", None) or item[2]  # type: ignore[index]


# -- good input: rST and MyST ------------------------------------------------


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_good_project_builds_without_warnings(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app) == []


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_map_renders_entries_with_their_fields(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    for name in (
        "eventlet.greenthread",
        "eventlet.greenthread.spawn",
        "eventlet.greenthread.sleep",
    ):
        assert f'id="ev-{name}"' in html
    spawn = html[html.index('id="ev-eventlet.greenthread.spawn"') :]
    spawn = spawn[: spawn.index('id="ev-eventlet.greenthread.sleep"')]
    assert "Start a green thread and return its handle." in spawn
    assert ">asyncio<" in spawn
    assert ">threading<" in spawn
    assert "Pitfalls" in spawn
    assert "Exceptions stay in the thread until you call" in spawn
    assert 'href="recipe.html"' in spawn  # the recipe field is a :doc: link


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_map_starts_with_an_overview_table(app: SphinxTestApp) -> None:
    app.build()
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    table = index[index.index("ev-overview") : index.index("</table>")]
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", table, re.S)
    ]
    # One row per name (not the module itself): its link, its kind, its first sentence.
    assert cells == [
        "spawn",
        "function",
        "Start a green thread and return its handle.",
        "sleep",
        "function",
        "Yield to other green threads.",
    ]
    assert anchors(table) == ["#ev-eventlet.greenthread.spawn", "#ev-eventlet.greenthread.sleep"]


@pytest.mark.parametrize(
    ("summary", "first"),
    [
        ("One. Two.", "One."),
        ("Call ``f(a. B)`` now. Then", "Call ``f(a. B)`` now."),
        ("See :ev:`x`. ``y`` too.", "See :ev:`x`."),
        ("No end", "No end"),
    ],
)
def test_overview_cuts_the_summary_after_its_first_sentence(summary: str, first: str) -> None:
    assert _first_sentence(summary) == first


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_rst_and_myst_roles_and_shortcuts_resolve_to_one_anchor(app: SphinxTestApp) -> None:
    app.build()
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    myst = (app.outdir / "myst.html").read_text(encoding="utf-8")
    recipe = (app.outdir / "recipe.html").read_text(encoding="utf-8")
    # :ev:api:`eventlet.greenthread.spawn`, :ev:`eventlet.spawn`, :ev:api:`~...sleep`,
    # and the overview table's link.
    assert anchors(index).count("#ev-eventlet.greenthread.spawn") == 3
    assert "#ev-eventlet.greenthread.sleep" in anchors(index)
    assert '<span class="pre">sleep</span>' in index  # "~" shows the last component
    # MyST: {ev:api}`eventlet.greenthread.sleep` and {ev}`eventlet.sleep`
    assert anchors(myst) == [
        "index.html#ev-eventlet.greenthread.sleep",
        "index.html#ev-eventlet.greenthread.sleep",
    ]
    assert anchors(recipe) == ["index.html#ev-eventlet.greenthread.spawn"]


@pytest.mark.sphinx("html", testroot="api", srcdir="api-reexport", freshenv=True)
def test_a_reexported_name_links_to_the_entry_of_its_definition(app: SphinxTestApp) -> None:
    """eventlet.green.time.sleep is the function eventlet.greenthread.sleep."""
    recipe = app.srcdir / "recipe.rst"
    recipe.write_text(
        recipe.read_text(encoding="utf-8") + "\nGreen: :ev:`eventlet.green.time.sleep`.\n",
        encoding="utf-8",
    )
    app.build()
    assert warnings_of(app) == []
    html = (app.outdir / "recipe.html").read_text(encoding="utf-8")
    assert anchors(html)[-1] == "index.html#ev-eventlet.greenthread.sleep"


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_inventory_lists_entries_and_shortcuts_as_ev_api(app: SphinxTestApp) -> None:
    app.build()
    entries = inventory(app)["ev:api"]
    assert uri(entries["eventlet.greenthread.spawn"]) == "index.html#ev-eventlet.greenthread.spawn"
    assert uri(entries["eventlet.spawn"]) == "index.html#ev-eventlet.greenthread.spawn"
    # The hand-written MyST directive, and its shortcut eventlet.Event.
    assert uri(entries["eventlet.event.Event"]) == "myst.html#ev-eventlet.event.Event"
    assert uri(entries["eventlet.Event"]) == "myst.html#ev-eventlet.event.Event"
    assert sorted(entries) == [
        "eventlet.Event",
        "eventlet.event.Event",
        "eventlet.greenthread",
        "eventlet.greenthread.sleep",
        "eventlet.greenthread.spawn",
        "eventlet.sleep",
        "eventlet.spawn",
    ]


@pytest.mark.sphinx("html", testroot="api", freshenv=True)
def test_entries_are_in_the_general_index(app: SphinxTestApp) -> None:
    app.build()
    genindex = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    assert "eventlet.greenthread.spawn (Eventlet function)" in genindex
    assert "eventlet.event.Event (Eventlet class)" in genindex


@pytest.mark.sphinx("html", testroot="api", srcdir="api-map-in-myst", freshenv=True)
def test_map_directive_in_myst_locates_field_warnings_in_the_data_file(
    app: SphinxTestApp,
) -> None:
    (app.srcdir / "index.rst").write_text(
        "API map\n=======\n\n.. toctree::\n\n   myst\n   recipe\n", encoding="utf-8"
    )
    (app.srcdir / "myst.md").write_text(
        "# Map\n\n```{ev:map} eventlet.greenthread\n```\n", encoding="utf-8"
    )
    data = app.srcdir / "_data" / "api_map.toml"
    data.write_text(
        data.read_text(encoding="utf-8").replace('"Threads."', '"Threads, :nosuchrole:`x`."'),
        encoding="utf-8",
    )
    app.build()
    html = (app.outdir / "myst.html").read_text(encoding="utf-8")
    assert 'id="ev-eventlet.greenthread.spawn"' in html
    assert "Pitfalls" in html
    [warning] = [w for w in warnings_of(app) if "nosuchrole" in w]
    # The unknown role is on line 7 of the data file, not in myst.md.
    assert warning.startswith("_data/api_map.toml:7: ERROR: Unknown interpreted text role")


def _desc_nodes(app: SphinxTestApp) -> dict[str, str]:
    """Each entry's rendered doctree (``desc`` node), by name, as text."""
    found = {}
    for docname in sorted(app.env.found_docs):
        for desc in app.env.get_doctree(docname).findall(addnodes.desc):
            if desc.get("domain") == "ev":
                # The page an entry sits on differs between the two builds, and
                # MyST marks its field lists with a class of its own.
                text = re.sub(r'refdoc="[^"]*"', "", desc.pformat())
                found[desc[0]["fullname"]] = text.replace(' classes="myst field-list"', "")
    return found


def test_rst_and_myst_give_the_same_doctree(tmp_path: Path) -> None:
    """The same entries, once declared from rST pages and once from MyST pages."""
    rst_first = build_copy("api", tmp_path / "rst")
    swapped = tmp_path / "swapped"
    shutil.copytree(ROOTS / "test-api", swapped)
    # The map moves to a MyST page, the hand-written Event entry to an rST page.
    (swapped / "index.rst").write_text(
        "API map\n=======\n\n.. toctree::\n\n   myst\n   recipe\n\n"
        ".. ev:api:: eventlet.event.Event\n   :kind: class\n\n   Wake waiters once.\n\n"
        "   :asyncio: ``asyncio.Event``\n   :threading: ``threading.Event``\n",
        encoding="utf-8",
    )
    (swapped / "myst.md").write_text(
        "# MyST page\n\n```{ev:map} eventlet.greenthread\n```\n", encoding="utf-8"
    )
    myst_first = SphinxTestApp(
        "html", srcdir=swapped, freshenv=True, status=StringIO(), warning=StringIO()
    )
    try:
        myst_first.build()
    finally:
        myst_first.cleanup()
    assert warnings_of(rst_first) == warnings_of(myst_first) == []
    left, right = _desc_nodes(rst_first), _desc_nodes(myst_first)
    assert (
        sorted(left)
        == sorted(right)
        == [
            "eventlet.event.Event",
            "eventlet.greenthread",
            "eventlet.greenthread.sleep",
            "eventlet.greenthread.spawn",
        ]
    )
    for name in left:
        assert left[name].splitlines() == right[name].splitlines(), name


@pytest.mark.sphinx("html", testroot="api", srcdir="api-disabled", freshenv=True)
def test_exclamation_mark_writes_the_name_without_a_link_or_a_check(app: SphinxTestApp) -> None:
    (app.srcdir / "recipe.rst").write_text(
        "Recipe\n======\n\nOld code called :ev:`!eventlet.greenthread.call_after`.\n",
        encoding="utf-8",
    )
    app.build()
    assert warnings_of(app) == []
    recipe = (app.outdir / "recipe.html").read_text(encoding="utf-8")
    assert anchors(recipe) == []
    assert '<span class="pre">eventlet.greenthread.call_after</span>' in recipe


# -- bad input ------------------------------------------------------------------


def build_copy(root: str, destination: Path, **kwargs: object) -> SphinxTestApp:
    """Copy ``tests/roots/test-<root>`` to ``destination`` and build it once."""
    shutil.copytree(ROOTS / f"test-{root}", destination)
    app = SphinxTestApp(
        "html", srcdir=destination, freshenv=True, status=StringIO(), warning=StringIO(), **kwargs
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app


@pytest.fixture(scope="module")
def error_warnings(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return warnings_of(build_copy("api-errors", tmp_path_factory.mktemp("api") / "errors"))


def test_name_missing_from_installed_eventlet(error_warnings: list[str]) -> None:
    assert (
        f"_data/api_map.toml:9: WARNING: eventlet.greenthread.spawn_soon is not in the installed "
        f"Eventlet {INSTALLED}: eventlet.greenthread has no attribute 'spawn_soon' "
        f"(loaded by index.rst:8) [eventlet_api.missing]"
    ) in error_warnings


def test_reference_to_a_name_missing_from_eventlet(error_warnings: list[str]) -> None:
    assert (
        f"index.rst:12: WARNING: reference to eventlet.greenthread.spawn_later: not in the "
        f"installed Eventlet {INSTALLED}: eventlet.greenthread has no attribute "
        f"'spawn_later' [eventlet_api.missing]"
    ) in error_warnings
    # Reported once: not a second time as unmapped.
    assert sum("spawn_later" in w for w in error_warnings) == 1


def test_unmapped_reference(error_warnings: list[str]) -> None:
    assert (
        "index.rst:10: WARNING: eventlet.greenpool.GreenPool has no entry in the API map; "
        "add one to _data/api_map.toml or write it as ``eventlet.greenpool.GreenPool`` "
        "[eventlet_api.unmapped]"
    ) in error_warnings


def test_same_object_declared_under_its_shortcut(error_warnings: list[str]) -> None:
    assert (
        f"index.rst:16: WARNING: eventlet.sleep and eventlet.greenthread.sleep are the same "
        f"object in Eventlet {INSTALLED}; keep one entry (the other name links to it) "
        f"[eventlet_api.duplicate]"
    ) in error_warnings


def test_declared_kind_is_checked_against_the_installed_object(error_warnings: list[str]) -> None:
    assert (
        f"_data/api_map.toml:15: WARNING: eventlet.greenthread.GreenThread is declared as a "
        f"function, but in Eventlet {INSTALLED} it is a class (loaded by index.rst:8) "
        f"[eventlet_api.kind]"
    ) in error_warnings


def test_schema_errors_point_at_the_data_file_and_the_directive(
    error_warnings: list[str],
) -> None:
    schema = [w for w in error_warnings if w.endswith("[eventlet_api.schema]")]
    loaded = "(loaded by schema.rst:4) [eventlet_api.schema]"
    assert schema == [
        "_data/bad.toml:4: WARNING: entry 'eventlet.timeout.Timeout': unknown kind 'gadget'; "
        "expected one of module, class, exception, function, method, classmethod, property, "
        f"attribute, data, envvar, keyword, environ {loaded}",
        "_data/bad.toml:9: WARNING: entry 'eventlet.timeout.with_timeout': missing required "
        f"field 'threading' {loaded}",
        "_data/bad.toml:17: WARNING: entry 'eventlet.timeout.is_timeout': field 'asyncio' "
        f"must be a string {loaded}",
        "_data/bad.toml:19: WARNING: entry 'eventlet.timeout.is_timeout': unknown field "
        "'colour'; expected one of kind, summary, asyncio, threading, pitfalls, recipe, "
        "module "
        f"{loaded}",
        "_data/broken.toml:2: WARNING: invalid TOML: Illegal character '\\n' (at line 2, "
        "column 15) (loaded by schema.rst:7) [eventlet_api.schema]",
    ]


def test_reference_that_names_nothing(error_warnings: list[str]) -> None:
    # Before: "reference to : not in the installed Eventlet" (an empty name).
    for role in (":ev:`~`", ":ev:`a text <>`"):
        assert (
            f"index.rst:32: WARNING: {role} names no Eventlet object: write a dotted name, "
            "such as :ev:`eventlet.spawn` [eventlet_api.role]"
        ) in error_warnings


def test_label_of_an_entry_taken_by_a_page(error_warnings: list[str]) -> None:
    # Entries are std:label entries too (ev-<name in lower case>), for other
    # projects' intersphinx links; a page's own label of that name wins.
    assert [w for w in error_warnings if w.endswith("[eventlet_api.label]")] == [
        "_data/api_map.toml:3: WARNING: eventlet.greenthread: the label "
        "'ev-eventlet.greenthread' already names something else (in schema.rst), so other "
        "projects cannot link to this entry by label; rename that label [eventlet_api.label]"
    ]


def test_bad_input_never_gives_more_than_the_expected_warnings(
    error_warnings: list[str],
) -> None:
    # Every warning is typed, and there is no traceback or untyped noise.
    assert all(re.search(r"\[eventlet_api\.\w+\]$", w) for w in error_warnings), error_warnings
    assert len(error_warnings) == 13


@pytest.mark.sphinx(
    "html",
    testroot="api",
    srcdir="api-suppressed",
    freshenv=True,
    confoverrides={"suppress_warnings": ["eventlet_api.unmapped"]},
)
def test_one_class_of_warning_can_be_suppressed(app: SphinxTestApp) -> None:
    (app.srcdir / "recipe.rst").write_text(
        "Recipe\n======\n\n:ev:`eventlet.greenpool.GreenPool` and "
        ":ev:`eventlet.greenthread.nonesuch`.\n",
        encoding="utf-8",
    )
    app.build()
    assert warnings_of(app) == [
        f"recipe.rst:4: WARNING: reference to eventlet.greenthread.nonesuch: not in the "
        f"installed Eventlet {INSTALLED}: eventlet.greenthread has no attribute 'nonesuch' "
        f"[eventlet_api.missing]"
    ]


@pytest.mark.sphinx("html", testroot="api", srcdir="api-directive-errors", freshenv=True)
def test_directive_errors(app: SphinxTestApp) -> None:
    (app.srcdir / "recipe.rst").write_text(
        "Recipe\n======\n\n"
        ".. ev:api:: os.path\n   :kind: module\n\n   Not Eventlet.\n\n"
        ".. ev:api:: eventlet.queue.Queue\n\n   No kind.\n\n"
        ".. ev:api:: eventlet.greenthread.spawn\n   :kind: function\n\n   Twice.\n",
        encoding="utf-8",
    )
    app.build()
    assert warnings_of(app) == [
        "recipe.rst:4: WARNING: ev:api: 'os.path' is not a dotted Eventlet name "
        "(eventlet.module.name) [eventlet_api.directive]",
        "recipe.rst:9: WARNING: ev:api eventlet.queue.Queue: missing option ':kind:' "
        "[eventlet_api.directive]",
        "recipe.rst:13: WARNING: duplicate entry for eventlet.greenthread.spawn; the other one "
        "is at _data/api_map.toml:9 [eventlet_api.duplicate]",
    ]


@pytest.mark.sphinx("html", testroot="api", srcdir="api-docutils-errors", freshenv=True)
def test_missing_argument_and_unknown_option_value(app: SphinxTestApp) -> None:
    (app.srcdir / "recipe.rst").write_text(
        "Recipe\n======\n\n.. ev:api::\n\n   No name.\n\n"
        ".. ev:api:: eventlet.queue.Queue\n   :kind: gadget\n\n   Bad kind.\n\n.. ev:map::\n",
        encoding="utf-8",
    )
    app.build()
    errors = warnings_of(app)
    assert errors == [
        'recipe.rst:4: ERROR: Error in "ev:api" directive:',
        'recipe.rst:8: ERROR: Error in "ev:api" directive:',
        'recipe.rst:13: ERROR: Error in "ev:map" directive:',
    ]
    text = strip_escape_sequences(app.warning.getvalue())
    assert "1 argument(s) required, 0 supplied." in text
    assert "invalid option value: (option: \"kind\"; value: 'gadget')" in text


@pytest.mark.sphinx(
    "html",
    testroot="api",
    srcdir="api-no-eventlet",
    freshenv=True,
    confoverrides={"eventlet_api_python": "/nonexistent/python"},
)
def test_eventlet_that_cannot_be_inspected_is_one_warning_not_a_traceback(
    app: SphinxTestApp,
) -> None:
    app.build()
    warnings = warnings_of(app)
    assert warnings[0] == (
        "WARNING: cannot check names against the installed Eventlet: could not run "
        "/nonexistent/python: [Errno 2] No such file or directory: '/nonexistent/python' "
        "[eventlet_api.introspection]"
    )
    # Declared names still link; shortcuts cannot be computed without Eventlet.
    assert all(w.endswith("[eventlet_api.unmapped]") for w in warnings[1:])
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "#ev-eventlet.greenthread.spawn" in anchors(index)


# -- incremental and parallel builds ----------------------------------------------


@pytest.mark.sphinx("html", testroot="api", srcdir="api-incremental", freshenv=True)
def test_incremental_rebuild_after_removing_an_entry(app: SphinxTestApp, make_app) -> None:
    app.build()
    assert warnings_of(app) == []
    assert "eventlet.greenthread.sleep" in inventory(app)["ev:api"]

    data = app.srcdir / "_data" / "api_map.toml"
    text = data.read_text(encoding="utf-8")
    start = text.index('[entries."eventlet.greenthread.sleep"]')
    data.write_text(text[:start], encoding="utf-8")

    again = make_app("html", srcdir=app.srcdir)  # same doctrees: an incremental build
    again.build()
    entries = inventory(again)["ev:api"]
    assert "eventlet.greenthread.sleep" not in entries
    assert "eventlet.sleep" not in entries
    assert "eventlet.greenthread.spawn" in entries
    # myst.md did not change, but its links to the removed entry are re-checked.
    unmapped = [w for w in warnings_of(again) if w.endswith("[eventlet_api.unmapped]")]
    assert [w.split(": WARNING: ")[0] for w in unmapped] == [
        "index.rst:11",
        "myst.md:3",
        "myst.md:3",
    ]
    myst = (again.outdir / "myst.html").read_text(encoding="utf-8")
    assert anchors(myst) == []


def test_parallel_build_equals_serial(tmp_path: Path) -> None:
    serial = build_copy("api", tmp_path / "serial")
    parallel = build_copy("api", tmp_path / "parallel", parallel=2)
    assert warnings_of(serial) == warnings_of(parallel) == []
    for name in ("objects.inv", "index.html", "myst.html", "recipe.html", "genindex.html"):
        left = (serial.outdir / name).read_bytes()
        assert left == (parallel.outdir / name).read_bytes(), name


# -- names that are not attributes: environment variables, keywords, environ keys --


@pytest.mark.sphinx("html", testroot="api-extras", freshenv=True)
def test_envvar_keyword_and_environ_entries(app: SphinxTestApp) -> None:
    app.build()
    data = "_data/api_map.toml"
    loaded = "(loaded by index.rst:4)"
    assert warnings_of(app) == [
        f"{data}:50: WARNING: entry 'EVENTLET_THREADPOOL_SIZE': an EVENTLET_... name is of "
        f"kind 'envvar' {loaded} [eventlet_api.schema]",
        f"{data}:29: WARNING: EVENTLET_NO_SUCH_VARIABLE is not in the installed Eventlet "
        f"{INSTALLED}: its source never reads this environment variable {loaded} "
        "[eventlet_api.missing]",
        f"{data}:42: WARNING: eventlet.no_such_key is not in the installed Eventlet "
        f"{INSTALLED}: eventlet.wsgi never sets this environ key {loaded} "
        "[eventlet_api.missing]",
        f"{data}:36: WARNING: eventlet.patcher.monkey_patch.sockets is not in the installed "
        f"Eventlet {INSTALLED}: the function accepts no such keyword argument {loaded} "
        "[eventlet_api.missing]",
        # Not rendered by any map, but still reported, once.
        f"{data}:56: WARNING: entry 'eventlet.set_idle': an entry of kind 'environ' needs a "
        "'module' field: the page it is on [eventlet_api.schema]",
    ]
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    # Each reads as what it is, and every spelling links to its anchor.
    name = '</span></span><span class="sig-name descname"><span class="pre">'
    assert f"environ[&quot;{name}eventlet.input" in html
    assert f"monkey_patch({name}socket" in html
    links = html[html.index("Links:") :]
    assert anchors(links) == [
        "#ev-EVENTLET_HUB",
        "#ev-eventlet.patcher.monkey_patch.socket",
        "#ev-eventlet.patcher.monkey_patch.socket",
        "#ev-eventlet.input",
    ]
    index = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    assert "environment variable" in index
    assert "EVENTLET_HUB (Eventlet environment variable)" in index
    assert "eventlet.input (Eventlet environ key)" in index
    assert "eventlet.patcher.monkey_patch.socket (Eventlet keyword argument)" in index


def test_coverage_counts_envvars_keywords_environ_keys_and_settings() -> None:
    report = coverage(ROOTS / "test-api-extras" / "_data" / "api_map.toml")
    for name in (
        "EVENTLET_HUB",
        "EVENTLET_THREADPOOL_SIZE",
        "EVENTLET_NO_GREENDNS",
        "eventlet.patcher.monkey_patch.socket",
        "eventlet.patcher.monkey_patch.all",
        "eventlet.input",
        "eventlet.posthooks",
        "eventlet.wsgi.MAX_HEADER_LINE",
        "eventlet.patcher.original",
    ):
        assert name in report.public
    for name in ("EVENTLET_HUB", "eventlet.patcher.monkey_patch.socket", "eventlet.input"):
        assert name not in report.missing
    assert "eventlet.patcher.monkey_patch.thread" in report.missing
    # Eventlet's own test switch and wsgi's internal state names are not API.
    assert "EVENTLET_TESTS" not in report.public
    assert "eventlet.wsgi.STATE_IDLE" not in report.public


def test_data_file_checks_entries_of_the_new_kinds(tmp_path: Path) -> None:
    data = tmp_path / "map.toml"
    data.write_text(
        '[entries."EVENTLET_HUB"]\nkind = "envvar"\nmodule = "not a module"\n'
        'summary = "s"\nasyncio = "a"\nthreading = "t"\n',
        encoding="utf-8",
    )
    [problem] = api_data.load(data).problems
    assert (problem.line, problem.module) == (3, "not a module")
    assert "is not a module name" in problem.message


# -- the data file and the coverage report, without Sphinx -------------------------


def test_data_file_entries_keep_their_lines() -> None:
    api_map = api_data.load(ROOTS / "test-api" / "_data" / "api_map.toml")
    assert api_map.problems == ()
    spawn = api_map.entries["eventlet.greenthread.spawn"]
    assert (spawn.line, spawn.lines["kind"], spawn.lines["pitfalls"]) == (9, 10, 16)
    assert [e.name for e in api_map.module_entries("eventlet.greenthread")] == [
        "eventlet.greenthread",
        "eventlet.greenthread.spawn",
        "eventlet.greenthread.sleep",
    ]


def test_unquoted_entry_header_is_a_located_problem(tmp_path: Path) -> None:
    data = tmp_path / "map.toml"
    data.write_text('\n[entries.eventlet.sleep]\nkind = "function"\n', encoding="utf-8")
    [problem] = api_data.load(data).problems
    assert problem.line == 2
    assert "quoted name" in problem.message


def test_coverage_is_computed_from_the_installed_package() -> None:
    report = coverage(ROOTS / "test-api" / "_data" / "api_map.toml")
    assert report.version == INSTALLED
    # __all__ of a public module, methods of its classes, green modules, modules.
    for name in (
        "eventlet.greenthread.spawn_n",
        "eventlet.greenthread.GreenThread.wait",
        "eventlet.queue.LightQueue.get",
        "eventlet.green.threading",
        "eventlet.semaphore.Semaphore.acquire",
        "eventlet.timeout",
    ):
        assert name in report.public
        assert name in report.missing
    # Declared, or reached through a declared name: covered.
    for name in (
        "eventlet.greenthread",
        "eventlet.greenthread.spawn",
        "eventlet.greenthread.sleep",
    ):
        assert name not in report.missing
    # Shortcuts are not public names of their own; private helpers are not public.
    assert "eventlet.spawn" not in report.public
    assert not any(part.startswith("_") for name in report.public for part in name.split("."))
    assert "eventlet.support.greenlets" not in report.public


def test_introspection_canonical_names() -> None:
    answer = inspect_installed(
        ["eventlet.spawn", "eventlet.Timeout.cancel", "eventlet.getcurrent", "eventlet.nope"]
    )
    assert answer.names["eventlet.spawn"].canonical == "eventlet.greenthread.spawn"
    assert answer.names["eventlet.Timeout.cancel"].canonical == "eventlet.timeout.Timeout.cancel"
    assert answer.names["eventlet.getcurrent"].canonical == "eventlet.greenthread.getcurrent"
    assert not answer.names["eventlet.nope"].exists
    assert answer.names["eventlet.nope"].kind == ""
    assert answer.names["eventlet.nope"].error == "eventlet has no attribute 'nope'"
    # Only modules that are really in the package count as existing when unimportable.
    assert not inspect_installed(["eventlet.green.nope"]).names["eventlet.green.nope"].exists


# -- the guide's own API map ----------------------------------------------------------

GUIDE_MAP = ROOTS.parent.parent / "docs" / "_data" / "api_map.toml"
GUIDE_API_PAGES = ROOTS.parent.parent / "docs" / "reference" / "api"


def test_guide_map_is_well_formed() -> None:
    api_map = api_data.load(GUIDE_MAP)
    assert api_map.problems == ()
    # Every entry is on a page: some ev:map renders its module.
    rendered = {
        line.split("::", 1)[1].strip()
        for page in GUIDE_API_PAGES.glob("*.rst")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(".. ev:map::")
    }
    assert [
        entry.name
        for entry in api_map.entries.values()
        if not any(entry.in_module(module) for module in rendered)
    ] == []


def test_guide_map_covers_every_public_name() -> None:
    """The coverage gate (issue 9): every public name of the installed Eventlet has an entry."""
    report = coverage(GUIDE_MAP)
    assert report.unimportable == {}
    assert report.missing == (), f"{len(report.missing)} public names have no entry"
    assert report.covered == len(report.public) > 300


def test_coverage_gate_fails_when_an_entry_is_removed(tmp_path: Path) -> None:
    """Removing an entry, of any kind, drops coverage below 100%."""
    # One map without an entry of each kind, so that Eventlet is inspected once:
    # coverage is counted name by name, and each one must be reported.
    names = (
        "eventlet.tpool.execute",
        "EVENTLET_HUB",
        "eventlet.patcher.monkey_patch.socket",
        "eventlet.input",
        "eventlet.green.zmq",
    )
    text = GUIDE_MAP.read_text(encoding="utf-8")
    for name in names:
        header = f'[entries."{name}"]'
        assert header in text
        text = text.replace(header, f'[entries."{name}_removed"]')
    trimmed = tmp_path / "map.toml"
    trimmed.write_text(text, encoding="utf-8")
    assert sorted(coverage(trimmed).missing) == sorted(names)


def test_introspection_kinds() -> None:
    kinds = {
        "eventlet.queue": "module",
        "eventlet.queue.Queue": "class",
        "eventlet.queue.Full": "exception",
        "eventlet.timeout.Timeout": "exception",
        "eventlet.timeout.Timeout.pending": "property",
        "eventlet.queue.Queue.get": "method",  # inherited from LightQueue
        "eventlet.greenthread.spawn": "function",
        "eventlet.greenthread.getcurrent": "function",  # a C function of greenlet
        "eventlet.greenpool.DEBUG": "data",
        # A module of the package that cannot be imported here (on Python 3 it
        # imports "urllib2") still exists.
        "eventlet.green.urllib2": "module",
    }
    answer = inspect_installed(kinds)
    assert {name: info.kind for name, info in answer.names.items()} == kinds


def test_introspection_asks_a_child_only_for_what_it_was_not_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = []
    ask = eventlet_api_introspect._ask

    def counted(names: tuple[str, ...], public: bool, python: str) -> Introspection:
        asked.append((names, public))
        return ask(names, public, python)

    monkeypatch.setattr(eventlet_api_introspect, "_ask", counted)
    monkeypatch.setattr(eventlet_api_introspect, "_KNOWN", {})
    first = inspect_installed(["eventlet.spawn", "eventlet.nope"])
    again = inspect_installed(["eventlet.spawn"])
    more = inspect_installed(["eventlet.spawn", "eventlet.queue.Queue"], public=True)
    last = inspect_installed(["eventlet.queue.Queue"], public=True)
    assert asked == [
        (("eventlet.nope", "eventlet.spawn"), False),
        (("eventlet.queue.Queue",), True),
    ]
    # Each answer holds the names asked for, and the public names only when asked.
    assert again.names == {"eventlet.spawn": first.names["eventlet.spawn"]}
    assert (first.public, again.public) == ((), ())
    assert more.names.keys() == {"eventlet.spawn", "eventlet.queue.Queue"}
    assert more.names["eventlet.queue.Queue"].kind == "class"
    assert "eventlet.queue.Queue" in more.public
    assert last.public == more.public
    assert not first.names["eventlet.nope"].exists


def test_build_never_imports_eventlet_itself(tmp_path: Path) -> None:
    """Eventlet is inspected in a child interpreter: the build process stays clean."""
    shutil.copytree(ROOTS / "test-api", tmp_path / "src")
    script = (
        "import sys\n"
        "from sphinx.cmd.build import build_main\n"
        f"status = build_main(['-q', '-W', '-b', 'html', {str(tmp_path / 'src')!r}, "
        f"{str(tmp_path / 'out')!r}])\n"
        "print(status, 'eventlet' in sys.modules, 'greenlet' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOTS.parent.parent / "ext")},
    )
    assert result.stdout.split() == ["0", "False", "False"], result.stderr


# -- the names real projects use (docs/_data/api_usage.toml) -------------------------

GUIDE_USAGE = GUIDE_MAP.with_name("api_usage.toml")
COVERAGE_SCRIPT = str(ROOTS.parent.parent / "ext" / "eventlet_api_coverage.py")


def test_introspection_follows_a_reexport_to_where_it_is_defined() -> None:
    names = {
        "eventlet.green.time.sleep": "eventlet.greenthread.sleep",
        "eventlet.green.threading.local": "eventlet.corolocal.local",
        "eventlet.green.socket.socket": "eventlet.greenio.base.GreenSocket",
        "eventlet.greenio.GreenSocket": "eventlet.greenio.base.GreenSocket",
        # An alias inside its own module keeps its name, so it keeps its entry.
        "eventlet.db_pool.ConnectionPool": "eventlet.db_pool.ConnectionPool",
        # The standard library's objects are not Eventlet's.
        "eventlet.green.socket.AF_INET": "eventlet.green.socket.AF_INET",
        "eventlet.green.subprocess.TimeoutExpired": "eventlet.green.subprocess.TimeoutExpired",
    }
    answer = inspect_installed(list(names))
    assert {name: answer.names[name].canonical for name in names} == names


def test_guide_map_has_an_entry_for_every_name_real_projects_use() -> None:
    report = eventlet_api_usage.check(GUIDE_MAP, GUIDE_USAGE)
    assert report.problems == ()
    assert report.absent == {}
    assert report.unmapped == (), f"{len(report.unmapped)} used names have no entry"
    assert report.stale == ()
    usage = report.usage
    assert len(usage.projects) >= 30
    assert len(usage.names["eventlet.wsgi.HttpProtocol"].projects) >= 5
    # Covered through the name it stands for, not by an entry of its own.
    sleep = usage.names["eventlet.green.time.sleep"]
    assert sleep.unmapped is None
    assert "eventlet.green.time.sleep" not in api_data.load(GUIDE_MAP).entries


def _without_entry(tmp_path: Path, name: str) -> Path:
    text = GUIDE_MAP.read_text(encoding="utf-8")
    header = f'[entries."{name}"]'
    assert header in text
    trimmed = tmp_path / "api_map.toml"
    trimmed.write_text(text.replace(header, f'[entries."{name}_removed"]'), encoding="utf-8")
    shutil.copy(GUIDE_USAGE, tmp_path / "api_usage.toml")
    return trimmed


def test_usage_check_fails_when_a_used_name_loses_its_entry(tmp_path: Path) -> None:
    trimmed = _without_entry(tmp_path, "eventlet.wsgi.HttpProtocol")
    report = eventlet_api_usage.check(trimmed, tmp_path / "api_usage.toml")
    assert report.unmapped == ("eventlet.wsgi.HttpProtocol",)
    # HttpProtocol is outside __all__: the public-name coverage alone misses it.
    assert coverage(trimmed).missing == ()


def test_usage_check_follows_aliases(tmp_path: Path) -> None:
    trimmed = _without_entry(tmp_path, "eventlet.corolocal.local")
    unmapped = eventlet_api_usage.check(trimmed, tmp_path / "api_usage.toml").unmapped
    assert "eventlet.green.threading.local" in unmapped


def test_usage_check_reports_names_eventlet_lacks_and_stale_reasons(tmp_path: Path) -> None:
    commit = "0" * 40
    usage = tmp_path / "api_usage.toml"
    usage.write_text(
        f'[projects."example/app"]\ncommit = "{commit}"\n'
        '[names."eventlet.wsgi.ALREADY_HANDLED"]\nseen = ["example/app:app.py"]\n'
        '[names."eventlet.greenthread.spawn"]\nseen = ["example/app:app.py"]\n'
        'unmapped = "internal"\n',
        encoding="utf-8",
    )
    report = eventlet_api_usage.check(GUIDE_MAP, usage)
    assert report.problems == ()
    assert report.absent == {
        "eventlet.wsgi.ALREADY_HANDLED": "eventlet.wsgi has no attribute 'ALREADY_HANDLED'"
    }
    assert report.stale == ("eventlet.greenthread.spawn",)


def test_usage_file_problems_are_reported(tmp_path: Path) -> None:
    usage = tmp_path / "api_usage.toml"
    usage.write_text(
        '[projects."example/app"]\ncommit = "abc"\n'
        '[projects."example/lib"]\ncommit = "' + "1" * 40 + '"\n'
        '[names."eventlet.sleep"]\nseen = ["example/other:x.py", "no-path"]\nwhy = "?"\n'
        '[names."eventlet.spawn"]\nseen = []\n'
        "[extra]\n",
        encoding="utf-8",
    )
    problems = "\n".join(eventlet_api_usage.load(usage).problems)
    # Each problem is located at the header of the table it is in.
    for expected in (
        ":10: unknown top-level key 'extra'",
        ":1: project 'example/app': 'commit' must be 40 lower-case hex digits",
        ":5: name 'eventlet.sleep': 'example/other' is not in [projects]",
        ":5: name 'eventlet.sleep': 'no-path' is not 'owner/name:path'",
        ":5: name 'eventlet.sleep': unknown field 'why'",
        ":8: name 'eventlet.spawn': 'seen' must be a non-empty list",
    ):
        assert f"{usage}{expected}" in problems


def test_invalid_usage_toml_is_reported_at_its_line(tmp_path: Path) -> None:
    usage = tmp_path / "api_usage.toml"
    usage.write_text('[projects."example/app"]\ncommit = \n', encoding="utf-8")
    (problem,) = eventlet_api_usage.load(usage).problems
    assert problem.startswith(f"{usage}:2: invalid TOML: ")


def test_coverage_command_fails_with_strict_on_a_public_or_a_used_name_without_entry(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOTS.parent.parent / "ext")}

    def report(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, COVERAGE_SCRIPT, *arguments]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    full = report("--strict", str(GUIDE_MAP))
    assert full.returncode == 0, full.stderr
    assert "0 missing" in full.stderr
    # The usage file beside the map is checked too.
    assert "0 without an entry, 0 not in Eventlet" in full.stderr
    # A public name (Lock.release) and a name only real projects use (GreenPipe,
    # outside eventlet.greenio's __all__) lose their entries.
    trimmed = _without_entry(tmp_path, "eventlet.greenio.GreenPipe")
    trimmed.write_text(
        trimmed.read_text(encoding="utf-8").replace(
            '[entries."eventlet.lock.Lock.release"]', '[entries."eventlet.lock.Lock.released"]'
        ),
        encoding="utf-8",
    )
    short = report("--strict", str(trimmed))
    assert short.returncode == 1
    assert short.stdout.split() == ["eventlet.lock.Lock.release", "eventlet.greenio.GreenPipe"]
    # Without --strict the report is the same, and the exit status 0.
    lenient = report(str(trimmed))
    assert (lenient.returncode, lenient.stdout) == (0, short.stdout)
