# SPDX-License-Identifier: MIT
"""The catalogue service, stage a2: aiohttp on Eventlet's asyncio hub.

An HTTP API in front of a slower upstream catalogue. Run it with:

    python service.py --port 8080 --upstream http://127.0.0.1:9000
"""

import eventlet
import eventlet.hubs

eventlet.hubs.use_hub("asyncio")
eventlet.monkey_patch()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextvars  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import uuid  # noqa: E402

import eventlet.tpool  # noqa: E402
from aiohttp import ClientError, ClientSession, ClientTimeout, WSCloseCode, WSMsgType, web  # noqa: E402
from eventlet.asyncio import spawn_for_awaitable  # noqa: E402

log = logging.getLogger("catalogue")
config = argparse.Namespace()

# --- Per-request state: every task runs in its own copy of the context ---
request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


# --- Calls to the upstream catalogue ---
class UpstreamTimeout(Exception):
    pass


class Upstream:
    """One aiohttp session, and at most 100 upstream calls at a time."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        # total: the whole call, connecting and reading the body included. Not
        # asyncio.wait_for(): on Python 3.10 and 3.11 it can swallow a cancellation.
        self.session = ClientSession(timeout=ClientTimeout(total=timeout))
        self.limit = asyncio.Semaphore(100)

    async def fetch_json(self, path):
        async with self.limit:
            try:
                return await self._get(path)
            except asyncio.TimeoutError:  # aiohttp's timeout errors derive from it
                raise UpstreamTimeout(path) from None

    async def _get(self, path):
        headers = {"X-Request-Id": request_id.get()}
        async with self.session.get(self.base_url + path, headers=headers) as response:
            response.raise_for_status()
            return await response.json()

    async def fetch_items(self, ids):
        # One task per item, all waiting on the upstream at the same time; gather()
        # keeps the order of ids. If one fails (or this request is cancelled), cancel
        # the others and wait until they have unwound: no task outlives the request.
        tasks = [asyncio.create_task(self.fetch_json(f"/items/{i}")) for i in ids]
        try:
            return await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)

    async def close(self):
        await self.session.close()


# --- Background work fed by a queue ---
job_results = {}


async def job_worker(jobs):
    while True:
        job_id, body = await jobs.get()
        job_results[job_id] = {
            "id": job_id,
            "status": "done",
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        log.info("job %s done", job_id)


# --- Periodic task ---
stats = {"upstream_checks": 0, "upstream_ok": False, "hashing": 0}


async def check_upstream_forever(upstream):
    while True:
        try:
            stats["upstream_ok"] = (await upstream.fetch_json("/health"))["status"] == "ok"
        except (ClientError, OSError, UpstreamTimeout, ValueError):
            stats["upstream_ok"] = False
        stats["upstream_checks"] += 1
        await asyncio.sleep(config.check_interval)


# --- A blocking call: PBKDF2 runs in C and never yields to the hub ---
# Not moved yet: still green code, which the handler awaits.
SALT = b"catalogue-salt"


def hash_password(password, iterations):
    stats["hashing"] += 1
    try:
        return eventlet.tpool.execute(hashlib.pbkdf2_hmac, "sha256", password, SALT, iterations)
    finally:
        stats["hashing"] -= 1


# --- The HTTP API ---
def respond(status, body):
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id.get()}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)


routes = web.RouteTableDef()
UPSTREAM = web.AppKey("upstream", Upstream)
JOBS = web.AppKey("jobs", asyncio.Queue)
WEBSOCKETS = web.AppKey("websockets", set)


@routes.get("/health")
async def health(request):
    return respond(200, {"status": "ok"})


@routes.get("/stats")
async def get_stats(request):
    return respond(200, stats)


@routes.get("/items")
async def get_items(request):
    ids = [i for i in request.query.get("ids", "").split(",") if i]
    if not 0 < len(ids) <= 50:
        return respond(400, {"error": "give 1 to 50 ids"})
    items = await request.app[UPSTREAM].fetch_items(ids)
    return respond(200, {"items": items, "request_id": request_id.get()})


@routes.get("/items/{item_id}")
async def get_item(request):
    return respond(200, await request.app[UPSTREAM].fetch_json(request.path))


@routes.post("/jobs")
async def post_job(request):
    job_id = uuid.uuid4().hex
    job_results[job_id] = {"id": job_id, "status": "queued"}
    request.app[JOBS].put_nowait((job_id, await request.read()))
    return respond(202, {"id": job_id})


@routes.get("/jobs/{job_id}")
async def get_job(request):
    job = job_results.get(request.match_info["job_id"])
    if job is None:
        return respond(404, {"error": "not found"})
    return respond(200, job)


@routes.post("/hash")
async def post_hash(request):
    iterations = min(int(request.query.get("iterations", "100000")), 5_000_000)
    digest = await eventlet.spawn(hash_password, await request.read(), iterations)
    return respond(200, {"hash": digest.hex()})


# --- WebSocket: look items up over one connection ---
@routes.get("/ws")
async def lookup_socket(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    request.app[WEBSOCKETS].add(ws)
    try:
        async for message in ws:  # ends once the client has closed
            if message.type != WSMsgType.TEXT:
                continue
            try:
                item = await request.app[UPSTREAM].fetch_json(f"/items/{message.data}")
                await ws.send_str(json.dumps(item))
            except UpstreamTimeout:
                await ws.send_str(json.dumps({"error": "upstream timed out"}))
            except (ClientError, OSError, ValueError):
                await ws.send_str(json.dumps({"error": "upstream failed"}))
    finally:
        request.app[WEBSOCKETS].discard(ws)
    return ws


@web.middleware
async def request_context(request, handler):
    # Each request is served by its own task, so this value is the request's own.
    request_id.set(request.headers.get("X-Request-Id") or uuid.uuid4().hex)
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return respond(404, {"error": "not found"})
    except web.HTTPMethodNotAllowed:
        return respond(404, {"error": "not found"})
    except UpstreamTimeout:
        return respond(504, {"error": "upstream timed out"})
    except (ClientError, OSError, ValueError) as error:
        log.warning("upstream failed: %r", error)
        return respond(502, {"error": "upstream failed"})
    finally:
        log.info("%s %s", request.method, request.path)


async def close_websockets(app):
    for ws in list(app[WEBSOCKETS]):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


# --- Start-up and graceful shutdown ---
def log_crash(task):
    # A background task that raises would otherwise end without a word.
    if not task.cancelled() and task.exception() is not None:
        log.error("%s stopped", task.get_name(), exc_info=task.exception())


async def serve():
    upstream = Upstream(config.upstream, config.upstream_timeout)
    jobs = asyncio.Queue()
    app = web.Application(middlewares=[request_context])
    app[UPSTREAM], app[JOBS], app[WEBSOCKETS] = upstream, jobs, set()
    app.add_routes(routes)
    app.on_shutdown.append(close_websockets)
    workers = [
        asyncio.create_task(job_worker(jobs), name="job worker"),
        asyncio.create_task(check_upstream_forever(upstream), name="upstream check"),
    ]
    for worker in workers:
        worker.add_done_callback(log_crash)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)  # wakes the loop
    try:
        await runner.setup()
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        print(f"listening on http://{host}:{port}", flush=True)

        await stopping.wait()
        log.info("stopping: finishing the requests in flight")
    finally:
        # Also on a failed start: stops accepting, closes the WebSockets, waits for
        # the requests in flight, then stops the background tasks.
        await runner.cleanup()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await upstream.close()
    print("stopped", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--upstream", required=True, help="base URL of the upstream catalogue")
    parser.add_argument("--upstream-timeout", type=float, default=2.0, help="seconds")
    parser.add_argument("--check-interval", type=float, default=5.0, help="seconds")
    parser.parse_args(namespace=config)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    logging.basicConfig(
        level=logging.INFO, format="[%(request_id)s] %(message)s", handlers=[handler]
    )
    # The coroutine must run on the hub's event loop: start it from the main green thread.
    spawn_for_awaitable(serve()).wait()


if __name__ == "__main__":
    main()
