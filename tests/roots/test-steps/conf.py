# SPDX-License-Identifier: MIT
"""A small project with migration steps in reStructuredText and MyST."""

project = "Steps"
version = release = "1.0"
copyright = "2026, the test"
extensions = ["myst_parser", "sphinx_design", "migration_steps"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
mermaid_init_config = {"startOnLoad": False, "securityLevel": "antiscript"}
