"""Package attributes that import their module on first use (PEP 562).

Keeps ``import nlptransfer`` (and its ``nn`` and ``bench`` packages) free of PyTorch until a
name that needs it is used.

Example:
    >>> getattr_ = lazy_attributes("demo", {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0)
    3.0
    >>> getattr_("cube")
    Traceback (most recent call last):
    ...
    AttributeError: module 'demo' has no attribute 'cube'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving each name in ``modules`` from the module it maps to."""

    def __getattr__(name: str) -> Any:
        if name in modules:
            return getattr(import_module(modules[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
