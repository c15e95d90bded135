"""How the archive's filters and sorts are spelled outside the library.

Pydantic-free, so the CLI builds its options (``--status``, ``--since`` ...) without loading
the models: every ``altlas`` start pays for what this module imports. Each constant below is
bound to exactly one field of :class:`altlas.index.filters.Filters` (its type and validation);
tests/index/test_search.py checks that the two stay one to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from altlas.errors import ArchiveInputError

__all__ = [
    "FILTER_PARAMS",
    "FilterError",
    "FilterKind",
    "FilterParam",
    "RecordSort",
    "SearchSort",
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

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


STATUS = FilterParam("status", FilterKind.ANY_OF, "Run status (any of): success, failure, ...")
MIN_SUCCESS = FilterParam("min_success", FilterKind.RATE, "Success rate at least (0-1).")
MAX_SUCCESS = FilterParam("max_success", FilterKind.RATE, "Success rate at most (0-1).")
SINCE = FilterParam("since", FilterKind.TIME, "Started since: an age (30d, 12h) or ISO time.")
UNTIL = FilterParam("until", FilterKind.TIME, "Started until: an age or an ISO time.")
TAG = FilterParam("tag", FilterKind.ALL_OF, "Tag (all of).")
TASK_TYPE = FilterParam("task_type", FilterKind.ALL_OF, "Has a task of this type (all of).")
MODE = FilterParam("mode", FilterKind.ANY_OF, "Mode (any of).")
PERSONA = FilterParam("persona", FilterKind.ANY_OF, "Persona (any of).")
LANG = FilterParam("lang", FilterKind.ANY_OF, "Language code (any of).")

FILTER_PARAMS = (
    STATUS,
    MIN_SUCCESS,
    MAX_SUCCESS,
    SINCE,
    UNTIL,
    TAG,
    TASK_TYPE,
    MODE,
    PERSONA,
    LANG,
)
"""Every filter, in the order options and parameters are shown."""
