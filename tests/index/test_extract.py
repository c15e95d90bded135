"""What is taken from a result: rows, text, and the synthetic generator behind the benchmarks."""

from __future__ import annotations

import statistics

from altlas.formats import io
from altlas.formats.result import ErrorInfo, Result, TaskResult
from altlas.index.extract import MAX_FIELD_CHARS, RESULT_COLUMNS, index_text, record_id
from altlas.index.synthetic import synthetic_result, synthetic_results


def test_index_text_takes_every_string_leaf_in_order() -> None:
    result = Result(
        id="r",
        command="cmd",
        tasks=[
            TaskResult(
                task_id="a",
                status="completed",
                description="first",
                output={"x": ["one", 2, {"y": "two"}], "z": "three"},
            ),
            TaskResult(
                task_id="b", status="failed", error=ErrorInfo(type="Boom", message="it broke")
            ),
        ],
        tags=["t1", "t2"],
    )
    text = index_text(result)
    assert text.outputs == "one\ntwo\nthree"
    assert text.tasks == "first\nb"
    assert text.errors == "Boom: it broke"
    assert text.tags == "t1 t2"


def test_huge_outputs_are_capped() -> None:
    result = Result(
        id="r",
        tasks=[
            TaskResult(
                task_id="a", status="completed", output={"text": "x" * (MAX_FIELD_CHARS * 2)}
            )
        ],
    )
    assert len(index_text(result).outputs) == MAX_FIELD_CHARS


def test_record_id_is_a_sha_prefix() -> None:
    assert record_id("ab" * 32) == "ab" * 8
    assert "dict_id" in RESULT_COLUMNS


def test_synthetic_results_are_realistic_and_stable() -> None:
    batch = synthetic_results(200, seed=4)
    assert batch[7] == synthetic_result(7, seed=4)
    sizes = [len(io.to_bytes(r)) for r in batch]
    assert 8_000 < statistics.mean(sizes) < 13_000
    assert {r.status.value for r in batch} >= {"success", "partial_success"}
    assert {r.language for r in batch} == {"en", "tr"}
    assert len({t.type for r in batch for t in r.tasks}) == 8
    assert any(t.error for r in batch for t in r.tasks)
    for raw in map(io.to_bytes, batch[:20]):
        assert io.read_bytes(raw, kind="last").document is not None


def test_text_from_canonical_data_matches_the_model() -> None:
    """The snippet fast path extracts exactly what indexing extracted."""
    import orjson

    from altlas.index.extract import index_text_from_data

    for result in synthetic_results(30, seed=8):
        data = orjson.loads(io.to_bytes(result))
        assert index_text_from_data(data) == index_text(result)
