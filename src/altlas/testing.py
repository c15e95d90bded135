"""Test seams for altlas users and for altlas itself: hypothesis strategies for valid documents.

Needs ``hypothesis`` (in the ``test`` extra); nothing in altlas imports this module.

    from altlas.testing import plans, results, atlases

    @given(plans())
    def test_round_trip(plan): ...
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from altlas.formats.atlas import (
    Atlas,
    AtlasSource,
    FailureReason,
    Percentiles,
    RateStat,
    RunDigest,
    success_category,
)
from altlas.formats.common import ArtifactKind, Mode, Priority, TaskStatus
from altlas.formats.plan import (
    TASK_TYPES,
    Condition,
    ConditionalBranch,
    Function,
    FunctionCall,
    Loop,
    LoopType,
    Plan,
    Span,
    Task,
    Variable,
    VariableType,
)
from altlas.formats.result import (
    Artifact,
    ErrorInfo,
    ExecutionGraph,
    GraphEdge,
    GraphNode,
    Result,
    TaskResult,
    run_status_for,
    success_rate_of,
)

__all__ = ["atlases", "json_values", "plans", "results", "seal_home", "texts", "timestamps"]

_TURKISH = "çğıöşüÇĞİÖŞÜ"


def seal_home(tmp_path: Path, monkeypatch: Any) -> Path:
    """Point ALTLAS_HOME at a fresh directory and drop every other ALTLAS_* setting.

    ``monkeypatch`` is pytest's fixture, so everything is undone after the test.
    """
    for key in list(os.environ):
        if key.startswith("ALTLAS_"):
            monkeypatch.delenv(key)
    home = tmp_path / "altlas-home"
    home.mkdir()
    monkeypatch.setenv("ALTLAS_HOME", str(home))
    return home


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text that leans on Turkish letters, quotes, escapes and newlines."""
    alphabet = st.sampled_from(
        list("abcxyz ABC\"'\\\n\t:#-{}[]0129.,") + list(_TURKISH) + ["é", "😀"]
    )
    return st.text(alphabet, max_size=max_size) | st.text(max_size=max_size)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False, width=64)
        | texts(20)
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(8), inner, max_size=3),
        max_leaves=max_leaves,
    )


def timestamps() -> st.SearchStrategy[datetime]:
    base = datetime(2020, 1, 1, tzinfo=UTC)
    return st.integers(min_value=0, max_value=10**9).map(
        lambda us: base + timedelta(microseconds=us * 1000 + (us % 1000)),
    )


_ids = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@st.composite
def _variables(draw: st.DrawFn) -> Variable:
    kind = draw(st.sampled_from(["string", "number", "boolean", "array", "object", "any"]))
    value = {
        "string": texts(10),
        "number": st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False),
        "boolean": st.booleans(),
        "array": st.lists(st.integers(0, 9), max_size=3),
        "object": st.dictionaries(_names, st.integers(0, 9), max_size=2),
        "any": json_values(4),
    }[kind]
    return Variable(
        name=draw(_names),
        type=VariableType(kind),
        value=draw(st.none() | value),
        description=draw(st.none() | texts(15)),
    )


def _conditions() -> st.SearchStrategy[Condition]:
    leaf = st.builds(
        Condition,
        operator=st.sampled_from(["eq", "neq", "gt", "contains", "starts_with"]),
        left=_names,
        right=st.integers(0, 9) | texts(6),
    )
    return st.recursive(
        leaf,
        lambda inner: (
            st.builds(
                Condition,
                operator=st.sampled_from(["and", "or"]),
                left=inner,
                right=inner,
            )
            | st.builds(Condition, operator=st.just("not"), left=inner)
        ),
        max_leaves=4,
    )


