# SPDX-License-Identifier: MIT
"""Benchmark the first and last stage of each track of the tutorial's service.

Run it with ``nox -s tutorial-bench``, or directly::

    python tools/tutorial_bench.py [--clients 50] [--seconds 8] [--json FILE] [STAGE ...]

Without STAGE arguments it picks, from docs/tutorial/stages/, the Eventlet stage
(s0-eventlet) and the last stage of each track (the last folder, by name, that starts
with "t" and with "a"). For each stage in turn, all on 127.0.0.1:

1. It starts the stage with the test suite's harness (tests/tutorial_service.py), in
   front of a fake upstream in a process of its own (tools/tutorial_upstream.py) that
   answers each item after ``--upstream-delay`` seconds.
2. Load: a separate asyncio process (tools/tutorial_load.py) keeps ``--clients``
   requests in flight for ``--warmup`` plus ``--seconds`` seconds, nine in ten of them
   ``GET /items?ids=...`` for three items (a fan-out to the upstream), one in ten
   ``GET /health``.
3. Idle connections: the same client opens ``--hold`` WebSocket connections, looks up
   one item on each, and keeps them open while the service is measured.

It reads /proc/PID/status (VmRSS, Threads) of the service's processes: the process the
harness starts and its children, such as Gunicorn's worker; the figures are their sums.
During the load it reads them every 20 ms, and their CPU time from /proc/PID/stat; with
the WebSockets open, five times, 0.1 s apart. It also reads the CPU time of the load
client and of the upstream, so that a saturated client or upstream shows in the
figures. It prints a table and writes every figure as JSON. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
sys.path.insert(0, str(ROOT / "tests"))

from tutorial_service import find_stages, running_stage  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY = re.compile(r"listening on (http://[\d.]+:\d+)")
#: The service's own default timeout for an upstream call; the suite uses a shorter one.
UPSTREAM_TIMEOUT = 2.0
#: The periodic upstream check, once a second: a service's background work, not load.
CHECK_INTERVAL = 1.0


def pick_stages() -> list[Path]:
    """s0-eventlet, then the last stage of each track, found by folder name."""
    stages = find_stages()
    picked = [stage for stage in stages if stage.name == "s0-eventlet"]
    for prefix in ("t", "a"):
        track = [stage for stage in stages if stage.name.startswith(prefix)]
        if track:
            picked.append(track[-1])
    return picked


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat from field 3 on (after the command name, which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def process_tree(pid: int) -> list[int]:
    """pid and its descendants: a stage may be a master process with workers (Gunicorn)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat(int(entry.name))[1])
            except (OSError, IndexError, ValueError):
                continue  # it ended meanwhile
            parents.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


def cpu_seconds(tree: list[int]) -> float:
    """User plus system CPU time so far of the processes (/proc/PID/stat fields 14, 15)."""
    total = 0
    for member in tree:
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def status(tree: list[int]) -> dict[str, int]:
    """VmRSS in kB and Threads, summed over the processes (/proc/PID/status)."""
    found = {"VmRSS": 0, "Threads": 0, "processes": 0}
    for member in tree:
        try:
            text = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        found["processes"] += 1
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "Threads"):
                found[key] += int(value.split()[0])
    return found


class Sampler:
    """Samples a process's /proc/PID/status in a thread until stopped: the peaks."""

    def __init__(self, tree: list[int], interval: float = 0.02) -> None:
        self.tree = tree
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_threads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> dict[str, int]:
        now = status(self.tree)
        self.peak_rss_kb = max(self.peak_rss_kb, now["VmRSS"])
        self.peak_threads = max(self.peak_threads, now["Threads"])
        return now

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


@dataclass
class Upstream:
    """The fake upstream's process; running_stage() needs only its url."""

    process: subprocess.Popen[str]
    url: str


