"""Runs over HTTP: 202 + Location, status, result, cancel, SSE progress, auto-archive."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from altlas.formats.io import load_result

from .conftest import error_of


def plan(*tasks: dict, plan_id: str = "plan_http") -> dict:
    return {"format": "altlas.alt", "id": plan_id, "tasks": list(tasks)}


def wait_done(client, run_id: str, headers: dict, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/v1/runs/{run_id}", headers=headers).json()
        if body["state"] in ("done", "failed", "cancelled"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {body['state']}")
        time.sleep(0.05)


def test_submit_answers_202_with_location_then_result(client, auth) -> None:
    body = plan(
        {"id": "hello", "type": "echo", "parameters": {"message": "hi"}},
        {"id": "after", "type": "echo", "dependencies": ["hello"]},
    )
    submitted = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"])
    assert submitted.status_code == 202
    run = submitted.json()
    assert submitted.headers["location"] == f"/v1/runs/{run['id']}"
    assert run["state"] in ("queued", "running", "done")
    assert run["owner"].startswith("key:")
    final = wait_done(client, run["id"], auth["operator"])
    assert final["state"] == "done" and final["status"] == "success"
    assert final["progress"]["tasks_finished"] == 2
    assert final["summary"]["success_rate"] == 1.0
    result = client.get(f"/v1/runs/{run['id']}/result", headers=auth["operator"])
    assert result.status_code == 200
    last = load_result(result.content)
    assert last.run_id == run["id"] and last.plan_id == "plan_http"
    assert [t.task_id for t in last.tasks] == ["hello", "after"]
    assert result.headers["etag"] and result.headers["last-modified"]


def test_runs_list_newest_first(client, auth) -> None:
    ids = [
        client.post(
            "/v1/runs", json={"plan": plan({"id": "t", "type": "echo"})}, headers=auth["operator"]
        ).json()["id"]
        for _ in range(3)
    ]
    listed = client.get("/v1/runs", headers=auth["operator"]).json()["runs"]
    assert [r["id"] for r in listed[:3]] == ids[::-1]
    for run_id in ids:
        wait_done(client, run_id, auth["operator"])
    done = client.get("/v1/runs?state=done&limit=2", headers=auth["operator"]).json()["runs"]
    assert len(done) == 2 and all(r["state"] == "done" for r in done)


def test_client_cannot_choose_host_options(client, auth) -> None:
    body = {"plan": plan({"id": "t", "type": "echo"}), "options": {"allow_exec": True}}
    response = client.post("/v1/runs", json=body, headers=auth["operator"])
    assert response.status_code == 422
    body = {"plan": plan({"id": "t", "type": "echo"}), "options": {"workspace": "/"}}
    assert client.post("/v1/runs", json=body, headers=auth["operator"]).status_code == 422


def test_unknown_run_is_404(client, auth) -> None:
    for path in ("/v1/runs/run_nope", "/v1/runs/run_nope/result", "/v1/runs/run_nope/events"):
        response = client.get(path, headers=auth["viewer"])
        assert response.status_code == 404, path
        assert error_of(response)["type"] == "not_found"
    assert client.delete("/v1/runs/run_nope", headers=auth["operator"]).status_code == 404


def test_cancel_a_running_run(client, auth) -> None:
    body = plan({"id": "slow", "type": "delay", "parameters": {"seconds": 20}})
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    deadline = time.monotonic() + 10
    while client.get(f"/v1/runs/{run_id}", headers=auth["operator"]).json()["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    cancelled = client.delete(f"/v1/runs/{run_id}", headers=auth["operator"])
    assert cancelled.status_code == 202 and cancelled.json()["cancel_requested"] is True
    final = wait_done(client, run_id, auth["operator"], timeout=15)
    assert time.monotonic() - started < 10  # far sooner than the 20 s delay
    assert final["state"] == "cancelled"
    result = load_result(client.get(f"/v1/runs/{run_id}/result", headers=auth["operator"]).content)
    assert result.status.value == "cancelled"
    # Cancelled runs are not archived.
    assert client.get("/v1/archive/stats", headers=auth["viewer"]).json()["results"] == 0


def test_a_cancel_waiting_for_a_locked_queue_never_stalls_other_requests(
    client, auth, settings
) -> None:
    """Another process (a second server worker) holding queue.db: the cancel waits for its
    lock, up to the busy timeout; on the event loop that wait stopped every request."""
    import sqlite3
    import threading

    body = plan({"id": "slow", "type": "delay", "parameters": {"seconds": 20}})
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    holder = sqlite3.connect(settings.home / "queue.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    answers: list[int] = []

    def cancel() -> None:
        answers.append(client.delete(f"/v1/runs/{run_id}", headers=auth["operator"]).status_code)

    waiting = threading.Thread(target=cancel)
    try:
        waiting.start()
        time.sleep(0.3)  # time for the cancel to reach the lock (it then waits up to 10 s)
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        assert time.monotonic() - started < 2.0
    finally:
        holder.close()
        waiting.join(30)
    assert answers == [202]  # once the lock is gone the cancel goes through


def test_a_write_waiting_for_queue_db_never_blocks_a_status_read(client, auth, settings) -> None:
    """Reads shared the one connection's lock with writes: a submit waiting for another
    process's lock held it for up to the busy timeout, and the status read (on the event
    loop) waited behind it."""
    import sqlite3
    import threading

    body = plan({"id": "slow", "type": "delay", "parameters": {"seconds": 20}})
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    holder = sqlite3.connect(settings.home / "queue.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    answers: list[Any] = []
    submit = threading.Thread(
        target=lambda: answers.append(
            client.post("/v1/runs", json={"plan": body}, headers=auth["operator"])
        )
    )
    try:
        submit.start()
        time.sleep(0.3)  # time for the submit to hold the connection, waiting for the lock
        started = time.monotonic()
        status = client.get(f"/v1/runs/{run_id}", headers=auth["operator"])
        assert time.monotonic() - started < 2.0  # the busy timeout is 10 s
        assert status.status_code == 200
    finally:
        holder.close()
        submit.join(30)
    # Both 20 s runs are cancelled: one left running outlived the app and its closed queue.
    for run in [run_id, *(answer.json()["id"] for answer in answers)]:
        client.delete(f"/v1/runs/{run}", headers=auth["operator"])


def test_events_stream_as_sse_and_resume_with_last_event_id(client, auth) -> None:
    body = plan(
        {"id": "a", "type": "echo"},
        {"id": "b", "type": "echo", "dependencies": ["a"]},
    )
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    with client.stream("GET", f"/v1/runs/{run_id}/events", headers=auth["operator"]) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = _parse_sse(text)
    types = [e["event"] for e in events]
    assert types[0] == "job.queued" and types[-1] == "job.finished"
    assert "run.started" in types and "run.finished" in types
    assert types.count("task.finished") == 2
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    finished = orjson.loads(events[-1]["data"])
    assert finished["data"]["state"] == "done"
    # Reconnecting with Last-Event-ID replays only what came after it.
    resume = dict(auth["operator"], **{"Last-Event-ID": str(ids[-3])})
    with client.stream("GET", f"/v1/runs/{run_id}/events", headers=resume) as stream:
        again = _parse_sse("".join(stream.iter_text()))
    assert [int(e["id"]) for e in again] == ids[-2:]


def _parse_sse(text: str) -> list[dict[str, str]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key] = value.lstrip(" ")
        if "event" in fields:
            events.append(fields)
    return events


def test_finished_runs_are_archived_and_searchable(client, auth) -> None:
    body = plan(
        {"id": "note", "type": "echo", "parameters": {"message": "zebra crossing"}},
        plan_id="plan_zebra",
    )
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    wait_done(client, run_id, auth["operator"])
    deadline = time.monotonic() + 10
    while True:
        found = client.get("/v1/archive/search?q=zebra", headers=auth["viewer"]).json()
        if found["total"]:
            break
        assert time.monotonic() < deadline, found
        time.sleep(0.05)
    hit = found["hits"][0]
    record = client.get(f"/v1/archive/{hit['id']}", headers=auth["viewer"])
    assert record.status_code == 200 and record.json()["result_id"] == hit["result_id"]


def test_archive_false_keeps_the_run_out_of_the_archive(client, auth) -> None:
    body = plan({"id": "quiet", "type": "echo", "parameters": {"message": "okapi"}})
    request = {"plan": body, "archive": False}
    run_id = client.post("/v1/runs", json=request, headers=auth["operator"]).json()["id"]
    wait_done(client, run_id, auth["operator"])
    time.sleep(0.2)
    assert client.get("/v1/archive/search?q=okapi", headers=auth["viewer"]).json()["total"] == 0


@pytest.mark.slow
def test_queued_runs_survive_a_restart(make_client, auth) -> None:
    stopped = make_client(queue_workers=0)
    run_id = stopped.post(
        "/v1/runs", json={"plan": plan({"id": "t", "type": "echo"})}, headers=auth["operator"]
    ).json()["id"]
    assert stopped.get(f"/v1/runs/{run_id}", headers=auth["operator"]).json()["state"] == "queued"
    stopped.__exit__(None, None, None)
    restarted = make_client()
    final = wait_done(restarted, run_id, auth["operator"])
    assert final["state"] == "done"


@pytest.mark.parametrize("blocking", [True, False])
def test_run_reads_leave_the_event_loop_only_when_the_queue_blocks_on_the_network(
    client, auth, blocking
) -> None:
    """A NATS queue (``blocking_io``) waits a round trip per read: status, list, result and
    events read it from a worker thread. The embedded queue answers faster than a thread
    hop, so its reads stay on the loop."""
    import threading

    body = plan({"id": "t", "type": "echo"})
    run_id = client.post("/v1/runs", json={"plan": body}, headers=auth["operator"]).json()["id"]
    wait_done(client, run_id, auth["operator"])
    queue = client.app.state["ctx"].queue
    reads = ("get", "list_jobs", "result", "events", "event_counts")
    off_loop: dict[str, set[bool]] = {}
    for name in reads:
        real = getattr(queue, name)

        def recorded(*args, _real=real, _name=name, **kwargs):
            # asyncio.to_thread's executor threads; the loop's own thread is never one
            worker = threading.current_thread().name.startswith("asyncio_")
            off_loop.setdefault(_name, set()).add(worker)
            return _real(*args, **kwargs)

        setattr(queue, name, recorded)
    queue.blocking_io = blocking
    try:
        for path in (f"/v1/runs/{run_id}", "/v1/runs", f"/v1/runs/{run_id}/result"):
            assert client.get(path, headers=auth["operator"]).status_code == 200
        with client.stream("GET", f"/v1/runs/{run_id}/events", headers=auth["operator"]) as s:
            assert "job.finished" in "".join(s.iter_text())
    finally:
        del queue.blocking_io
        for name in reads:
            delattr(queue, name)
    assert off_loop == {name: {blocking} for name in reads}
