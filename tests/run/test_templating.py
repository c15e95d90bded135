"""{{ tasks.X.output... }} references in parameters."""

from __future__ import annotations

import pytest

import altlas
from altlas.formats.common import TaskStatus
from altlas.run.templating import TemplateError, find_references, render


def test_whole_reference_keeps_the_type() -> None:
    """A parameter that is exactly one reference takes the value itself."""
    out = render(
        {"rows": "{{ tasks.a.output.rows }}", "first": "{{tasks.a.output.rows.0.n}}"},
        outputs={"a": {"rows": [{"n": 1}, {"n": 2}]}},
        statuses={"a": "completed"},
    )
    assert out == {"rows": [{"n": 1}, {"n": 2}], "first": 1}


def test_embedded_references_become_text() -> None:
    """Inside longer text, values are rendered (JSON for objects)."""
    out = render(
        {
            "msg": (
                "got {{ tasks.a.output.text }} and {{ tasks.a.output.obj }} ({{ tasks.a.status }})"
            ),
            "n": [{"x": "{{ plan.title }}"}],
        },
        outputs={"a": {"text": "hi", "obj": {"k": 1}}},
        statuses={"a": "completed"},
        plan={"title": "P"},
    )
    assert out["msg"] == 'got hi and {"k":1} (completed)'
    assert out["n"] == [{"x": "P"}]


def test_variables_and_untouched_params() -> None:
    """vars.NAME reads plan variables; params without markers are returned as is."""
    params = {"a": 1}
    assert render(params, outputs={}, statuses={}) is params
    assert render(
        {"v": "{{ vars.city }}"}, outputs={}, statuses={}, variables={"city": "Ankara"}
    ) == {"v": "Ankara"}


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ tasks.zz.output }}", "task 'zz' is not a dependency"),
        ("{{ tasks.a.output.nope }}", "no key 'nope' (keys: text)"),
        ("{{ tasks.a.output.text.0 }}", "cannot take '0' of str"),
        ("{{ tasks.a.result }}", "use tasks.a.output or .status"),
        ("{{ whatever }}", "unknown reference"),
    ],
)
def test_bad_references_name_the_parameter(template: str, message: str) -> None:
    """Each failure names the parameter path and what is wrong."""
    with pytest.raises(TemplateError, match=r"parameters\.p\.q: ") as info:
        render({"p": {"q": template}}, outputs={"a": {"text": "x"}}, statuses={"a": "completed"})
    assert message in info.value.message


def test_find_references() -> None:
    assert find_references({"a": ["{{ tasks.t1.output }} {{tasks.t2.status}}"], "b": 3}) == {
        "t1",
        "t2",
    }


def test_references_in_a_run(mkplan, workspace) -> None:
    """A task reads a (transitive) ancestor's output; a bad reference fails only that task."""
    plan = mkplan(
        {"id": "a", "parameters": {"message": "alpha"}},
        {"id": "b", "dependencies": ["a"], "parameters": {"message": "{{ tasks.a.output.text }}!"}},
        {
            "id": "c",
            "dependencies": ["b"],
            "parameters": {"message": "{{ tasks.a.output.text }}+{{ tasks.b.output.text }}"},
        },
        {"id": "d", "dependencies": ["a"], "parameters": {"message": "{{ tasks.b.output.text }}"}},
    )
    result = altlas.run(plan, workspace=workspace)
    assert result.task("b").output["text"] == "alpha!"
    assert result.task("c").output["text"] == "alpha+alpha!"
    assert result.task("d").status is TaskStatus.FAILED
    assert result.task("d").error.type == "TemplateError"
    assert result.task("d").attempts == 0
