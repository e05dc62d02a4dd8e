# SPDX-License-Identifier: MIT
"""Sphinx configuration for the Eventlet Migration Guide.

Kept thin on purpose: theme, extensions and options. Behaviour lives in ext/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

DOCS = Path(__file__).resolve().parent
# Our own extensions live in ext/ at the repository root, one module per concern.
sys.path.insert(0, str(DOCS.parent / "ext"))

# -- Project ------------------------------------------------------------------

project = "Eventlet Migration Guide"
author = "The Eventlet Migration Guide contributors"
# Shown in every page's footer and in the ePub's rights: the prose is under
# CC BY 4.0, all code (examples, extensions, tests, tools) under MIT. The
# licence texts are LICENSE-docs and LICENSE at the repository's root.
copyright = (
    "2026, the Eventlet Migration Guide contributors. "
    "Text under CC BY 4.0; code and examples under the MIT licence"
)
release = version = "2026.11"

# -- General ------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinxcontrib.mermaid",
    # Ours, from ext/: diagrams, the Eventlet API map, the build-time checks,
    # the collector of Python examples that the tests run, migration steps.
    "diagrams",
    "eventlet_api",
    "glossary_check",
    "internal_links",
    "examples",
    "migration_steps",
    # literalinclude's :diff: names files by their path in the guide (the tutorial).
    "diff_paths",
    # Keyboard and screen-reader fixes to the HTML (scrollable regions, focus).
    "html_access",
    # Read the Docs conventions: a 404 page with links that work at any depth,
    # OpenGraph and Twitter card metadata (the sitemap is added below).
    "notfound.extension",
    "sphinxext.opengraph",
]

root_doc = "index"
# Small overrides of furo's templates (accessibility fixes; see each file).
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
language = "en"
nitpicky = True
# Keep the build quiet and reproducible: no timestamps in the output unless a
# reproducible one is requested through SOURCE_DATE_EPOCH.
html_last_updated_fmt = None

# -- MyST ---------------------------------------------------------------------

myst_enable_extensions = [
    "colon_fence",
    "deflist",
    "fieldlist",
    "substitution",
]
myst_heading_anchors = 3
myst_substitutions = {
    "eventlet_min": "0.40",
}

# -- Our extensions -----------------------------------------------------------

# The API map's data file, relative to this directory (ext/eventlet_api.py).
eventlet_api_map = "_data/api_map.toml"
# Where the guide is published: a link to these is a hard-coded internal link
# (ext/internal_links.py). html_baseurl, when Read the Docs sets it, is added.
guide_own_urls: list[str] = []

# -- Intersphinx --------------------------------------------------------------
# Inventories are cached in docs/_intersphinx so an offline build still
# resolves every link. `nox -s intersphinx` refreshes them (needs a network).

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(DOCS / "_intersphinx" / "python.inv")),
}
intersphinx_timeout = 5

# -- Diagrams -----------------------------------------------------------------
# Mermaid diagrams are pre-rendered (ext/diagrams.py) and cached in
# docs/_diagrams; `nox -s diagrams` installs the pinned mermaid-cli used here
# to render new ones.

diagrams_mmdc = str(DOCS.parent / "tools" / "mermaid" / "node_modules" / ".bin" / "mmdc")
# The migration-graph diagram goes to every output: ext/diagrams.py renders it
# for each of them (the other builders get the dependency list only).
migration_graph_builders = ["html", "dirhtml", "singlehtml", "epub", "latex"]

# -- HTML ---------------------------------------------------------------------

html_theme = "furo"
html_title = "Eventlet Migration Guide"
html_copy_source = False
# Read the Docs sets these; locally they are empty and the build still works.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "")
# The logo in the sidebar and the favicon: one small SVG, drawn for the guide.
html_logo = "_static/logo.svg"
html_favicon = "_static/logo.svg"
# Our own stylesheets (the ePub one is listed in epub_css_files).
html_static_path = ["_static"]


def _source_repository() -> str | None:
    """The repository URL that "Edit this page" links point to, if known.

    Read the Docs exposes the clone URL; a local build may set
    GUIDE_REPOSITORY_URL. Without either, the theme omits the edit link.
    """
    url = os.environ.get("GUIDE_REPOSITORY_URL") or os.environ.get("READTHEDOCS_GIT_CLONE_URL")
    if not url or not url.startswith("https://"):
        return None
    return url.removesuffix(".git").rstrip("/") + "/"


html_theme_options: dict[str, object] = {
    "navigation_with_keys": True,
    "top_of_page_buttons": ["view", "edit"],
}
if (_repository := _source_repository()) is not None:
    html_theme_options.update(
        source_repository=_repository,
        source_branch=os.environ.get("READTHEDOCS_GIT_IDENTIFIER", "main"),
        source_directory="docs/",
    )

# -- Read the Docs conventions -----------------------------------------------

# A sitemap needs the site's absolute URL, so it is made only when there is
# one (Read the Docs sets READTHEDOCS_CANONICAL_URL, which already holds the
# language and version: "{link}" keeps sphinx-sitemap from adding them again).
# Without lastmod dates it has no timestamps, and ext/sitemap_order.py (which
# loads sphinx-sitemap) sorts its entries: two builds give the same bytes.
if html_baseurl:
    extensions.append("sitemap_order")
sitemap_url_scheme = "{link}"
sitemap_show_lastmod = False
sitemap_excludes = ["404.html", "search.html", "genindex.html"]

# The 404 page is served for a missing URL at any depth, so its links and
# assets are absolute from the site's root: the canonical URL's path on Read
# the Docs (/en/latest/), "/" when the HTML is served from its own directory.
notfound_urls_prefix = urlsplit(html_baseurl).path or "/"
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>No page of the Eventlet Migration Guide is at this address: it may have "
        "moved, or the link that brought you here has a typo.</p>\n"
        f'<p>Start again from <a href="{notfound_urls_prefix}index.html">the guide\'s '
        f'first page</a> or <a href="{notfound_urls_prefix}search.html">search the '
        "guide</a>.</p>"
    ),
}

# OpenGraph and Twitter card metadata: the page's title and its first
# sentences as the description. No generated images (social cards would need
# matplotlib and fonts), so a summary card.
ogp_site_url = html_baseurl
ogp_site_name = project
ogp_social_cards = {"enable": False}
ogp_custom_meta_tags = ['<meta name="twitter:card" content="summary" />']

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- LaTeX / PDF --------------------------------------------------------------

latex_engine = "pdflatex"
latex_documents = [
    (
        root_doc,
        "eventlet-migration-guide.tex",
        "Eventlet Migration Guide",
        author,
        "manual",
    ),
]
latex_show_urls = "footnote"
# The PDF's document information: hyperref has no copyright key of its own
# (hyperxmp adds one), so the licences go in a custom "Copyright" entry.
_PDF_METADATA = rf"""
\hypersetup{{
  pdfsubject={{Moving Python services off Eventlet to asyncio or native threads}},
  pdfkeywords={{Eventlet, asyncio, threading, migration, Python}},
  pdfinfo={{Copyright={{Copyright (c) {copyright}}}}},
}}
"""
latex_elements = {
    "papersize": "a4paper",
    # Read on screen and printed one-sided: no blank pages before chapters.
    "extraclassoptions": "openany,oneside",
    "pointsize": "10pt",
    "preamble": r"""
