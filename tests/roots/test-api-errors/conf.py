# SPDX-License-Identifier: MIT
extensions = ["myst_parser", "eventlet_api"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