@st.composite
def plans(draw: st.DrawFn, *, max_tasks: int = 6, control: bool = True) -> Plan:
    """Valid plans: a DAG (edges only to earlier tasks), optional v2 control structures."""
    n = draw(st.integers(min_value=0, max_value=max_tasks))
    ids = draw(st.lists(_ids, min_size=n, max_size=n, unique=True))
    command = draw(texts(60))
    tasks: list[Task] = []
    for i, tid in enumerate(ids):
        deps = draw(st.lists(st.sampled_from(ids[:i]), unique=True, max_size=2)) if i else []
        extra: dict[str, Any] = {}
        if control and i and draw(st.integers(0, 5)) == 0:
            which = draw(st.sampled_from(["condition", "loop", "function_call"]))
            body = [draw(st.sampled_from(ids))]
            if which == "condition":
                extra["condition"] = ConditionalBranch(
                    condition=draw(_conditions()),
                    if_body=body,
                    else_body=draw(st.none() | st.just(body)),
                )
            elif which == "loop":
                extra["loop"] = Loop(
                    type=LoopType.FOR_EACH,
                    variable="item",
                    iterable=[1, 2],
                    body=body,
                )
            else:
                extra["function_call"] = FunctionCall(
                    function_name=draw(_names),
                    arguments=draw(st.dictionaries(_names, st.integers(0, 9), max_size=2)),
                )
        span = None
        if command and draw(st.booleans()):
            start = draw(st.integers(0, len(command) - 1))
            end = draw(st.integers(start, len(command)))
            span = Span(text=command[start:end], start=start, end=end)
        tasks.append(
            Task(
                id=tid,
                type=draw(st.sampled_from(TASK_TYPES) | _names),
                description=draw(texts(40)),
                parameters=draw(st.dictionaries(_names, json_values(6), max_size=3)),
                dependencies=deps,
                timeout_seconds=draw(st.none() | st.integers(0, 7200).map(float)),
                retry_count=draw(st.none() | st.integers(0, 20)),
                priority=draw(st.none() | st.sampled_from(list(Priority))),
                tags=draw(st.lists(texts(8), max_size=2)),
                handler=draw(st.none() | _names),
                confidence=draw(st.none() | st.floats(0, 1)),
                span=span,
                metadata=draw(st.dictionaries(_names, json_values(4), max_size=2)),
                variables=draw(st.lists(_variables(), max_size=1)) if control else [],
                **extra,
            ),
        )
    mode = draw(st.sampled_from(list(Mode)))
    functions: list[Function] = []
    if control and ids and draw(st.booleans()):
        functions.append(Function(name=draw(_names), body=[ids[0]]))
    return Plan(
        id=draw(_ids),
        title=draw(st.none() | texts(30)),
        command=command,
        description=draw(st.none() | texts(30)),
        language=draw(st.none() | st.sampled_from(["en", "tr"])),
        mode=mode,
        chaos_level=draw(st.integers(1, 10)) if mode is Mode.CHAOS else None,
        persona=draw(
            st.none() | st.sampled_from(["technical_expert", "researcher", "data_analyst"])
        ),
        created_at=draw(st.none() | timestamps()),
        priority=draw(st.none() | st.sampled_from(list(Priority))),
        tags=draw(st.lists(texts(8), max_size=3)),
        timeout_seconds=draw(st.none() | st.floats(0, 600)),
        expected_completion_seconds=draw(st.none() | st.integers(0, 10_000)),
        variables=draw(st.lists(_variables(), max_size=2)) if control else [],
        functions=functions,
        tasks=tasks,
        metadata=draw(st.dictionaries(_names, json_values(6), max_size=3)),
    )


