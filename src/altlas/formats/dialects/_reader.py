"""Reading a legacy document: a :class:`Reader` collects diagnostics while the document is
mapped to canonical data, and checks fields against the models at the source's own paths."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from altlas.errors import Diagnostic
from altlas.formats.dialects._support import MISSING, join, parse_time, plain
from altlas.formats.validation import model_diagnostics

__all__ = ["Reader", "check_fields"]


# --- checking fields at source paths -----------------------------------------------------------

_HEAD = re.compile(r"^([^.\[]+)(.*)$", re.DOTALL)


def check_fields(
    model: type[BaseModel],
    data: dict[str, Any],
    *,
    prefix: str = "",
    names: Mapping[str, str] | None = None,
    fallback: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """Validate ``data`` as ``model``, reporting errors at the *source* path of each field.

    ``names`` maps a canonical field to its full source path (default ``prefix.field``). Fields
    in error are then dropped (or set from ``fallback``) so that the canonical validation that
    io runs next does not report them a second time under canonical names.
    """
    names = names or {}
    fallback = fallback or {}
    diags: list[Diagnostic] = []
    for attempt in range(4):
        try:
            model.model_validate(data, context={"warnings": []})
            return diags
        except PydanticValidationError as exc:
            if attempt == 0:
                for diag in model_diagnostics(exc):
                    diags.append(replace(diag, path=_source_path(diag.path, prefix, names)))
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            if not bad:
                break
            for name in bad:
                if isinstance(name, str) and name in fallback and data.get(name) != fallback[name]:
                    data[name] = fallback[name]
                else:
                    data.pop(name, None)  # type: ignore[arg-type]
    data.clear()
    data.update(fallback)
    return diags


def _source_path(path: str, prefix: str, names: Mapping[str, str]) -> str:
    match = _HEAD.match(path)
    if match is None:
        return prefix
    head, rest = match.groups()
    return names.get(head, join(prefix, head)) + rest


# --- reading ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Reader:
    """Collects diagnostics while a legacy document is mapped to canonical data."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, message: str, code: str = "invalid") -> None:
        self.diagnostics.append(Diagnostic(message, path=path, code=code))

    def warn(self, path: str, message: str, code: str = "legacy") -> None:
        self.diagnostics.append(Diagnostic(message, path=path, severity="warning", code=code))

    def missing(self, path: str) -> None:
        self.error(path, "required field is missing", "missing")

    def time(self, value: Any, path: str, *, lenient: bool = False) -> Any:
        """A timestamp as an aware datetime; MISSING (with an error or warning) when unreadable."""
        if value is None:
            return None
        try:
            moment, naive = parse_time(value)
        except ValueError as exc:
            if lenient:
                self.warn(path, f"{exc}; kept as written", "timestamp")
            else:
                self.error(path, str(exc), "timestamp")
            return MISSING
        if naive:
            self.diagnostics.append(
                Diagnostic(
                    f"timestamp {moment.replace(tzinfo=None).isoformat()} has no timezone; "
                    "assumed UTC",
                    path=path,
                    severity="warning",
                    code="naive_timestamp",
                ),
            )
        return moment

    def string(
        self, value: Any, path: str, *, required: bool = True, nonempty: bool = False
    ) -> Any:
        """``value`` when it is a string; MISSING with an error otherwise."""
        if value is MISSING:
            if required:
                self.missing(path)
            return MISSING
        if not isinstance(value, str):
            self.error(path, "Input should be a valid string", "string_type")
            return MISSING
        if nonempty and not value.strip():
            self.error(path, "must not be empty", "empty")
            return MISSING
        return value

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if isinstance(value, Mapping):
            return dict(value)
        self.error(path, "Input should be a valid dictionary", "dict_type")
        return None

    def metadata(self, value: Any, path: str) -> dict[str, Any]:
        """An optional metadata mapping as plain data; absent or null is empty."""
        if value is MISSING or value is None:
            return {}
        found = self.mapping(value, path)
        return plain(found) if found is not None else {}

    def items(self, value: Any, path: str, *, required: bool = True) -> list[Any]:
        """A list field; absent is an error when ``required``, null is empty when it is not."""
        if value is MISSING or (value is None and not required):
            if required:
                self.missing(path)
            return []
        if not isinstance(value, list):
            self.error(path, "Input should be a valid list", "list_type")
            return []
        return value

    def check(
        self,
        model: type[BaseModel],
        data: dict[str, Any],
        *,
        prefix: str = "",
        names: Mapping[str, str] | None = None,
        fallback: Mapping[str, Any] | None = None,
    ) -> None:
        self.diagnostics.extend(
            check_fields(model, data, prefix=prefix, names=names, fallback=fallback),
        )