@contextmanager
def upstream_process(delay: float) -> Iterator[Upstream]:
    command = [sys.executable, str(TOOLS / "tutorial_upstream.py"), f"--delay={delay}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        # The deadline is the pipe's: a process that dies closes it and readline() returns "".
        match = READY.search(process.stdout.readline())
        if not match:
            raise RuntimeError("the fake upstream did not start")
        yield Upstream(process, match.group(1))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def load_command(url: str, *options: str) -> list[str]:
    return [sys.executable, str(TOOLS / "tutorial_load.py"), url, *options]


def run_load(url: str, args: argparse.Namespace, upstream: Upstream, tree: list[int]) -> dict:
    """The load phase: the client's figures plus the service's, measured meanwhile."""
    ids = ",".join(f"bench{n}" for n in range(3))
    command = load_command(
        url, f"--clients={args.clients}", f"--warmup={args.warmup}", f"--seconds={args.seconds}",
        "--request", "9", f"/items?ids={ids}", "--request", "1", "/health",
    )  # fmt: skip
    with Sampler(tree) as sampler:
        client = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            # CPU readings over the client's measured seconds: it says when they start
            # and end. A client that dies closes the pipe, and readline() returns "".
            if client.stdout.readline() != "measuring\n":
                raise RuntimeError("the load client did not start measuring")
            start = time.perf_counter()
            service_cpu = cpu_seconds(tree)
            upstream_cpu = cpu_seconds([upstream.process.pid])
            if client.stdout.readline() != "measured\n":
                raise RuntimeError("the load client did not finish measuring")
            wall = time.perf_counter() - start
            service_cpu = cpu_seconds(tree) - service_cpu
            upstream_cpu = cpu_seconds([upstream.process.pid]) - upstream_cpu
            output, _ = client.communicate(timeout=30)
        finally:
            if client.poll() is None:
                client.kill()
                client.wait()
        idle = sampler.sample()
    if client.returncode != 0:
        raise RuntimeError(f"the load client failed with status {client.returncode}")
    result = json.loads(output)
    result["service"] = {
        "peak_rss_kb": sampler.peak_rss_kb,
        "peak_threads": sampler.peak_threads,
        "threads_after": idle["Threads"],
        "cpu_per_second": service_cpu / wall,
    }
    result["upstream_cpu_per_second"] = upstream_cpu / wall
    return result


def hold_connections(url: str, count: int, tree: list[int]) -> dict:
    """The idle-connection phase: RSS and threads before and while count WebSockets are open."""
    before = status(tree)
    client = subprocess.Popen(
        load_command(url, f"--hold={count}"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        line = client.stdout.readline()
        if not line.startswith("holding"):
            raise RuntimeError("the WebSocket client did not report its connections")
        # Let the service settle, then read it a few times.
        readings = []
        for _ in range(5):
            time.sleep(0.1)
            readings.append(status(tree))
        client.stdin.close()
        output = client.stdout.read()
        client.wait(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        client.stdout.close()
    result = json.loads(output)
    held = result["held"]
    rss = max(reading["VmRSS"] for reading in readings)
    threads = max(reading["Threads"] for reading in readings)
    result.update(
        rss_before_kb=before["VmRSS"],
        rss_held_kb=rss,
        threads_before=before["Threads"],
        threads_held=threads,
        kb_per_connection=(rss - before["VmRSS"]) / held if held else None,
        threads_per_connection=(threads - before["Threads"]) / held if held else None,
    )
    return result


def bench_stage(stage: Path, args: argparse.Namespace, upstream: Upstream) -> dict:
    load_average = os.getloadavg()[0]
    with running_stage(
        stage, upstream, upstream_timeout=UPSTREAM_TIMEOUT, check_interval=CHECK_INTERVAL
    ) as service:
        # The service's process and its children, such as Gunicorn's worker.
        tree = process_tree(service.process.pid)
        started = status(tree)
        load = run_load(service.url, args, upstream, tree)
        held = hold_connections(service.url, args.hold, tree)
        peak_rss_kb = max(load["service"]["peak_rss_kb"], held["rss_held_kb"])
    return {
        "stage": stage.name,
        "load_average_1min_before": load_average,
        "rss_at_start_kb": started["VmRSS"],
        "threads_at_start": started["Threads"],
        "load": load,
        "held": held,
        "processes": started["processes"],
        "peak_rss_kb": peak_rss_kb,
    }


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.partition(":")[2].strip()
            break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "load_average_before": os.getloadavg(),
    }


def table(results: list[dict]) -> str:
    rows = [
        ("stage", [r["stage"] for r in results]),
        ("load average before", [f"{r['load_average_1min_before']:.1f}" for r in results]),
        ("requests/s", [f"{r['load']['requests_per_second']:.0f}" for r in results]),
        ("errors", [str(r["load"]["errors"]) for r in results]),
        ("latency p50 (ms)", [f"{r['load']['latency']['p50_ms']:.1f}" for r in results]),
        ("latency p90 (ms)", [f"{r['load']['latency']['p90_ms']:.1f}" for r in results]),
        ("latency p99 (ms)", [f"{r['load']['latency']['p99_ms']:.1f}" for r in results]),
        ("service CPU (s/s)", [f"{r['load']['service']['cpu_per_second']:.2f}" for r in results]),
        ("requests per CPU-s", [f"{_per_cpu(r['load']):.0f}" for r in results]),
        ("client CPU (s/s)", [f"{r['load']['client_cpu_per_second']:.2f}" for r in results]),
        ("upstream CPU (s/s)", [f"{r['load']['upstream_cpu_per_second']:.2f}" for r in results]),
        ("RSS at start (MiB)", [f"{r['rss_at_start_kb'] / 1024:.1f}" for r in results]),
        ("peak RSS (MiB)", [f"{r['peak_rss_kb'] / 1024:.1f}" for r in results]),
        ("threads at start", [str(r["threads_at_start"]) for r in results]),
        ("peak threads, load", [str(r["load"]["service"]["peak_threads"]) for r in results]),
        ("WebSockets held", [f"{r['held']['held']}/{r['held']['connections']}" for r in results]),
        ("threads, held", [str(r["held"]["threads_held"]) for r in results]),
        ("KiB per held WebSocket", [_per(r["held"]["kb_per_connection"]) for r in results]),
    ]
    width = max(len(label) for label, _ in rows)
    cell = max(len(value) for _, values in rows for value in values)
    lines = []
    for label, values in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{v:>{cell}}" for v in values))
    return "\n".join(lines)


def _per_cpu(load: dict) -> float:
    """Requests served per CPU-second of the service: its cost, whatever CPU share it got."""
    cpu = load["service"]["cpu_per_second"]
    return load["requests_per_second"] / cpu if cpu else float("nan")


def _per(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", help="stage folder names (default: see above)")
    parser.add_argument("--clients", type=int, default=50, help="requests in flight")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not measured")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds measured")
    parser.add_argument("--hold", type=int, default=200, help="idle WebSockets to hold")
    parser.add_argument("--upstream-delay", type=float, default=0.02, help="seconds per item")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    by_name = {stage.name: stage for stage in find_stages()}
    stages = [by_name[name] for name in args.stages] if args.stages else pick_stages()
    report = {
        "machine": machine(),
        "settings": {
            "clients": args.clients,
            "warmup_s": args.warmup,
            "seconds": args.seconds,
            "hold": args.hold,
            "upstream_delay_s": args.upstream_delay,
            "upstream_timeout_s": UPSTREAM_TIMEOUT,
            "check_interval_s": CHECK_INTERVAL,
        },
        "stages": [],
    }
    with upstream_process(args.upstream_delay) as upstream:
        for stage in stages:
            print(f"{stage.name}: running", flush=True)
            report["stages"].append(bench_stage(stage, args, upstream))
    print(table(report["stages"]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
