"""Before and after: two results folders of the same grid, cell by cell, runs matched by id.

A run's id is a digest of everything that defines it (dataset, vectors, model, mode, seed or
fold, settings), so the same grid run on two versions of the code gives the same ids, and a
run of OLD pairs with the run of NEW that shares its id: the same data split and seed, only
the code between them changed. Per cell (dataset x vectors x model x train fraction x mode)
:func:`compare_results` gives the mean test accuracy of the matched runs before and after, the
difference, and a paired t-test over the matched runs; cells found in only one folder are
flagged, as are runs with no partner.

Example:
    >>> import tempfile
    >>> from nlptransfer.bench.results import ResultsStore
    >>> def run(run_id, mode, seed, accuracy):
    ...     return {"run_id": run_id, "dataset": {"name": "sst2"}, "vectors": "glove-6b-50d",
    ...             "model": "cnn", "mode": mode, "seed": seed, "train_fraction": 1.0,
    ...             "metrics": {"test": {"accuracy": accuracy}}}
    >>> old, new = ResultsStore(tempfile.mkdtemp()), ResultsStore(tempfile.mkdtemp())
    >>> for r in (run("a", "frozen", 0, 0.80), run("b", "frozen", 1, 0.82), run("c", "random", 0, 0.7)):
    ...     old.append(r)
    >>> for r in (run("a", "frozen", 0, 0.81), run("b", "frozen", 1, 0.84)):
    ...     new.append(r)
    >>> random, frozen = compare_results(old.folder, new.folder)  # modes in report order
    >>> frozen.mode, frozen.pairs, round(frozen.difference, 2), round(frozen.t_p_value, 3)
    ('frozen', 2, 1.5, 0.205)
    >>> random.mode, random.status, random.old_mean, random.new_mean
    ('random', 'only in OLD', 70.0, None)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import ResultsNotFoundError
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.summary import ALPHA, arm, arm_order, cell_of, paired_t_p_value, sort_key

#: what :attr:`CellChange.status` says
PAIRED, ONLY_OLD, ONLY_NEW, UNPAIRED = "paired", "only in OLD", "only in NEW", "no run in common"


@dataclass
class CellChange:
    """One cell and mode of two results folders: test accuracy (%) before and after."""

    dataset: str
    vectors: str
    model: str
    train_fraction: float
    mode: str
    #: runs of this cell in each folder
    old_runs: int
    new_runs: int
    #: runs in both folders (the same run id), the ones the means and the test are over
    pairs: int
    #: mean test accuracy of the matched runs; of all the folder's runs when none match
    old_mean: float | None
    new_mean: float | None
    #: new - old, over the matched runs (None when no run matches)
    difference: float | None
    #: paired t-test over the matched runs (None for fewer than two pairs, or no change in any)
    t_p_value: float | None
    #: :data:`PAIRED`, :data:`ONLY_OLD`, :data:`ONLY_NEW` or :data:`UNPAIRED`
    status: str


def compare_results(old_dir: str | Path, new_dir: str | Path) -> list[CellChange]:
    """Each cell and mode of two results folders, old against new, runs matched by run id.

    Raises:
        ResultsNotFoundError: a folder holds no finished runs.
    """
    old, new = _accuracies(old_dir), _accuracies(new_dir)
    modes: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for key in set(old) | set(new):
        modes[key[:4]].append(key[4])
    return [
        _change(key, old.get(key, {}), new.get(key, {}))
        for cell in sorted(modes, key=sort_key)
        for key in ((*cell, mode) for mode in arm_order(modes[cell]))
    ]


def _accuracies(folder: str | Path) -> dict[tuple[Any, ...], dict[str, float]]:
    """(dataset, vectors, model, fraction, mode) -> run id -> test accuracy (%)."""
    records = list(ResultsStore(folder).records())
    if not records:
        raise ResultsNotFoundError(f"{folder}: no finished runs in runs.jsonl to compare")
    cells: dict[tuple[Any, ...], dict[str, float]] = defaultdict(dict)
    for r in records:
        cells[(*cell_of(r), arm(r))][r["run_id"]] = 100 * r["metrics"]["test"]["accuracy"]
    return cells


def _change(key: tuple[Any, ...], old: dict[str, float], new: dict[str, float]) -> CellChange:
    shared = sorted(set(old) & set(new))
    if shared:
        before = [old[i] for i in shared]
        after = [new[i] for i in shared]
        diffs = [b - a for a, b in zip(before, after, strict=True)]
        means: tuple[float | None, float | None, float | None] = (
            float(np.mean(before)),
            float(np.mean(after)),
            float(np.mean(diffs)),
        )
        p, status = paired_t_p_value(diffs), PAIRED
    else:
        means = (_mean(old.values()), _mean(new.values()), None)
        p = None
        status = ONLY_NEW if not old else ONLY_OLD if not new else UNPAIRED
    dataset, vectors, model, train_fraction, mode = key
    return CellChange(
        dataset=dataset,
        vectors=vectors,
        model=model,
        train_fraction=train_fraction,
        mode=mode,
        old_runs=len(old),
        new_runs=len(new),
        pairs=len(shared),
        old_mean=means[0],
        new_mean=means[1],
        difference=means[2],
        t_p_value=p,
        status=status,
    )


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def comparison_table(changes: Sequence[CellChange], *, alpha: float = ALPHA) -> str:
    """Markdown: one row per cell and mode, then how many cells moved at p < ``alpha``.

    Example:
        >>> change = CellChange("sst2", "glove-6b-50d", "cnn", 1.0, "frozen", 5, 5, 5,
        ...                     80.2, 80.9, 0.7, 0.03, PAIRED)
        >>> print(comparison_table([change]))  # doctest: +NORMALIZE_WHITESPACE
        | dataset | vectors | model | train | mode | n | old % | new % | new − old | t-test p | note |
        |---|---|---|---|---|---|---|---|---|---|---|
        | sst2 | glove-6b-50d | cnn | 1 | frozen | 5 | 80.20 | 80.90 | +0.70 | 0.03 | **p < 0.05** |
        <BLANKLINE>
        1 of 1 cells with two or more pairs moved at p < 0.05 (about 0.1 expected by chance alone).
    """
    lines = [
        "| dataset | vectors | model | train | mode | n | old % | new % | new − old | t-test p | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in changes:
        lines.append(
            f"| {c.dataset} | {c.vectors} | {c.model} | {c.train_fraction:g} | {c.mode} "
            f"| {c.pairs} | {_number(c.old_mean)} | {_number(c.new_mean)} "
            f"| {_number(c.difference, sign=True)} "
            f"| {'-' if c.t_p_value is None else f'{c.t_p_value:.3g}'} | {_note(c, alpha)} |"
        )
    tested = [c for c in changes if c.status == PAIRED and c.pairs >= 2]
    moved = sum(c.t_p_value is not None and c.t_p_value < alpha for c in tested)
    lines += [
        "",
        f"{moved} of {len(tested)} cells with two or more pairs moved at p < {alpha:g} "
        f"(about {alpha * len(tested):.1f} expected by chance alone).",
    ]
    return "\n".join(lines)


def _number(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if sign else f"{value:.2f}"


def _note(change: CellChange, alpha: float) -> str:
    notes = []
    if change.status == ONLY_OLD:
        notes.append(f"**only in OLD** ({change.old_runs} runs)")
    elif change.status == ONLY_NEW:
        notes.append(f"**only in NEW** ({change.new_runs} runs)")
    elif change.status == UNPAIRED:
        notes.append(f"**no run in common** (OLD {change.old_runs}, NEW {change.new_runs} runs)")
    elif change.pairs == 1:
        notes.append("one pair: untested")
    elif change.t_p_value is None:
        notes.append("the same on every pair")
    elif change.t_p_value < alpha:
        notes.append(f"**p < {alpha:g}**")
    if change.status == PAIRED:
        unmatched = (change.old_runs - change.pairs, change.new_runs - change.pairs)
        if any(unmatched):
            notes.append(f"unmatched runs: OLD {unmatched[0]}, NEW {unmatched[1]}")
    return "; ".join(notes)
