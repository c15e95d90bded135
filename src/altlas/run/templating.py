"""``{{ ... }}`` references in task parameters.

* ``{{ tasks.t1.output.text }}``: a dependency's output, walked by keys and list indexes;
  ``{{ tasks.t1.status }}`` its status;
* ``{{ plan.title }}`` (also ``command``, ``id``, ``language``, ``persona``);
* ``{{ vars.name }}``: a plan variable.

A string that is exactly one reference takes the referenced value as is (a list stays a
list); references inside longer text are rendered as text (JSON for objects). A reference
that cannot be resolved fails the task with a ``TemplateError`` naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from altlas.run.handlers.base import PermanentError

__all__ = ["TemplateError", "find_references", "render"]

_REF = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_MISSING = object()


class TemplateError(PermanentError):
    def __init__(self, message: str) -> None:
        super().__init__(message, error_type="TemplateError")


def find_references(value: Any) -> set[str]:
    """Task ids named by ``{{ tasks.X... }}`` anywhere in ``value``."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            for expr in _REF.findall(item):
                parts = expr.split(".")
                if len(parts) >= 2 and parts[0] == "tasks":
                    found.add(parts[1])
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def _walk(value: Any, path: list[str], shown: str) -> Any:
    for step in path:
        if isinstance(value, Mapping):
            if step not in value:
                keys = ", ".join(map(str, list(value)[:10])) or "none"
                raise TemplateError(f"{{{{ {shown} }}}}: no key '{step}' (keys: {keys})")
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(value) <= index < len(value):
                raise TemplateError(f"{{{{ {shown} }}}}: index {index} out of range")
            value = value[index]
        else:
            raise TemplateError(
                f"{{{{ {shown} }}}}: cannot take '{step}' of {type(value).__name__}"
            )
    return value


class _Scope:
    def __init__(
        self,
        outputs: Mapping[str, Any],
        statuses: Mapping[str, str],
        plan: Mapping[str, Any],
        variables: Mapping[str, Any],
    ) -> None:
        self.outputs, self.statuses, self.plan, self.vars = outputs, statuses, plan, variables

    def lookup(self, expr: str) -> Any:
        parts = [p.strip() for p in expr.split(".")]
        head = parts[0]
        if head == "tasks" and len(parts) >= 3:
            tid, field = parts[1], parts[2]
            if tid not in self.statuses:
                raise TemplateError(
                    f"{{{{ {expr} }}}}: task '{tid}' is not a dependency of this task "
                    "(add it to dependencies to use its output)"
                )
            if field == "status":
                return self.statuses[tid]
            if field != "output":
                raise TemplateError(f"{{{{ {expr} }}}}: use tasks.{tid}.output or .status")
            output = self.outputs.get(tid, _MISSING)
            if output is _MISSING:
                raise TemplateError(
                    f"{{{{ {expr} }}}}: task '{tid}' has no output ({self.statuses[tid]})"
                )
            return _walk(output, parts[3:], expr)
        if head == "plan" and len(parts) == 2:
            return _walk(self.plan, parts[1:], expr)
        if head in ("vars", "variables") and len(parts) >= 2:
            return _walk(self.vars, parts[1:], expr)
        raise TemplateError(
            f"{{{{ {expr} }}}}: unknown reference (use tasks.ID.output..., plan.FIELD or vars.NAME)"
        )


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    import orjson

    return orjson.dumps(value, default=str).decode()


def _render_str(text: str, scope: _Scope) -> Any:
    whole = _REF.fullmatch(text.strip())
    if whole and text.strip() == text:
        return scope.lookup(whole.group(1))
    return _REF.sub(lambda m: _as_text(scope.lookup(m.group(1))), text)


def _render(value: Any, scope: _Scope, where: str) -> Any:
    if isinstance(value, str):
        if "{{" not in value:
            return value
        try:
            return _render_str(value, scope)
        except TemplateError as exc:
            raise TemplateError(f"{where}: {exc.message}") from None
    if isinstance(value, Mapping):
        return {k: _render(v, scope, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, scope, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _has_marker(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, Mapping):
        return any(_has_marker(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_marker(v) for v in value)
    return False


def render(
    params: dict[str, Any],
    *,
    outputs: Mapping[str, Any],
    statuses: Mapping[str, str],
    plan: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``params`` with every reference filled in; returns ``params`` itself when it has none."""
    if not _has_marker(params):
        return params
    scope = _Scope(outputs, statuses, plan or {}, variables or {})
    return {k: _render(v, scope, f"parameters.{k}") for k, v in params.items()}
