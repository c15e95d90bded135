"""The answer a person reads after ``altlas do``: it lives in :mod:`altlas.run.answer`, since
a run's report says it too and run/ does not import do/; the names stay importable here."""

from __future__ import annotations

from altlas.run.answer import answer_parts, compose_answer, task_verdict

__all__ = ["answer_parts", "compose_answer", "task_verdict"]
