# SPDX-License-Identifier: MIT
"""Record every Python code example in the guide, so that the test suite can run it.

The extension works on the doctree, after reStructuredText or MyST has been
parsed, so it sees exactly the code blocks that readers see, wherever they
come from: ``code-block``, ``literalinclude``, ``::`` literal blocks, doctest
blocks, MyST fences, and blocks nested in other directives (sphinx-design
tabs, our migration steps).

A block is a Python example when Sphinx highlights it as Python: its language
(explicit, or from ``highlight`` / :confval:`highlight_language`) names one of
Pygments' Python lexers, or is Sphinx's ``default``. Doctest blocks (``>>>``)
always are. Each example is recorded in the ``examples`` domain with its
source file and line, and at the end of the build all of them are written to
``<doctreedir>/examples.json`` for ``tests/guide_examples.py`` to run.

Three directives let a writer say more about an example, visibly:

``not-run``
    Wraps blocks that are not meant to run (a fragment, pseudo-code) and
    shows readers the reason: "Not run by the test suite: <reason>".

``requires-python``
    Wraps blocks that need a newer (or older) Python than the guide's
    oldest, for example ``3.11`` for :class:`asyncio.TaskGroup`, and says so
    to readers. The test suite skips them on other Pythons. A specifier that
    no Python of ``examples_pythons`` (default 3.10 to 3.14, as the noxfile)
    meets is reported: its examples would never run.

``example-output``
    A text block captioned "Output": what the Python example just before it
    on the page prints. The test suite checks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import docutils
from docutils import nodes
from docutils.parsers.rst import directives
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from pygments.lexers import find_lexer_class_by_name
from pygments.lexers.python import Python2Lexer, PythonConsoleLexer, PythonLexer
from pygments.util import ClassNotFound
from sphinx import addnodes
from sphinx.directives.code import container_wrapper
from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from collections.abc import Iterator, Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: Every warning of this extension has this type; the subtype says which rule.
WARNING_TYPE = "examples"
#: The file written next to the doctrees at the end of a build.
JSON_NAME = "examples.json"
#: Classes of the ``not-run`` and ``requires-python`` wrappers and of the
#: ``example-output`` block.
NOT_RUN_CLASS = "example-not-run"
REQUIRES_CLASS = "example-requires-python"
OUTPUT_CLASS = "example-output"

# Languages Sphinx treats as Python before asking Pygments: "default" is
# Python 3 with a silent fallback, "pycon3" an alias of the console lexer.
_SPHINX_PYTHON = frozenset({"default", "pycon3"})
# Pygments registers these names for its Python lexer, but they are build
# languages, not Python programs.
_NOT_PYTHON = frozenset({"bazel", "starlark"})
_PYTHON_LEXERS = (PythonLexer, Python2Lexer, PythonConsoleLexer)
# Sphinx highlights a block in one of these languages that starts with ">>>"
# as an interactive session (sphinx.highlighting.PygmentsBridge.get_lexer).
_CONSOLE_IF_PROMPT = frozenset({"py", "python", "py3", "python3", "default"})
# Before docutils 0.22, a doctest block's line is that of its last line.
_DOCTEST_LINE_IS_LAST = docutils.__version_info__ < (0, 22)


class Output(TypedDict):
    text: str
    line: int


class Example(TypedDict):
    """One Python block, as written to examples.json."""

    docname: str
    #: The file the block is written in, relative to the source directory.
    source: str
    line: int
    language: str
    #: "doctest" for a ``>>>`` session, "script" for a program.
    kind: str
    code: str
    #: For ``literalinclude``: the included file, relative to the source directory.
    included: str | None
    #: The line of ``source`` that holds the first line of ``code``, if found
    #: there: the runner numbers a script's lines from it, so that a
    #: traceback points at the page.
    code_line: int | None
    #: The reason given by an enclosing ``not-run``, or None if the block runs.
    not_run: str | None
    #: The Pythons it runs on (a PEP 440 specifier such as ">=3.11"), or None for all.
    requires_python: str | None
    output: Output | None


def is_python(language: str) -> bool:
    """Whether Sphinx highlights a block in ``language`` as Python."""
    language = language.lower()
    if language in _SPHINX_PYTHON:
        return True
    if language in _NOT_PYTHON:
        return False
    try:
        lexer = find_lexer_class_by_name(language)
    except ClassNotFound:
        return False
    return lexer in _PYTHON_LEXERS


def is_console(language: str, code: str) -> bool:
    """Whether a Python block is an interactive session, to run as a doctest."""
    language = language.lower()
    if language in _CONSOLE_IF_PROMPT:
        return code.startswith(">>>")
    if language == "pycon3":
        return True
    try:
        return find_lexer_class_by_name(language) is PythonConsoleLexer
    except ClassNotFound:
        return False


# -- Directives ---------------------------------------------------------------


class _Wrapper(SphinxDirective):
    """A directive that wraps code blocks and tells readers something about them.

    The content holds the blocks; the argument is parsed by ``note``, which
    returns the attributes to record on the wrapper and the sentence readers
    see above the blocks.
    """

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {"class": directives.class_option}
    css_class: ClassVar[str]
    subtype: ClassVar[str]

    def warn(self, message: str) -> None:
        logger.warning(
            message, location=self.get_location(), type=WARNING_TYPE, subtype=self.subtype
        )

    def note(self, argument: str) -> tuple[dict[str, str], list[nodes.Node]]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        argument = " ".join(self.arguments[0].split()) if self.arguments else ""
        attributes, sentence = self.note(argument)
        if not self.content:
            self.warn(f"{self.name} wraps nothing: put the code blocks it marks inside it")
            return []
        wrapper = nodes.container(
            classes=[self.css_class, *self.options.get("class", [])], **attributes
        )
        self.set_source_info(wrapper)
        note = nodes.paragraph("", "", *sentence, classes=[f"{self.css_class}-note"])
        self.set_source_info(note)
        wrapper += note
        wrapper.extend(self.parse_content_to_nodes())
        return [wrapper]


class NotRun(_Wrapper):
    """Wrap code blocks that the test suite does not run, with the reason why.

    The argument is the reason, shown to readers. Every Python block inside
    is recorded as marked, not run.
    """

    css_class = NOT_RUN_CLASS
    subtype = "not_run"

    def note(self, argument: str) -> tuple[dict[str, str], list[nodes.Node]]:
        if not argument:
            self.warn(
                "not-run needs a reason that readers can see, for example "
                "'.. not-run:: A fragment of the handler above.'"
            )
            return {"reason": ""}, [nodes.strong(text="Not run by the test suite.")]
        inline, messages = self.parse_inline(argument, lineno=self.lineno)
        sentence = [nodes.strong(text="Not run by the test suite:"), nodes.Text(" "), *inline]
        return {"reason": argument}, [*sentence, *messages]


class RequiresPython(_Wrapper):
    """Wrap code blocks that run only on some Pythons, and say which to readers.

    The argument is a version ("3.11", meaning 3.11 or later) or a PEP 440
    specifier (">=3.11", "<3.14", ">=3.11,<3.14").
    """

    css_class = REQUIRES_CLASS
    subtype = "requires_python"

    def note(self, argument: str) -> tuple[dict[str, str], list[nodes.Node]]:
        specifier = f">={argument}" if re.fullmatch(r"\d+(\.\d+)*", argument) else argument
        try:
            parsed = SpecifierSet(specifier)
        except InvalidSpecifier:
            parsed = SpecifierSet()
        if not argument or not parsed:
            self.warn(
                f"requires-python needs a Python version such as '3.11' or a "
                f"specifier such as '>=3.11,<3.14', not {argument!r}"
            )
            return {"requires_python": ""}, [nodes.strong(text="Needs a particular Python.")]
        supported = list(self.config.examples_pythons)
        if not any(runs_on(parsed, python) for python in supported):
            self.warn(
                f"requires-python {argument!r} matches none of the Pythons the guide "
                f"supports ({', '.join(supported)}; examples_pythons), so its examples "
                "never run"
            )
        text = f"Needs Python {describe_pythons(parsed)}."
        return {"requires_python": str(parsed)}, [nodes.strong(text=text)]


def runs_on(specifiers: SpecifierSet, python: str) -> bool:
    """Whether some release of ``python`` (a minor version, "3.11") meets ``specifiers``."""
    return any(specifiers.contains(f"{python}.{micro}") for micro in range(50))


_SPECIFIER_WORDS = {
    ">=": "{} or later",
    ">": "later than {}",
    "~=": "compatible with {}",
    "==": "{}",
    "===": "{}",
    "!=": "other than {}",
    "<=": "{} or earlier",
    "<": "earlier than {}",
}


def describe_pythons(specifiers: SpecifierSet) -> str:
    """Say in words which Pythons a specifier set allows: "3.11 or later"."""
    # Lower bounds first, then exact versions and exclusions, then upper bounds.
    order = list(_SPECIFIER_WORDS)
    ordered = sorted(specifiers, key=lambda spec: (order.index(spec.operator), str(spec)))
    return " and ".join(_SPECIFIER_WORDS[spec.operator].format(spec.version) for spec in ordered)


class ExampleOutput(SphinxDirective):
    """What the Python example just before this block prints, checked by the tests."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"caption": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        if not self.content:
            logger.warning(
                "example-output is empty: write the output the example prints",
                location=self.get_location(),
                type=WARNING_TYPE,
                subtype="output",
            )
            return []
        text = "\n".join(self.content)
        block = nodes.literal_block(text, text, language="text", classes=[OUTPUT_CLASS])
        self.set_source_info(block)
        wrapper = container_wrapper(self, block, self.options.get("caption", "Output"))
        self.set_source_info(wrapper)
        return [wrapper]


