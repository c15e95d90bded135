"""The original prioritisation score, with an execution order that respects dependencies.

score = 0.4 * dependency + 0.3 * urgency + 0.2 * user preference + 0.1 * confidence, where
dependency is 1 with no prerequisites else 1 - deps/(n-1); urgency is the task's (low 3,
medium 5, high 8; "urgent"/"acil" in the text is high), else the plan's, else 5, raised by a
deadline (past due 10, under 7 days max(urgency, 10 - days)), over 10; preference comes from
``user_preferences[type]`` (default 5) over 10; confidence is clamped to 0-1.

The original numbered execution backwards (dependents first). Here prerequisites always come
first: a topological order that, among the tasks ready to run, takes the highest score first.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["WEIGHTS", "config", "prioritize"]

WEIGHTS = {"dependency": 0.4, "urgency": 0.3, "user_preference": 0.2, "confidence": 0.1}
DEFAULT_URGENCY = 5
DEFAULT_PREFERENCE = 5
_LEVELS = {"low": 3, "medium": 5, "high": 8, "critical": 10}
_URGENT = re.compile(
    r"\b(?:urgent(?:ly)?|asap|immediately|right away|critical|acil(?:en)?|hemen|derhal|ivedi)\b",
    re.IGNORECASE,
)


def _level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        return _LEVELS.get(value.strip().lower())
    return None


def _deadline(task: Mapping[str, Any], plan_deadline: datetime | None) -> datetime | None:
    raw = task["metadata"].get("deadline") or task["parameters"].get("when")
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            return plan_deadline
    return plan_deadline


def prioritize(
    tasks: list[dict[str, Any]],
    now: datetime,
    *,
    urgency_level: int | None = None,
    user_preferences: Mapping[str, int] | None = None,
    deadline: datetime | None = None,
) -> list[str]:
    """Score every task (factors go into its metadata) and return the execution order."""
    n = len(tasks)
    prefs = user_preferences or {}
    base_urgency = urgency_level if urgency_level is not None else DEFAULT_URGENCY
    w_dep, w_urg, w_pref, w_conf = (
        WEIGHTS["dependency"],
        WEIGHTS["urgency"],
        WEIGHTS["user_preference"],
        WEIGHTS["confidence"],
    )
    scores: dict[str, float] = {}
    for task in tasks:
        meta = task.setdefault("metadata", {})
        deps = task.get("dependencies")
        dependency = 1.0 if not deps or n <= 1 else max(0.0, 1 - len(deps) / (n - 1))
        urgency = _level(meta["urgency"]) if "urgency" in meta else None
        if urgency is None:
            urgency = base_urgency
            if _URGENT.search(task.get("description", "")):
                urgency = max(urgency, _LEVELS["high"])
        due = _deadline(task, deadline)
        if due is not None:
            days = (due - now).days
            urgency = 10 if due < now else max(urgency, 10 - days) if days < 7 else urgency
        urgency = min(max(urgency, 0), 10)
        preference = _level(meta["user_preference"]) if "user_preference" in meta else None
        if preference is None:
            preference = int(prefs.get(task["type"], DEFAULT_PREFERENCE))
        confidence = task.get("confidence")
        confidence = 0.5 if confidence is None else min(max(float(confidence), 0.0), 1.0)
        dep_f = round(dependency, 3)
        urg_f = round(urgency / 10, 3)
        pref_f = round(min(max(preference, 0), 10) / 10, 3)
        conf_f = round(confidence, 3)
        score = w_dep * dep_f + w_urg * urg_f + w_pref * pref_f + w_conf * conf_f
        meta["dependency_factor"] = dep_f
        meta["urgency_factor"] = urg_f
        meta["user_preference_factor"] = pref_f
        meta["confidence_factor"] = conf_f
        meta["priority_score"] = round(score, 3)
        scores[task["id"]] = score
    order = _order(tasks, scores)
    by_id = {t["id"]: t for t in tasks}
    for number, tid in enumerate(order, 1):
        by_id[tid]["metadata"]["execution_order"] = number
    return order


def _order(tasks: list[dict[str, Any]], scores: dict[str, float]) -> list[str]:
    """Kahn's algorithm; among ready tasks the highest score (then command order) goes first."""
    index = {t["id"]: i for i, t in enumerate(tasks)}
    waiting = {t["id"]: {d for d in t.get("dependencies", []) if d in index} for t in tasks}
    dependents: dict[str, list[str]] = {tid: [] for tid in index}
    for tid, deps in waiting.items():
        for dep in deps:
            dependents[dep].append(tid)
    ready = [(-scores[tid], index[tid], tid) for tid, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, _, tid = heapq.heappop(ready)
        order.append(tid)
        for nxt in dependents[tid]:
            waiting[nxt].discard(tid)
            if not waiting[nxt]:
                heapq.heappush(ready, (-scores[nxt], index[nxt], nxt))
    if len(order) < len(tasks):
        # a cycle (never produced here, but input plans may carry one): keep command order
        order += [t["id"] for t in tasks if t["id"] not in set(order)]
    return order


def config() -> dict[str, Any]:
    return {
        "default_urgency": DEFAULT_URGENCY,
        "default_user_preference": DEFAULT_PREFERENCE,
        "dependency_weight": WEIGHTS["dependency"],
        "urgency_weight": WEIGHTS["urgency"],
        "user_preference_weight": WEIGHTS["user_preference"],
        "confidence_weight": WEIGHTS["confidence"],
    }
