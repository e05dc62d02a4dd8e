# SPDX-License-Identifier: MIT
"""The tutorial's behaviour suite: one set of black-box tests for every stage of the service.

Every folder under docs/tutorial/stages/ with a service.py is a stage; each test runs
once per stage, with the stage's folder name as its id. The service is started once per
stage (tests/tutorial_service.py), and every test talks to it over HTTP or WebSocket
only, so a stage can change anything inside as long as these tests pass.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tutorial_service import STAGES_DIR, UPSTREAM_TIMEOUT, Service, find_stages, running_stage

STAGES = find_stages()
STAGE_IDS = [stage.name for stage in STAGES]

#: A bound for anything that should be quick, generous for a loaded machine.
DEADLINE = 5.0


def test_the_stages_are_found() -> None:
    assert "s0-eventlet" in STAGE_IDS


@pytest.fixture(scope="module", params=STAGES, ids=STAGE_IDS)
def service(request: pytest.FixtureRequest) -> Iterator[Service]:
    with running_stage(request.param) as running:
        yield running


@pytest.fixture(params=STAGES, ids=STAGE_IDS)
def stage_dir(request: pytest.FixtureRequest) -> Path:
    return request.param


def call(
    service: Service,
    path: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], dict]:
    """(status, headers, JSON body) of one request; a 4xx or 5xx is returned, not raised."""
    request = urllib.request.Request(service.url + path, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.load(error)


def wait_until(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> object:
    """Poll condition until it returns something true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def timed(function: Callable[[], object]) -> tuple[object, float]:
    start = time.monotonic()
    result = function()
    return result, time.monotonic() - start


def test_health_and_errors(service: Service) -> None:
    status, headers, body = call(service, "/health")
    assert (status, body) == (200, {"status": "ok"})
    assert headers["Content-Type"] == "application/json"
    assert call(service, "/no-such-page")[0] == 404
    assert call(service, "/items")[0] == 400
    assert call(service, "/jobs/no-such-job")[0] == 404


def test_item_comes_from_upstream(service: Service) -> None:
    status, _, body = call(service, "/items/apple")
    assert status == 200
    assert (body["id"], body["name"]) == ("apple", "item apple")


def test_fanout_is_concurrent(service: Service) -> None:
    ids = [f"fan{n}" for n in range(10)]
    (status, _, body), elapsed = timed(lambda: call(service, "/items?ids=" + ",".join(ids)))
    assert status == 200
    assert [item["id"] for item in body["items"]] == ids  # in the order asked for
    # One after another, the calls take 10 x the upstream's delay (2 s).
    assert elapsed < 5 * service.upstream.delay


