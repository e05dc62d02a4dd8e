# SPDX-License-Identifier: MIT
"""The catalogue service, stage a1: Eventlet on its asyncio hub.

An HTTP API in front of a slower upstream catalogue. Run it with:

    python service.py --port 8080 --upstream http://127.0.0.1:9000
"""

import eventlet
import eventlet.hubs

# Choose the hub before anything creates one: monkey_patch() does.
eventlet.hubs.use_hub("asyncio")
eventlet.monkey_patch()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402

import eventlet.corolocal  # noqa: E402
import eventlet.queue  # noqa: E402
import eventlet.tpool  # noqa: E402
import eventlet.websocket  # noqa: E402
import eventlet.wsgi  # noqa: E402
import greenlet  # noqa: E402

log = logging.getLogger("catalogue")
config = argparse.Namespace()

# --- Per-request state: one value per green thread, so per request ---
request_state = eventlet.corolocal.local()


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = getattr(request_state, "id", "-")
        return True


# --- Calls to the upstream catalogue ---
upstream_pool = eventlet.GreenPool(100)  # at most 100 upstream calls at a time


class UpstreamTimeout(Exception):
    pass


def fetch_json(path, request_id="-"):
    request = urllib.request.Request(config.upstream + path, headers={"X-Request-Id": request_id})
    # Timeout bounds the whole call: connect, send, read.
    timeout = eventlet.Timeout(config.upstream_timeout, UpstreamTimeout(path))
    with timeout, urllib.request.urlopen(request) as response:
        return json.load(response)


def fetch_items(ids, request_id):
    # One green thread per item, all waiting on the upstream at the same time.
    return list(
        upstream_pool.imap(lambda item_id: fetch_json(f"/items/{item_id}", request_id), ids)
    )


# --- Background work fed by a queue ---
jobs = eventlet.queue.Queue()
job_results = {}


def job_worker():
    while True:
        job_id, body = jobs.get()
        job_results[job_id] = {
            "id": job_id,
            "status": "done",
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        log.info("job %s done", job_id)


# --- Periodic task ---
stats = {"upstream_checks": 0, "upstream_ok": False, "hashing": 0}


def check_upstream_forever():
    while True:
        try:
            stats["upstream_ok"] = fetch_json("/health")["status"] == "ok"
        except (OSError, UpstreamTimeout, ValueError):
            stats["upstream_ok"] = False
        stats["upstream_checks"] += 1
        eventlet.sleep(config.check_interval)


# --- A blocking call: PBKDF2 runs in C and never yields to the hub ---
SALT = b"catalogue-salt"


def hash_password(password, iterations):
    stats["hashing"] += 1
    try:
        return eventlet.tpool.execute(hashlib.pbkdf2_hmac, "sha256", password, SALT, iterations)
    finally:
        stats["hashing"] -= 1


# --- WebSocket: look items up over one connection ---
@eventlet.websocket.WebSocketWSGI
def lookup_socket(ws):
    while True:
        item_id = ws.wait()  # None once the client has closed
        if item_id is None:
            return
        try:
            ws.send(json.dumps(fetch_json(f"/items/{item_id}", request_state.id)))
        except UpstreamTimeout:
            ws.send(json.dumps({"error": "upstream timed out"}))
        except (OSError, ValueError):
            ws.send(json.dumps({"error": "upstream failed"}))


# --- The HTTP API ---
def respond(start_response, status, body):
    data = json.dumps(body).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("X-Request-Id", request_state.id),
    ]
    start_response(status, headers)
    return [data]


def route(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
    if path == "/health":
        return respond(start_response, "200 OK", {"status": "ok"})
    if path == "/stats":
        return respond(start_response, "200 OK", stats)
    if path == "/items":
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 0 < len(ids) <= 50:
            return respond(start_response, "400 Bad Request", {"error": "give 1 to 50 ids"})
        items = fetch_items(ids, request_state.id)
        return respond(start_response, "200 OK", {"items": items, "request_id": request_state.id})
    if path.startswith("/items/"):
        item = fetch_json(path, request_state.id)
        return respond(start_response, "200 OK", item)
    if path == "/jobs" and method == "POST":
        job_id = uuid.uuid4().hex
        job_results[job_id] = {"id": job_id, "status": "queued"}
        jobs.put((job_id, read_body(environ)))
        return respond(start_response, "202 Accepted", {"id": job_id})
    if path.startswith("/jobs/") and path[6:] in job_results:
        return respond(start_response, "200 OK", job_results[path[6:]])
    if path == "/hash" and method == "POST":
        iterations = min(int(query.get("iterations", "100000")), 5_000_000)
        digest = hash_password(read_body(environ), iterations)
        return respond(start_response, "200 OK", {"hash": digest.hex()})
    if path == "/ws":
        return lookup_socket(environ, start_response)
    return respond(start_response, "404 Not Found", {"error": "not found"})


def read_body(environ):
    return environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))


def app(environ, start_response):
    request_state.id = environ.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex
    try:
        return route(environ, start_response)
    except UpstreamTimeout:
        return respond(start_response, "504 Gateway Timeout", {"error": "upstream timed out"})
    except (OSError, ValueError) as error:
        log.warning("upstream failed: %r", error)
        return respond(start_response, "502 Bad Gateway", {"error": "upstream failed"})
    finally:
        log.info("%s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])


# --- Start-up and graceful shutdown ---
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
        level=logging.INFO, format="%(threadName)s [%(request_id)s] %(message)s", handlers=[handler]
    )

    log.info("hub: %s", type(eventlet.hubs.get_hub()).__module__)
    listener = eventlet.listen((config.host, config.port))
    workers = [eventlet.spawn(job_worker), eventlet.spawn(check_upstream_forever)]
    server = eventlet.spawn(eventlet.wsgi.server, listener, app, log_output=False, debug=False)

    stopping = eventlet.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.send())
    host, port = listener.getsockname()[:2]
    print(f"listening on http://{host}:{port}", flush=True)

    stopping.wait()
    log.info("stopping: finishing the requests in flight")
    server.kill()  # stops accepting; the server waits for the requests in flight
    with contextlib.suppress(greenlet.GreenletExit):  # how a killed green thread ends
        server.wait()
    for worker in workers:
        worker.kill()
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
