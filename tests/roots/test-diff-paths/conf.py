# SPDX-License-Identifier: MIT
extensions = ["diff_paths"]
exclude_patterns = ["_build"]
