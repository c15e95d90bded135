"""The DAG scheduler: a task starts as soon as its dependencies finish, up to ``concurrency``.

One loop on one asyncio event loop. Each *tick* starts what is ready, commits every buffered
state change to the journal in one transaction, sends the events that describe them, then
waits for any running task to finish. A task's completion is therefore durable before any
dependent of it starts.

A :class:`~altlas.run.cancel.CancelToken` given to the scheduler stops the run from any
thread: its callback wakes the loop at once (``call_soon_threadsafe``), nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections import defaultdict
from collections.abc import Callable

from altlas.formats.common import TaskStatus, utcnow
from altlas.formats.result import ErrorInfo
from altlas.run.cancel import CancelToken
from altlas.run.events import EventType, RunEvent
from altlas.run.executor import CONDITION_FALSE, RunContext, execute_task
from altlas.run.handlers.base import PermanentError
from altlas.run.handlers.routing import Route
from altlas.run.planning import priority_key
from altlas.run.state import TaskState

__all__ = ["Scheduler"]


class Scheduler:
    def __init__(
        self,
        rc: RunContext,
        selected: list[str],
        routes: dict[str, tuple[Route | None, PermanentError | None]],
        *,
        cancel: CancelToken | None = None,
    ) -> None:
        self.rc = rc
        self.cancel_token = cancel
        self.selected = selected
        self.routes = routes
        self.cancelled = False
        self._hurry = False
        self._done: list[str] = []
        self._wake = asyncio.Event()
        self._events: list[RunEvent] = []
        self._running: dict[str, asyncio.Task[TaskState]] = {}

    # control ------------------------------------------------------------------------------

    def request_cancel(self) -> None:
        """Stop starting tasks and cancel running ones; a second call skips the grace period."""
        if self.cancelled:
            self._hurry = True
        self.cancelled = True
        self._wake.set()

    def _follow_token(self) -> Callable[[], None]:
        """Route the token's ``cancel()`` (from any thread) into this loop; returns the undo."""
        token = self.cancel_token
        if token is None:
            return lambda: None
        if token.cancelled:
            self.request_cancel()  # before anything starts: no task runs at all
            return lambda: None
        loop = asyncio.get_running_loop()

        def on_cancel() -> None:
            # the loop may be gone already when a late cancel arrives: nothing left to stop
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.request_cancel)

        return token.add_callback(on_cancel)

    # bookkeeping -----------------------------------------------------------------------------

    def _record(self, state: TaskState) -> None:
        journal = self.rc.journal
        if journal is not None:
            journal.record(self.rc.run_id, state.row(self.rc.run_id))

    def _event(self, type_: EventType, state: TaskState) -> None:
        emitter = self.rc.emitter
        if not emitter.active:
            return
        if type_ is EventType.TASK_STARTED:
            event = emitter.make(type_, state.id, handler=state.handler, type=state.task.type)
        else:
            event = emitter.make(
                type_,
                state.id,
                status=state.status.value,
                handler=state.handler,
                attempts=state.attempts,
                duration_ms=state.duration_ms,
                cached=state.cached,
                error=state.error.model_dump(mode="json", exclude_none=True)
                if state.error
                else None,
            )
        self._events.append(event)

    def commit(self) -> None:
        """Journal first, then the events that describe what was just made durable."""
        journal = self.rc.journal
        if journal is not None:
            journal.flush()
        if self._events:
            events, self._events = self._events, []
            for event in events:
                self.rc.emitter.send(event)

    def _finish(self, state: TaskState, status: TaskStatus, error_type: str, message: str) -> None:
        state.status = status
        state.error = ErrorInfo(type=error_type, message=message)
        if state.started_at is not None and state.finished_at is None:
            state.finished_at = utcnow()
        self._record(state)
        self._event(EventType.TASK_FINISHED, state)

    def _on_done(self, task: asyncio.Task[TaskState]) -> None:
        self._done.append(task.get_name())
        self._wake.set()

    # the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        unfollow = self._follow_token()
        try:
            await self._run()
        finally:
            unfollow()

    def _graph(self) -> tuple[dict[str, int], dict[str, list[str]]]:
        """Unfinished dependencies per task still to run, and the dependents of each task."""
        states = self.rc.states
        remaining: dict[str, int] = {}
        dependents: dict[str, list[str]] = defaultdict(list)
        for tid in self.selected:
            state = states[tid]
            if state.status.finished:
                continue
            count = 0
            for dep in state.task.dependencies:
                dep_state = states.get(dep)
                if dep_state is None:
                    continue  # outside the selection: treated as done
                dependents[dep].append(tid)
                if not dep_state.status.finished:
                    count += 1
            remaining[tid] = count
        return remaining, dependents

    async def _run(self) -> None:
        rc = self.rc
        states = rc.states
        concurrency = rc.config.concurrency
        continue_on_error = rc.config.continue_on_error
        remaining, dependents = self._graph()
        ready = [
            (priority_key(states[t].task, states[t].index), t)
            for t, n in remaining.items()
            if n == 0
        ]
        heapq.heapify(ready)
        running = self._running
        try:
            while not self.cancelled:
                while ready and len(running) < concurrency:
                    tid = heapq.heappop(ready)[1]
                    state = states[tid]
                    if state.status.finished:
                        continue
                    route, error = self.routes[tid]
                    state.status = TaskStatus.RUNNING
                    state.started_at = utcnow()
                    state.handler = route.handler.name if route else None
                    self._record(state)
                    self._event(EventType.TASK_STARTED, state)
                    task = asyncio.get_running_loop().create_task(
                        execute_task(rc, state, route, error), name=tid
                    )
                    task.add_done_callback(self._on_done)
                    running[tid] = task
                self.commit()
                if not running:
                    break
                await self._wake.wait()
                self._wake.clear()
                done, self._done = self._done, []
                for tid in done:
                    if tid not in running:
                        continue
                    task = running.pop(tid)
                    state = states[tid]
                    if task.cancelled() or not state.status.finished:
                        self._finish(
                            state, TaskStatus.CANCELLED, "Cancelled", "the task was cancelled"
                        )
                    else:
                        self._record(state)
                        self._event(EventType.TASK_FINISHED, state)
                    self._release(state, ready, remaining, dependents, continue_on_error)
        except asyncio.CancelledError:
            # cancelled from outside (run_async's caller): leave a consistent journal, then go
            self.cancelled = True
            await self._shutdown()
            raise
        if self.cancelled:
            await self._shutdown()
        self.commit()

    def _release(
        self,
        state: TaskState,
        ready: list[tuple[tuple[int, int], str]],
        remaining: dict[str, int],
        dependents: dict[str, list[str]],
        continue_on_error: bool,
    ) -> None:
        states = self.rc.states
        if state.status is TaskStatus.COMPLETED or continue_on_error:
            for child in dependents.get(state.id, ()):
                remaining[child] -= 1
                child_state = states[child]
                if remaining[child] == 0 and not child_state.status.finished:
                    heapq.heappush(
                        ready, (priority_key(child_state.task, child_state.index), child)
                    )
            return
        children = list(dependents.get(state.id, ()))
        error_type, reason = "DependencyFailed", f"dependency '{state.id}' {state.status.value}"
        if state.error is not None and state.error.type == CONDITION_FALSE:
            # a false condition is not a failure: its else branch runs, the rest is skipped too
            error_type, reason = CONDITION_FALSE, state.error.message
            branch = state.task.condition
            otherwise = set(branch.else_body or ()) if branch else set()
            for child in [c for c in children if c in otherwise]:
                remaining[child] -= 1
                child_state = states[child]
                if remaining[child] == 0 and not child_state.status.finished:
                    heapq.heappush(
                        ready, (priority_key(child_state.task, child_state.index), child)
                    )
            children = [c for c in children if c not in otherwise]
        stack = children
        while stack:
            child = stack.pop()
            child_state = states[child]
            if child_state.status.finished:
                continue
            self._finish(child_state, TaskStatus.SKIPPED, error_type, reason)
            stack.extend(dependents.get(child, ()))

    async def _shutdown(self) -> None:
        """Cancel running tasks, give them the grace period, mark everything left cancelled."""
        running = self._running
        for task in running.values():
            task.cancel()
        deadline = time.monotonic() + self.rc.config.cancel_grace_seconds
        pending = {t for t in running.values() if not t.done()}
        # bounded: each turn waits at most 50 ms and the deadline is fixed
        while pending and not self._hurry and time.monotonic() < deadline:
            _, pending = await asyncio.wait(pending, timeout=0.05)
        for tid, task in list(running.items()):
            state = self.rc.states[tid]
            if task.done() and not task.cancelled() and state.status.finished:
                self._record(state)
                self._event(EventType.TASK_FINISHED, state)
            else:
                self._finish(
                    state, TaskStatus.CANCELLED, "Cancelled", "the task did not stop in time"
                )
        running.clear()
        for tid in self.selected:
            state = self.rc.states[tid]
            if not state.status.finished:
                self._finish(
                    state,
                    TaskStatus.CANCELLED,
                    "Cancelled",
                    "the run was cancelled before this task started",
                )
        self.commit()
