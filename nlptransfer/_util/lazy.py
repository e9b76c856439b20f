"""Package attributes that import their module on first use (PEP 562).

Keeps ``import nlptransfer`` (and its ``nn`` and ``bench`` packages) free of PyTorch until a
name that needs it is used. Where that name's extra is not installed, using it raises
:class:`~nlptransfer.errors.MissingExtraError` naming the ``pip install`` to run.

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
from typing import Any

from nlptransfer._util.extras import import_optional


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving each name in ``modules`` from the module it maps to."""

    def __getattr__(name: str) -> Any:
        if name in modules:
            return getattr(import_optional(modules[name], what=f"{package}.{name}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
