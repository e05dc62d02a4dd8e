# SPDX-License-Identifier: MIT
"""Another project that links to the guide through intersphinx alone.

The test sets ``intersphinx_mapping`` to a locally built inventory of
tests/roots/test-link-guide (no network), and builds once more with our
``eventlet_api`` extension loaded, with the page that uses its role.
"""

project = "Link client"
version = release = "1.0"
copyright = "2026, the test"
extensions = ["sphinx.ext.intersphinx"]
exclude_patterns = ["_build", "with-ev.rst"]
nitpicky = True
