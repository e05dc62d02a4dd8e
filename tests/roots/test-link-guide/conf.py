# SPDX-License-Identifier: MIT
"""A tiny guide with every extension of ours: an API entry, a step, a term, MyST links."""

project = "Link guide"
version = release = "1.0"
copyright = "2026, the test"
extensions = [
    "myst_parser",
    "eventlet_api",
    "glossary_check",
    "examples",
    "migration_steps",
]
myst_enable_extensions = ["colon_fence", "fieldlist"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
nitpicky = True
