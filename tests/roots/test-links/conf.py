# SPDX-License-Identifier: MIT
extensions = ["myst_parser", "internal_links"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
guide_own_urls = ["https://guide.example.org/en/latest/"]
