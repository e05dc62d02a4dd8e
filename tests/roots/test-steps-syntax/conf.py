# SPDX-License-Identifier: MIT
"""The same step written in reStructuredText and in MyST."""

project = "Step syntax"
version = release = "1.0"
copyright = "2026, the test"
extensions = ["myst_parser", "sphinx_design", "migration_steps"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
