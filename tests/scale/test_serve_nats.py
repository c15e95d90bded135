"""Scenario 5: several ``altlas serve --nats`` instances sharing NATS, Redis and one home.

Real processes only: a nats-server, a redis-server, three ``altlas serve`` (A and B with
``--redis``; C without, so its search cache is its own memory and only NATS can clear it),
one ``altlas worker`` and the ``altlas archive follow`` writer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

pytest.importorskip("nats")
pytest.importorskip("litestar")

from tests.redis_support import redis_server
from tests.scale.harness import Cluster, wait_for

from altlas.scale.config import close_quietly, connect
from altlas.server.accounts import AccountStore
from altlas.server.process import ServerProcess, free_port


def _plan(word: str, nap: float) -> dict[str, Any]:
    return {
        "format": "altlas.alt",
        "id": f"serve-{word}",
        "title": f"serve scenario {word}",
        "tasks": [
            {"id": "hello", "type": "echo", "parameters": {"message": word}},
            {
                "id": "nap",
                "type": "delay",
                "parameters": {"seconds": nap},
                "dependencies": ["hello"],
            },
            {
                "id": "bye",
                "type": "echo",
                "parameters": {"message": "bye"},
                "dependencies": ["nap"],
            },
        ],
    }


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


class Scene:
    def __init__(self, cluster: Cluster, servers: dict[str, ServerProcess], key: str) -> None:
        self.cluster = cluster
        self.servers = servers
        self.http = httpx.Client(headers={"X-API-Key": key}, timeout=10)

    def url(self, name: str, path: str) -> str:
        return self.servers[name].url + path


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Scene]:
    from altlas.scale.local_server import LocalNatsServer

    tmp = tmp_path_factory.mktemp("scene")
    nats = LocalNatsServer(tmp / "jetstream").start()
    cluster = Cluster(tmp, nats.url)
    cluster.home.mkdir(parents=True)
    with AccountStore(cluster.home) as store:
        _, key = store.create_key("scenario", "admin")
    servers: dict[str, ServerProcess] = {}
    try:
        cluster.worker(0)
        cluster.follower()
        flags = {"a": ("--redis", redis_url), "b": ("--redis", redis_url), "c": ()}
        env = {**cluster.env, "ALTLAS_SERVER__DOCUMENT_WORKERS": "1"}  # two cores in CI
        # a tight limit for one group, to see A and B count together in Redis
        env["ALTLAS_SERVER__RATE_LIMITS"] = '{"admin": "3/hour"}'
        for name, extra in flags.items():
            server = ServerProcess(cluster.home, "--nats", nats.url, *extra, env=env)
            servers[name] = server.start()
        scene = Scene(cluster, servers, key)
        yield scene
        scene.http.close()
    finally:
        for server in servers.values():
            server.stop()
        cluster.stop_all()
        nats.stop()


def _submit(scene: Scene, server: str, plan: dict[str, Any]) -> str:
    answer = scene.http.post(scene.url(server, "/v1/runs"), json={"plan": plan})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _state(scene: Scene, server: str, run_id: str) -> str:
    answer = scene.http.get(scene.url(server, f"/v1/runs/{run_id}"))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["state"])


@pytest.mark.slow
def test_a_run_submitted_to_a_streams_on_b_and_is_cancelled_from_b(scene: Scene) -> None:
    run_id = _submit(scene, "a", _plan("cancelme", 30.0))
    assert _state(scene, "b", run_id) in ("queued", "running")
    seen: list[str] = []
    cancelled_at = 0.0
    with scene.http.stream("GET", scene.url("b", f"/v1/runs/{run_id}/events")) as stream:
        assert stream.status_code == 200
        deadline = time.monotonic() + 60
        for line in stream.iter_lines():
            assert time.monotonic() < deadline, f"no end of stream; saw {seen}"
            if not line.startswith("event:"):
                continue
            seen.append(line.removeprefix("event:").strip())
            if seen[-1] == "task.started" and seen.count("task.started") == 2 and not cancelled_at:
                # the nap runs on the worker; B asks for the cancel
                answer = scene.http.delete(scene.url("b", f"/v1/runs/{run_id}"))
                assert answer.status_code == 202, answer.text
                cancelled_at = time.monotonic()
            if seen[-1] == "job.finished":
                break
    took = time.monotonic() - cancelled_at
    assert cancelled_at and took < 5, took
    assert seen[0] == "job.queued" and "run.started" in seen and "run.finished" in seen
    assert wait_for(lambda: _state(scene, "a", run_id) == "cancelled", 10, 0.05)
    status = scene.http.get(scene.url("a", f"/v1/runs/{run_id}")).json()
    assert status["summary"]["status"] == "cancelled"
    assert scene.http.delete(scene.url("a", f"/v1/runs/{run_id}")).status_code == 409
    runs = scene.http.get(scene.url("c", "/v1/runs")).json()["runs"]
    assert run_id in [r["id"] for r in runs]


@pytest.mark.slow
def test_a_finished_run_is_served_by_every_instance(scene: Scene) -> None:
    run_id = _submit(scene, "b", _plan("finishme", 0.0))
    assert wait_for(lambda: _state(scene, "c", run_id) == "done", 60, 0.1)
    result = scene.http.get(scene.url("a", f"/v1/runs/{run_id}/result"))
    assert result.status_code == 200
    assert orjson.loads(result.content)["status"] == "success"
    # the whole history from A, then from C after the second event (Last-Event-ID)
    path = f"/v1/runs/{run_id}/events"
    every = _sse_ids(scene.http.get(scene.url("a", path)).text)
    assert every[0][1] == "job.queued" and every[-1][1] == "job.finished"
    rest = scene.http.get(scene.url("c", path), headers={"Last-Event-ID": str(every[1][0])})
    assert _sse_ids(rest.text) == every[2:]


def _sse_ids(text: str) -> list[tuple[int, str]]:
    """(id, event) of each message of a finished server-sent event stream."""
    found, fields = [], {}
    for line in [*text.splitlines(), ""]:
        if line:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
            continue
        if "id" in fields:
            found.append((int(fields["id"]), fields["event"]))
        fields = {}
    return found


def _hits(scene: Scene, server: str, word: str) -> int:
    answer = scene.http.get(scene.url(server, "/v1/archive/search"), params={"q": word})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def _result_bytes(word: str) -> bytes:
    from altlas.formats.io import to_bytes
    from altlas.formats.result import Result

    return to_bytes(Result(title=f"uploaded {word}", status="success", success_rate=1.0))


@pytest.mark.slow
def _follower_idle(scene: Scene) -> bool:
    """Every result taken and acked: the follower's own invalidations are all sent."""

    async def check() -> bool:
        from altlas.scale.streams import ARCHIVE_CONSUMER, RESULTS

        nc = await connect(scene.cluster.config)
        try:
            info = await nc.jetstream().consumer_info(RESULTS, ARCHIVE_CONSUMER)
            return not info.num_pending and not info.num_ack_pending
        finally:
            await close_quietly(nc)

    return asyncio.run(check())


