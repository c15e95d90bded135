"""Progress displays: run events as plain lines or a live rich table, and a bar for long work.

Every bar shows a count, a rate and an ETA, and names the phase it is in ("training a
compression dictionary"), so a slow step never looks like a hang. Bars go to stderr and only
to a terminal: :func:`work_progress` returns None anywhere else.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import IO, Any

from altlas.run.events import EventType, RunEvent

__all__ = ["LiveProgress", "PlainProgress", "WorkProgress", "progress_bar", "work_progress"]


def progress_bar(unit: str, console: Any = None) -> Any:
    """A rich Progress: phase, bar, done/total, rate per second, ETA and elapsed time."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            if not speed:
                return Text(f"– {unit}/s", style="progress.data.speed")
            shown = f"{speed:,.0f}" if speed >= 10 else f"{speed:.1f}"
            return Text(f"{shown} {unit}/s", style="progress.data.speed")

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
        speed_estimate_period=10.0,
    )


class WorkProgress:
    """A progress bar for one long job: ``advance``, ``update(done, total)`` and ``phase``."""

    def __init__(self, label: str, unit: str, *, total: int | None = None, console: Any = None):
        self.label = label
        self.bar = progress_bar(unit, console)
        self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> WorkProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def advance(self, count: int = 1) -> None:
        self.bar.advance(self.task, count)

    def update(self, done: int, total: int | None = None) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def phase(self, name: str) -> None:
        """Name the step under way; the bar's label reads ``label: name``."""
        described = self.label if name in ("", self.label) else f"{self.label}: {name}"
        self.bar.update(self.task, description=described)


def work_progress(
    label: str, unit: str, *, total: int | None = None, stream: Any = None
) -> WorkProgress | None:
    """A :class:`WorkProgress` on stderr when it is a terminal, else None (pipes stay clean)."""
    stream = stream or sys.stderr
    if not bool(getattr(stream, "isatty", lambda: False)()):
        return None
    return WorkProgress(label, unit, total=total)


_STYLE = {
    "completed": "green",
    "failed": "red",
    "timeout": "dark_orange",
    "cancelled": "bright_black",
    "skipped": "bright_black",
    "running": "cyan",
    "pending": "white",
}


class PlainProgress:
    """One line per task start and finish, for logs and pipes."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, event: RunEvent) -> None:
        data = event.data
        if event.type is EventType.RUN_STARTED:
            line = f"run {event.run_id}: {data.get('task_count')} tasks"
            if data.get("resumed"):
                line += f" (resumed, {data.get('already_completed')} already completed)"
        elif event.type is EventType.TASK_STARTED:
            line = f"  {event.task_id}: started ({data.get('handler') or 'no handler'})"
        elif event.type is EventType.TASK_RETRYING:
            err = data.get("error") or {}
            line = (
                f"  {event.task_id}: attempt {data.get('attempt')} failed "
                f"({err.get('type')}: {err.get('message')}), "
                f"retrying in {data.get('delay_seconds')} s"
            )
        elif event.type is EventType.TASK_FINISHED:
            line = f"  {event.task_id}: {data.get('status')}"
            if data.get("cached"):
                line += " (cached)"
            if data.get("duration_ms") is not None:
                line += f" in {data['duration_ms']:.0f} ms"
            err = data.get("error")
            if err:
                line += f": {err.get('type')}: {err.get('message')}"
        else:
            line = f"run {event.run_id}: {data.get('status')} ({data.get('success_rate', 0):.0%})"
        print(line, file=self.stream, flush=True)


class LiveProgress:
    """A live table of task states (rich), refreshed a few times a second; a context manager."""

    def __init__(self, console: Any = None, *, max_rows: int = 20) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.max_rows = max_rows
        self.states: dict[str, dict[str, Any]] = {}
        self.title = ""
        self.total = 0
        self._live: Any = None
        self.bar = progress_bar("tasks", self.console)
        self._bar_task = self.bar.add_task("tasks", total=None)

    def __enter__(self) -> LiveProgress:
        from rich.live import Live

        self._live = Live(
            self._render(), console=self.console, refresh_per_second=8, transient=False
        )
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(None, None, None)
            self._live = None

    def __call__(self, event: RunEvent) -> None:
        data = event.data
        if event.type is EventType.RUN_STARTED:
            self.title = str(data.get("title") or event.run_id)
            self.total = int(data.get("task_count") or 0)
            already = int(data.get("already_completed") or 0)
            self.bar.update(self._bar_task, total=self.total, completed=already)
        elif event.task_id is not None:
            row = self.states.setdefault(event.task_id, {"status": "pending"})
            if event.type is EventType.TASK_STARTED:
                row.update(status="running", handler=data.get("handler"))
            elif event.type is EventType.TASK_RETRYING:
                row["attempts"] = data.get("attempt")
                row["note"] = "retrying"
            elif event.type is EventType.TASK_FINISHED:
                row.update(
                    status=data.get("status"),
                    attempts=data.get("attempts"),
                    duration=data.get("duration_ms"),
                    note=(data.get("error") or {}).get("message", "")
                    or ("cached" if data.get("cached") else ""),
                )
                self.bar.advance(self._bar_task, 1)
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Any:
        from rich.console import Group

        if not self.total:  # before run.started there is nothing to count yet
            return self._table()
        return Group(self._table(), self.bar)

    def _table(self) -> Any:
        from rich.markup import escape
        from rich.table import Table

        counts = Counter(r["status"] for r in self.states.values())
        done = sum(n for s, n in counts.items() if s not in ("running", "pending"))
        caption = " · ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        table = Table(
            title=f"{escape(self.title)}  {done}/{self.total}",
            caption=caption,
            show_lines=False,
            header_style="bold",
        )
        for col in ("task", "status", "handler", "attempts", "ms", "note"):
            table.add_column(col)
        rows = list(self.states.items())
        running = [r for r in rows if r[1]["status"] == "running"]
        others = [r for r in rows if r[1]["status"] != "running"]
        shown = (running + others[::-1])[: self.max_rows]
        for tid, row in shown:
            style = _STYLE.get(str(row["status"]), "white")
            duration = row.get("duration")
            table.add_row(
                escape(tid),
                f"[{style}]{row['status']}[/]",
                escape(str(row.get("handler") or "")),
                str(row.get("attempts") or ""),
                f"{duration:.0f}" if isinstance(duration, int | float) else "",
                escape(str(row.get("note") or "")[:60]),
            )
        return table
