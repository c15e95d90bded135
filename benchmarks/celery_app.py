"""The Celery + Redis peer of the NATS workers, for benchmarks/test_scale_throughput.py.

A task runs THE SAME small plan with the same ``altlas.run`` call as the NATS worker and the
embedded queue, and returns the serialised result as the NATS worker publishes it (same work
per plan). Broker and result backend are one real ``redis-server`` (``ALTLAS_BENCH_REDIS``).
Celery's settings are its defaults, as a user reaching for Celery would have them.

Workers: ``python -m celery -A benchmarks.celery_app worker -P prefork -c N``.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from altlas.formats.io import to_bytes
from altlas.run.api import run  # imported before the pool forks: children start warm

BROKER = os.environ.get("ALTLAS_BENCH_REDIS", "redis://127.0.0.1:6379/0")

app = Celery("altlas_bench", broker=BROKER, backend=BROKER)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="altlas_bench.run_plan")  # type: ignore[untyped-decorator]
def run_plan(plan: dict[str, Any], workspace: str) -> str:
    result = run(plan, journal=False, handle_signals=False, workspace=workspace)
    return to_bytes(result, pretty=False).decode()
