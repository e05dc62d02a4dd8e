# SPDX-License-Identifier: MIT
"""Two pages built with the guide's own publishing settings (tests/test_ecosystem.py).

The settings are not copied: they are read from docs/conf.py, as it reads
them from the environment (READTHEDOCS_CANONICAL_URL, GUIDE_REPOSITORY_URL),
so this project checks what Read the Docs would build from the guide.
"""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUIDE = HERE.parents[2] / "docs"
_guide = runpy.run_path(str(GUIDE / "conf.py"))

#: The extensions that publish the site; the guide's own need its pages.
PUBLISHING = ("notfound.extension", "sphinxext.opengraph", "sitemap_order")
extensions = [name for name in _guide["extensions"] if name in PUBLISHING]
globals().update(
    (name, value)
    for name, value in _guide.items()
    if name.startswith(("html_", "notfound_", "ogp_", "sitemap_"))
    or name in {"project", "author", "copyright", "version", "release", "language"}
)
# Relative to the guide's docs/, not to this directory.
html_logo = str(GUIDE / _guide["html_logo"])
html_favicon = str(GUIDE / _guide["html_favicon"])
html_static_path = [str(GUIDE / path) for path in _guide["html_static_path"]]
exclude_patterns = ["_build"]
