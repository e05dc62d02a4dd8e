# SPDX-License-Identifier: MIT
"""Every mistake a writer can make with migration steps, one per step."""

project = "Bad steps"
version = release = "1.0"
copyright = "2026, the test"
extensions = ["myst_parser", "migration_steps"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
