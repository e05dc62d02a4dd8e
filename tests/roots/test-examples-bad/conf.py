# SPDX-License-Identifier: MIT
project = "Examples test root: bad input"
extensions = ["examples", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
