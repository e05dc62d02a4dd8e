# SPDX-License-Identifier: MIT
"""Claims of the threading path that the example harness alone cannot check.

tests/test_examples.py runs every example once, as printed. The threading
path (docs/howto/threading/path.rst) also says that its examples with the
``USE_EVENTLET`` switch work with monkey patching and without it, printing the
same thing both ways: run them both ways here. The other tests pin facts the
pages state about Eventlet and the standard library, so that an upgrade that
changes one of them fails here instead of leaving the page wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guide_examples import WARNING_FILTERS, Example, check_output, guide

PATH_PAGE = "docs/howto/threading/path.rst"
SWITCH = "USE_EVENTLET"
# Importing Eventlet takes about a second on a loaded machine; the limit is for hangs.
TIMEOUT = 30


def _switched_examples(config: pytest.Config) -> list[Example]:
    return [
        example
        for example in guide(config).runnable
        if example.path == PATH_PAGE and SWITCH in example.code
    ]


def _run(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONWARNINGS": WARNING_FILTERS, **env}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_switched_examples_print_the_same_patched_and_not(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    examples = _switched_examples(pytestconfig)
    # The page has one switched example in each of its first four steps, plus
    # the context-variable example: a page edit that drops them fails here.
    assert len(examples) >= 5, [example.id for example in examples]
    for example in examples:
        patched = _run(example.code, tmp_path, **{SWITCH: "1"})
        unpatched = _run(example.code, tmp_path, **{SWITCH: "0"})
        assert patched.returncode == 0, f"{example.id} patched:\n{patched.stderr}"
        assert unpatched.returncode == 0, f"{example.id} unpatched:\n{unpatched.stderr}"
        assert patched.stdout == unpatched.stdout, example.id
        if example.output is not None:
            assert check_output(example.output, unpatched.stdout) is None, example.id
        # The switch's default is on: Eventlet is imported (and warns).
        assert "Eventlet is deprecated" in patched.stderr, example.id


def test_switch_really_turns_patching_on_and_off(tmp_path: Path) -> None:
    probe = textwrap.dedent(
        f"""
        import os
        if os.environ.get("{SWITCH}", "1") == "1":
            import eventlet
            eventlet.monkey_patch()
        import threading, time
        print(type(threading.Lock()).__module__, time.sleep.__module__)
        """
    )
    assert _run(probe, tmp_path, **{SWITCH: "1"}).stdout.split() == [
        "eventlet.lock",
        "eventlet.greenthread",
    ]
    assert _run(probe, tmp_path, **{SWITCH: "0"}).stdout.split() == ["_thread", "time"]


def test_tpool_from_a_second_native_thread_never_returns(tmp_path: Path) -> None:
    # path.rst: without monkey patching, tpool results go back through the hub
    # of the native thread that first used tpool; a call from another native
    # thread waits forever (as of Eventlet 0.41). If this starts to pass the
    # other way, update the tpool paragraph of the primitives step.
    program = textwrap.dedent(
        """
        import threading
        from eventlet import tpool

        returned = []

        def call():
            returned.append(tpool.execute(sum, [1, 2, 3]))

        first = threading.Thread(target=call, daemon=True)
        first.start()
        first.join(5)
        second = threading.Thread(target=call, daemon=True)
        second.start()
        second.join(1)
        print(len(returned), second.is_alive())
        """
    )
    result = _run(program, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "True"]


def test_patched_exit_does_not_wait_for_threads_or_queued_tasks(tmp_path: Path) -> None:
    # pitfalls.rst: under monkey_patch(), a program ends without waiting for a
    # non-daemon threading.Thread or for tasks queued in an executor (as of
    # Eventlet 0.41); without patching it waits for both. If the patched run
    # starts to wait, update the daemon-threads section of pitfalls.rst.
    # Each line is one os.write: print() from two threads can interleave its
    # parts, and prints nothing once sys.stdout is gone late in the exit.
    program = textwrap.dedent(
        f"""
        import os
        if os.environ["{SWITCH}"] == "1":
            import eventlet
            eventlet.monkey_patch()
        import threading, time
        from concurrent.futures import ThreadPoolExecutor

        def work(name, write=os.write):
            try:
                time.sleep(0.2)
            finally:
                write(1, f"{{name}} finished\\n".encode())

        threading.Thread(target=work, args=("thread",)).start()
        executor = ThreadPoolExecutor(max_workers=1)
        executor.submit(work, "task")
        executor.submit(work, "queued task")
        print("main done", flush=True)
        """
    )
    patched = _run(program, tmp_path, **{SWITCH: "1"})
    unpatched = _run(program, tmp_path, **{SWITCH: "0"})
    assert patched.returncode == 0, patched.stderr
    assert unpatched.returncode == 0, unpatched.stderr
    assert patched.stdout.splitlines() == ["main done"]
    assert sorted(unpatched.stdout.splitlines()) == [
        "main done",
        "queued task finished",
        "task finished",
        "thread finished",
    ]


def test_pool_size_defaults_the_page_states(tmp_path: Path) -> None:
    # In a child process: importing Eventlet registers a fork hook that warns.
    result = _run("import eventlet; print(eventlet.GreenPool().size)", tmp_path)
    assert result.stdout.strip() == "1000", result.stderr
    cpus = os.process_cpu_count() if sys.version_info >= (3, 13) else os.cpu_count()
    with ThreadPoolExecutor() as executor:
        assert executor._max_workers == min(32, (cpus or 1) + 4)
