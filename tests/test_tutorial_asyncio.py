# SPDX-License-Identifier: MIT
"""What docs/tutorial/asyncio.rst says about the asyncio track, beyond the shared suite.

tests/test_tutorial.py checks that every stage behaves the same; these tests check what
the asyncio page says is particular to its stages: a1 runs on the asyncio hub, a2 and
a3 stop at once on SIGTERM and SIGINT and exit when their start fails, and a3 imports
no Eventlet.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tutorial_service import STAGES_DIR, running_stage


def test_a1_logs_the_asyncio_hub() -> None:
    with running_stage(STAGES_DIR / "a1-asyncio-hub") as service:
        pass
    assert "hub: eventlet.hubs.asyncio" in service.output()


def upstream_checked(url: str) -> bool:
    with urllib.request.urlopen(url + "/stats", timeout=5) as response:
        return json.load(response)["upstream_checks"] >= 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
@pytest.mark.parametrize("stage", ["a2-move-to-asyncio", "a3-asyncio-run"])
def test_signal_wakes_the_loop(stage: str, signum: signal.Signals) -> None:
    # The periodic check would next wake the service in 30 s; the signal must not wait for it.
    with running_stage(STAGES_DIR / stage, check_interval=30) as service:
        # Wait for the first check to end: then nothing else would wake the service.
        deadline = time.monotonic() + 5
        while not upstream_checked(service.url):
            assert time.monotonic() < deadline, "the first upstream check never ended"
            time.sleep(0.01)
        # Idle for a second: here the sleep is the point. s0 and a1 then wait for their
        # next timer, the check 30 s later, before they act on SIGTERM.
        time.sleep(1)
        start = time.monotonic()
        service.process.send_signal(signum)
        assert service.wait(timeout=10) == 0, service.output()
        assert time.monotonic() - start < 5
    assert "stopped" in service.output()


@pytest.mark.parametrize("stage", ["a2-move-to-asyncio", "a3-asyncio-run"])
def test_failed_start_exits(stage: str) -> None:
    # The port is taken: the start fails, and the clean-up must not hang on a background
    # task that lost its cancellation (asyncio.wait_for() on Python 3.10 and 3.11 did).
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        command = [
            sys.executable,
            str(STAGES_DIR / stage / "service.py"),
            f"--port={taken.getsockname()[1]}",
            "--upstream=http://127.0.0.1:9",  # refused at once, as in the hang
            "--check-interval=30",
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            _, stderr = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 1
    assert b"address already in use" in stderr


def test_a3_imports_no_eventlet() -> None:
    # Importing the stage's module imports everything it serves with.
    check = "import sys, service; print([m for m in ('eventlet', 'greenlet') if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=STAGES_DIR / "a3-asyncio-run",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
