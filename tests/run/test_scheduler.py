"""DAG scheduling: eager starts, the concurrency cap, skips, selections and cancellation."""

from __future__ import annotations

import asyncio

import pytest

import altlas
from altlas.errors import InvalidInputError
from altlas.formats.common import TaskStatus
from altlas.formats.result import RunStatus
from altlas.run import run_async


def test_task_starts_when_its_own_dependencies_finish(mkplan, registry, workspace) -> None:
    """c waits only for b, so it finishes while the slow a (same level as b) still runs."""
    plan = mkplan(
        {"id": "a", "type": "probe", "parameters": {"sleep": 0.4}},
        {"id": "b", "type": "probe", "parameters": {"sleep": 0.01}},
        {"id": "c", "type": "probe", "dependencies": ["b"]},
        {"id": "d", "type": "probe", "dependencies": ["a", "c"]},
    )
    result = altlas.run(plan, registry=registry, workspace=workspace, concurrency=4)
    assert result.status is RunStatus.SUCCESS
    assert result.task("c").finished_at < result.task("a").finished_at
    assert result.task("d").started_at >= result.task("a").finished_at


def test_concurrency_cap_is_respected(mkplan, registry, probe, workspace) -> None:
    """Never more than --concurrency handlers at once, and the cap is reached."""
    plan = mkplan(
        *({"id": f"t{i}", "type": "probe", "parameters": {"sleep": 0.02}} for i in range(12))
    )
    altlas.run(plan, registry=registry, workspace=workspace, concurrency=3)
    assert probe.max_active == 3
    assert sum(probe.calls.values()) == 12


def test_handlers_receive_dependency_outputs(mkplan, registry, workspace) -> None:
    """A handler's inputs are its finished dependencies' outputs."""
    plan = mkplan(
        {"id": "a", "type": "probe"},
        {"id": "b", "type": "probe"},
        {"id": "c", "type": "probe", "dependencies": ["a", "b"]},
    )
    result = altlas.run(plan, registry=registry, workspace=workspace)
    assert result.task("c").output["inputs"] == ["a", "b"]


def test_dependents_of_a_failure_are_skipped(mkplan, registry, probe, workspace) -> None:
    """Transitive dependents are skipped with the reason; unrelated tasks still run."""
    plan = mkplan(
        {"id": "bad", "type": "probe", "parameters": {"fail": "boom"}},
        {"id": "child", "type": "probe", "dependencies": ["bad"]},
        {"id": "grandchild", "type": "probe", "dependencies": ["child"]},
        {"id": "other", "type": "probe"},
    )
    result = altlas.run(plan, registry=registry, workspace=workspace)
    assert result.task("bad").status is TaskStatus.FAILED
    assert result.task("bad").error.type == "RuntimeError"
    assert result.task("bad").error.message == "boom"
    for tid in ("child", "grandchild"):
        task = result.task(tid)
        assert task.status is TaskStatus.SKIPPED
        assert task.error.type == "DependencyFailed"
        assert task.attempts == 0
    assert "dependency 'bad' failed" in result.task("child").error.message
    assert result.task("other").status is TaskStatus.COMPLETED
    assert "child" not in probe.calls
    assert result.status is RunStatus.PARTIAL_SUCCESS
    assert result.success_rate == pytest.approx(1 / 4)


def test_continue_on_error_runs_dependents(mkplan, registry, probe, workspace) -> None:
    """With continue_on_error the dependent runs, without the failed task's output."""
    plan = mkplan(
        {"id": "bad", "type": "probe", "parameters": {"fail": "boom"}},
        {"id": "child", "type": "probe", "dependencies": ["bad"]},
    )
    result = altlas.run(plan, registry=registry, workspace=workspace, continue_on_error=True)
    assert result.task("child").status is TaskStatus.COMPLETED
    assert result.task("child").output["inputs"] == []
    assert result.metadata["continue_on_error"] is True


def test_no_handler_fails_clearly(mkplan, workspace) -> None:
    """An unknown type fails (never completes) and the error names type and handlers."""
    result = altlas.run(mkplan({"id": "a", "type": "teleport"}), workspace=workspace)
    task = result.task("a")
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "NoHandler"
    assert "'teleport'" in task.error.message
    assert "available handlers: archive, command, data, delay, echo" in task.error.message
    assert result.status is RunStatus.FAILURE


