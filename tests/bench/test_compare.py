"""Before and after on real results: imdb's CNN runs before and after the CNN's sentence masking.

``results/imdb-before-sentence-masking`` holds the six CNN runs of ``configs/imdb.yaml`` as the
code before commit 507875a made them (they were ``superseded-before-sentence-masking.jsonl`` in
``benchmarks/results/imdb``); ``results/imdb`` the same runs rerun after it, and the NBoW runs,
which were never rerun. The benchmarks' account of that rerun read: frozen 85.34 to 85.30
(p = 0.85), fine-tuned 86.57 to 86.42 (p = 0.14).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from scipy import stats

from nlptransfer.bench.compare import (
    ONLY_NEW,
    ONLY_OLD,
    PAIRED,
    UNPAIRED,
    compare_results,
    comparison_table,
)
from nlptransfer.bench.results import ResultsStore
from nlptransfer.errors import ResultsNotFoundError

RESULTS = Path(__file__).parent / "results"
OLD, NEW = RESULTS / "imdb-before-sentence-masking", RESULTS / "imdb"


def _accuracies(folder: Path, model: str, mode: str) -> dict[str, float]:
    return {
        r["run_id"]: 100 * r["metrics"]["test"]["accuracy"]
        for r in ResultsStore(folder).records()
        if (r["model"], r["mode"]) == (model, mode)
    }


def test_cells_of_both_folders_are_paired_by_run_id_and_tested():
    changes = {(c.model, c.mode): c for c in compare_results(OLD, NEW)}
    assert list(changes) == [
        ("cnn", "frozen"),
        ("cnn", "finetune"),
        ("nbow", "frozen"),
        ("nbow", "finetune"),
    ]
    frozen, tuned = changes[("cnn", "frozen")], changes[("cnn", "finetune")]
    assert (frozen.status, frozen.pairs, frozen.old_runs, frozen.new_runs) == (PAIRED, 3, 3, 3)
    assert (frozen.dataset, frozen.vectors) == ("imdb", "glove.6B.100d.txt.gz")
    # the numbers the benchmarks' account of this rerun gave
    assert (round(frozen.old_mean, 2), round(frozen.new_mean, 2)) == (85.34, 85.30)
    assert (round(tuned.old_mean, 2), round(tuned.new_mean, 2)) == (86.57, 86.42)
    assert (round(frozen.t_p_value, 2), round(tuned.t_p_value, 2)) == (0.85, 0.14)
    # and scipy's paired t-test on the runs matched by id, whatever order the files hold them in
    old, new = _accuracies(OLD, "cnn", "finetune"), _accuracies(NEW, "cnn", "finetune")
    ids = sorted(old)
    expected = stats.ttest_rel([new[i] for i in ids], [old[i] for i in ids]).pvalue
    assert math.isclose(tuned.t_p_value, expected)
    assert math.isclose(tuned.difference, tuned.new_mean - tuned.old_mean)
    nbow = changes[("nbow", "frozen")]
    assert (nbow.status, nbow.pairs, nbow.old_mean, nbow.difference) == (ONLY_NEW, 0, None, None)
    assert round(nbow.new_mean, 2) == 73.50


def test_only_the_matched_runs_count_and_cells_in_one_folder_are_flagged(tmp_path):
    # OLD: imdb's CNN runs as they were, and an NBoW cell NEW lacks; NEW: one fine-tuned seed
    # fewer, and its frozen runs under other ids (as if the grid had changed their settings)
    old = ResultsStore(tmp_path / "old")
    for r in ResultsStore(OLD).records():
        old.append(r)
    nbow = [r for r in ResultsStore(NEW).records() if r["model"] == "nbow"]
    for r in nbow:
        old.append(r)
    new = ResultsStore(tmp_path / "new")
    for r in ResultsStore(NEW).records():
        if r["model"] == "nbow" or (r["mode"] == "finetune" and r["seed"] == 2):
            continue
        if r["mode"] == "frozen":
            r = {**r, "run_id": r["run_id"] + "-changed"}
        new.append(r)
    changes = {(c.model, c.mode): c for c in compare_results(old.folder, new.folder)}
    tuned = changes[("cnn", "finetune")]
    assert (tuned.status, tuned.pairs, tuned.old_runs, tuned.new_runs) == (PAIRED, 2, 3, 2)
    seeds01 = {
        r["run_id"]
        for r in ResultsStore(NEW).records()
        if (r["model"], r["mode"]) == ("cnn", "finetune") and r["seed"] != 2
    }
    old_acc = _accuracies(OLD, "cnn", "finetune")
    assert math.isclose(tuned.old_mean, sum(old_acc[i] for i in seeds01) / 2)
    frozen = changes[("cnn", "frozen")]
    assert (frozen.status, frozen.pairs, frozen.difference) == (UNPAIRED, 0, None)
    assert changes[("nbow", "finetune")].status == ONLY_OLD
    table = comparison_table(list(changes.values()))
    assert "| imdb | glove.6B.100d.txt.gz | cnn | 1 | finetune | 2 |" in table
    assert "unmatched runs: OLD 1, NEW 0" in table
    assert "**no run in common** (OLD 3, NEW 3 runs)" in table
    assert "| nbow | 1 | frozen | 0 | 73.50 | - | - | - | **only in OLD** (3 runs) |" in table
    assert table.endswith(
        "0 of 1 cells with two or more pairs moved at p < 0.05 (about 0.1 expected by chance alone)."
    )


def test_a_folder_without_runs_is_an_error_naming_it(tmp_path):
    shutil.copytree(NEW, tmp_path / "new")
    with pytest.raises(ResultsNotFoundError, match="old: no finished runs"):
        compare_results(tmp_path / "old", tmp_path / "new")


def test_the_fixtures_are_real_records_of_one_grid():
    # a guard on the data the tests above stand on: same run ids, other code
    old = {r["run_id"]: r for r in ResultsStore(OLD).records()}
    new = {r["run_id"]: r for r in ResultsStore(NEW).records()}
    assert len(old) == 6 and set(old) < set(new)
    assert all(new[i]["environment"]["commit"] for i in old)
    assert all("commit" not in old[i]["environment"] for i in old)
    assert json.dumps(old[next(iter(old))]["train"]) == json.dumps(new[next(iter(old))]["train"])


def test_a_folder_against_itself_moves_nothing():
    changes = compare_results(NEW, NEW)
    assert all(c.difference == 0 and c.t_p_value is None for c in changes)
    table = comparison_table(changes)
    assert table.count("| the same on every pair |") == 4
    assert "0 of 4 cells with two or more pairs moved" in table
