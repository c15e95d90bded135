"""``altlas do COMMAND``: show the plan, ask on a terminal, run it, print the answer.

The plan goes to stderr and the answer to stdout, so ``altlas do … > answer.txt`` keeps just
the answer. The exit code is 0 only when every task did its job.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from altlas.cli._common import emit_json, is_tty
from altlas.cli._output import Format, format_option

if TYPE_CHECKING:
    from altlas.do.api import DoOutcome
    from altlas.formats.plan import Plan, Task

__all__ = ["plan_lines", "register"]

_SKIP_KEYS = {"operation", "overwrite", "allow_empty"}


def _short(value: Any, limit: int = 48) -> str:
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _step_text(step: Any) -> str:
    """A query step as a person reads it: ``sort units desc``, ``group by region: sum units``."""
    if not isinstance(step, dict):
        return _short(step)
    op = str(step.get("op", "?"))
    if op == "filter":
        return f"filter {_short(step.get('where'), 60)}"
    if op == "sort":
        keys = [
            f"{k.get('column')} {'desc' if k.get('desc') else 'asc'}"
            if isinstance(k, dict)
            else str(k)
            for k in step.get("by") or []
        ]
        return "sort " + ", ".join(keys)
    if op == "group":
        aggs = [
            f"{a.get('fn')} {a.get('column') or 'rows'}" if isinstance(a, dict) else str(a)
            for a in step.get("aggregate") or []
        ]
        return f"group by {', '.join(map(str, step.get('by') or []))}: {', '.join(aggs)}"
    if op == "derive":
        return f"{step.get('column')} = {_short(step.get('expr'), 40)}"
    if op == "limit":
        return f"first {step.get('n')}"
    if op in ("select", "distinct"):
        columns = step.get("columns")
        return f"{op} {', '.join(map(str, columns))}" if columns else op
    details = [f"{k}={_short(v, 40)}" for k, v in step.items() if k != "op"]
    return f"{op}(" + ", ".join(details) + ")"


_SYMBOLS = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<=", "eq": "==", "neq": "!="}
_REF = re.compile(r"^\{\{\s*tasks\.(\w+)\.output\.([\w.]+)\s*\}\}$")


def _operand(value: Any) -> str:
    """``{{ tasks.t1.output.count }}`` reads as ``t1.count``."""
    match = _REF.match(value) if isinstance(value, str) else None
    return f"{match.group(1)}.{match.group(2)}" if match else _short(value)


def _condition_text(cond: Any) -> str:
    """``{{ tasks.t1.output.count }} gt 0`` reads as ``t1.count > 0``; ``not`` as ``not (…)``."""
    op = cond.operator.value
    if op == "not":
        return f"not ({_condition_text(cond.left)})"
    if op in ("and", "or"):
        return f"({_condition_text(cond.left)}) {op} ({_condition_text(cond.right)})"
    symbol = _SYMBOLS.get(op, op)
    return f"{_operand(cond.left)} {symbol} {_operand(cond.right)}"


def task_line(task: Task) -> str:
    """One line: id, handler.operation, the key parameters, and why."""
    params = task.parameters
    if task.handler == "refuse":
        return f"{task.id}  cannot do '{_short(task.description, 60)}': {params.get('reason')}"
    op = params.get("operation")
    name = f"{task.handler}.{op}" if op else str(task.handler)
    parts = []
    for key, value in params.items():
        if key in _SKIP_KEYS:
            continue
        if key == "steps" and isinstance(value, list):
            parts.append(" → ".join(_step_text(s) for s in value) or "as is")
        else:
            parts.append(f"{key}={_short(value)}")
    if params.get("overwrite"):
        parts.append("overwrite")
    when = f"  if {_condition_text(task.condition.condition)}" if task.condition else ""
    why = str(task.metadata.get("why") or "")
    return f"{task.id}  {name}  {' '.join(parts)}{when}  — {why}"


def plan_lines(plan: Plan) -> list[str]:
    return [task_line(t) for t in plan.tasks]


def _show(plan: Plan) -> None:
    typer.echo(f"Plan ({plan.language}, {len(plan.tasks)} task(s)):", err=True)
    for line in plan_lines(plan):
        typer.secho(f"  {line}", err=True, fg=typer.colors.CYAN if is_tty(sys.stderr) else None)


def _confirm(plan: Plan) -> bool:
    return typer.confirm("Run this plan?", default=True, err=True)


def _print(outcome: DoOutcome, fmt: str) -> None:
    if fmt == "json":
        emit_json(
            {
                "ok": outcome.ok,
                "answer": outcome.answer,
                "refused": outcome.refused,
                "failures": outcome.failures,
                "plan": plan_lines(outcome.plan),
                "status": outcome.result.status.value if outcome.result else None,
            }
        )
        return
    typer.echo(outcome.answer)
    if not outcome.ok and outcome.failures:
        typer.echo(
            f"failed: {len(outcome.failures)} of {len(outcome.plan.tasks)} task(s)", err=True
        )


def do(
    command: Annotated[str, typer.Argument(help="What to do, in English or Turkish.")],
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="The folder to work in.")
    ] = Path(),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the result (.last, with its answer) here."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run without asking.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; run nothing.")] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Let the plan replace files with new content.")
    ] = False,
    allow_exec: Annotated[
        bool,
        typer.Option("--allow-exec", help="Let an explicit, allowlisted command run."),
    ] = False,
    allow: Annotated[
        list[str] | None,
        typer.Option("--allow", help="Add a program to the exec allowlist (repeatable)."),
    ] = None,
    fmt: Annotated[
        Format,
        format_option((Format.TABLE, Format.JSON), help="table (the answer as text) or json."),
    ] = Format.TABLE,
) -> None:
    """Do what COMMAND says in the workspace, or refuse and say why."""
    from altlas.do.api import do as run_command

    interactive = is_tty(sys.stdin) and not yes
    extra: dict[str, Any] = {}
    if allow:
        from altlas.config import load_settings
        from altlas.run.options import RunConfig

        base = load_settings().section("run", RunConfig).exec_allowlist
        extra["exec_allowlist"] = [*base, *allow]
    outcome = run_command(
        command,
        workspace,
        yes=yes or not interactive,
        confirm=_confirm if interactive else None,
        show=_show,
        dry_run=dry_run,
        overwrite=overwrite,
        allow_exec=allow_exec,
        output=output,
        **extra,
    )
    _print(outcome, fmt)
    if not outcome.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("do")(do)