@st.composite
def results(draw: st.DrawFn, *, max_tasks: int = 6) -> Result:
    """Consistent results: success rate and status follow the documented rules."""
    n = draw(st.integers(min_value=0, max_value=max_tasks))
    ids = draw(st.lists(_ids, min_size=n, max_size=n, unique=True))
    start = draw(timestamps())
    task_results: list[TaskResult] = []
    for tid in ids:
        status = draw(st.sampled_from(list(TaskStatus)))
        began = start + timedelta(milliseconds=draw(st.integers(0, 5000)))
        took = draw(st.integers(0, 10_000))
        failed = status in (TaskStatus.FAILED, TaskStatus.TIMEOUT)
        task_results.append(
            TaskResult(
                task_id=tid,
                status=status,
                type=draw(st.none() | st.sampled_from(TASK_TYPES)),
                description=draw(st.none() | texts(20)),
                handler=draw(st.none() | st.sampled_from(["echo", "files", "data", "summarize"])),
                attempts=draw(st.integers(0, 5)),
                started_at=began,
                finished_at=began + timedelta(milliseconds=took),
                duration_ms=float(took),
                output=None if failed else draw(json_values(6)),
                error=ErrorInfo(type=draw(_names), message=draw(texts(30))) if failed else None,
                cached=draw(st.booleans()),
                metadata=draw(st.dictionaries(_names, json_values(3), max_size=2)),
            ),
        )
    edges = [
        GraphEdge(source=ids[j], target=ids[i])
        for i in range(1, n)
        for j in range(i)
        if draw(st.booleans())
    ]
    nodes = [
        GraphNode(task_id=t.task_id, status=t.status, duration_ms=t.duration_ms)
        for t in task_results
    ]
    rate = success_rate_of(task_results)
    cancelled = draw(st.booleans()) and any(t.status is TaskStatus.CANCELLED for t in task_results)
    artifacts = [
        Artifact(
            name=draw(texts(10)) or "file.txt",
            kind=draw(st.sampled_from(list(ArtifactKind))),
            task_id=draw(st.sampled_from(ids)) if ids else None,
            path=f"artifacts/{i}.bin",
            created_at=start,
            size_bytes=draw(st.integers(0, 10**6)),
            mime_type="application/octet-stream",
            sha256="0" * 64,
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    total = draw(st.integers(0, 60_000))
    return Result(
        id=draw(_ids),
        run_id=draw(_ids),
        plan_id=draw(_ids),
        title=draw(st.none() | texts(30)),
        command=draw(st.none() | texts(40)),
        language=draw(st.none() | st.sampled_from(["en", "tr"])),
        mode=draw(st.sampled_from(list(Mode))),
        persona=draw(st.none() | st.just("researcher")),
        status=run_status_for(rate, has_tasks=bool(task_results), cancelled=cancelled),
        success_rate=rate,
        started_at=start,
        finished_at=start + timedelta(milliseconds=total),
        duration_ms=float(total),
        tasks=task_results,
        artifacts=artifacts,
        graph=ExecutionGraph(nodes=nodes, edges=edges),
        summary=draw(st.none() | texts(50)),
        priority=draw(st.none() | st.sampled_from(list(Priority))),
        tags=draw(st.lists(texts(8), max_size=3)),
        metadata=draw(st.dictionaries(_names, json_values(5), max_size=3)),
    )


@st.composite
def atlases(draw: st.DrawFn) -> Atlas:
    digests = []
    for _ in range(draw(st.integers(0, 4))):
        rate = draw(st.floats(0, 1))
        digests.append(
            RunDigest(
                result_id=draw(_ids),
                status=draw(st.sampled_from(["success", "partial_success", "failure"])),
                success_rate=rate,
                success_category=success_category(rate),
                started_at=draw(st.none() | timestamps()),
                duration_ms=draw(st.none() | st.floats(0, 1e6)),
                task_count=draw(st.integers(0, 50)),
                task_types=draw(st.lists(st.sampled_from(TASK_TYPES), max_size=3)),
                tags=draw(st.lists(texts(8), max_size=3)),
                command=draw(st.none() | texts(30)),
            ),
        )
    rate_stats = st.builds(
        lambda total, done: RateStat(
            total=total, completed=min(done, total), rate=min(done, total) / total if total else 0
        ),
        st.integers(0, 100),
        st.integers(0, 100),
    )
    return Atlas(
        id=draw(_ids),
        created_at=draw(timestamps()),
        source=AtlasSource(results=len(digests)),
        digests=digests,
        success_by=draw(
            st.dictionaries(
                st.sampled_from(["task_type", "handler", "mode", "persona", "language"]),
                st.dictionaries(_names, rate_stats, max_size=3),
                max_size=3,
            ),
        ),
        run_durations_ms=Percentiles(count=3, p50=1.0, p90=2.0, p95=2.5, p99=3.0, max=3.0),
        failures=[
            FailureReason(
                error_type=draw(_names), message=draw(texts(20)), count=draw(st.integers(1, 9))
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        tag_counts=draw(st.dictionaries(texts(10), st.integers(1, 100), max_size=4)),
        metadata=draw(st.dictionaries(_names, json_values(4), max_size=2)),
    )
