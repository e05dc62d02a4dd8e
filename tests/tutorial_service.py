# SPDX-License-Identifier: MIT
"""Run one stage of the tutorial's service, with a fake upstream, for tests and benchmarks.

The contract every stage keeps (see docs/tutorial/index.rst)::

    python service.py --host 127.0.0.1 --port 0 --upstream URL \\
        [--upstream-timeout SECONDS] [--check-interval SECONDS]

prints ``listening on http://HOST:PORT`` on standard output once it accepts
connections, and exits with status 0 after SIGTERM, once the requests in
flight are answered.

Use::

    with running_stage(stage_dir) as service:
        urllib.request.urlopen(service.url + "/health")
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STAGES_DIR = Path(__file__).resolve().parent.parent / "docs" / "tutorial" / "stages"
READY = re.compile(r"listening on (http://[\d.]+:\d+)")

#: Defaults the suite uses: short enough to keep the tests quick.
UPSTREAM_TIMEOUT = 0.8
CHECK_INTERVAL = 0.05


def find_stages() -> list[Path]:
    """Every stage folder that holds a service.py, in name order."""
    return sorted(p.parent for p in STAGES_DIR.glob("*/service.py"))


class Upstream:
    """The fake upstream catalogue: a threaded HTTP server on 127.0.0.1.

    ``GET /health`` answers at once. ``GET /items/ID`` answers after ``delay``
    seconds (``slow_delay`` for an ID that starts with ``slow``) with
    ``{"id": ID, "name": "item ID", "request_id": <the X-Request-Id header>}``.
    """

    def __init__(self, delay: float = 0.2, slow_delay: float = 3.0) -> None:
        self.delay = delay
        self.slow_delay = slow_delay
        self.requests = 0
        self._lock = threading.Lock()
        self._arrived: dict[str, threading.Event] = {}
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with upstream._lock:
                    upstream.requests += 1
                if self.path == "/health":
                    self._send(200, {"status": "ok"})
                elif self.path.startswith("/items/"):
                    item_id = self.path[len("/items/") :]
                    upstream.arrived(item_id).set()
                    slow = item_id.startswith("slow")
                    time.sleep(upstream.slow_delay if slow else upstream.delay)
                    request_id = self.headers.get("X-Request-Id", "")
                    body = {"id": item_id, "name": f"item {item_id}", "request_id": request_id}
                    self._send(200, body)
                else:
                    self._send(404, {"error": "not found"})

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the service gave up waiting (a timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # the listen() backlog; socketserver's default is 5

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long shutdown() may wait
            name="upstream",
            daemon=True,
        )
        self._thread.start()

    def arrived(self, item_id: str) -> threading.Event:
        """An event set when a request for the item reaches the upstream."""
        with self._lock:
            return self._arrived.setdefault(item_id, threading.Event())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass
class Service:
    """A running stage of the service."""

    stage: str
    url: str
    upstream: Upstream
    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http") :] + "/ws"

    def terminate(self) -> None:
        """Send SIGTERM: the service finishes the requests in flight and exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """The exit status; kills the process and raises if it takes longer than timeout."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            raise

    def output(self) -> str:
        """What the service printed so far, for failure messages."""
        return "".join(self.stdout) + "".join(self.stderr)


def _drain(stream, lines: list[str], ready: queue.Queue[str] | None) -> None:
    for line in stream:
        lines.append(line)
        if ready is not None:
            match = READY.search(line)
            if match:
                ready.put(match.group(1))
                ready = None
    if ready is not None:
        ready.put("")  # the stream closed before readiness: the process died


@contextlib.contextmanager
def running_stage(
    stage_dir: Path | str,
    upstream: Upstream | None = None,
    *,
    upstream_timeout: float = UPSTREAM_TIMEOUT,
    check_interval: float = CHECK_INTERVAL,
    start_timeout: float = 10.0,
    stop_timeout: float = 10.0,
) -> Iterator[Service]:
    """Start the stage's service.py and yield it once it prints its readiness line.

    Starts a fake Upstream unless one is given (and then closes it). On exit,
    sends SIGTERM if the service still runs and waits at most stop_timeout
    seconds before killing it.
    """
    stage_dir = Path(stage_dir)
    own_upstream = upstream is None
    if upstream is None:
        upstream = Upstream()
    command = [
        sys.executable,
        str(stage_dir / "service.py"),
        "--host=127.0.0.1",
        "--port=0",
        f"--upstream={upstream.url}",
        f"--upstream-timeout={upstream_timeout}",
        f"--check-interval={check_interval}",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        command,
        cwd=stage_dir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    service = Service(stage_dir.name, "", upstream, process)
    ready: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, service.stdout, ready), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, service.stderr, None), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        try:
            service.url = ready.get(timeout=start_timeout)
        except queue.Empty:
            service.url = ""
        if not service.url:
            raise RuntimeError(f"{stage_dir.name} did not start:\n{service.output()}")
        yield service
    finally:
        try:
            service.terminate()
            service.wait(stop_timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)
            for reader in readers:
                reader.join(timeout=5)
            for stream in (process.stdout, process.stderr):
                stream.close()
            if own_upstream:
                upstream.close()


def main() -> None:
    """Run the fake upstream on its own, to try a stage by hand."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per item")
    args = parser.parse_args()
    upstream = Upstream(delay=args.delay)
    print(f"upstream on {upstream.url}; Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        upstream.close()


if __name__ == "__main__":
    main()
