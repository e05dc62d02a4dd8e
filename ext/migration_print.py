# SPDX-License-Identifier: MIT
"""Migration steps on paper: each step a card, its metadata on one line.

On screen a step is a card with tabs and checkboxes (``migration_steps``).
In the PDF nothing would otherwise mark where a step ends, and its metadata
would take four lines of a description list. For the LaTeX builder this
module:

- turns the metadata field list into one paragraph
  ("Effort: small · Risk: low · Applies to: both · Requires: Step 3");
- ships ``migrationsteps.sty``, which draws every ``migration-step``
  container as a card open at the sides: a heavy rule above the title, a thin
  one where the step ends (the package says why not a closed box).

``migration_steps`` loads it; it needs nothing else.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

#: The LaTeX package (not in migration_static, which HTML builders copy).
PACKAGE = Path(__file__).resolve().parent / "latex" / "migrationsteps.sty"
#: Between two fields of the one-line metadata.
SEPARATOR = " \N{MIDDLE DOT} "


class MetadataOnOneLine(SphinxPostTransform):
    """Replace each step's metadata field list by one paragraph, in LaTeX."""

    default_priority = 200
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for fields in list(self.document.findall(nodes.field_list)):
            if "migration-step-meta" not in fields["classes"]:
                continue
            line = nodes.paragraph(classes=["migration-step-meta"])
            for position, field in enumerate(fields.findall(nodes.field)):
                name, body = field.children
                if position:
                    line += nodes.Text(SEPARATOR)
                line += nodes.strong(name.astext(), name.astext())
                line += nodes.Text(": ")
                # The body is one paragraph (see MigrationStepDirective._metadata):
                # keep its nodes, links to required steps included.
                for paragraph in body.findall(nodes.paragraph):
                    line.extend(child.deepcopy() for child in paragraph.children)
            fields.replace_self(line)


def add_package(app: Sphinx) -> None:
    if app.builder.name == "latex":
        app.add_latex_package(PACKAGE.stem)


def copy_package(app: Sphinx, exception: Exception | None) -> None:
    """Put the package beside the .tex file, where pdflatex looks for it."""
    if exception is None and app.builder.name == "latex":
        shutil.copyfile(PACKAGE, Path(app.outdir) / PACKAGE.name)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_post_transform(MetadataOnOneLine)
    app.connect("builder-inited", add_package)
    app.connect("build-finished", copy_package)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
