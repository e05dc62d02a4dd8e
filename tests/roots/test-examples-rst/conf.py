# SPDX-License-Identifier: MIT
project = "Examples test root"
copyright = "2026, the Eventlet Migration Guide contributors"
version = release = "1"
extensions = ["examples", "sphinx_design"]
