"""Progress displays fed by run events: plain lines, or a live rich table on a terminal."""

from __future__ import annotations

import sys
from collections import Counter
from typing import IO, Any

from altlas.run.events import EventType, RunEvent

__all__ = ["LiveProgress", "PlainProgress"]

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
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Any:
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
