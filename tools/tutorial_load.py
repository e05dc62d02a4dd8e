# SPDX-License-Identifier: MIT
"""The load client of the tutorial benchmark: closed-loop HTTP load from one asyncio process.

Load mode::

    python tools/tutorial_load.py URL --clients 50 --warmup 1 --seconds 8 \\
        --request 9 /a --request 1 /b

opens up to ``--clients`` keep-alive connections to URL (an ``http://127.0.0.1:PORT``
base) and runs one aiohttp task per client. Each task sends a request, waits for the
whole response, and sends the next one at once (a closed loop: at most ``--clients``
requests are in flight). The paths follow the ``--request`` weights: here every task
sends nine requests to ``/a``, then one to ``/b``, and so on, starting at a different
point of that cycle per task. Requests that complete during the ``--warmup`` seconds
are not counted.

It prints ``measuring`` when the warm-up ends, ``measured`` when the last request
has been answered, and then one JSON object on stdout: the requests completed in the measured
``--seconds``, errors (a status other than 200 or a failed connection), latency
percentiles in milliseconds, per path and overall, and the CPU time this process
used while measuring. That CPU time tells whether the client itself was the
bottleneck: close to one CPU-second per second means it was.

Hold mode, ``python tools/tutorial_load.py URL --hold 200``, opens that many WebSocket
connections to URL's ``/ws``, looks one item up on each, prints ``holding N`` and keeps
them open until its standard input closes; then it prints a JSON object with the
connections held and the errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import sys
import time

import aiohttp


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list (empty: NaN)."""
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p90_ms": percentile(ordered, 0.90) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
    }


def cycle_of(mix: list[tuple[str, str]]) -> list[str]:
    """[("9", "/a"), ("1", "/b")] -> the cycle of paths a task requests: nine /a, then one /b."""
    cycle: list[str] = []
    for weight, path in mix:
        cycle.extend([path] * int(weight))
    return cycle


async def run(url: str, clients: int, warmup: float, seconds: float, cycle: list[str]) -> dict:
    latencies: dict[str, list[float]] = {path: [] for path in cycle}
    errors = 0
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + warmup
    stop_at = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=10)

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        position = number % len(cycle)
        while True:
            sent = loop.time()
            if sent >= stop_at:
                return
            path = cycle[position]
            position = (position + 1) % len(cycle)
            try:
                async with session.get(url + path) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            done = loop.time()
            if done < measure_from or done > stop_at:
                continue
            if ok:
                latencies[path].append(done - sent)
            else:
                errors += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Wait for the warm-up to end, then take the CPU reading: the tasks run meanwhile.
        # The lines tell a caller when to take its own readings of other processes.
        tasks = [asyncio.create_task(client(n, session)) for n in range(clients)]
        await asyncio.sleep(max(0.0, measure_from - loop.time()))
        print("measuring", flush=True)
        cpu_start = resource.getrusage(resource.RUSAGE_SELF)
        wall_start = time.perf_counter()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - wall_start
        cpu_end = resource.getrusage(resource.RUSAGE_SELF)
        print("measured", flush=True)
    cpu = (cpu_end.ru_utime - cpu_start.ru_utime) + (cpu_end.ru_stime - cpu_start.ru_stime)
    every = [latency for values in latencies.values() for latency in values]
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(every),
        "errors": errors,
        "requests_per_second": len(every) / seconds,
        "latency": summary(every),
        "paths": {path: summary(values) for path, values in latencies.items()},
        "client_cpu_per_second": cpu / wall,
    }


async def hold(url: str, connections: int, item_id: str) -> dict:
    """Open WebSocket connections, look one item up on each, and keep them open.

    Prints ``holding N`` once every connection has had its reply, then keeps them
    until standard input closes, and closes them.
    """
    ws_url = "ws" + url[len("http") :] + "/ws"
    # A connection the service does not take up within 5 s counts as an error.
    timeout = aiohttp.ClientTimeout(total=5)
    connector = aiohttp.TCPConnector(limit=0)
    errors = 0
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def open_one() -> aiohttp.ClientWebSocketResponse | None:
            nonlocal errors
            try:
                websocket = await session.ws_connect(ws_url)
                await websocket.send_str(item_id)
                reply = await websocket.receive_json(timeout=5)
                if reply.get("id") != item_id:
                    raise ValueError(reply)
                return websocket
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, TypeError):
                errors += 1
                return None

        sockets = [ws for ws in await asyncio.gather(*(open_one() for _ in range(connections)))]
        held = [ws for ws in sockets if ws is not None]
        print(f"holding {len(held)}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)
    return {"connections": connections, "held": len(held), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="base URL, such as http://127.0.0.1:8080")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--request",
        nargs=2,
        action="append",
        metavar=("WEIGHT", "PATH"),
        help="a path to request, and its weight in the mix (repeat)",
    )
    parser.add_argument(
        "--hold", type=int, help="instead of load: hold this many WebSocket connections open"
    )
    args = parser.parse_args()
    url = args.url.rstrip("/")
    if args.hold:
        result = asyncio.run(hold(url, args.hold, "held"))
    elif args.request:
        cycle = cycle_of(args.request)
        result = asyncio.run(run(url, args.clients, args.warmup, args.seconds, cycle))
    else:
        parser.error("give --request or --hold")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