def test_an_archive_write_through_a_clears_the_cached_searches_of_b_and_c(scene: Scene) -> None:
    word = "zebracorn"
    # runs of the other tests reach the archive through the follower, which clears caches
    # too: wait for it, so that only this test's writes happen from here on
    assert wait_for(lambda: _follower_idle(scene), 30)
    time.sleep(0.2)  # its last announcement (sent before its ack) has arrived
    assert _hits(scene, "b", word) == 0 and _hits(scene, "c", word) == 0  # now cached
    # Written behind the servers' backs (no event anywhere): C's memory cache still answers
    # 0, which shows that what follows is the invalidation and not a cache miss.
    from altlas.index import Archive

    behind = _result_bytes(word)
    with Archive(scene.cluster.home) as archive:
        from altlas.formats.io import load_result

        archive.add_result(load_result(behind), raw=behind)
    assert _hits(scene, "c", word) == 0
    upload = scene.http.post(scene.url("a", "/v1/archive"), content=_result_bytes(word + "2"))
    assert upload.status_code == 201, upload.text
    written = time.monotonic()
    assert wait_for(lambda: _hits(scene, "c", word) == 1 and _hits(scene, "b", word) == 1, 1, 0.02)
    took = time.monotonic() - written
    assert took < 1.0, took


def test_serve_names_an_unreachable_nats_in_one_line_before_starting() -> None:
    import typer
    from typer.testing import CliRunner

    from altlas.cli import serve as serve_cli
    from altlas.cli._common import AltlasGroup

    app = typer.Typer(cls=AltlasGroup)
    serve_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)
    closed = f"nats://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["serve", "--nats", closed, "--port", "1"])
    assert result.exit_code != 0
    assert f"cannot connect to NATS at {closed}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_and_b_share_their_rate_limits_through_redis(scene: Scene) -> None:
    statuses = [scene.http.get(scene.url("ab"[n % 2], "/v1/keys")).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert scene.http.get(scene.url("c", "/v1/keys")).status_code == 200  # C counts alone


@pytest.mark.slow
def test_nats_workers_run_the_runs_inside_the_server(tmp_path: Path) -> None:
    import platform

    from altlas.scale.local_server import LocalNatsServer

    home = tmp_path / "home"
    home.mkdir()
    with AccountStore(home) as store:
        _, key = store.create_key("solo", "admin")
    env = {"ALTLAS_SERVER__DOCUMENT_WORKERS": "1"}
    with (
        LocalNatsServer(tmp_path / "js") as nats,
        ServerProcess(home, "--nats", nats.url, "--nats-workers", "1", env=env) as server,
        httpx.Client(headers={"X-API-Key": key}, timeout=10) as http,
    ):
        assert "1 in-process worker per server process" in server.output()
        answer = http.post(server.url + "/v1/runs", json={"plan": _plan("solo", 0.0)})
        assert answer.status_code == 202, answer.text
        run = server.url + f"/v1/runs/{answer.json()['id']}"
        assert wait_for(lambda: http.get(run).json()["state"] == "done", 60, 0.1)
        events = http.get(run + "/events").text
        assert f'"worker":"{platform.node()}:{server.proc.pid}"' in events  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_logout_through_a_ends_the_session_on_c_at_once(scene: Scene) -> None:
    with AccountStore(scene.cluster.home) as store:
        store.add_user("ada", "a long enough passphrase", "viewer")
    login = {"username": "ada", "password": "a long enough passphrase"}
    pair = httpx.post(scene.url("a", "/v1/auth/token"), json=login, timeout=10).json()
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    me = scene.url("c", "/v1/auth/me")
    assert httpx.get(me, headers=bearer, timeout=10).status_code == 200  # C caches: active
    out = httpx.post(
        scene.url("a", "/v1/auth/logout"), json={"refresh_token": pair["refresh_token"]}
    )
    assert out.status_code == 204
    ended = time.monotonic()
    assert wait_for(lambda: httpx.get(me, headers=bearer, timeout=10).status_code == 401, 3, 0.02)
    # C's session cache would have said "active" for principal_cache_seconds (5 s)
    assert time.monotonic() - ended < 1.0
