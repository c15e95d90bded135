"""Who is calling the pool, in a module of its own: the pool and a stream both carry it, and
neither should import the other to name it."""

from __future__ import annotations

__all__ = ["CallContext"]


class CallContext:
    """Who is calling: recorded in the log and used for the run and key budgets."""

    __slots__ = ("caller", "key_id", "run_id", "task_id")

    def __init__(
        self,
        caller: str = "library",
        run_id: str | None = None,
        task_id: str | None = None,
        key_id: str | None = None,
    ) -> None:
        self.caller = caller
        self.run_id = run_id
        self.task_id = task_id
        self.key_id = key_id
