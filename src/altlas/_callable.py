"""Packages that are also functions: ``altlas.run(plan)``, ``altlas.segment(text)``, ``altlas.do``.

Once a submodule such as ``altlas.run.handlers`` is imported, Python binds the attribute
``altlas.run`` to the package, so the package's module object is made callable and calls the
function it is named after. The function is imported on the first call, so the package stays
as cheap to import as before.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

__all__ = ["make_callable"]

_TARGET = "__altlas_call_target__"


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        module_name, _, function_name = getattr(self, _TARGET).partition(":")
        return getattr(import_module(module_name), function_name)(*args, **kwargs)


def make_callable(package: str, target: str) -> None:
    """Make the module ``package`` call ``target`` (``"module.path:function"``)."""
    module = sys.modules[package]
    setattr(module, _TARGET, target)
    module.__class__ = _CallableModule
