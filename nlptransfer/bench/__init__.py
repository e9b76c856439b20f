"""The benchmark harness: grids of datasets x vectors x models x modes x seeds, run, reported.

``bench`` knows every other part of the package; nothing else imports ``bench``.
"""

from nlptransfer.bench.schema import BenchConfig, load_bench_config

__all__ = ["BenchConfig", "load_bench_config"]