\setcounter{tocdepth}{1}
% Wide tables get a landscape page of their own (raw latex in the page).
\usepackage{pdflscape}
% pdflatex stops at a character it has no definition for; these appear in
% prose and code comments. amssymb (loaded by Sphinx) provides \checkmark.
\DeclareUnicodeCharacter{2192}{\ensuremath{\rightarrow}}
\DeclareUnicodeCharacter{2190}{\ensuremath{\leftarrow}}
\DeclareUnicodeCharacter{2194}{\ensuremath{\leftrightarrow}}
\DeclareUnicodeCharacter{21D2}{\ensuremath{\Rightarrow}}
\DeclareUnicodeCharacter{2264}{\ensuremath{\leq}}
\DeclareUnicodeCharacter{2265}{\ensuremath{\geq}}
\DeclareUnicodeCharacter{2260}{\ensuremath{\neq}}
\DeclareUnicodeCharacter{2248}{\ensuremath{\approx}}
\DeclareUnicodeCharacter{2713}{\ensuremath{\checkmark}}
\DeclareUnicodeCharacter{2717}{\ensuremath{\times}}
\DeclareUnicodeCharacter{2026}{\ldots}
% Sphinx shrinks an image to at most the text height; a figure that tall
% has no room left for its caption and runs into the footer.
\makeatletter
\AtBeginDocument{\spx@image@maxheight=.85\textheight}
\makeatother
% Inline code may break after a hyphen, at a cost: Sphinx forbids it, and
% names such as t2-threads-primitives then stick out of narrow table cells.
\makeatletter
\protected\def\sphinxhyphenmaybreak#1{\mbox{-}\penalty200\relax}
\renewcommand*{\sphinxhyphenininlineliteral}{\sphinxhyphenmaybreak}
\makeatother
% API map names in the index are long dotted words: let them break after a
% dot or an underscore, as inline code does.
\makeatletter
\protected\def\sphinxstyleindexentry#1{{\sphinxbreaksattexescapedchars
  \texttt{\sphinxupquote{#1}}}}
\makeatother
"""
    + _PDF_METADATA,
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    # Sphinx titles the table of contents with the root page's first toctree
    # caption; the PDF's contents page is simply "Contents". The root page's
    # own text follows it, before the first chapter: give it a heading (and a
    # running head other than "CONTENTS") as an unnumbered chapter.
    "tableofcontents": r"""
\renewcommand{\contentsname}{Contents}\sphinxtableofcontents
\chapter*{Introduction}\addcontentsline{toc}{chapter}{Introduction}
\markboth{Introduction}{Introduction}
""",
    # Dotted API names are long single words: a smaller, ragged index keeps
    # them inside their column.
    "printindex": r"\footnotesize\raggedright\printindex",
}

# -- ePub ---------------------------------------------------------------------

epub_basename = "eventlet-migration-guide"
epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_description = (
    "A tested guide to moving Python services off Eventlet, to asyncio or to native threads."
)
epub_show_urls = "no"
epub_exclude_files = ["search.html"]
epub_css_files = ["epub-field-lists.css"]
