# SPDX-License-Identifier: MIT
project = "Examples test root: examples that pass and examples that fail"
extensions = ["examples", "myst_parser"]
# Snippets are included into pages, not built as pages of their own.
exclude_patterns = ["_snippets"]
