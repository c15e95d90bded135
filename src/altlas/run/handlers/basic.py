"""Small built-in handlers: ``echo``, ``delay`` and ``schedule``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from altlas.formats.plan import Task
from altlas.run.handlers.base import Handler, HandlerContext, PermanentError, refusal

__all__ = ["DelayHandler", "EchoHandler", "ScheduleHandler", "local_time"]


class EchoHandler(Handler):
    """Returns its message and parameters (the original runner's ``generic`` task)."""

    name = "echo"
    description = "return parameters.message (or the description) and the parameters"
    uses_workspace = False

    async def run(self, ctx: HandlerContext) -> Any:
        message = ctx.param("message", "text", "content", default=ctx.task.description)
        return {"message": message, "text": str(message), "parameters": ctx.params}


def _seconds(params: Mapping[str, Any]) -> float:
    raw = params.get("seconds")
    if raw is None and params.get("ms") is not None:
        raw = float(params["ms"]) / 1000
    if raw is None:
        raw = params.get("duration", 1.0)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise PermanentError(f"parameters.seconds must be a number, not {raw!r}") from None
    if value < 0:
        raise PermanentError("parameters.seconds must not be negative")
    return value


class DelayHandler(Handler):
    """Sleeps ``parameters.seconds`` (or ``ms``); the task timeout still applies."""

    name = "delay"
    description = "sleep parameters.seconds (or parameters.ms)"
    cacheable = False
    uses_workspace = False

    def check(self, task: Task, params: Mapping[str, Any]) -> str | None:
        return refusal(_seconds, params)

    def describe(self, task: Task, params: Mapping[str, Any]) -> str:
        return f"sleep {_seconds(params):g} s"

    async def run(self, ctx: HandlerContext) -> Any:
        seconds = _seconds(ctx.params)
        await asyncio.sleep(seconds)
        return {"slept_seconds": seconds}


class ScheduleHandler(Handler):
    """Records what should happen when; altlas runs no scheduler, and the output says so."""

    name = "schedule"
    description = "record a schedule request (when, what) without running a scheduler"
    uses_workspace = False

    async def run(self, ctx: HandlerContext) -> Any:
        what = ctx.param("what", "content", "title", default=ctx.task.description)
        when = ctx.param("when", "time", "at", "deadline", "cron")
        shown = local_time(when) if isinstance(when, str) else None
        text = f"Reminder: {what}" + (f", {shown or when}" if when else " (no time given)")
        return {
            "recorded": True,
            "scheduled": False,
            "what": what,
            "when": when,
            "when_local": shown,
            "text": text + ". It is recorded in this result; altlas has no scheduler and sends "
            "no notifications.",
            "answer": text,
        }


def local_time(value: str) -> str | None:
    """An ISO date-time as a person reads it in local time: "Saturday 5 December 2026, 09:30"."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # the time was resolved in the person's own zone: show it in that zone, not the server's
    local = moment
    zone = local.strftime("%Z") or local.strftime("%z")
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y, %H:%M')}" + (
        f" ({zone})" if zone else ""
    )