def test_only_runs_the_named_tasks(mkplan, registry, probe, workspace) -> None:
    """--only runs exactly those tasks; the result lists only them."""
    plan = mkplan(
        {"id": "a", "type": "probe"},
        {"id": "b", "type": "probe", "dependencies": ["a"]},
        {"id": "c", "type": "probe"},
    )
    result = altlas.run(plan, registry=registry, workspace=workspace, only=["b", "c"])
    assert sorted(probe.calls) == ["b", "c"]
    assert [t.task_id for t in result.tasks] == ["b", "c"]
    assert result.metadata["selection"] == {"only": ["b", "c"], "from": None}


def test_only_takes_outside_outputs_from_the_last_run(mkplan, workspace) -> None:
    """A selected task's unselected dependency gives the output it had in the latest run."""
    plan = mkplan(
        {"id": "a", "parameters": {"message": "first"}},
        {
            "id": "b",
            "dependencies": ["a"],
            "parameters": {"message": "got {{ tasks.a.output.text }}"},
        },
    )
    altlas.run(plan, workspace=workspace)
    again = altlas.run(plan, workspace=workspace, only="b")
    assert again.task("b").output["text"] == "got first"


def test_from_runs_a_task_and_its_dependents(mkplan, registry, probe, workspace) -> None:
    """--from ID selects ID and everything downstream of it."""
    plan = mkplan(
        {"id": "a", "type": "probe"},
        {"id": "b", "type": "probe", "dependencies": ["a"]},
        {"id": "c", "type": "probe", "dependencies": ["b"]},
        {"id": "d", "type": "probe"},
    )
    altlas.run(plan, registry=registry, workspace=workspace, from_task="b")
    assert sorted(probe.calls) == ["b", "c"]


def test_bad_selection_is_an_error(mkplan) -> None:
    """Selecting an unknown id names it."""
    with pytest.raises(InvalidInputError, match="--only: no task 'zz'"):
        altlas.run(mkplan({"id": "a"}), only=["zz"])
    with pytest.raises(InvalidInputError, match="--from: no task 'zz'"):
        altlas.run(mkplan({"id": "a"}), from_task="zz")


def test_priority_orders_ready_tasks(mkplan, registry, probe, workspace) -> None:
    """With one slot, critical tasks start before medium and low ones."""
    plan = mkplan(
        {"id": "low", "type": "probe", "priority": "low"},
        {"id": "mid", "type": "probe"},
        {"id": "crit", "type": "probe", "priority": "critical"},
    )
    altlas.run(plan, registry=registry, workspace=workspace, concurrency=1)
    assert probe.order == ["crit", "mid", "low"]


def test_request_cancel_marks_running_and_pending_cancelled(mkplan, workspace, tmp_path) -> None:
    """A cancel stops the run: running and not-started tasks end cancelled; a .last is written."""
    plan = mkplan(
        {"id": "quick", "type": "delay", "parameters": {"seconds": 0}},
        {"id": "slow", "type": "delay", "parameters": {"seconds": 30}},
        {"id": "after", "dependencies": ["slow"]},
    )
    holder = []

    async def main():
        task = asyncio.ensure_future(
            run_async(
                plan,
                workspace=workspace,
                on_start=holder.append,
                output=tmp_path / "partial.last",
                cancel_grace_seconds=0.5,
            )
        )
        while not holder:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        holder[0].request_cancel()
        return await asyncio.wait_for(task, 5)

    result = asyncio.run(main())
    assert result.status is RunStatus.CANCELLED
    assert result.task("quick").status is TaskStatus.COMPLETED
    assert result.task("slow").status is TaskStatus.CANCELLED
    assert result.task("after").status is TaskStatus.CANCELLED
    assert "before this task started" in result.task("after").error.message
    assert (tmp_path / "partial.last").exists()


def test_outer_cancellation_propagates_after_cleanup(mkplan, workspace, altlas_home) -> None:
    """Cancelling run_async's task re-raises CancelledError, and the journal says cancelled."""
    from altlas.run.journal import Journal

    plan = mkplan({"id": "slow", "type": "delay", "parameters": {"seconds": 30}})

    async def main():
        task = asyncio.ensure_future(run_async(plan, workspace=workspace, run_id="run_outer"))
        await asyncio.sleep(0.2)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())
    with Journal.open(altlas_home) as journal:
        record = journal.load_run("run_outer")
    assert record.status == "cancelled"
    assert record.tasks[0]["status"] == "cancelled"
