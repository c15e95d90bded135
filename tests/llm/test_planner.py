"""The LLM planner fallback: one operation, constrained by its schema, validated, or refused."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from altlas.do.context import GroundContext
from altlas.do.operations import Operation
from altlas.llm import reset_pools
from altlas.llm.planner import CATALOGUE, TransformText, llm_ground

TRANSLATE = "translate notes.md into German"
REFUSED = Operation(
    "refuse", {"reason": "translating needs an LLM backend", "kind": "translate"}, ""
)


@pytest.fixture(autouse=True)
def _fresh_pools() -> Iterator[None]:
    yield
    reset_pools()


def _planner_reply(params: dict[str, Any], operation: str = "transform_text") -> Callable:
    def reply(body: dict[str, Any]) -> str:
        fmt = body["response_format"]["json_schema"]
        if fmt["name"] == "operation":
            return json.dumps({"operation": operation})
        return json.dumps(params)

    return reply


def _configure(home: Path, server) -> None:
    (home / "config.toml").write_text(
        f'[llm]\nretries = 0\n[[llm.backends]]\nname = "{server.name}"\n'
        f'base_url = "{server.base_url}"\nmodel = "{server.model}"\n'
    )


def test_the_model_picks_one_operation_within_its_schema(servers, altlas_home, tmp_path) -> None:
    good = servers("good")
    good.reply = _planner_reply(
        {"instruction": "Translate into German", "path": "notes.md", "output": None}
    )
    _configure(altlas_home, good)
    op = llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED)
    assert op.handler == "llm"
    assert op.params == {
        "prompt": "Translate into German",
        "path": "notes.md",
        "temperature": 0,
        "include_inputs": False,
    }
    assert op.why == "LLM planner: transform_text"
    choose, fill = (s["body"] for s in good.seen)
    assert choose["response_format"]["json_schema"]["schema"]["properties"]["operation"][
        "enum"
    ] == [*CATALOGUE, "none"]
    sent = fill["response_format"]["json_schema"]
    assert sent["name"] == "transform_text"
    assert sent["schema"]["properties"] == TransformText.model_json_schema()["properties"]
    assert sent["schema"]["additionalProperties"] is False
    assert choose["temperature"] == fill["temperature"] == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"instruction": "x", "path": "secret.txt"}, "path 'secret.txt' is not a file the words"),
        ({"instruction": "x", "path": "notes.md", "shell": "rm"}, "shell: Extra inputs"),
        ({"path": "notes.md"}, "instruction: Field required"),
        ("not json at all", "not valid"),
    ],
)
def test_invalid_output_is_an_honest_refusal(servers, altlas_home, tmp_path, params, message):
    good = servers("good")
    if isinstance(params, str):
        good.reply = lambda body: params
    else:
        good.reply = _planner_reply(params)
    _configure(altlas_home, good)
    op = llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED)
    assert op.handler == "refuse"
    assert op.params["kind"] == "llm"
    assert "the LLM planner" in op.params["reason"]
    assert message in op.params["reason"]


def test_an_operation_outside_the_catalogue_is_refused(servers, altlas_home, tmp_path) -> None:
    good = servers("good")
    good.reply = lambda body: json.dumps({"operation": "delete_everything"})
    _configure(altlas_home, good)
    op = llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED)
    assert op.handler == "refuse"
    assert "'delete_everything', not an operation from the list" in op.params["reason"]
    assert len(good.seen) == 1


def test_none_fits_and_backend_down_are_refusals(servers, altlas_home, tmp_path) -> None:
    good = servers("good")
    good.reply = _planner_reply({}, operation="none")
    _configure(altlas_home, good)
    op = llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED)
    assert "found no operation" in op.params["reason"]
    again = llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED)
    assert again == op and len(good.seen) == 1  # the same deterministic question: cached
    good.mode = "fail"
    op = llm_ground("translate todo.md into French", "en", GroundContext(tmp_path), REFUSED)
    assert "could not be asked: no LLM backend answered" in op.params["reason"]


def test_without_a_pool_the_rules_refusal_stands(tmp_path) -> None:
    assert llm_ground(TRANSLATE, "en", GroundContext(tmp_path), REFUSED) is REFUSED


def test_other_refusals_are_never_handed_to_the_model(servers, altlas_home, tmp_path) -> None:
    good = servers("good")
    _configure(altlas_home, good)
    email = Operation("refuse", {"reason": "no e-mail", "kind": "email"}, "")
    assert llm_ground("e-mail bob", "en", GroundContext(tmp_path), email) is email
    assert good.seen == []


def _writer(instruction: str, answer: str) -> Callable[[dict[str, Any]], str]:
    """The planner's two answers (transform_text on notes.md), then the rewritten text."""

    def reply(body: dict[str, Any]) -> str:
        fmt = body.get("response_format")
        if fmt is not None and fmt["json_schema"]["name"] == "operation":
            return json.dumps({"operation": "transform_text"})
        if fmt is not None:
            return json.dumps({"instruction": instruction, "path": "notes.md", "output": None})
        assert "Text (notes.md):\n# Notes\nGood morning." in body["messages"][-1]["content"]
        return answer

    return reply


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir(parents=True)
    (workspace / "notes.md").write_text("# Notes\nGood morning.\n")
    return workspace


TRANSLATE_AND_SAVE = "translate notes.md into German and save it as out/notes_de.md"


def test_translate_and_save_succeeds_with_a_pool(servers, altlas_home, tmp_path) -> None:
    """The rules ground it (do's translate family) and the llm handler answers via the pool."""
    import altlas

    workspace = _workspace(tmp_path)
    good = servers("good")
    good.reply = _writer("Translate into German", "# Notizen\nGuten Morgen.")
    _configure(altlas_home, good)
    outcome = altlas.do(TRANSLATE_AND_SAVE, workspace, yes=True)
    assert outcome.ok, outcome.answer
    assert (workspace / "out" / "notes_de.md").read_text() == "# Notizen\nGuten Morgen.\n"
    # the save is fused into the llm task: its answer goes through write_workspace_file
    (task,) = outcome.plan.tasks
    assert (task.handler, task.parameters["output"]) == ("llm", "out/notes_de.md")


def test_translate_fails_honestly_without_a_pool(tmp_path) -> None:
    import altlas

    workspace = _workspace(tmp_path)
    outcome = altlas.do(TRANSLATE_AND_SAVE, workspace, yes=True)
    assert not outcome.ok
    assert "[llm]" in outcome.answer
    assert not (workspace / "out").exists()


REWRITE = "rewrite notes.md in a formal tone and save it as out/formal.md"


def test_words_no_rule_knows_go_to_the_llm_planner(servers, altlas_home, tmp_path) -> None:
    import altlas

    workspace = _workspace(tmp_path)
    good = servers("good")
    good.reply = _writer("Rewrite in a formal tone", "# Notes\nGood morning to you, Sir.")
    _configure(altlas_home, good)
    outcome = altlas.do(REWRITE, workspace, yes=True)
    assert outcome.ok, outcome.answer
    (task,) = outcome.plan.tasks
    assert task.handler == "llm"
    assert task.metadata["why"].startswith("LLM planner: transform_text")
    assert (workspace / "out" / "formal.md").read_text() == "# Notes\nGood morning to you, Sir.\n"
    assert len(good.seen) == 3  # the operation, its parameters, the rewrite
    # without a pool the same words are an honest refusal
    (altlas_home / "config.toml").unlink()
    refused = altlas.do(REWRITE, _workspace(tmp_path / "again"), yes=True)
    assert not refused.ok
    assert "could not tell what to do" in refused.answer
