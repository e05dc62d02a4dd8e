"""Checks for the explanation chapters and the glossary.

The Python examples in ``docs/explanation`` are run in a fresh interpreter,
and where the text promises an exact output ("It prints:" followed by a
``text`` block) the output is compared. The glossary is checked for order and
for terms that no page links to. Both stand in for the guide-wide example
harness and glossary check until those land.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXPLANATION = DOCS / "explanation"
GLOSSARY = DOCS / "reference" / "glossary.rst"
# Generous: the examples take well under a second; a loaded CI machine may not.
TIMEOUT = 20

_DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. code-block:: (?P<lang>\S+)\s*$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the directive
    language: str
    code: str
    lead_in: str  # the paragraph between the previous block and this one


def _rst_blocks(path: Path) -> list[Block]:
    """Every ``.. code-block::`` in an rST file, with the text that precedes it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    previous_end = 0
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if not match:
            index += 1
            continue
        indent = len(match["indent"])
        body: list[str] = []
        cursor = index + 1
        while cursor < len(lines):
            line = lines[cursor]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line)
            cursor += 1
        lead_in = " ".join(" ".join(lines[previous_end:index]).split())
        blocks.append(
            Block(path, index + 1, match["lang"], textwrap.dedent("\n".join(body)).strip(), lead_in)
        )
        previous_end = cursor
        index = cursor
    return blocks


def _all_blocks() -> list[Block]:
    return [block for path in sorted(EXPLANATION.glob("*.rst")) for block in _rst_blocks(path)]


def _python_blocks() -> list[Block]:
    return [block for block in _all_blocks() if block.language == "python"]


def _block_id(block: Block) -> str:
    return f"{block.path.name}:{block.line}"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_explanation_has_python_examples() -> None:
    # Guards the extractor: if it silently found nothing, the tests below
    # would pass without running anything.
    assert len(_python_blocks()) >= 3


@pytest.mark.parametrize("block", _python_blocks(), ids=_block_id)
def test_python_example_runs(block: Block) -> None:
    result = _run(block.code)
    assert result.returncode == 0, f"{_block_id(block)} failed:\n{result.stderr}"


def _promised_outputs() -> list[tuple[Block, Block]]:
    blocks = _all_blocks()
    return [
        (program, output)
        for program, output in itertools.pairwise(blocks)
        if program.language == "python" and output.language == "text"
        if output.lead_in == "It prints:"
    ]


def test_some_outputs_are_promised() -> None:
    assert _promised_outputs(), "no 'It prints:' blocks found; the extractor is broken"


@pytest.mark.parametrize(("program", "output"), _promised_outputs(), ids=lambda b: _block_id(b))
def test_promised_output_matches(program: Block, output: Block) -> None:
    result = _run(program.code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == output.code


def test_tick_demonstration_shows_blocking() -> None:
    """The hub demonstration's point: only the original sleep stops the ticker."""
    (program,) = [b for b in _python_blocks() if "ticks_during" in b.code]
    result = _run(program.code)
    assert result.returncode == 0, result.stderr
    counts = {
        label.strip(): int(count)
        for label, count in re.findall(r"^(.*?):\s+(\d+) ticks$", result.stdout, re.MULTILINE)
    }
    assert counts["original sleep"] == 0
    assert counts["green sleep"] >= 3
    assert counts["tpool.execute"] >= 3


# -- Glossary ------------------------------------------------------------------

_TERM_LINE = re.compile(r"^   (?P<term>\S.*?)\s*$")
_TERM_ROLE = re.compile(r"(?::term:|\{term\})`(?P<text>[^`]+)`")


def _glossary_terms() -> list[str]:
    """Terms of the ``.. glossary::`` directive, in source order."""
    terms: list[str] = []
    in_glossary = False
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. glossary::"):
            in_glossary = True
            continue
        if in_glossary and (match := _TERM_LINE.match(line)) and not line.startswith("   :"):
            terms.append(match["term"])
    return terms


def _referenced_terms() -> set[str]:
    referenced: set[str] = set()
    for path in [*DOCS.rglob("*.rst"), *DOCS.rglob("*.md")]:
        if "_build" in path.parts:
            continue
        for match in _TERM_ROLE.finditer(path.read_text(encoding="utf-8")):
            text = match["text"]
            target = text[text.rindex("<") + 1 : -1] if text.endswith(">") else text
            referenced.add(" ".join(target.split()).lower())
    return referenced


def test_glossary_has_enough_terms() -> None:
    assert len(_glossary_terms()) >= 30


def test_glossary_source_is_sorted() -> None:
    terms = _glossary_terms()
    assert terms == sorted(terms, key=str.lower)


def test_every_glossary_term_is_referenced() -> None:
    unreferenced = [t for t in _glossary_terms() if t.lower() not in _referenced_terms()]
    assert not unreferenced, f"glossary terms no page links to with :term: {unreferenced}"
