"""``@with_filters``: one Typer option per archive filter, built from the filters' spec.

A command declares ``filters: Filters`` as a parameter; the decorator replaces it with the
options (``--status``, ``--since``, ``--tag`` ...) in the command's signature and hands the
command one validated ``Filters``. The options come from ``altlas.index.filterspec``, which
does not load pydantic: Typer builds every command's options on every ``altlas`` start.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from altlas.index.filterspec import FILTER_PARAMS, FilterError, FilterKind, FilterParam

__all__ = ["with_filters"]

_Command = TypeVar("_Command", bound=Callable[..., Any])


def _annotation(param: FilterParam) -> Any:
    option = typer.Option(param.option, help=param.help)
    if param.kind is FilterKind.RATE:
        option = typer.Option(param.option, min=0, max=1, help=param.help)
        return Annotated[float | None, option]
    if param.kind is FilterKind.TIME:
        return Annotated[str | None, option]
    return Annotated[list[str] | None, option]


def with_filters(command: _Command) -> _Command:
    """Replace the command's ``filters`` parameter by one option per filter."""
    # ``filters: Filters`` is only a name under TYPE_CHECKING in the command's module: a
    # stand-in lets the other annotations be evaluated without importing the model.
    hints = get_type_hints(command, localns={"Filters": object}, include_extras=True)
    signature = inspect.signature(command)
    params = FILTER_PARAMS
    options = [
        inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_annotation(p)
        )
        for p in params
    ]
    kept: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == "filters":
            kept.extend(options)
        else:
            kind = inspect.Parameter.KEYWORD_ONLY
            kept.append(parameter.replace(kind=kind, annotation=hints[parameter.name]))

    @functools.wraps(command)
    def wrapper(**values: Any) -> Any:
        from altlas.index.filters import Filters

        given = {p.name: values.pop(p.name) for p in params}
        try:
            values["filters"] = Filters.of(given)
        except FilterError as exc:
            where = exc.context.get("path")
            option = next((p.option for p in params if p.name == where), where)
            raise FilterError(exc.message, path=option) from None
        return command(**values)

    wrapper.__annotations__ = {p.name: p.annotation for p in kept}
    wrapper.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
