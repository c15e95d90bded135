"""Modes: dream, explore and chaos change a plan in documented, seeded, reproducible ways.

The random generator is seeded with ``seed`` when given, else with a hash of the command, mode
and level, so the same input always gives the same plan. What each mode does is listed in
docs/segmentation.md; in short:

* dream: every task gains a ``style`` and a ``mood``; each non-create task becomes ``create``
  with probability 0.3 (its type kept in ``metadata.original_task_type``);
* explore: text parameters gain ``<name>_alternatives`` (related terms), and every task lists
  ``metadata.alternative_verbs`` of its type;
* chaos, level L (p = L/10): swap two tasks' types (p); per text parameter (p) shuffle,
  reverse or replace it (originals in ``metadata.original_parameters``); rewire dependencies
  to random earlier tasks only (p; originals in ``metadata.original_dependencies``); above
  level 5, with probability (p - 0.5) * 2, duplicate or remove a task. Ids are renumbered and
  every dependency points backwards, so there is never a cycle or a dangling id.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from altlas.segment import lexicon_en as en
from altlas.segment import lexicon_tr as tr

__all__ = ["apply_mode", "rng_for"]

_TEXT_PARAMS = ("query", "title", "subject", "target", "content", "event", "source", "command")
_STYLES = ("surreal", "whimsical", "visionary", "poetic", "futuristic", "minimalist")
_MOODS = ("playful", "serene", "bold", "curious", "nostalgic", "hopeful")
_CHAOS_WORDS = ("entropy", "flux", "vortex", "paradox", "kaleidoscope", "quantum", "nebula")
_CONCEPTS = {
    "report": ("summary", "brief", "dashboard", "memo"),
    "data": ("dataset", "records", "statistics", "metrics"),
    "chart": ("graph", "plot", "visualization", "diagram"),
    "table": ("spreadsheet", "grid", "matrix"),
    "ai": ("machine learning", "neural networks", "automation"),
    "search": ("lookup", "query", "discovery"),
    "email": ("message", "note", "newsletter"),
    "meeting": ("call", "sync", "workshop"),
    "file": ("document", "archive", "attachment"),
    "price": ("cost", "rate", "fee"),
    "hotel": ("hostel", "guesthouse", "apartment"),
    "flight": ("train", "bus", "ferry"),
    "rapor": ("özet", "sunum", "pano"),
    "veri": ("veri seti", "kayıtlar", "istatistik"),
    "grafik": ("çizelge", "diyagram", "tablo"),
    "toplantı": ("görüşme", "çağrı", "atölye"),
    "fiyat": ("maliyet", "ücret", "tarife"),
}


def rng_for(seed: int | None, *parts: object) -> random.Random:
    """A generator seeded with ``seed``, else with a stable hash of ``parts``."""
    if seed is None:
        digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
        seed = int.from_bytes(digest[:8], "big")
    return random.Random(seed)  # noqa: S311 (reproducible variation, not security)


def _verbs_of(ttype: str, lang: str) -> list[str]:
    if lang == "tr":
        return sorted(s for s, t in tr.STEM_TYPES.items() if t == ttype and s not in tr.LIGHT_VERBS)
    return sorted(v for v, t in en.VERBS.items() if t == ttype)


def _dream(tasks: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    switched = []
    for task in tasks:
        task["parameters"]["style"] = rng.choice(_STYLES)
        task["parameters"]["mood"] = rng.choice(_MOODS)
        task["metadata"]["applied_mode"] = "dream"
        if task["type"] != "create" and rng.random() < 0.3:
            task["metadata"]["original_task_type"] = task["type"]
            task["type"] = "create"
            switched.append(task["id"])
    return {"switched_to_create": switched}


def _explore(tasks: list[dict[str, Any]], rng: random.Random, lang: str) -> dict[str, Any]:
    added = 0
    for task in tasks:
        task["metadata"]["applied_mode"] = "explore"
        verbs = _verbs_of(task["type"], lang)
        task["metadata"]["alternative_verbs"] = rng.sample(verbs, min(3, len(verbs)))
        for name in _TEXT_PARAMS:
            value = task["parameters"].get(name)
            if not isinstance(value, str) or not value:
                continue
            words = value.split()
            options: list[str] = []
            for i, word in enumerate(words):
                key = word.lower().strip(".,'\"")
                for concept, related in _CONCEPTS.items():
                    if key.startswith(concept):
                        for alt in related:
                            options.append(" ".join([*words[:i], alt, *words[i + 1 :]]))
            if options:
                task["parameters"][f"{name}_alternatives"] = rng.sample(
                    options, min(3, len(options))
                )
                added += 1
    return {"parameters_with_alternatives": added}


def _chaos_value(value: str, rng: random.Random) -> tuple[str, str]:
    words = value.split()
    roll = rng.randrange(3)
    if roll == 0 and len(words) > 1:
        rng.shuffle(words)
        return " ".join(words), "shuffled"
    if roll == 1 and len(words) > 1:
        return " ".join(reversed(words)), "reversed"
    return rng.choice(_CHAOS_WORDS), "replaced"


def _chaos(
    tasks: list[dict[str, Any]], rng: random.Random, level: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    p = level / 10
    events: list[str] = []
    for task in tasks:
        task["metadata"]["applied_mode"] = "chaos"
        task["metadata"]["chaos_level"] = level
    if len(tasks) >= 2 and rng.random() < p:
        a, b = rng.sample(range(len(tasks)), 2)
        for t in (tasks[a], tasks[b]):
            t["metadata"].setdefault("original_task_type", t["type"])
        tasks[a]["type"], tasks[b]["type"] = tasks[b]["type"], tasks[a]["type"]
        events.append(f"swapped types of {tasks[a]['id']} and {tasks[b]['id']}")
    for task in tasks:
        for name in _TEXT_PARAMS:
            value = task["parameters"].get(name)
            if isinstance(value, str) and value and rng.random() < p:
                new, how = _chaos_value(value, rng)
                task["metadata"].setdefault("original_parameters", {})[name] = value
                task["parameters"][name] = new
                events.append(f"{how} {task['id']}.{name}")
    if len(tasks) >= 2 and rng.random() < p:
        for i, task in enumerate(tasks[1:], 1):
            task["metadata"]["original_dependencies"] = list(task["dependencies"])
            earlier = [t["id"] for t in tasks[:i]]
            task["dependencies"] = sorted(
                rng.sample(earlier, rng.randint(0, min(2, i))), key=earlier.index
            )
        events.append("rewired dependencies")
    if level > 5 and rng.random() < (p - 0.5) * 2:
        if len(tasks) > 1 and rng.random() < 0.5:
            victim = tasks.pop(rng.randrange(len(tasks)))
            for task in tasks:
                if victim["id"] in task["dependencies"]:
                    # keep what the removed task waited for, so order is preserved
                    merged = [d for d in task["dependencies"] if d != victim["id"]]
                    merged += [d for d in victim["dependencies"] if d not in merged]
                    task["dependencies"] = merged
            events.append(f"removed {victim['id']}")
        else:
            at = rng.randrange(len(tasks))
            copy = {
                **tasks[at],
                "parameters": dict(tasks[at]["parameters"]),
                "dependencies": list(tasks[at]["dependencies"]),
                "metadata": {**tasks[at]["metadata"], "duplicated_from": tasks[at]["id"]},
            }
            copy["id"] = tasks[at]["id"] + "_dup"
            tasks.insert(at + 1, copy)
            events.append(f"duplicated {tasks[at]['id']}")
    return _renumber(tasks), {"level": level, "events": events}


def _renumber(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ids t1..tn in order; dependencies remapped and kept only when they point backwards."""
    mapping = {t["id"]: f"t{i}" for i, t in enumerate(tasks, 1)}
    for i, task in enumerate(tasks):
        new_id = mapping[task["id"]]
        if task["metadata"].get("duplicated_from") in mapping:
            task["metadata"]["duplicated_from"] = mapping[task["metadata"]["duplicated_from"]]
        deps = []
        for dep in task["dependencies"]:
            target = mapping.get(dep)
            if target is not None and int(target[1:]) - 1 < i and target not in deps:
                deps.append(target)
        task["id"] = new_id
        task["dependencies"] = deps
    return tasks


def apply_mode(
    tasks: list[dict[str, Any]],
    mode: str,
    rng: random.Random,
    *,
    lang: str,
    chaos_level: int | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Apply ``mode`` to task data in place; returns the tasks and a summary for metadata."""
    if mode == "dream":
        return tasks, _dream(tasks, rng)
    if mode == "explore":
        return tasks, _explore(tasks, rng, lang)
    if mode == "chaos":
        return _chaos(tasks, rng, chaos_level or 5)
    return tasks, None
