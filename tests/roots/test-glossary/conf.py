# SPDX-License-Identifier: MIT
extensions = ["myst_parser", "sphinx.ext.intersphinx", "glossary_check"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
