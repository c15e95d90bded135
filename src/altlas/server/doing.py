"""``do`` jobs: a command in words, run in a workspace by a queue worker, answered in words.

The route plans the command first (so a refusal is a 422 at once); the worker calls
:func:`altlas.do.do` itself, which grounds, refuses and runs exactly as the CLI does.
"""

from __future__ import annotations

from typing import Any

from altlas.config import Settings
from altlas.events.queue import Job, JobContext, JobOutcome
from altlas.server.config import ServerConfig
from altlas.server.workspaces import artifacts_between, snapshot, space_root

__all__ = ["DO_JOB", "answer_of", "make_do_executor"]

DO_JOB = "do"


def make_do_executor(settings: Settings, config: ServerConfig) -> Any:
    def execute(ctx: JobContext) -> JobOutcome:
        from altlas.do.api import do
        from altlas.formats.io import to_bytes
        from altlas.run.events import RunEvent

        payload = ctx.job.payload
        root = space_root(settings.home, str(payload["workspace"]))
        before = snapshot(root)

        def sink(event: RunEvent) -> None:
            data = event.to_dict()
            data.pop("type", None)
            ctx.emit(event.type.value, data)

        options: dict[str, Any] = {k: v for k, v in config.run_options.items() if k != "workspace"}
        outcome = do(
            str(payload["command"]),
            root,
            yes=True,
            overwrite=bool(payload.get("overwrite")),
            allow_exec=bool(payload.get("allow_exec")),
            # a retried job (its worker died) starts a fresh run: the first one's journal
            # entry is left as it was
            run_id=ctx.job.id if ctx.job.attempts <= 1 else None,
            settings=settings,
            events=[sink],
            **options,
        )
        facts: dict[str, Any] = {
            "answer": outcome.answer,
            "ok": outcome.ok,
            "refused": outcome.refused,
            "failures": outcome.failures,
            "plan": outcome.plan.model_dump(mode="json", exclude_none=True),
            "result_id": outcome.result.run_id if outcome.result is not None else None,
            "artifacts": artifacts_between(before, snapshot(root), str(payload["workspace"])),
        }
        if outcome.result is None:
            return JobOutcome(facts)
        facts["status"] = outcome.result.status.value
        return JobOutcome(facts, result=to_bytes(outcome.result, pretty=False))

    return execute


def answer_of(job: Job) -> dict[str, Any]:
    """A ``do`` job as the API shows it (:class:`~altlas.server.models.DoAnswer`)."""
    facts = dict(job.outcome or {})
    base = f"/v1/do/{job.id}"
    links = {"self": base}
    if job.has_result:
        links["result"] = f"{base}/result"
    return {
        "id": job.id,
        "state": job.state.value,
        "command": job.payload.get("command", ""),
        "workspace": job.payload.get("workspace", ""),
        "plan": facts.get("plan") or job.payload.get("plan"),
        "answer": facts.get("answer"),
        "ok": facts.get("ok"),
        "failures": facts.get("failures") or {},
        "result_id": facts.get("result_id"),
        "artifacts": facts.get("artifacts") or [],
        "error": job.error,
        "links": links,
    }
