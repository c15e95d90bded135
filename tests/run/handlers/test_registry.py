"""Registry, plugins (altlas.handlers entry points), routing, and search without an archive."""

from __future__ import annotations

import sys
import textwrap

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.formats.plan import TASK_TYPES, Task
from altlas.run.handlers import (
    DEFAULT_ROUTES,
    Handler,
    HandlerRegistry,
    NoHandlerError,
    Router,
    builtin_handlers,
    handler,
    routing_key,
)


def test_builtins_are_all_there() -> None:
    names = sorted(h.name for h in builtin_handlers())
    assert names == [
        "archive",
        "command",
        "data",
        "delay",
        "echo",
        "files",
        "http",
        "llm",
        "report",
        "schedule",
        "summarize",
        "text",
    ]


def test_every_segmentation_and_legacy_type_has_a_route() -> None:
    """The 8 task types and the 5 original task_type values are all in the table."""
    legacy = ("ai_prompt", "file_operation", "data_processing", "system_command", "generic")
    reg = HandlerRegistry.builtin()
    for key in (*TASK_TYPES, *legacy):
        assert key in DEFAULT_ROUTES, key
        assert all(name in reg for name in DEFAULT_ROUTES[key]), key


def test_routing_key_prefers_the_legacy_parameter() -> None:
    task = Task(id="a", type="execute", parameters={"task_type": "AI_Prompt"})
    assert routing_key(task) == "ai_prompt"
    assert routing_key(Task(id="b", type="Summarize")) == "summarize"


def test_explicit_handler_wins_and_unknown_is_clear() -> None:
    router = Router(HandlerRegistry.builtin())
    assert router.route(Task(id="a", type="search", handler="echo")).handler.name == "echo"
    with pytest.raises(
        NoHandlerError,
        match="task names handler 'nope' is not registered; available handlers: archive",
    ):
        router.route(Task(id="a", handler="nope"))


def test_routing_table_is_configurable(mkplan, workspace, altlas_home) -> None:
    """[run.routing] in config remaps a type; options override config."""
    (altlas_home / "config.toml").write_text('[run.routing]\nsearch = "echo"\n')
    result = altlas.run(
        mkplan({"id": "s", "type": "search", "parameters": {"query": "q"}}), workspace=workspace
    )
    assert result.task("s").handler == "echo"
    result = altlas.run(
        mkplan({"id": "s", "type": "search"}),
        workspace=workspace,
        routing={"search": ["nothing", "schedule"]},
    )
    assert result.task("s").handler == "schedule"


def test_route_to_a_missing_handler_explains(mkplan, workspace) -> None:
    result = altlas.run(
        mkplan({"id": "s", "type": "search"}), workspace=workspace, routing={"search": "ghost"}
    )
    assert "'ghost' is not registered" in result.task("s").error.message


def test_registering_functions_classes_and_instances() -> None:
    """A registry takes decorated functions, Handler subclasses and plain callables."""

    class Upper(Handler):
        name = "upper"

        async def run(self, ctx):
            return {"text": str(ctx.params.get("s", "")).upper()}

    def plain(ctx):
        return 1

    reg = HandlerRegistry()
    reg.register(Upper)
    reg.register(plain)
    reg.register(handler("deco")(plain))
    assert reg.names() == ["deco", "plain", "upper"]
    assert reg.sources["upper"] == "code"


def test_sync_function_handler_runs_in_a_thread(mkplan, workspace) -> None:
    """A plain function handler runs off the event loop and its output is recorded."""
    import threading

    reg = HandlerRegistry.builtin()
    main = threading.get_ident()
    reg.register(lambda ctx: {"thread_differs": threading.get_ident() != main}, name="sync")
    result = altlas.run(mkplan({"id": "t", "type": "sync"}), registry=reg, workspace=workspace)
    assert result.task("t").output == {"thread_differs": True}


@pytest.fixture
def plugin_dist(tmp_path, monkeypatch):
    """A real installed distribution (dist-info on sys.path) exposing two entry points."""
    site = tmp_path / "site"
    pkg = site / "altlas_test_plugin"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        textwrap.dedent(
            """
            def shout(ctx):
                return {"text": ctx.task.description.upper() + "!"}
            """
        )
    )
    (pkg / "broken.py").write_text("raise RuntimeError('plugin is broken')\n")
    info = site / "altlas_test_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: altlas-test-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[altlas.handlers]\n"
        "shout = altlas_test_plugin:shout\n"
        "broken = altlas_test_plugin.broken:thing\n"
    )
    monkeypatch.syspath_prepend(str(site))
    yield
    for name in [m for m in sys.modules if m.startswith("altlas_test_plugin")]:
        del sys.modules[name]


def test_entry_point_plugins_load(plugin_dist, mkplan, workspace) -> None:
    """Plugins are found by entry point; a broken one is reported, not fatal."""
    reg = HandlerRegistry.builtin()
    assert reg.load_entry_points() == 1
    assert reg.sources["shout"] == "plugin:altlas_test_plugin:shout"
    assert "plugin is broken" in reg.plugin_errors["broken"]
    plan = mkplan(
        {"id": "a", "type": "shout", "description": "hello"},
        {"id": "b", "type": "broken"},
    )
    result = altlas.run(plan, registry=reg, workspace=workspace)
    assert result.task("a").output == {"text": "HELLO!"}
    assert result.task("b").status is TaskStatus.FAILED
    assert "no handler for task type 'broken'" in result.task("b").error.message
    explicit = altlas.run(
        mkplan({"id": "c", "handler": "broken"}), registry=reg, workspace=workspace
    )
    assert (
        "'broken' failed to load (RuntimeError: plugin is broken)"
        in explicit.task("c").error.message
    )


def test_search_without_an_archive_says_so(mkplan, workspace) -> None:
    """Until an archive exists in ALTLAS_HOME, search fails with NoArchive (never completes)."""
    result = altlas.run(
        mkplan({"id": "s", "type": "search", "parameters": {"query": "reports"}}),
        workspace=workspace,
    )
    task = result.task("s")
    assert task.handler == "archive"
    assert task.status is TaskStatus.FAILED
    assert task.error.type == "NoArchive"
    assert task.error.message.startswith("no archive:")
