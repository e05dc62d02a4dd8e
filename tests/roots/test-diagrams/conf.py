# SPDX-License-Identifier: MIT
extensions = ["myst_parser", "diagrams"]
# Tests turn rendering on explicitly; by default no mermaid-cli is used.
diagrams_mmdc = ""
# The ePub builder wants both.
version = "1"
copyright = "the tests"
