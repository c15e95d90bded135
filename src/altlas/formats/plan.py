"""The canonical ``.alt`` plan model (format ``altlas.alt``, version 1).

It is a superset of both original ``.alt`` dialects: the segmentation schema (v1.0 and the
enhanced v2.0 with variables, conditions, loops and functions) and the runner's JSON. See
``docs/formats.md`` for the field-by-field mapping.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from altlas.formats.common import Mode, Priority, StrictModel, Timestamp, new_id

__all__ = [
    "PLAN_FORMAT",
    "PLAN_FORMAT_VERSION",
    "TASK_TYPES",
    "Condition",
    "ConditionOperator",
    "ConditionalBranch",
    "Function",
    "FunctionCall",
    "FunctionParameter",
    "Loop",
    "LoopType",
    "Plan",
    "Span",
    "Task",
    "Variable",
    "VariableType",
]

PLAN_FORMAT: Literal["altlas.alt"] = "altlas.alt"
PLAN_FORMAT_VERSION: Literal[1] = 1

TASK_TYPES = (
    "search",
    "create",
    "analyze",
    "open",
    "transform",
    "execute",
    "summarize",
    "schedule",
)
"""The eight task types segmentation produces. Plans may carry other types (runner dialect)."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _identifier(value: str, kind: str) -> str:
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"{kind} name must start with a letter or underscore and contain only "
            "letters, numbers, and underscores",
        )
    return value


class VariableType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ARRAY = "array"
    OBJECT = "object"
    ANY = "any"


_TYPE_CHECKS: dict[VariableType, tuple[str, Any]] = {
    VariableType.STRING: ("a string", lambda v: isinstance(v, str)),
    VariableType.NUMBER: (
        "a number",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    ),
    VariableType.BOOLEAN: ("a boolean", lambda v: isinstance(v, bool)),
    VariableType.ARRAY: ("an array", lambda v: isinstance(v, list)),
    VariableType.OBJECT: ("an object", lambda v: isinstance(v, dict)),
}


class Variable(StrictModel):
    """A typed variable (enhanced DSL 2.0)."""

    name: Annotated[str, AfterValidator(partial(_identifier, kind="Variable"))]
    type: VariableType = VariableType.STRING
    value: Any = None
    description: str | None = None

    @model_validator(mode="after")
    def _value_matches_type(self) -> Variable:
        if self.value is not None and self.type in _TYPE_CHECKS:
            label, check = _TYPE_CHECKS[self.type]
            if not check(self.value):
                raise ValueError(f"Value must be {label} for {self.type.value} type variables")
        return self


class ConditionOperator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    GT = "gt"
    LT = "lt"
    GTE = "gte"
    LTE = "lte"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    AND = "and"
    OR = "or"
    NOT = "not"


_LOGICAL = (ConditionOperator.AND, ConditionOperator.OR)


class Condition(StrictModel):
    """A condition tree. Operands of ``and``/``or``/``not`` are conditions; others are values.

    The original parsed a dict ``right`` operand of ``and``/``or`` as a plain value, so its own
    files failed to reload; here a dict operand under a logical operator is always a Condition.
    """

    operator: ConditionOperator
    left: Condition | str | int | float | bool | None = None
    right: Condition | Any = None

    @model_validator(mode="before")
    @classmethod
    def _operands_of_logical_are_conditions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            op = str(data.get("operator", "")).lower()
            if op in ("and", "or", "not"):
                data = dict(data)
                for side in ("left", "right"):
                    if isinstance(data.get(side), dict):
                        data[side] = Condition.model_validate(data[side])
        return data

    @model_validator(mode="after")
    def _arity(self) -> Condition:
        op = self.operator
        if op is ConditionOperator.NOT:
            if self.right is not None:
                raise ValueError("NOT operator should only have a left operand")
            if self.left is None:
                raise ValueError("NOT operator requires a left operand")
            return self
        if self.right is None or self.left is None:
            raise ValueError(f"Operator {op.value} requires both left and right operands")
        if op in _LOGICAL:
            if not isinstance(self.left, Condition):
                raise ValueError(f"Left operand for {op.value} must be a condition")
            if not isinstance(self.right, Condition):
                raise ValueError(f"Right operand for {op.value} must be a condition")
        return self


class LoopType(StrEnum):
    FOR_EACH = "for_each"
    FOR_RANGE = "for_range"
    WHILE = "while"


class Loop(StrictModel):
    type: LoopType
    variable: str | None = None
    iterable: Any = None
    start: int | float | None = None
    end: int | float | None = None
    step: int | float = 1
    condition: Condition | None = None
    body: list[str]

    @model_validator(mode="after")
    def _requirements(self) -> Loop:
        if self.type is LoopType.FOR_EACH and self.iterable is None:
            raise ValueError("FOR_EACH loops require an iterable")
        if self.type is LoopType.FOR_RANGE and (self.start is None or self.end is None):
            raise ValueError("FOR_RANGE loops require start and end values")
        if self.type is LoopType.WHILE and self.condition is None:
            raise ValueError("WHILE loops require a condition")
        return self


class FunctionParameter(StrictModel):
    name: str
    type: VariableType = VariableType.ANY
    default_value: Any = None
    required: bool = True
    description: str | None = None


class Function(StrictModel):
    name: Annotated[str, AfterValidator(partial(_identifier, kind="Function"))]
    parameters: list[FunctionParameter] = Field(default_factory=list)
    return_type: VariableType = VariableType.ANY
    body: list[str]
    description: str | None = None


class FunctionCall(StrictModel):
    function_name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result_variable: str | None = None


class ConditionalBranch(StrictModel):
    condition: Condition
    if_body: list[str]
    else_body: list[str] | None = None


class Span(StrictModel):
    """Where a task came from in the command: ``command[start:end] == text``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Task(StrictModel):
    """One task (a segment, in the segmentation dialect)."""

    id: str = Field(min_length=1)
    type: str = Field(default="execute", min_length=1)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    dependencies: list[str] = Field(default_factory=list)
    timeout_seconds: float | None = Field(default=None, ge=0)
    retry_count: int | None = Field(default=None, ge=0, le=255)
    priority: Priority | None = None
    tags: list[str] = Field(default_factory=list)
    handler: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    span: Span | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    variables: list[Variable] = Field(default_factory=list)
    condition: ConditionalBranch | None = None
    loop: Loop | None = None
    function_def: Function | None = None
    function_call: FunctionCall | None = None


class Plan(StrictModel):
    """A plan: a command and the DAG of tasks that carries it out."""

    format: Literal["altlas.alt"] = PLAN_FORMAT
    format_version: Literal[1] = PLAN_FORMAT_VERSION
    id: str = Field(default_factory=lambda: new_id("plan"), min_length=1)
    title: str | None = None
    command: str | None = None
    description: str | None = None
    language: str | None = None
    mode: Mode = Mode.NORMAL
    chaos_level: int | None = None
    persona: str | None = None
    created_at: Timestamp | None = None
    priority: Priority | None = None
    tags: list[str] = Field(default_factory=list)
    timeout_seconds: float | None = Field(default=None, ge=0)
    expected_completion_seconds: int | None = Field(default=None, ge=0)
    variables: list[Variable] = Field(default_factory=list)
    functions: list[Function] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def task(self, task_id: str) -> Task:
        """The task with this id (KeyError if none)."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    @property
    def display_title(self) -> str:
        return self.title or self.command or self.id