def test_slow_requests_are_served_concurrently(service: Service) -> None:
    paths = [f"/items/par{n}" for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as clients:
        results, elapsed = timed(lambda: list(clients.map(lambda p: call(service, p), paths)))
    assert [status for status, _, _ in results] == [200] * 10
    assert elapsed < 5 * service.upstream.delay


def test_slow_upstream_times_out(service: Service) -> None:
    # One item, and a fan-out with one slow item, at the same time.
    paths = ["/items/slow-pear", "/items?ids=plum,slow-fig"]
    with ThreadPoolExecutor(max_workers=2) as clients:
        results, elapsed = timed(lambda: list(clients.map(lambda p: call(service, p), paths)))
    for status, _, body in results:
        assert (status, body) == (504, {"error": "upstream timed out"})
    # The upstream would take slow_delay (3 s); the service gives up after its timeout.
    assert UPSTREAM_TIMEOUT * 0.9 <= elapsed < service.upstream.slow_delay * 0.8


def test_timeout_bounds_the_whole_call(service: Service) -> None:
    # Each byte of the body comes quickly, the whole body takes seconds: a timeout on
    # each socket read alone would never fire.
    (status, _, body), elapsed = timed(lambda: call(service, "/items/drip-fig"))
    assert (status, body) == (504, {"error": "upstream timed out"})
    assert elapsed < service.upstream.slow_delay * 0.8


def test_jobs_complete_in_background(service: Service) -> None:
    document = b"a document to check"
    status, _, body = call(service, "/jobs", data=document)
    assert status == 202
    job_path = "/jobs/" + body["id"]

    def done() -> dict | None:
        status, _, job = call(service, job_path)
        assert status == 200
        return job if job["status"] == "done" else None

    job = wait_until(done, "the job to be done")
    assert job == {
        "id": body["id"],
        "status": "done",
        "sha256": hashlib.sha256(document).hexdigest(),
    }


def test_periodic_check_runs(service: Service) -> None:
    first = call(service, "/stats")[2]["upstream_checks"]

    def checked_twice_more() -> bool:
        stats = call(service, "/stats")[2]
        return stats["upstream_checks"] >= first + 2 and stats["upstream_ok"]

    wait_until(checked_twice_more, "two more upstream checks")


def test_hash_is_right(service: Service) -> None:
    status, _, body = call(service, "/hash?iterations=1000", data=b"hunter2")
    expected = hashlib.pbkdf2_hmac("sha256", b"hunter2", b"catalogue-salt", 1000)
    assert (status, body) == (200, {"hash": expected.hex()})


def test_hash_does_not_block_other_requests(service: Service) -> None:
    # About 1 s of C code on an idle machine: far longer than the /health call below.
    hashed = threading.Event()

    def hash_slowly() -> None:
        try:
            assert call(service, "/hash?iterations=1500000", data=b"pw")[0] == 200
        finally:
            hashed.set()

    with ThreadPoolExecutor(max_workers=1) as client:
        future = client.submit(hash_slowly)
        wait_until(lambda: call(service, "/stats")[2]["hashing"] == 1, "the hash to start")
        status, _, _ = call(service, "/health")
        # Answered while the hash still runs: the blocking call does not block the service.
        assert status == 200
        assert not hashed.is_set()
        future.result(timeout=30)


def test_websocket_looks_items_up(service: Service) -> None:
    with connect(service.ws_url, open_timeout=DEADLINE) as websocket:
        replies = []
        for item_id in ("kiwi", "lime"):
            websocket.send(item_id)
            replies.append(json.loads(websocket.recv(timeout=DEADLINE)))
    assert [(reply["id"], reply["name"]) for reply in replies] == [
        ("kiwi", "item kiwi"),
        ("lime", "item lime"),
    ]


def test_request_id_comes_back(service: Service) -> None:
    status, headers, body = call(service, "/items?ids=one", headers={"X-Request-Id": "req-own"})
    assert status == 200
    assert headers["X-Request-Id"] == body["request_id"] == "req-own"
    assert body["items"][0]["request_id"] == "req-own"  # what the upstream was sent
    generated = call(service, "/health")[1]["X-Request-Id"]
    assert generated
    assert generated != "req-own"


def test_request_ids_do_not_leak(service: Service) -> None:
    def fetch(n: int) -> tuple[str, list[str]]:
        request_id = f"req-{n}"
        status, headers, body = call(
            service, f"/items?ids=x{n},y{n}", headers={"X-Request-Id": request_id}
        )
        assert status == 200
        assert headers["X-Request-Id"] == request_id
        return body["request_id"], [item["request_id"] for item in body["items"]]

    with ThreadPoolExecutor(max_workers=8) as clients:
        results = list(clients.map(fetch, range(8)))
    assert results == [(f"req-{n}", [f"req-{n}"] * 2) for n in range(8)]


def test_sigterm_answers_requests_in_flight_and_closes_websockets(stage_dir: Path) -> None:
    # A service of its own: this test stops it, and the module's service must outlive it.
    # On SIGTERM the request in flight is answered, while the idle WebSocket must not
    # hold up the shutdown: the service closes it.
    with (
        running_stage(stage_dir) as service,
        connect(service.ws_url, open_timeout=DEADLINE) as websocket,
        ThreadPoolExecutor(max_workers=1) as client,
    ):
        websocket.send("fig")
        assert json.loads(websocket.recv(timeout=DEADLINE))["id"] == "fig"
        in_flight = client.submit(call, service, "/items/last")
        assert service.upstream.arrived("last").wait(DEADLINE), "the request never arrived"
        service.terminate()
        status, _, body = in_flight.result(timeout=DEADLINE)
        assert (status, body["id"]) == (200, "last")
        assert service.wait(timeout=DEADLINE) == 0, service.output()
        with pytest.raises(ConnectionClosed):
            websocket.recv(timeout=DEADLINE)


def test_threads_track_ends_without_eventlet() -> None:
    # The last stage's module, and the worker class Gunicorn loads when it starts.
    stage = STAGES_DIR / "t3-threads-gunicorn"
    check = (
        "import sys, service, gunicorn.workers.gthread; "
        "print([m for m in ('eventlet', 'greenlet') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=stage, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
