"""``altlas submit``: enqueue runs on ``ALTLAS_RUNS`` and, with ``wait``, collect their results."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from altlas.errors import UnavailableError
from altlas.formats.common import new_id
from altlas.scale.acked import AckedPublisher, publish_acked
from altlas.scale.config import NatsConfig, close_quietly, connect
from altlas.scale.jobviews import run_id_of
from altlas.scale.runstate import published
from altlas.scale.streams import RESULTS, ensure_all, key_of

__all__ = ["PUBLISH_WINDOW", "Submitted", "job_for", "submit_jobs"]

PUBLISH_WINDOW = 256
"""Jobs published before their acks are awaited (ordered: one connection keeps the order)."""


@dataclass(slots=True)
class Submitted:
    run_id: str
    source: str
    status: str | None = None
    success_rate: float | None = None
    result: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "status": self.status,
            "success_rate": self.success_rate,
        }


def job_for(
    source: str, options: Mapping[str, Any] | None = None, *, archive: bool = True
) -> dict[str, Any]:
    """A run job from a plan file (any dialect) or, if no such file exists, a command to segment.

    ``archive=False`` travels with the job: the worker marks the result so that
    ``altlas archive follow`` acks it without archiving it.
    """
    from altlas.formats.io import to_bytes

    path = Path(source)
    if path.is_file():
        from altlas.formats.io import load_plan

        plan = load_plan(path)
    else:
        import altlas

        plan = altlas.segment(source)
    return {
        "run_id": new_id("run"),
        "plan": orjson.loads(to_bytes(plan, pretty=False)),
        "options": dict(options or {}),
        "archive": archive,
    }


async def submit_jobs(
    config: NatsConfig,
    jobs: Sequence[tuple[str, dict[str, Any]]],
    *,
    wait: bool = False,
    timeout: float = 600.0,
) -> list[Submitted]:
    """Publish each job (``Nats-Msg-Id`` = run id, so a retried submit is not a second run)."""
    from nats.js.api import ConsumerConfig, DeliverPolicy

    nc = await connect(config, name="altlas-submit")
    try:
        js = nc.jetstream()
        await ensure_all(js, config)
        out = {job["run_id"]: Submitted(job["run_id"], source) for source, job in jobs}
        results = _Results(js, out)
        sub = None
        if wait:
            # subscribed before publishing, so no result can slip past; results are taken
            # as they come, while the rest is published
            sub = await js.subscribe(
                "altlas.results.>",
                stream=RESULTS,
                cb=results.take,
                ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
            )
        acked = AckedPublisher(nc)
        await acked.start()
        # a window of publishes in flight, their acks awaited together (one round trip each
        # in turn made submitting 1,000 runs take longer than running some of them)
        for start in range(0, len(jobs), PUBLISH_WINDOW):
            await asyncio.gather(
                *(
                    publish_acked(
                        acked,
                        js,
                        f"altlas.runs.{key_of(job['run_id'])}",
                        orjson.dumps(job),
                        {"Nats-Msg-Id": job["run_id"]},
                    )
                    for _source, job in jobs[start : start + PUBLISH_WINDOW]
                )
            )
        if sub is not None:
            await results.all_in(timeout)
            await sub.unsubscribe()
        return list(out.values())
    finally:
        await close_quietly(nc)


class _Results:
    """Fills ``out`` from the ``ALTLAS_RESULTS`` messages of its runs (a subscription's
    callback: no wait of its own per message, which was most of a waiting client's CPU)."""

    def __init__(self, js: Any, out: dict[str, Submitted]) -> None:
        self.js = js
        self.out = out
        self.missing = set(out)
        self.failure: UnavailableError | None = None
        self.done = asyncio.Event()
        if not self.missing:
            self.done.set()

    async def take(self, msg: Any) -> None:
        try:
            run_id = run_id_of(str(msg.subject).rsplit(".", 1)[-1])
        except ValueError:
            return  # no run's token: none of ours
        if run_id not in self.missing:
            return  # another client's run is not read (its body may be in the object store)
        try:
            got = await published(self.js, msg)
            if got is None:
                return
            data = orjson.loads(got.result)
            found = self.out[run_id]
            found.status, found.success_rate = data.get("status"), data.get("success_rate")
            found.result = got.result
        except Exception as exc:  # e.g. an object store read that failed: the waiter raises
            self.failure = UnavailableError(f"cannot read the result of {run_id}: {exc}")
            self.failure.__cause__ = exc
            self.done.set()
            return
        self.missing.discard(run_id)
        if not self.missing:
            self.done.set()

    async def all_in(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), timeout)
        if self.failure is not None:
            raise self.failure
        if self.missing:
            raise UnavailableError(f"{len(self.missing)} run(s) not finished within {timeout:g} s")
