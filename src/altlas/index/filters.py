"""``Filters`` and the sort orders: the one way to narrow the archive.

Each filter is declared once, as a field of :class:`Filters` carrying a :class:`FilterParam`
(its public name, its kind and its help). The library takes a ``Filters`` (or a mapping of
public names), the CLI builds its options from :func:`filter_params` (``cli/_filters.py``),
and the server builds its query parameters from the same list (``server/routes/archive.py``).

::

    Filters(status="failure", since="30d", tag=["nightly"])   # public names ...
    Filters(status=["failure"], tags=["nightly"])             # ... or field names
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import ArchiveInputError

__all__ = [
    "FilterError",
    "FilterKind",
    "FilterParam",
    "Filters",
    "RecordSort",
    "SearchSort",
    "filter_params",
]


class _Sort(StrEnum):
    @classmethod
    def parse(cls, value: str) -> Self:
        """``value`` as a member; one :class:`FilterError` line naming the choices if not."""
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise FilterError(f"unknown sort {str(value)[:64]!r} (one of {choices})") from None


class SearchSort(_Sort):
    """Orders of :meth:`Archive.search` (CLI ``--sort``, HTTP ``sort``)."""

    RELEVANCE = "relevance"
    TIME = "time"
    SUCCESS = "success"


class RecordSort(_Sort):
    """Orders of :meth:`Archive.records` (``added``: the order they entered the archive)."""

    TIME = "time"
    SUCCESS = "success"
    ADDED = "added"


class FilterError(ArchiveInputError):
    """A filter, sort or paging value that cannot be used (bad input)."""


class FilterKind(StrEnum):
    ANY_OF = "any_of"
    """Repeatable text; a record matches any of the values."""
    ALL_OF = "all_of"
    """Repeatable text; a record must carry every value."""
    RATE = "rate"
    """A number from 0 to 1."""
    TIME = "time"
    """An age back from now (30d, 12h) or an ISO date/time."""


@dataclass(frozen=True, slots=True)
class FilterParam:
    """How a filter is spelled outside the library: ``--task-type`` and ``?task_type=``."""

    name: str
    kind: FilterKind
    help: str
    field: str = ""
    """The :class:`Filters` field (filled in by :func:`filter_params`)."""

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


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
                path="status",
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


def _choices(name: str, field: str) -> AliasChoices:
    return AliasChoices(field, name) if field != name else AliasChoices(field)


_ANY = BeforeValidator(_listify)
_EMPTY: Any = Field(default_factory=list)


class Filters(BaseModel):
    """Narrowing shared by search, records, stats, export and atlas building.

    Any-of fields (status, mode, persona, language) match any of the given values; all-of
    ones (tags, task types) must all be present. Public names (``tag``, ``lang``) and field
    names (``tags``, ``languages``) are both accepted; a bad value is one :class:`FilterError`
    naming the filter.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    status: Annotated[
        list[str],
        FilterParam("status", FilterKind.ANY_OF, "Run status (any of): success, failure, ..."),
        _ANY,
        AfterValidator(_statuses),
    ] = _EMPTY
    min_success: Annotated[
        float | None, FilterParam("min_success", FilterKind.RATE, "Success rate at least (0-1).")
    ] = Field(default=None, ge=0, le=1)
    max_success: Annotated[
        float | None, FilterParam("max_success", FilterKind.RATE, "Success rate at most (0-1).")
    ] = Field(default=None, ge=0, le=1)
    since: Annotated[
        datetime | None,
        FilterParam("since", FilterKind.TIME, "Started since: an age (30d, 12h) or ISO time."),
        BeforeValidator(_when),
    ] = None
    until: Annotated[
        datetime | None,
        FilterParam("until", FilterKind.TIME, "Started until: an age or an ISO time."),
        BeforeValidator(_when),
    ] = None
    tags: Annotated[list[str], FilterParam("tag", FilterKind.ALL_OF, "Tag (all of)."), _ANY] = (
        Field(default_factory=list, validation_alias=_choices("tag", "tags"))
    )
    task_types: Annotated[
        list[str],
        FilterParam("task_type", FilterKind.ALL_OF, "Has a task of this type (all of)."),
        _ANY,
    ] = Field(default_factory=list, validation_alias=_choices("task_type", "task_types"))
    modes: Annotated[
        list[str], FilterParam("mode", FilterKind.ANY_OF, "Mode (any of)."), _ANY,
        AfterValidator(_lower),
    ] = Field(default_factory=list, validation_alias=_choices("mode", "modes"))  # fmt: skip
    personas: Annotated[
        list[str], FilterParam("persona", FilterKind.ANY_OF, "Persona (any of)."), _ANY
    ] = Field(default_factory=list, validation_alias=_choices("persona", "personas"))
    languages: Annotated[
        list[str],
        FilterParam("lang", FilterKind.ANY_OF, "Language code (any of)."),
        _ANY,
        AfterValidator(_lower),
    ] = Field(default_factory=list, validation_alias=_choices("lang", "languages"))

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

    @classmethod
    def build(cls, **values: Any) -> Filters:
        """Filters from public names; None values are ignored (kept for older callers)."""
        return cls.of(values)

    @property
    def empty(self) -> bool:
        return self == Filters()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, by field name."""
        return self.model_dump(mode="json")


def _one_line(exc: PydanticValidationError) -> FilterError:
    error = exc.errors(include_url=False)[0]
    where = error["loc"][0] if error["loc"] else ""
    field = next((p for p in filter_params() if where in (p.name, p.field)), None)
    if error["type"] == "extra_forbidden":
        names = ", ".join(p.name for p in filter_params())
        return FilterError(f"unknown filter {str(where)[:64]!r} (one of {names})")
    name = field.name if field is not None else str(where)
    return FilterError(str(error["msg"]), path=name)


_PARAMS: tuple[FilterParam, ...] = ()


def filter_params() -> tuple[FilterParam, ...]:
    """Every filter's public spelling, in declaration order."""
    global _PARAMS
    if not _PARAMS:
        found = []
        for field, info in Filters.model_fields.items():
            param = next(m for m in info.metadata if isinstance(m, FilterParam))
            found.append(FilterParam(param.name, param.kind, param.help, field))
        _PARAMS = tuple(found)
    return _PARAMS
