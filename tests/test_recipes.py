# SPDX-License-Identifier: MIT
"""The recipes in docs/howto/recipes/: their shape, and their claims about Eventlet.

tests/test_examples.py runs every program of the recipes and compares its
output. Two things stay here:

- the shape every recipe follows (docs/howto/recipes/index.rst): each
  migration step has an Eventlet "before" and two "after" tabs, asyncio and
  threading, each with a Python program; and every program on a recipe page
  shows its output, unless its output depends on timing;
- what the pages say Eventlet does, where no example's standard output can
  show it: what goes to standard error, what a hang looks like, what the
  thread pool starts. Each check names its page. If an Eventlet release
  changes one of these behaviours, the check fails and the page must change.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser

import pytest

from guide_examples import guide

RECIPES = "howto/recipes/"
EXPECTED_TABS = ["before-eventlet", "after-asyncio", "after-threading"]
# Programs whose output depends on timing, so the page shows none.
UNORDERED_OUTPUT = {"docs/howto/recipes/pools.rst": ("as_completed(",)}


class _StepTabs(HTMLParser):
    """The sync ids of the tabs of each migration step, and whether each holds Python."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[list[str]] = []
        #: Python blocks in each step.
        self.python_blocks: list[int] = []
        self._depth = 0
        self._step_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "migration-step" in classes:
                self._step_depth = self._depth
                self.steps.append([])
                self.python_blocks.append(0)
            if "highlight-python" in classes and self._step_depth is not None:
                self.python_blocks[-1] += 1
        if tag == "label" and "migration-variant-label" in classes and self.steps:
            self.steps[-1].append(dict(attrs).get("data-sync-id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self._depth == self._step_depth:
                self._step_depth = None
            self._depth -= 1


def _recipe_pages(pytestconfig: pytest.Config) -> list[str]:
    built = guide(pytestconfig)
    pages = sorted(
        str(path.relative_to(built.html).with_suffix(""))
        for path in (built.html / RECIPES).glob("*.html")
        if path.name != "index.html"
    )
    assert len(pages) >= 7, pages
    return pages


def test_every_recipe_step_has_eventlet_asyncio_and_threading_programs(
    pytestconfig: pytest.Config,
) -> None:
    built = guide(pytestconfig)
    for page in _recipe_pages(pytestconfig):
        parser = _StepTabs()
        parser.feed((built.html / f"{page}.html").read_text(encoding="utf-8"))
        assert parser.steps, f"{page}: no migration step"
        for tabs, python_blocks in zip(parser.steps, parser.python_blocks, strict=True):
            assert tabs == EXPECTED_TABS, f"{page}: tabs {tabs}"
            # A program in each tab, at least.
            assert python_blocks >= len(EXPECTED_TABS), f"{page}: {python_blocks} programs"


def test_every_recipe_program_shows_its_output(pytestconfig: pytest.Config) -> None:
    examples = [
        example
        for example in guide(pytestconfig).runnable
        if example.path.startswith(f"docs/{RECIPES}")
    ]
    assert len(examples) >= 30
    for example in examples:
        if any(marker in example.code for marker in UNORDERED_OUTPUT.get(example.path, ())):
            assert example.output is None, f"{example.id}: the text says its order varies"
            continue
        assert example.output, f"{example.id} prints nothing the page shows"


def _run(code: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_spawn_failed_green_thread_prints_its_traceback_even_when_waited_for(
    pytestconfig: pytest.Config,
) -> None:
    # spawn.rst, "Unretrieved exceptions": the hub prints the traceback of a
    # failed green thread although the program handles the exception; a kill
    # (GreenletExit) prints nothing.
    (before,) = [
        example
        for example in guide(pytestconfig).runnable
        if example.path == f"docs/{RECIPES}spawn.rst" and "def on_exit(gt, name)" in example.code
    ]
    result = _run(before.code)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^ValueError: bad input$", result.stderr, re.MULTILINE), result.stderr
    assert "GreenletExit" not in result.stderr


def test_imap_runs_on_a_private_pool_and_goes_on_after_an_exception() -> None:
    # pools.rst, "Where the limit lives" and "Exceptions".
    result = _run(
        """
        import eventlet

        pool = eventlet.GreenPool(2)
        running, active, peak, started = [], 0, 0, []

        def work(n):
            global active, peak
            started.append(n)
            running.append(pool.running())
            active += 1
            peak = max(peak, active)
            eventlet.sleep(0.01)
            active -= 1
            if n == 1:
                raise ValueError(n)
            return n

        first, second = pool.imap(work, [0, 2]), pool.imap(work, [0, 2])
        assert list(first) == [0, 2] and list(second) == [0, 2]
        assert running and set(running) == {0}, running  # not counted by the pool
        assert peak == 4, peak  # two maps on a pool of two: four at once

        started.clear()
        got = []
        try:
            for value in pool.imap(work, range(10)):
                got.append(value)
        except ValueError:
            pass
        eventlet.sleep(0.2)
        assert got == [0], got
        assert len(started) > 2, started  # it went on starting calls
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_timeout_and_event_claims() -> None:
    # timeouts.rst: Timeout is a BaseException, not an Exception.
    # primitives.rst: Event.wait(timeout) returns None; a second send() fails
    # an assert; Queue(0) is a channel; Eventlet's Empty is queue.Empty.
    result = _run(
        """
        import queue

        import eventlet
        from eventlet.event import Event
        from eventlet.queue import Empty, Full, Queue

        assert issubclass(eventlet.Timeout, BaseException)
        assert not issubclass(eventlet.Timeout, Exception)
        assert Event().wait(timeout=0.01) is None
        event = Event()
        event.send(1)
        try:
            event.send(2)
        except AssertionError:
            pass
        else:
            raise SystemExit("second send() did not fail")
        channel = Queue(0)
        assert channel.full() and channel.empty()
        assert Empty is queue.Empty and Full is queue.Full
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_tpool_starts_twenty_daemon_threads_and_loses_system_exit() -> None:
    # tpool.rst, "Pool size" and "Exceptions".
    result = _run(
        """
        import os
        import sys

        os.environ.pop("EVENTLET_THREADPOOL_SIZE", None)
        import eventlet
        from eventlet import tpool

        tpool.execute(int, "1")
        # The pool's threads belong to an unpatched copy of the threading
        # module, so threading.enumerate() does not list them.
        workers = tpool._threads
        assert len(workers) == 20 and all(t.daemon and t.is_alive() for t in workers)

        waited = True
        with eventlet.Timeout(0.5, False):
            try:
                tpool.execute(sys.exit, 3)
            except SystemExit:
                pass
            waited = False
        assert waited, "SystemExit came back to the caller"
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_corolocal_is_not_inherited_by_a_new_green_thread() -> None:
    # locals.rst, "Inheritance".
    result = _run(
        """
        import eventlet
        from eventlet import corolocal

        local = corolocal.local()

        def parent():
            local.value = "parent"
            return eventlet.spawn(lambda: getattr(local, "value", None)).wait()

        assert eventlet.spawn(parent).wait() is None
        print("ok")
        """
    )
    assert result.stdout.strip() == "ok", result.stderr
