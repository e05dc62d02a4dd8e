"""Sphinx configuration for the Eventlet Migration Guide.

Kept thin on purpose: theme, extensions and options. Behaviour lives in ext/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# Our own extensions live in ext/ at the repository root, one module per concern.
sys.path.insert(0, str(DOCS.parent / "ext"))

# -- Project ------------------------------------------------------------------

project = "Eventlet Migration Guide"
author = "The Eventlet Migration Guide contributors"
copyright = "2026, the Eventlet Migration Guide contributors"
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
]

root_doc = "index"
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
% API map names in the index are long dotted words: let them break after a
% dot or an underscore, as inline code does.
\makeatletter
\protected\def\sphinxstyleindexentry#1{{\sphinxbreaksattexescapedchars
  \texttt{\sphinxupquote{#1}}}}
\makeatother
""",
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    # Sphinx titles the table of contents with the root page's first toctree
    # caption; the PDF's contents page is simply "Contents".
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
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
epub_show_urls = "no"
epub_exclude_files = ["search.html"]
