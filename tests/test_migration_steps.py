# SPDX-License-Identifier: MIT
"""The migration-step extension: real builds of the projects in tests/roots/.

``test-steps`` is a good project (six steps over five pages, rST and MyST,
nested toctrees, an orphan page, a checklist page); ``test-steps-bad`` holds
every mistake the extension reports; ``test-steps-syntax`` holds one step
written both in rST and in MyST.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from migration_graph import MAX_BOXES, describe, drawings, mermaid_label, mermaid_source
from migration_steps import (
    NumberedStep,
    StepEntry,
    find_cycles,
    pdflatex_cannot_typeset,
    reading_order,
)

MakeApp = Callable[..., SphinxTestApp]

# sphinxcontrib-mermaid imports a helper that Sphinx 8.1 (the Python 3.10
# pin) deprecates; the import happens in setup(), under pytest's "error".
pytestmark = pytest.mark.filterwarnings("ignore:'sphinx.util.import_object' is deprecated")

#: Every step of test-steps, by id: the number and title reading order gives.
EXPECTED_NUMBERS = {
    "switch-hub": (1, "Switch the hub"),
    "bridge": (2, "Bridge both worlds"),
    "drop-eventlet": (3, "Drop Eventlet"),
    "zeta-step": (4, "Move the workers"),
    "alpha-step": (5, "Clean up"),
    # Sphinx's smart quotes make the title's "toctree" typographic.
    "orphan-step": (6, "Outside every \u201ctoctree\u201d"),
}
STEP_PAGES = ["start", "next", "more/zeta", "more/alpha", "orphan"]


def copy_root(rootdir: Path, tmp_path: Path, name: str) -> Path:
    """A private copy of tests/roots/test-<name>, safe to edit."""
    srcdir = tmp_path / name
    shutil.copytree(rootdir / f"test-{name}", srcdir)
    return srcdir


def build(make_app: MakeApp, srcdir: Path, builder: str = "html", **kwargs: Any) -> SphinxTestApp:
    app = make_app(builder, srcdir=srcdir, **kwargs)
    app.build()
    # Unregister the nodes and directives now: a test may build again.
    app.cleanup()
    return app


def warnings_of(app: SphinxTestApp) -> str:
    """The warning stream, without terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def read(app: SphinxTestApp, name: str) -> str:
    return Path(app.outdir, name).read_text(encoding="utf-8")


def html_numbers(app: SphinxTestApp) -> dict[str, tuple[int, str]]:
    """Step id -> (number, title) as the HTML step cards show them."""
    found: dict[str, tuple[int, str]] = {}
    card = re.compile(
        r'id="step-([a-z0-9-]+)">\s*<p class="migration-step-title rubric">'
        r'(?:<input [^>]*/> )?<span class="migration-step-number">Step (\d+): </span>(.*?)'
        r'(?:<a class="headerlink"[^>]*>[^<]*</a>)?</p>'
    )
    for page in STEP_PAGES:
        for step_id, number, title in card.findall(read(app, f"{page}.html")):
            found[step_id] = (int(number), re.sub(r"<[^>]+>", "", title))
    return found


@pytest.fixture
def good(rootdir: Path, tmp_path: Path) -> Path:
    return copy_root(rootdir, tmp_path, "steps")


def assert_quiet(app: SphinxTestApp) -> None:
    assert warnings_of(app) == "", warnings_of(app)


# -- Numbering -------------------------------------------------------------------


