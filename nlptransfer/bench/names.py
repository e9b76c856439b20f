"""The harness's option names, importable without PyTorch (for the command line's help).

Example:
    >>> EXECUTORS
    ('local', 'ray')
    >>> SELECTOR_KEYS
    ('dataset', 'vectors', 'model', 'mode', 'seed', 'fold', 'fraction')
"""

from __future__ import annotations

#: Where a grid's runs execute: this machine (in process or a process pool) or a Ray cluster.
EXECUTORS = ("local", "ray")
#: What ``--only KEY=VALUE`` can select runs by (see :func:`nlptransfer.bench.grid.select_runs`).
SELECTOR_KEYS = ("dataset", "vectors", "model", "mode", "seed", "fold", "fraction")
