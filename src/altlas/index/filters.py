"""``Filters`` and the sort orders: the one way to narrow the archive.

Each filter is one field of :class:`Filters` (its type and validation) bound to one
:class:`~altlas.index.filterspec.FilterParam` (its public name, kind and help). The library
takes a ``Filters`` (or a mapping of public names), the CLI builds its options from the
params (``cli/_filters.py``, without loading pydantic), and the server builds its query
parameters from the same list (``server/routes/archive.py``).

::

    Filters(status="failure", since="30d", tag=["nightly"])   # public names ...
    Filters(status=["failure"], tags=["nightly"])             # ... or field names
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

import altlas.index.filterspec as spec
from altlas.index.filterspec import FilterError, FilterKind, FilterParam, RecordSort, SearchSort

__all__ = [
    "FilterError",
    "FilterKind",
    "FilterParam",
    "Filters",
    "RecordSort",
    "SearchSort",
    "field_of",
    "filter_params",
]


def _listify(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [v for v in value if v]
    return value


def _lower(values: list[str]) -> list[str]:
    return [v.lower() for v in values]


def _statuses(values: list[str]) -> list[str]:
    from altlas.formats.result import RunStatus

    known = {s.value for s in RunStatus}
    for value in values:
        if value not in known:
            raise FilterError(
                f"unknown status {value[:64]!r} (one of {', '.join(s.value for s in RunStatus)})",
                path=spec.STATUS.name,
            )
    return values


def _when(value: object, info: ValidationInfo) -> object:
    from datetime import timedelta

    from altlas.index.timeparse import TimeValueError, parse_when

    if isinstance(value, str | datetime | timedelta):
        try:
            return parse_when(value)
        except TimeValueError as exc:
            raise FilterError(exc.message, path=info.field_name) from None
    return value


_ANY = BeforeValidator(_listify)
_LOWER = AfterValidator(_lower)
_WHEN = BeforeValidator(_when)
_RATE = Field(ge=0, le=1)
_EMPTY: Any = Field(default_factory=list)


class Filters(BaseModel):
    """Narrowing shared by search, records, stats, export and atlas building.

    Any-of fields (status, mode, persona, language) match any of the given values; all-of
    ones (tags, task types) must all be present. Public names (``tag``, ``lang``) and field
    names (``tags``, ``languages``) are both accepted; a bad value is one :class:`FilterError`
    naming the filter.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Annotated[list[str], spec.STATUS, _ANY, AfterValidator(_statuses)] = _EMPTY
    min_success: Annotated[float | None, spec.MIN_SUCCESS, _RATE] = None
    max_success: Annotated[float | None, spec.MAX_SUCCESS, _RATE] = None
    since: Annotated[datetime | None, spec.SINCE, _WHEN] = None
    until: Annotated[datetime | None, spec.UNTIL, _WHEN] = None
    tags: Annotated[list[str], spec.TAG, _ANY] = _EMPTY
    task_types: Annotated[list[str], spec.TASK_TYPE, _ANY] = _EMPTY
    modes: Annotated[list[str], spec.MODE, _ANY, _LOWER] = _EMPTY
    personas: Annotated[list[str], spec.PERSONA, _ANY] = _EMPTY
    languages: Annotated[list[str], spec.LANG, _ANY, _LOWER] = _EMPTY

    @model_validator(mode="before")
    @classmethod
    def _by_public_name(cls, data: Any) -> Any:
        """``tag=`` is ``tags=``: the names the CLI and the server use are accepted too."""
        if isinstance(data, Mapping):
            return {_FIELDS.get(key, key): value for key, value in data.items()}
        return data

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except PydanticValidationError as exc:
            raise _one_line(exc) from None

    @classmethod
    def of(cls, value: Filters | Mapping[str, Any] | None) -> Filters:
        """``value`` as Filters: a mapping is read by public or field names, None is no filter."""
        if isinstance(value, Filters):
            return value
        return cls(**{k: v for k, v in (value or {}).items() if v is not None})

    @property
    def empty(self) -> bool:
        return self == Filters()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, by field name."""
        return self.model_dump(mode="json")


def _one_line(exc: PydanticValidationError) -> FilterError:
    error = exc.errors(include_url=False)[0]
    where = error["loc"][0] if error["loc"] else ""
    field = next((p for p in filter_params() if where in (p.name, field_of(p))), None)
    if error["type"] == "extra_forbidden":
        names = ", ".join(p.name for p in filter_params())
        return FilterError(f"unknown filter {str(where)[:64]!r} (one of {names})")
    name = field.name if field is not None else str(where)
    return FilterError(str(error["msg"]), path=name)


def filter_params() -> tuple[FilterParam, ...]:
    """Every filter's public spelling, in the order options and parameters are shown."""
    return spec.FILTER_PARAMS


def field_of(param: FilterParam) -> str:
    """The :class:`Filters` field a filter is bound to."""
    return _FIELDS[param.name]


_FIELDS = {
    m.name: field
    for field, info in Filters.model_fields.items()
    for m in info.metadata
    if isinstance(m, FilterParam)
}
