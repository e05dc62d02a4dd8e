# SPDX-License-Identifier: MIT
extensions = ["myst_parser", "eventlet_api"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
# As in the guide: MyST reads ":asyncio: ..." as a field list only with this.
myst_enable_extensions = ["fieldlist"]
