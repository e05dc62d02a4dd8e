# SPDX-License-Identifier: MIT
"""The tutorial benchmark's fake upstream catalogue, in a process of its own.

``python tools/tutorial_upstream.py --delay 0.02`` serves, on 127.0.0.1 and a port the
OS picks, the same API as the test suite's fake upstream (tests/tutorial_service.py):
``GET /health`` at once, and ``GET /items/ID`` after ``--delay`` seconds with
``{"id": ID, "name": "item ID", "request_id": <the X-Request-Id header>}``. It prints
``listening on http://127.0.0.1:PORT`` when ready and runs until SIGTERM.

The suite's upstream is a thread per connection inside the test process; under
benchmark load that would compete with the load client for one interpreter. This one is
an aiohttp server on its own event loop, so a slow upstream is never what the benchmark
measures.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web


def make_app(delay: float) -> web.Application:
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def item(request: web.Request) -> web.Response:
        item_id = request.match_info["item_id"]
        await asyncio.sleep(delay)
        request_id = request.headers.get("X-Request-Id", "")
        return web.json_response(
            {"id": item_id, "name": f"item {item_id}", "request_id": request_id}
        )

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/items/{item_id}", item)
    return app


async def serve(delay: float) -> None:
    runner = web.AppRunner(make_app(delay), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per item")
    asyncio.run(serve(parser.parse_args().delay))


if __name__ == "__main__":
    main()
