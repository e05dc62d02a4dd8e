project = "Examples test root: examples that pass and examples that fail"
extensions = ["examples", "myst_parser"]
