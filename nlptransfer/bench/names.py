"""The harness's option names, importable without PyTorch (for the command line's help).

Example:
    >>> EXECUTORS
    ('local', 'ray')
    >>> SELECTOR_KEYS
    ('dataset', 'vectors', 'model', 'mode', 'seed', 'fold', 'fraction')
"""

from __future__ import annotations

from typing import Literal, get_args

#: Where a grid's runs execute: this machine (in process or a process pool) or a Ray cluster.
Executor = Literal["local", "ray"]
EXECUTORS: tuple[str, ...] = get_args(Executor)
#: What ``--only KEY=VALUE`` can select runs by (see :func:`nlptransfer.bench.grid.select_runs`).
SELECTOR_KEYS = ("dataset", "vectors", "model", "mode", "seed", "fold", "fraction")
