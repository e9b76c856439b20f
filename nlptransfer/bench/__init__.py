"""The benchmark harness: grids of datasets x vectors x models x modes x seeds, run, reported.

``bench`` knows every other part of the package; nothing else imports ``bench``. Importing the
package does not import PyTorch: :mod:`nlptransfer.bench.names` is light, the rest loads on use
and needs the ``bench`` extra (scipy, matplotlib, pyyaml, torch); without it, using a name raises
:class:`~nlptransfer.errors.MissingExtraError` naming ``pip install 'nlptransfer[bench]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlptransfer._util.lazy import lazy_attributes

if TYPE_CHECKING:
    from nlptransfer.bench.schema import BenchConfig, load_bench_config

__all__ = ["BenchConfig", "load_bench_config"]

__getattr__ = lazy_attributes(__name__, dict.fromkeys(__all__, "nlptransfer.bench.schema"))
