"""The benchmark harness: grids of datasets x vectors x models x modes x seeds, run, reported.

``bench`` knows every other part of the package; nothing else imports ``bench``. Importing the
package does not import PyTorch: :mod:`nlptransfer.bench.names` is light, the rest loads on use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlptransfer.bench.schema import BenchConfig, load_bench_config

__all__ = ["BenchConfig", "load_bench_config"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("nlptransfer.bench.schema"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
