"""--cache: hits skip the handler and are recorded; changes in input make a miss."""

from __future__ import annotations

import altlas
from altlas.run.cache import cache_key


def test_cache_hit_skips_the_handler(mkplan, registry, probe, workspace) -> None:
    """The second run with --cache answers from the cache, with cached=True and 0 attempts."""
    plan = mkplan({"id": "a", "type": "probe", "parameters": {"x": 1}})
    first = altlas.run(plan, registry=registry, workspace=workspace, cache=True)
    second = altlas.run(plan, registry=registry, workspace=workspace, cache=True)
    assert probe.calls == {"a": 1}
    assert first.task("a").cached is False
    assert second.task("a").cached is True
    assert second.task("a").attempts == 0
    assert second.task("a").output == first.task("a").output


def test_no_cache_without_the_option(mkplan, registry, probe, workspace) -> None:
    """Caching is opt-in."""
    plan = mkplan({"id": "a", "type": "probe"})
    altlas.run(plan, registry=registry, workspace=workspace, cache=True)
    altlas.run(plan, registry=registry, workspace=workspace)
    assert probe.calls == {"a": 2}


def test_key_covers_parameters_and_dependency_outputs() -> None:
    """Different parameters or inputs give different keys; key order does not matter."""
    base = cache_key("echo", "1", {"a": 1, "b": 2}, {"t1": {"text": "x"}})
    assert base == cache_key("echo", "1", {"b": 2, "a": 1}, {"t1": {"text": "x"}})
    assert base != cache_key("echo", "1", {"a": 1, "b": 3}, {"t1": {"text": "x"}})
    assert base != cache_key("echo", "1", {"a": 1, "b": 2}, {"t1": {"text": "y"}})
    assert base != cache_key("echo", "2", {"a": 1, "b": 2}, {"t1": {"text": "x"}})
    assert base != cache_key("summarize", "1", {"a": 1, "b": 2}, {"t1": {"text": "x"}})


def test_changed_dependency_output_is_a_miss(mkplan, workspace) -> None:
    """A dependent is recomputed when what it depends on changed."""
    src = workspace / "in.txt"
    plan = mkplan(
        {"id": "read", "type": "open", "parameters": {"path": "in.txt"}},
        {"id": "sum", "type": "summarize", "dependencies": ["read"]},
    )
    src.write_text("One sentence here.")
    altlas.run(plan, workspace=workspace, cache=True)
    src.write_text("Another sentence now.")
    again = altlas.run(plan, workspace=workspace, cache=True)
    assert again.task("read").cached is False  # new content, new output
    assert again.task("sum").cached is False
    assert again.task("sum").output["text"] == "Another sentence now."
    third = altlas.run(plan, workspace=workspace, cache=True)
    assert third.task("sum").cached is True


def test_side_effect_tasks_are_not_cached(mkplan, workspace) -> None:
    """Writes, deletes and delays always run, even with --cache."""
    plan = mkplan(
        {
            "id": "w",
            "type": "file_operation",
            "parameters": {"operation": "append", "path": "log.txt", "content": "x"},
        }
    )
    altlas.run(plan, workspace=workspace, cache=True)
    second = altlas.run(plan, workspace=workspace, cache=True)
    assert second.task("w").cached is False
    assert (workspace / "log.txt").read_text() == "xx"


def test_cached_artifacts_must_still_exist(mkplan, workspace) -> None:
    """A cached result whose file was changed or deleted is recomputed."""
    from altlas.run.handlers import HandlerRegistry, handler

    calls = []

    @handler("writer")
    def writer(ctx):
        calls.append(ctx.task.id)
        path = ctx.path("made.txt")
        path.write_text("made")
        ctx.add_artifact(path)
        return {"path": "made.txt"}

    registry = HandlerRegistry.builtin()
    registry.register(writer)
    plan = mkplan({"id": "w", "type": "writer"})
    opts = {"registry": registry, "workspace": workspace, "cache": True}
    assert altlas.run(plan, **opts).artifacts[0].name == "made.txt"
    hit = altlas.run(plan, **opts)
    assert hit.task("w").cached is True
    assert hit.artifacts[0].sha256 is not None
    (workspace / "made.txt").write_text("tampered")
    assert altlas.run(plan, **opts).task("w").cached is False
    (workspace / "made.txt").unlink()
    assert altlas.run(plan, **opts).task("w").cached is False
    assert calls == ["w", "w", "w"]
