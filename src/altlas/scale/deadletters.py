"""Dead letters: runs that reached ``max_deliver`` are moved out of the work queue.

The server only announces them (a ``MAX_DELIVERIES`` advisory, captured by ``ALTLAS_DEAD``) and
a work-queue stream keeps the message forever (nats-server#5564). :func:`settle` turns each
advisory into a copy of the job on ``altlas.dead.<run>`` and deletes the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from altlas.scale.streams import DEAD, DEAD_CONSUMER, RUNS, key_of

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext

__all__ = ["DeadLetter", "dead_letters", "settle"]


@dataclass(slots=True)
class DeadLetter:
    run_id: str
    reason: str
    time: str

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "reason": self.reason, "time": self.time}


async def settle(js: JetStreamContext, batch: int = 100) -> int:
    """Move the runs of pending max-deliveries advisories to ``altlas.dead.>``; how many."""
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.errors import NotFoundError

    from altlas.scale.worker import publish_retrying

    psub = await js.pull_subscribe("", durable=DEAD_CONSUMER, stream=DEAD)
    moved = 0
    try:
        msgs = await psub.fetch(batch, timeout=0.5)
    except (TimeoutError, NatsTimeout):
        msgs = []
    for msg in msgs:
        advisory = orjson.loads(msg.data)
        seq = int(advisory.get("stream_seq", 0))
        try:
            original = await js.get_msg(RUNS, seq)
        except NotFoundError:
            await msg.ack()  # already gone (acked late, or settled before)
            continue
        data = original.data or b"{}"
        try:
            run_id = str(orjson.loads(data)["run_id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            run_id = f"seq-{seq}"
        reason = f"delivered {advisory.get('deliveries', '?')} times without an ack"
        headers = {
            "Nats-Msg-Id": f"dead:{run_id}",
            "Altlas-Run-Id": run_id,
            "Altlas-Reason": reason,
        }
        await publish_retrying(js, f"altlas.dead.{key_of(run_id)}", data, headers)
        await js.delete_msg(RUNS, seq)
        await msg.ack()
        moved += 1
    await psub.unsubscribe()
    return moved


async def dead_letters(js: JetStreamContext, limit: int = 1000) -> list[DeadLetter]:
    """The dead letters kept on ``altlas.dead.>`` (oldest first)."""
    from nats.js.errors import NotFoundError

    info = await js.stream_info(DEAD, subjects_filter="altlas.dead.>")
    found: list[DeadLetter] = []
    seq = info.state.first_seq
    while seq <= info.state.last_seq and len(found) < limit:
        try:
            msg = await js.get_msg(DEAD, seq=seq, subject="altlas.dead.>", next=True)
        except NotFoundError:
            break
        headers = msg.headers or {}
        found.append(
            DeadLetter(
                headers.get("Altlas-Run-Id", "?"),
                headers.get("Altlas-Reason", ""),
                str(getattr(msg, "time", "") or ""),
            )
        )
        seq = int(msg.seq or seq) + 1
    return found
