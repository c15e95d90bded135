"""``@with_filters``: one Typer option per archive filter, built from :class:`Filters`.

A command declares ``filters: Filters`` as a parameter; the decorator replaces it with the
options (``--status``, ``--since``, ``--tag`` ...) in the command's signature and hands the
command one validated ``Filters``. The filters are declared once, in ``altlas.index.filters``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from altlas.index.filters import FilterError, FilterKind, FilterParam, Filters, filter_params

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
    signature = inspect.signature(command, eval_str=True)
    params = filter_params()
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
            kept.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def wrapper(**values: Any) -> Any:
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
