"""``altlas.do``: a command in words, grounded, shown, confirmed, run and answered."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from altlas.do.answer import compose_answer, task_verdict
from altlas.do.context import GroundContext
from altlas.do.planner import Step, build_plan, ground_steps
from altlas.errors import InvalidInputError
from altlas.formats.plan import Plan
from altlas.formats.result import Result

__all__ = ["DoOutcome", "do", "plan_for", "refusals"]

_EXEC_HINT = (
    "running '{program}' needs --allow-exec and '{program}' on the [run] exec_allowlist "
    "in config.toml; nothing was run"
)
# programs whose job is to delete or overwrite: no flag makes ``altlas do`` run them
_DESTRUCTIVE = frozenset(
    {"rm", "rmdir", "unlink", "shred", "dd", "mkfs", "truncate", "srm", "wipe", "del", "erase"}
)
_DESTRUCTIVE_ARGS = frozenset({"-delete", "--delete", "-exec", "-execdir", "-ok", "-okdir"})
_DESTRUCTIVE_HINT = (
    "'{program}' deletes or overwrites files: destructive programs are not run by altlas do; "
    "nothing was run"
)


def _destructive(argv: list[str]) -> bool:
    from pathlib import PurePath

    program = PurePath(argv[0]).name.lower() if argv else ""
    return program in _DESTRUCTIVE or any(a.lower() in _DESTRUCTIVE_ARGS for a in argv[1:])


@dataclass(slots=True)
class DoOutcome:
    """What ``altlas do`` did: the plan, the run's result (None when nothing ran), the answer."""

    plan: Plan
    result: Result | None
    answer: str
    ok: bool
    refused: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    """Task id -> why it did not do its job."""


def plan_for(
    command: str,
    workspace: str | os.PathLike[str] = ".",
    *,
    overwrite: bool = False,
    now: datetime | None = None,
) -> tuple[Plan, list[Step]]:
    """Segment ``command`` and ground every segment into a plan (nothing runs)."""
    import altlas

    root = Path(workspace).expanduser().resolve()
    if not root.is_dir():
        raise InvalidInputError(f"workspace {workspace} is not a folder")
    moment = now or datetime.now().astimezone()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    if not command.strip():
        raise InvalidInputError("the command is empty: say what to do")
    segmented = altlas.segment(command, now=moment)
    lang = segmented.language or "en"
    texts = [t.span.text if t.span else t.description for t in segmented.tasks] or [command]
    ctx = GroundContext(root, now=moment)
    steps = ground_steps(texts, lang, ctx)
    return build_plan(command, lang, steps, overwrite=overwrite), steps


def refusals(plan: Plan, *, allow_exec: bool) -> list[str]:
    """Why the plan must not run at all (each a plain sentence); empty when it may run."""
    found: list[str] = []
    for task in plan.tasks:
        if task.handler == "refuse":
            found.append(str(task.parameters.get("reason")))
        elif task.handler == "command":
            argv = [str(a) for a in task.parameters.get("argv") or ["?"]]
            if _destructive(argv):
                found.append(_DESTRUCTIVE_HINT.format(program=argv[0]))
            elif not allow_exec:
                found.append(_EXEC_HINT.format(program=argv[0]))
    return found


def do(
    command: str,
    workspace: str | os.PathLike[str] = ".",
    *,
    yes: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    show: Callable[[Plan], None] | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
    allow_exec: bool = False,
    now: datetime | None = None,
    output: str | os.PathLike[str] | None = None,
    **run_options: Any,
) -> DoOutcome:
    """Do what ``command`` says in ``workspace``, or refuse and say why.

    ``show`` sees the plan first; ``confirm`` is asked unless ``yes``; a refused or cancelled
    plan runs nothing and writes no result file. ``output`` receives the result (.last) with
    its top-level ``answer``. ``ok`` is true only when every task did its job.
    """
    plan, _steps = plan_for(command, workspace, overwrite=overwrite, now=now)
    if show is not None:
        show(plan)
    refused = refusals(plan, allow_exec=allow_exec)
    if refused:
        answer = "Not done: " + "\n".join(refused)
        return DoOutcome(plan, None, answer, ok=False, refused=refused)
    if dry_run:
        return DoOutcome(plan, None, "Dry run: nothing was run.", ok=True)
    if not yes and confirm is not None and not confirm(plan):
        return DoOutcome(plan, None, "Cancelled: nothing was run.", ok=False)
    result = _run(plan, workspace, allow_exec, run_options)
    failures = _failures(plan, result)
    answer = compose_answer(plan, result, Path(workspace))
    # the runner's status counts a skipped task against the rate; "do" says whether each
    # task did its job (a false condition's skip did)
    verdict = {"ok": not failures, "failures": failures}
    result = result.model_copy(
        update={"answer": answer, "metadata": {**result.metadata, "do": verdict}}
    )
    if output is not None:
        import altlas

        altlas.write(result, output)
    return DoOutcome(plan, result, answer, ok=not failures, failures=failures)


def _run(plan: Plan, workspace: Any, allow_exec: bool, options: dict[str, Any]) -> Result:
    from altlas.run.api import run

    options.setdefault("handle_signals", False)
    options.setdefault("cache", False)
    return run(plan, workspace=str(Path(workspace).resolve()), allow_exec=allow_exec, **options)


def _failures(plan: Plan, result: Result) -> dict[str, str]:
    by_id = {t.task_id: t for t in result.tasks}
    out: dict[str, str] = {}
    for task in plan.tasks:
        found = by_id.get(task.id)
        if found is None:
            out[task.id] = "did not run"
            continue
        verdict = task_verdict(task, found)
        if verdict is not None:
            out[task.id] = verdict
    return out