# -- Collecting ---------------------------------------------------------------


class ExamplesDomain(Domain):
    """Owns the examples of every document, so purging and parallel merging work."""

    name = "examples"
    label = "Code examples"
    data_version = 3
    initial_data: ClassVar[dict[str, Any]] = {"examples": {}}

    @property
    def examples(self) -> dict[str, list[Example]]:
        return self.data["examples"]

    def clear_doc(self, docname: str) -> None:
        self.examples.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["examples"]:
                self.examples[docname] = otherdata["examples"][docname]

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """Nothing to resolve: this domain has no objects.

        MyST asks every domain for a ``[text](#target)`` link, and warns about a
        domain without this method, so a valid link would fail a strict build.
        """
        return []

    def all_examples(self) -> list[Example]:
        return [example for docname in sorted(self.examples) for example in self.examples[docname]]


def _located(node: nodes.Node) -> tuple[str | None, int | None]:
    """The source file and line of ``node``, from the nearest ancestor that has them."""
    source: str | None = None
    line: int | None = None
    current: nodes.Node | None = node
    while current is not None and (source is None or line is None):
        source = source or current.source
        line = line or current.line
        current = current.parent
    return source, line


def _relative(path: str, srcdir: Path) -> str:
    try:
        return Path(path).resolve().relative_to(srcdir.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _wrappers(node: nodes.Node, css_class: str) -> list[nodes.container]:
    """The wrappers of class ``css_class`` around ``node``, innermost first."""
    found: list[nodes.container] = []
    current = node.parent
    while current is not None:
        if isinstance(current, nodes.container) and css_class in current["classes"]:
            found.append(current)
        current = current.parent
    return found


def _code_blocks(
    doctree: nodes.document, default_language: str
) -> Iterator[tuple[nodes.Element, str]]:
    """Every highlighted code block of a document, in order, with its language.

    This mirrors Sphinx's HighlightLanguageTransform, which only runs when
    the document is written: a block without a language takes the one set
    by the last ``highlight`` directive before it, or the default.
    """
    language = default_language

    def wanted(node: nodes.Node) -> bool:
        return isinstance(node, (addnodes.highlightlang, nodes.literal_block, nodes.doctest_block))

    for node in doctree.findall(wanted):
        assert isinstance(node, nodes.Element)
        if isinstance(node, addnodes.highlightlang):
            language = node["lang"]
        elif isinstance(node, nodes.doctest_block):
            # Sphinx highlights doctest blocks as "default", whatever is set.
            yield node, "default"
        elif node.rawsource == node.astext():
            # (A parsed-literal, whose rawsource differs, is not highlighted.)
            yield node, node.get("language") or language


_WRAPPERS = (
    (NOT_RUN_CLASS, "not-run", "not_run"),
    (REQUIRES_CLASS, "requires-python", "requires_python"),
)


def collect_examples(app: Sphinx, doctree: nodes.document) -> None:
    """On doctree-read: record the document's Python blocks in the domain."""
    env = app.env
    domain: ExamplesDomain = env.get_domain("examples")  # type: ignore[assignment]
    srcdir = Path(app.srcdir)
    lines = _SourceLines()
    found: list[Example] = []
    # The example an example-output block belongs to: the last one before it.
    previous: Example | None = None
    # The wrappers (not-run, requires-python) that hold at least one Python block.
    marking: set[int] = set()
    for node, language in _code_blocks(doctree, app.config.highlight_language):
        if OUTPUT_CLASS in node["classes"]:
            _attach_output(node, previous)
            continue
        if not is_python(language):
            continue
        code = node.astext()
        not_run = _wrappers(node, NOT_RUN_CLASS)
        requires = _wrappers(node, REQUIRES_CLASS)
        marking.update(id(wrapper) for wrapper in [*not_run, *requires])
        source, line = _located(node)
        if isinstance(node, nodes.doctest_block) and line and _DOCTEST_LINE_IS_LAST:
            line -= code.count("\n")
        included = node.get("source") if isinstance(node, nodes.literal_block) else None
        example: Example = {
            "docname": env.docname,
            "source": _relative(source or env.doc2path(env.docname), srcdir),
            "line": line or 0,
            "language": language,
            "kind": "doctest"
            if isinstance(node, nodes.doctest_block) or is_console(language, code)
            else "script",
            "code": code,
            "included": _relative(included, srcdir) if included else None,
            "code_line": None if included else lines.find(source, line, code),
            "not_run": str(not_run[0]["reason"]) if not_run else None,
            "requires_python": ",".join(
                sorted(str(wrapper["requires_python"]) for wrapper in requires)
            )
            or None,
            "output": None,
        }
        found.append(example)
        previous = example
    for wrapper in doctree.findall(nodes.container):
        for css_class, name, subtype in _WRAPPERS:
            if css_class in wrapper["classes"] and id(wrapper) not in marking:
                logger.warning(
                    f"{name} contains no Python block; give a non-Python block a "
                    "non-Python language (console, ini, text) instead of marking it",
                    location=wrapper,
                    type=WARNING_TYPE,
                    subtype=subtype,
                )
    if found:
        domain.examples[env.docname] = found


class _SourceLines:
    """The lines of the source files of one document, read once each."""

    #: How far after its node's line the first line of code may be: past
    #: the directive's options and the blank line after them.
    WINDOW = 30

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def find(self, source: str | None, line: int | None, code: str) -> int | None:
        """The line of ``source`` at or after ``line`` where ``code`` starts, if any."""
        if not source or not line:
            return None
        if source not in self._files:
            try:
                text = Path(source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._files[source] = None
            else:
                self._files[source] = [row.strip() for row in text.splitlines()]
        rows = self._files[source]
        code_rows = [row.strip() for row in code.splitlines()]
        if rows is None or not code_rows:
            return None
        # MyST may number a nested block from its first line of code, one
        # past the fence, so start looking one line early.
        start = max(line - 2, 0)
        for index in range(start, min(start + self.WINDOW, len(rows))):
            if rows[index : index + len(code_rows)] == code_rows:
                return index + 1
        return None


def _attach_output(node: nodes.Element, example: Example | None) -> None:
    def warn(message: str) -> None:
        logger.warning(message, location=node, type=WARNING_TYPE, subtype="output")

    if example is None:
        warn("example-output has no Python example before it on this page")
    elif example["not_run"] is not None:
        warn(
            f"example-output follows a block marked not-run (line {example['line']}): "
            "its output cannot be checked"
        )
    elif example["kind"] == "doctest":
        warn(
            f"example-output follows a >>> session (line {example['line']}), "
            "which shows its own output"
        )
    elif example["output"] is not None:
        warn(
            f"the example at line {example['line']} already has an example-output "
            f"(line {example['output']['line']})"
        )
    else:
        example["output"] = {"text": node.astext(), "line": _located(node)[1] or 0}


def write_examples(app: Sphinx, exception: BaseException | None) -> None:
    """On build-finished: write every recorded example to <doctreedir>/examples.json."""
    if exception is not None:
        return
    domain: ExamplesDomain = app.env.get_domain("examples")  # type: ignore[assignment]
    path = Path(app.doctreedir) / JSON_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(
        {"srcdir": str(app.srcdir), "examples": domain.all_examples()},
        indent=1,
        sort_keys=True,
        ensure_ascii=False,
    )
    path.write_text(text + "\n", encoding="utf-8")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "examples_pythons",
        ("3.10", "3.11", "3.12", "3.13", "3.14"),
        "env",
        types=frozenset({tuple, list}),
        description="The Python versions (major.minor) the examples run on; a "
        "requires-python that matches none of them is reported.",
    )
    app.add_directive("not-run", NotRun)
    app.add_directive("requires-python", RequiresPython)
    app.add_directive("example-output", ExampleOutput)
    app.add_domain(ExamplesDomain)
    app.connect("doctree-read", collect_examples)
    app.connect("build-finished", write_examples)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