def test_html_numbers_follow_toctree_order_then_page_position(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    assert_quiet(app)
    # Alphabetical order would put more/alpha first and start last: the
    # numbers follow the toctree (start, next, more/zeta, more/alpha), then
    # the orphan page.
    assert html_numbers(app) == EXPECTED_NUMBERS


def test_latex_numbers_are_the_html_numbers(make_app: MakeApp, good: Path):
    app = build(make_app, good, "latex")
    assert_quiet(app)
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    cards = re.findall(
        r"\\label\{\\detokenize\{[^}:]+:step-([a-z0-9-]+)\}\}\s*"
        r"\\begin\{sphinxuseclass\}\{migration-step\}\\subsubsection\*\{Step (\d+): ",
        tex,
    )
    # The orphan page is not in the LaTeX document; every other step is.
    expected = {k: v[0] for k, v in EXPECTED_NUMBERS.items() if k != "orphan-step"}
    assert {step_id: int(number) for step_id, number in cards} == expected
    # Links go to LaTeX labels that exist.
    for target in re.findall(r"\\hyperref\[\\detokenize\{([^}]+)\}\]", tex):
        assert f"\\label{{\\detokenize{{{target}}}}}" in tex, target


def test_latex_prints_each_step_as_a_card_with_one_line_of_metadata(make_app: MakeApp, good: Path):
    app = build(make_app, good, "latex")
    assert_quiet(app)
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    # ext/latex/migrationsteps.sty draws the card; pdflatex finds it beside the .tex.
    assert "\\usepackage{migrationsteps}" in tex
    assert (Path(app.outdir) / "migrationsteps.sty").is_file()
    # The metadata is a paragraph, not a description list.
    assert "\\sphinxlineitem{Effort}" not in tex
    assert re.search(
        r"\\sphinxstylestrong\{Effort\}: \w+ · \\sphinxstylestrong\{Risk\}: \w+", tex
    ), tex[:3000]


def test_reading_order_is_depth_first_then_orphans(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    assert reading_order(app.env) == [
        "index",
        "start",
        "next",
        "more/index",
        "more/zeta",
        "more/alpha",
        "checklist",
        "orphan",
    ]


# -- Step cards, tabs and the role in HTML ---------------------------------------


def test_html_step_card_has_tabs_metadata_and_done_checkboxes(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    start = read(app, "start.html")
    card = start[start.index('id="step-switch-hub"') : start.index('id="step-bridge"')]
    # Metadata.
    assert re.search(
        r"Effort.*?<p>small</p>.*?Risk.*?<p>low</p>.*?Applies to.*?<p>asyncio</p>", card, re.S
    )
    # Before and after are one sphinx-design tab set, the before tab selected,
    # labels synchronised across the page by their qualifier.
    assert card.count('class="migration-variants sd-tab-set') == 1
    assert card.count('type="radio"') == 2
    assert re.search(r'<input checked="checked" id="sd-tab-item-\d+" name="sd-tab-set-\d+"', card)
    assert 'data-sync-id="before-eventlet"' in card
    assert 'data-sync-id="after-asyncio"' in card
    assert re.search(r">\s*Before \(Eventlet\)</label>", card)
    assert re.search(r">\s*After \(asyncio\)</label>", card)
    # The code stays an ordinary highlighted Python block inside its tab.
    assert card.count('<div class="highlight-python notranslate">') == 2
    # The step and its "done when" items carry real checkboxes with stable
    # keys; the step's box shares its key with its row in the checklist.
    assert card.count('<input type="checkbox" class="migration-check"') == 3
    assert re.search(
        r'<p class="migration-step-title rubric"><input type="checkbox" class="migration-check" '
        r'data-migration-key="switch-hub" aria-label="Done: Step 1: Switch the hub" />',
        card,
    )
    assert 'data-migration-key="switch-hub/done/0"' in card
    assert 'data-migration-key="switch-hub/done/1"' in card
    # Each "done when" sentence is its box's label, so a click on it ticks the box.
    assert card.count('<label class="migration-check-label"><input type="checkbox"') == 2
    # The card has a permalink, and an entry in the page's contents.
    assert '<a class="headerlink" href="#step-switch-hub" title="Link to this step">' in card
    toc = {
        (reference["anchorname"], reference.astext())
        for reference in app.env.tocs["start"].findall(nodes.reference)
    }
    assert ("#step-switch-hub", "Switch the hub") in toc
    # A search result for the step opens its card: the index stores the whole
    # anchor (not "-", which the search script would rebuild from the title),
    # and names the kind of result once.
    text = read(app, "searchindex.js")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    kinds = {str(number): name for number, name in index["objtypes"].items()}
    anchors = {
        entry[3]
        for entries in index["objects"].values()
        for entry in entries
        if kinds[str(entry[1])].startswith("migration:")
    }
    assert "step-switch-hub" in anchors
    assert all(anchor.startswith("step-") for anchor in anchors), anchors
    labels = {name for _, _, name in index["objnames"].values()}
    assert "migration step" in labels
    # The page loads the script that keeps the boxes' state.
    assert "_static/migration-steps.js" in start
    assert Path(app.outdir, "_static", "migration-steps.js").is_file()
    assert Path(app.outdir, "_static", "migration-steps.css").is_file()


def test_html_requires_links_to_prerequisites(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    nxt = read(app, "next.html")
    requires = nxt[nxt.index(">Requires<") : nxt.index("</dd>", nxt.index(">Requires<"))]
    assert 'href="start.html#step-switch-hub"' in requires
    assert ">Step 1: Switch the hub</span>" in requires
    assert 'href="start.html#step-bridge"' in requires
    assert ">Step 2: Bridge both worlds</span>" in requires


@pytest.mark.parametrize(
    ("page", "link"),
    [
        # rST, generated title; rST, explicit title
        (
            "start",
            '<a class="reference internal" href="#step-bridge" title="Step 2: Bridge both '
            'worlds"><span class="xref migration-step-ref">Step 2: Bridge both worlds</span></a>',
        ),
        (
            "start",
            '<a class="reference internal" href="#step-switch-hub" title="Step 1: Switch '
            'the hub"><span class="xref migration-step-ref">the first step</span></a>',
        ),
        # The domain's role name, and the any role
        (
            "start",
            'role name works too: <a class="reference internal" href="#step-bridge" '
            'title="Step 2: Bridge both worlds"><span class="xref migration-step-ref">'
            "Step 2: Bridge both worlds</span></a>",
        ),
        (
            "start",
            'and so does\n<a class="reference internal" href="#step-switch-hub" '
            'title="Step 1: Switch the hub"><span class="xref any migration migration-step">'
            "Step 1: Switch the hub</span></a>",
        ),
        # MyST, generated title; MyST, explicit title, to another page
        (
            "next",
            '<a class="reference internal" href="#step-drop-eventlet" title="Step 3: Drop '
            'Eventlet"><span class="xref migration-step-ref">Step 3: Drop Eventlet</span></a>',
        ),
        (
            "next",
            '<a class="reference internal" href="start.html#step-bridge" title="Step 2: '
            'Bridge both worlds"><span class="xref migration-step-ref">going back</span></a>',
        ),
    ],
)
def test_step_role_in_rst_and_myst(make_app: MakeApp, good: Path, page: str, link: str):
    app = build(make_app, good)
    assert link in read(app, f"{page}.html")


# -- rST and MyST give the same step ---------------------------------------------


def _card_doctree(app: SphinxTestApp, docname: str) -> str:
    doctree = app.env.get_doctree(docname)
    card = next(
        node for node in doctree.findall(nodes.container) if "migration-step" in node["classes"]
    )
    text = card.pformat()
    # What legitimately differs: the page, the id, and code-block's own
    # attributes (MyST's fenced code has none of them).
    for attribute in ("docname", "refdoc"):
        text = text.replace(f'{attribute}="{docname}"', f'{attribute}="DOC"')
    text = text.replace(f"same-step-{docname}", "same-step")
    # docutils 0.21 prints booleans as True/False, 0.22 as 1/0.
    text = text.replace('="True"', '="1"').replace('="False"', '="0"')
    return re.sub(r' force="0"| highlight_args="\{\}"', "", text)


def test_rst_and_myst_read_to_the_same_doctree(make_app: MakeApp, rootdir: Path, tmp_path: Path):
    srcdir = copy_root(rootdir, tmp_path, "steps-syntax")
    app = build(make_app, srcdir)
    assert_quiet(app)
    rst, myst = _card_doctree(app, "rst"), _card_doctree(app, "myst")
    assert rst == myst
    snapshot = srcdir / "expected-card.txt"
    assert rst == snapshot.read_text(encoding="utf-8"), (
        "the step card's doctree changed; if that is intended, update "
        "tests/roots/test-steps-syntax/expected-card.txt with the new text:\n" + rst
    )


def test_code_in_before_and_after_stays_standard_literal_blocks(
    make_app: MakeApp, rootdir: Path, tmp_path: Path
):
    # The example harness finds every Python literal_block in the doctree;
    # the ones inside steps must be among them.
    app = build(make_app, copy_root(rootdir, tmp_path, "steps-syntax"))
    for docname in ("rst", "myst"):
        blocks = [
            node.astext().strip()
            for node in app.env.get_doctree(docname).findall(nodes.literal_block)
            if node.get("language") == "python"
        ]
        assert blocks == ["import eventlet", "import asyncio"]


# -- Checklist and graph ----------------------------------------------------------


def _rows(table: str) -> list[tuple[str, str, str]]:
    """(key, number, href) for every row of a checklist table."""
    return re.findall(
        r'data-migration-key="([a-z0-9-]+)".*?<td><p>(\d+)</p></td>\s*<td><p><a class="reference '
        r'internal" href="([^"]+)"',
        table,
        re.S,
    )


def test_html_checklist_rows_filters_and_checkboxes(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    page = read(app, "checklist.html")
    tables = re.findall(r'<table class="migration-checklist.*?</table>', page, re.S)
    assert len(tables) == 3
    everything, asyncio_only, threading_only = (_rows(table) for table in tables)
    assert everything == [
        ("switch-hub", "1", "start.html#step-switch-hub"),
        ("bridge", "2", "start.html#step-bridge"),
        ("drop-eventlet", "3", "next.html#step-drop-eventlet"),
        ("zeta-step", "4", "more/zeta.html#step-zeta-step"),
        ("alpha-step", "5", "more/alpha.html#step-alpha-step"),
        ("orphan-step", "6", "orphan.html#step-orphan-step"),
    ]
    # A target filter keeps that target, "both", and steps that name none.
    assert [row[1] for row in asyncio_only] == ["1", "2", "3", "5"]
    assert [row[1] for row in threading_only] == ["2", "4", "5", "6"]
    assert "<p>not set</p>" in tables[0]


def _graphs(page: str) -> list[str]:
    """The Mermaid source of every graph on a page, in order."""
    return re.findall(r'<pre  class="mermaid">(.*?)</pre>', page, re.S)


def test_html_graph_is_mermaid_with_click_links(make_app: MakeApp, good: Path):
    app = build(make_app, good)
    page = read(app, "checklist.html")
    # One graph per chapter, in reading order: the root folder's pages
    # (steps 1 to 3), more/ (4 and 5), then the root again (the orphan, 6).
    # The unfiltered graph first, then the threading one.
    graphs = _graphs(page)
    assert len(graphs) == 3 + 3
    first, more, orphan = graphs[:3]
    assert all("flowchart TB" in graph for graph in graphs)
    assert "step1[&quot;Step 1: Switch the hub&quot;]" in first
    for edge in ("step1 --&gt; step2", "step1 --&gt; step3", "step2 --&gt; step3"):
        assert edge in first
    assert first.count("--&gt;") == 3
    # Step 2, from the first graph, is drawn dashed in the second.
    assert "step2 --&gt; step4" in more
    assert "step4 --&gt; step5" in more
    assert "step2[&quot;Step 2: Bridge both worlds&quot;]:::elsewhere" in more
    assert "classDef elsewhere stroke-dasharray" in more
    assert "classDef elsewhere" not in first
    assert "click step4 href &quot;more/zeta.html#step-zeta-step&quot;" in more
    assert "click step2 href &quot;start.html#step-bridge&quot;" in more
    assert "click step6 href &quot;orphan.html#step-orphan-step&quot;" in orphan
    # A text alternative made from the graph.
    assert (
        "accDescr: Dependency graph of steps 4 to 5: step 4 requires step 2 (step 2 drawn "
        "with a dashed border, from elsewhere); step 5 requires step 4." in more
    )
    # A double quote in a title: Mermaid's #quot; shows as "&quot;" in the SVG
    # text labels ext/diagrams.py renders, so the label gets typographic quotes.
    assert "step6[&quot;Step 6: Outside every \u201ctoctree\u201d&quot;]" in orphan
    # Each graph is a figure whose caption names its chapter (its folder's
    # index page), the pages if the graph does not cover them all, and steps.
    captions = re.findall(r'<figcaption>\s*<p><span class="caption-text">([^<]*)<', page)
    assert captions[:3] == [
        "Steps: First page, Second page (steps 1 to 3)",
        "More steps (steps 4 to 5)",
        "Steps: Orphan (step 6)",
    ]
    # sphinxcontrib-mermaid saw the node and added its loader to the page.
    assert "mermaid" in page[page.index("<head>") : page.index("</head>")]


def _step(number: int, docname: str, requires: tuple[str, ...] = ()) -> NumberedStep:
    entry = StepEntry(
        id=f"s{number}", docname=docname, lineno=1, serial=number, title=f"Title {number}",
        effort="", risk="", applies_to="both", requires=requires,
    )  # fmt: skip
    return NumberedStep(number, entry)


def test_graphs_split_by_chapter_and_size():
    steps = [_step(n, f"a/page{n // 3}") for n in range(1, 12)] + [_step(12, "b/one")]
    parts = drawings(steps)
    # a/ has 11 steps on 4 pages: pages stay whole, at most MAX_BOXES a graph.
    assert [[s.number for s in part.steps] for part in parts] == [
        [1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11], [12]
    ]  # fmt: skip
    assert parts[0].pages == ["a/page0", "a/page1", "a/page2"]
    assert all(len(part.steps) <= MAX_BOXES for part in parts)


def test_loose_steps_are_stacked_in_columns_not_one_row():
    steps = [_step(n, "a/page") for n in range(1, 7)]
    steps.append(_step(7, "a/page", ("s1",)))
    source = mermaid_source(steps)
    # 2 to 6 have no arrow: two columns (4 + 1) under the part 1 -> 7.
    assert "step2 ~~~ step3 ~~~ step4 ~~~ step5" in source
    assert "step7 ~~~ step2" in source
    assert "step7 ~~~ step6" in source
    assert describe(steps, {s.entry.id: s for s in steps}) == (
        "Dependency graph of steps 1 to 7: step 7 requires step 1; "
        "steps 2, 3, 4, 5 and 6 require no other step."
    )


def test_filtered_graph_names_prerequisites_it_leaves_out(make_app: MakeApp, good: Path):
    app = build(make_app, good, "text")
    graphs = " ".join(read(app, "checklist.txt").split()).split("Only threading, as a graph:")
    filtered = graphs[1]
    # Step 1 applies to asyncio only: not drawn, but Step 2 still requires it
    # (this list said "requires no other step").
    assert (
        "*Step 2: Bridge both worlds* requires *Step 1: Switch the hub* (not in this graph)"
        in filtered
    )
    assert "*Step 1: Switch the hub* requires" not in filtered
    assert "*Step 4: Move the workers* requires *Step 2: Bridge both worlds*" in filtered
    assert "(not in this graph)" not in graphs[0]


def test_mermaid_labels_keep_quotes_and_escape_markup():
    assert mermaid_label('Say "hi" ("x") to <b> & it\'s') == (
        "Say \u201chi\u201d (\u201cx\u201d) to #lt;b#gt; #amp; it's"
    )


def test_dirhtml_links_checklist_and_graph(make_app: MakeApp, good: Path):
    app = build(make_app, good, "dirhtml")
    assert_quiet(app)
    html = read(app, "checklist/index.html")
    assert 'href="../more/zeta/#step-zeta-step"' in html
    assert "click step4 href &quot;../more/zeta/#step-zeta-step&quot;" in html
    assert "sd-tab-set" in read(app, "start/index.html")


# -- Other builders ----------------------------------------------------------------


def test_text_builder_blocks_in_sequence_and_checklist_table(make_app: MakeApp, good: Path):
    app = build(make_app, good, "text")
    assert_quiet(app)
    start = read(app, "start.txt")
    assert "-[ Step 1: Switch the *hub* ]-" in start
    before, after = start.index("-[ Before (Eventlet) ]-"), start.index("-[ After (asyncio) ]-")
    assert before < start.index('print("before")') < after < start.index('print("after")')
    assert "-[ Done when ]-" in start
    assert "See *Step 2: Bridge both worlds* and *the first step*." in " ".join(start.split())
    checklist = read(app, "checklist.txt")
    assert re.search(
        r"\| 4 +\| Move the workers +\| medium +\| medium +\| threading +\|", checklist
    )
    assert "*Step 5: Clean up* requires *Step 4: Move the workers*" in " ".join(checklist.split())
    # No diagram in text by default: migration_graph_builders names HTML only.
    assert "[graph" not in checklist
    assert "checkbox" not in checklist


def test_graph_builders_decide_who_gets_the_diagram(make_app: MakeApp, good: Path):
    app = build(make_app, good, "text", confoverrides={"migration_graph_builders": ["text"]})
    assert_quiet(app)
    checklist = " ".join(read(app, "checklist.txt").split())
    # sphinxcontrib-mermaid's text rendering of the diagram, then the list.
    assert "[graph: Dependency graph of steps 1 to 3: step 2 requires step 1;" in checklist
    assert checklist.index("[graph:") < checklist.index("*Step 1: Switch the hub* requires no")


def test_latex_builder_checklist_table_and_dependency_list(make_app: MakeApp, good: Path):
    app = build(make_app, good, "latex")
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert "sd-tab" not in tex
    assert "checkbox" not in tex
    assert r"\begin{sphinxuseclass}{migration-before}" in tex
    # The checklist is a table with links to each step's label.
    assert (
        r"\hyperref[\detokenize{more/zeta:step-zeta-step}]{\sphinxcrossref{Move the workers}}"
        in tex
    )
    assert "requires no other step" in tex


def test_epub_gets_sequential_blocks_not_tabs_or_scripts(make_app: MakeApp, good: Path):
    app = build(make_app, good, "epub")
    assert_quiet(app)
    start = read(app, "start.xhtml")
    assert "sd-tab-set" not in start
    assert 'type="radio"' not in start
    assert 'class="migration-variant-label rubric">Before (Eventlet)</p>' in start
    assert "migration-check" not in start
    checklist = read(app, "checklist.xhtml")
    assert 'class="mermaid"' not in checklist
    assert "requires no other step" in checklist


# -- Warnings ------------------------------------------------------------------------

BAD_WARNINGS = [
    (
        "options.rst",
        4,
        "missing_id",
        "migration-step needs an :id: option (a slug such as 'use-asyncio-hub')",
    ),
    ("options.rst", 10, "bad_id", "migration-step :id: 'Not_A_Slug' is not a slug"),
    (
        "options.rst",
        17,
        "bad_option",
        "migration-step option :effort: has unknown value 'huge'; allowed: small, medium, large",
    ),
    (
        "options.rst",
        17,
        "bad_option",
        "migration-step option :risk: has unknown value 'none'; allowed: low, medium, high",
    ),
    (
        "options.rst",
        17,
        "bad_option",
        "migration-step option :applies-to: has unknown value 'trio'; "
        "allowed: asyncio, threading, both",
    ),
    ("options.rst", 27, "no_after", "migration-step 'no-after' has no 'after' block"),
    ("options.rst", 34, "outside_step", "'before' is only allowed inside a migration-step"),
    ("options.rst", 38, "outside_step", "'done-when' is only allowed inside a migration-step"),
    (
        "options.rst",
        42,
        "bad_option",
        "migration-checklist option :applies-to: has unknown value 'gevent'",
    ),
    ("options.rst", 45, "missing_title", "migration-step needs a title (its argument)"),
    ("options.rst", 48, "empty", "'after' block is empty"),
    (
        "links.rst",
        12,
        "unknown_requires",
        "migration step 'cycle-b' requires unknown step 'nowhere'",
    ),
    (
        "links.rst",
        4,
        "cycle",
        "dependency cycle between migration steps: cycle-a -> cycle-b -> cycle-a",
    ),
    ("links.rst", 27, "unknown_step", "unknown migration step id 'not-a-step' in step reference"),
    (
        "myst.md",
        3,
        "bad_option",
        "migration-step option :effort: has unknown value 'tiny'; allowed: small, medium, large",
    ),
    ("myst.md", 3, "no_after", "migration-step 'cycle-a' has no 'after' block"),
    ("myst.md", 12, "outside_step", "'after' is only allowed inside a migration-step"),
    (
        "myst.md",
        16,
        "unknown_step",
        "unknown migration step id 'missing-in-myst' in step reference",
    ),
    # Input that used to pass silently.
    (
        "more.rst",
        4,
        "bad_option",
        "migration-step option :requires: has an empty entry in 'later-step ,, later-step ,': "
        "separate ids with single commas",
    ),
    (
        "more.rst",
        4,
        "bad_option",
        "migration-step option :requires: names 'later-step' more than once",
    ),
    (
        "more.rst",
        4,
        "order",
        "migration step 'outer' (Step 9) requires step 'later-step', which comes later in "
        "reading order (Step 14, {srcdir}/more.rst:54): move the required step before it",
    ),
    (
        "more.rst",
        8,
        "bad_option",
        "'after' takes no options, but its next line is ':language: python': give options "
        "to the block inside it, after a blank line",
    ),
    (
        "myst.md",
        24,
        "bad_option",
        "'after' takes no options, but its next line is ':language: python'",
    ),
    (
        "more.rst",
        68,
        "bad_option",
        "'done-when' takes no options, but its next line is ':class: checks'",
    ),
    (
        "more.rst",
        13,
        "nested",
        "migration-step inside another migration-step: steps cannot nest; end the outer "
        "step first (unindent this one)",
    ),
    (
        "more.rst",
        31,
        "anchor_clash",
        "migration step 'clash': a section on this page already has the anchor 'step-clash', "
        "so links to the step would go there; rename the section or the step's :id:",
    ),
    (
        "more.rst",
        54,
        "anchor_clash",
        "migration step 'later-step' has the anchor and label 'step-later-step', but the "
        "label 'step-later-step' in {srcdir}/myst.md already names something else",
    ),
    (
        "more.rst",
        40,
        "only",
        "migration step 'only-latex' is inside 'only:: latex': an output that leaves it out "
        "would still number it and list it in the checklist and the graph",
    ),
    (
        "more.rst",
        47,
        "title_xref",
        "migration-step title links to step 'outer' with ':step:': the checklist, the graph "
        "and links show titles as plain text, where it would read 'outer'",
    ),
]


def test_every_mistake_gives_a_located_typed_warning(
    make_app: MakeApp, rootdir: Path, tmp_path: Path
):
    srcdir = copy_root(rootdir, tmp_path, "steps-bad")
    app = build(make_app, srcdir)
    warnings = warnings_of(app).splitlines()
    expected = []
    for filename, line, subtype, message in BAD_WARNINGS:
        message = message.format(srcdir=srcdir)
        prefix = f"{srcdir / filename}:{line}: WARNING: {message}"
        matching = [
            w for w in warnings if w.startswith(prefix) and w.endswith(f"[migration.{subtype}]")
        ]
        assert matching, f"missing: {prefix} ... [migration.{subtype}]\n" + "\n".join(warnings)
        expected.extend(matching)
    # Duplicates name both places: where it is, and where it was first defined.
    duplicates = [w for w in warnings if w.endswith("[migration.duplicate_id]")]
    assert duplicates == [
        f"{srcdir / 'links.rst'}:20: WARNING: duplicate migration step id 'unknown-values': "
        f"already defined at {srcdir / 'options.rst'}:17 [migration.duplicate_id]",
        f"{srcdir / 'myst.md'}:3: WARNING: duplicate migration step id 'cycle-a': "
        f"already defined at {srcdir / 'links.rst'}:4 [migration.duplicate_id]",
    ]
    # And nothing else: no tracebacks, no untyped docutils errors.
    assert sorted(set(warnings) - set(expected) - set(duplicates)) == []
    # A nested step's "done when" boxes are its own, not also the outer step's
    # (which keyed them "outer/done/0" and labelled them with raw HTML).
    # A step's box has an aria-label; a "done when" box sits inside a <label>
    # around its sentence, which names it.
    more = read(app, "more.html")
    boxes = re.findall(r'data-migration-key="([^"]+)"(?: aria-label="([^"]*)")? />', more)
    assert boxes[:4] == [
        ("outer", "Done: Step 9: Outer"),
        ("inner", "Done: Step 10: Inner"),
        ("inner/done/0", ""),
        ("outer/done/0", ""),
    ]
    labels = re.findall(
        r'<label[^>]*>\s*<input[^>]*data-migration-key="([^"]+)"[^>]*/>\s*([^<]*)', more
    )
    # (The inner sentence has markup: its <label> text stops at the first tag.)
    assert ("inner/done/0", "Inner is ") in labels
    assert ("outer/done/0", "Outer is done.") in labels


def test_a_warning_class_can_be_suppressed(make_app: MakeApp, rootdir: Path, tmp_path: Path):
    srcdir = copy_root(rootdir, tmp_path, "steps-bad")
    app = build(make_app, srcdir, confoverrides={"suppress_warnings": ["migration.cycle"]})
    warnings = warnings_of(app)
    assert "[migration.cycle]" not in warnings
    assert "[migration.unknown_requires]" in warnings


def test_bad_project_still_builds_latex_and_text(make_app: MakeApp, rootdir: Path, tmp_path: Path):
    srcdir = copy_root(rootdir, tmp_path, "steps-bad")
    for builder in ("latex", "text"):
        app = build(make_app, srcdir, builder, freshenv=True)
        assert "Traceback" not in warnings_of(app)
        # Sphinx writes a title that pdflatex cannot typeset without complaint;
        # pdflatex then stops at its first character.
        latex_title = (
            f"{srcdir / 'more.rst'}:54: WARNING: migration step 'later-step': pdflatex cannot "
            "typeset '中' (U+4E2D), '文' (U+6587) in its title, and the PDF build would stop "
            "there; write the title without them, declare them with \\DeclareUnicodeCharacter "
            "in latex_elements['preamble'], or set latex_engine to 'xelatex' "
            "[migration.latex_title]"
        )
        assert (latex_title in warnings_of(app).splitlines()) is (builder == "latex")
    assert "not-a-step" in Path(app.outdir, "links.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("requires", "cycles"),
    [
        ({"a": (), "b": ("a",)}, []),
        ({"a": ("a",)}, [["a"]]),
        ({"a": ("c",), "b": ("a",), "c": ("b",)}, [["a", "c", "b"]]),
        ({"a": ("b",), "b": ("a",), "c": ("d",), "d": ("c", "a")}, [["a", "b"], ["c", "d"]]),
        ({"a": ("missing",)}, []),
    ],
)
def test_find_cycles(requires: dict[str, tuple[str, ...]], cycles: list[list[str]]):
    steps = {
        step_id: StepEntry(step_id, "doc", 1, 0, step_id, "", "", "", needs)
        for step_id, needs in requires.items()
    }
    assert find_cycles(steps) == cycles


@pytest.mark.parametrize(
    ("title", "declared", "bad"),
    [
        # Latin-1, Latin Extended-A, typographic quotes, dashes, arrows (TS1).
        ("Ol\u00e9 \u0141\u00f3d\u017a \u201cx\u201d \u2013 \u2192 \u1e9e", (), []),
        # Gaps in T1 (H with stroke), CJK, Cyrillic: pdflatex stops at each.
        ("\u0126 \u4e2d\u6587 \u4e2d \u0416", (), ["\u0126", "\u4e2d", "\u6587", "\u0416"]),
        # What the project declares with \DeclareUnicodeCharacter is typeset.
        ("\u4e2d\u6587", (0x4E2D,), ["\u6587"]),
    ],
)
def test_characters_pdflatex_cannot_typeset(title: str, declared: tuple[int, ...], bad: list[str]):
    assert pdflatex_cannot_typeset(title, frozenset(declared)) == bad


# -- Incremental and parallel builds -------------------------------------------------


def _touch_later(path: Path) -> None:
    """Make sure the next build sees the file as changed, however coarse the clock."""
    stat = path.stat()
    os.utime(path, (stat.st_atime + 10, stat.st_mtime + 10))


def test_incremental_build_updates_checklist_and_numbers_on_other_pages(
    make_app: MakeApp, good: Path
):
    app = build(make_app, good)
    assert html_numbers(app) == EXPECTED_NUMBERS
    checklist_before = read(app, "checklist.html")

    # Add a step at the top of start.rst: every later step moves down one.
    start = good / "start.rst"
    text = start.read_text(encoding="utf-8")
    heading = "First page\n==========\n"
    assert heading in text
    start.write_text(
        text.replace(
            heading,
            heading + "\n.. migration-step:: Pin Eventlet\n   :id: pin\n   :effort: small\n\n"
            "   .. after::\n\n      Pinned.\n",
        ),
        encoding="utf-8",
    )
    _touch_later(start)
    app = build(make_app, good)
    assert_quiet(app)
    renumbered = html_numbers(app)
    assert renumbered["pin"] == (1, "Pin Eventlet")
    assert renumbered["drop-eventlet"] == (4, "Drop Eventlet")  # on next.md, not edited
    assert renumbered["alpha-step"] == (6, "Clean up")  # on more/alpha.md, not edited
    checklist = read(app, "checklist.html")
    assert checklist != checklist_before
    assert re.search(r'data-migration-key="pin".*?<td><p>1</p></td>', checklist, re.S)
    assert 'href="next.html#step-drop-eventlet" title="Step 4: Drop Eventlet"' in checklist
    # The role on next.md follows too.
    assert ">Step 4: Drop Eventlet</span>" in read(app, "next.html")

    # Delete the step of more/zeta.rst (keep the page): it leaves the checklist.
    zeta = good / "more" / "zeta.rst"
    zeta.write_text("Zeta\n====\n\nNo step here any more.\n", encoding="utf-8")
    _touch_later(zeta)
    # alpha-step required zeta-step: now that is an unknown requirement.
    app = build(make_app, good)
    assert "migration step 'alpha-step' requires unknown step 'zeta-step'" in warnings_of(app)
    checklist = read(app, "checklist.html")
    assert 'data-migration-key="zeta-step"' not in checklist
    assert re.search(r'data-migration-key="alpha-step".*?<td><p>5</p></td>', checklist, re.S)
    assert "step-zeta-step" not in checklist

    # Remove the page altogether (and from the toctree): still consistent.
    (good / "more" / "alpha.md").unlink()
    index = good / "more" / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace("   alpha\n", ""), encoding="utf-8")
    _touch_later(index)
    app = build(make_app, good)
    assert_quiet(app)
    checklist = read(app, "checklist.html")
    assert "alpha-step" not in checklist
    assert re.search(r'data-migration-key="orphan-step".*?<td><p>5</p></td>', checklist, re.S)


def test_unchanged_rebuild_rewrites_nothing(make_app: MakeApp, good: Path):
    build(make_app, good)
    app = build(make_app, good)
    assert "no targets are out of date" in app.status.getvalue()


def _html_files(outdir: Path) -> list[Path]:
    return sorted(path.relative_to(outdir) for path in outdir.rglob("*.html"))


def test_parallel_build_equals_serial_build(make_app: MakeApp, rootdir: Path, tmp_path: Path):
    serial_src = copy_root(rootdir, tmp_path / "serial", "steps")
    parallel_src = copy_root(rootdir, tmp_path / "parallel", "steps")
    serial = build(make_app, serial_src)
    parallel = build(make_app, parallel_src, parallel=2)
    assert_quiet(parallel)
    # Proof that the parallel code paths ran: they report progress per chunk
    # of documents ("first .. last"), the serial ones per document.
    status = re.sub(r"\x1b\[[0-9;]*m", "", parallel.status.getvalue())
    assert re.search(r"reading sources\.\.\. \[ 50%\] \S+ \.\. \S+", status), status
    assert re.search(r"writing output\.\.\. \[100%\] \S+ \.\. \S+", status), status
    files = _html_files(Path(serial.outdir))
    assert files == _html_files(Path(parallel.outdir))
    different = [
        str(name)
        for name in files
        if not filecmp.cmp(Path(serial.outdir, name), Path(parallel.outdir, name), shallow=False)
    ]
    assert different == []
    assert html_numbers(parallel) == EXPECTED_NUMBERS
