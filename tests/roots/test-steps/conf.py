"""A small project with migration steps in reStructuredText and MyST."""

project = "Steps"
extensions = ["myst_parser", "sphinx_design", "migration_steps"]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
mermaid_init_config = {"startOnLoad": False, "securityLevel": "antiscript"}
