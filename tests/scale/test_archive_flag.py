"""A run's ``archive: false`` on NATS: done like any run, acked by the follower, not archived."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from tests.scale.harness import Cluster, wait_for
from tests.scale.plans import small_plan


def test_only_the_run_that_keeps_archive_on_is_archived(
    cli: Any, altlas_home: Path, tmp_path: Path, nats_server: Any
) -> None:
    cluster = Cluster(tmp_path, nats_server.url)
    plan = tmp_path / "off.alt"
    plan.write_text(json.dumps(small_plan(0)))
    try:
        cluster.worker(0)
        follower = cluster.follower()
        # through the CLI option; waited for, so its result precedes the next one in the stream
        off = cli("submit", str(plan), "--no-archive", "--wait", "--nats", nats_server.url,
                  "--format", "json")  # fmt: skip
        assert off.exit_code == 0, off.output
        [off_row] = json.loads(off.stdout)
        [on] = cluster.submit([small_plan(1)], wait=True, timeout=60)
        assert (off_row["status"], on.status) == ("success", "success")
        assert wait_for(lambda: len(cluster.archived()) == 1, 30)
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(20) == 0
    finally:
        cluster.stop_all()
    from altlas.index import Archive

    with Archive(cluster.home) as archive:
        archived = [r.run_id for r in archive.records(limit=None)]
    assert archived == [on.run_id], (archived, off_row["run_id"])
    # the follower took (acked) both: one archived, one left out on purpose
    assert "archived 1, not archived (archive: false) 1," in cluster.log("follow.log")
