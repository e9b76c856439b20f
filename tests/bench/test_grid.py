"""Grid expansion: counts, cross-validation folds as replications, random runs once, stable ids."""

from __future__ import annotations

import pytest

from nlptransfer.bench.grid import SELECTORS, expand_grid, select_runs
from nlptransfer.bench.names import SELECTOR_KEYS
from nlptransfer.bench.schema import parse_bench_config

CONFIG = """\
name: g
datasets: [mr, sst2]
vectors: [a.txt, b.txt]
modes: [random, frozen, finetune]
seeds: [0, 1]
cv_folds: 3
"""


def test_counts_and_folds_as_replications():
    runs = expand_grid(parse_bench_config(CONFIG))
    mr = [r for r in runs if r.dataset["name"] == "mr"]
    sst2 = [r for r in runs if r.dataset["name"] == "sst2"]
    # mr: 3 folds x 2 vectors x 3 modes; sst2: 2 seeds x 2 vectors x 3 modes
    assert len(mr) == 3 * 6 and len(sst2) == 2 * 6
    assert {r.fold for r in mr} == {0, 1, 2} and {r.fold for r in sst2} == {None}
    # random rows take each vectors file's dimension and spread, so random runs per vectors
    assert {r.vectors for r in runs if r.mode == "random"} == {"a.txt", "b.txt"}
    assert {r.replicate for r in mr} == {0, 1, 2}


def test_cross_validation_follows_the_catalogue_aliases_included():
    config = CONFIG.replace("datasets: [mr, sst2]", "datasets: [rotten_tomatoes, subj, trec]")
    runs = expand_grid(parse_bench_config(config))
    folds = {
        name: {r.fold for r in runs if r.dataset["name"] == name}
        for name in ("rotten_tomatoes", "subj", "trec")
    }
    assert folds == {"rotten_tomatoes": {0, 1, 2}, "subj": {0, 1, 2}, "trec": {None}}


def test_run_ids_are_stable_and_distinct():
    first = [r.run_id for r in expand_grid(parse_bench_config(CONFIG))]
    second = [r.run_id for r in expand_grid(parse_bench_config(CONFIG))]
    assert first == second and len(set(first)) == len(first)
    changed = [r.run_id for r in expand_grid(parse_bench_config(CONFIG + "train: {epochs: 2}\n"))]
    assert not set(changed) & set(first)


def test_the_default_optimizer_is_part_of_the_run_id():
    # A grid that leaves the optimizer to the default ran Adadelta before the default became
    # Adam: resuming it must rerun those runs, not count them as Adam ones.
    implicit = expand_grid(parse_bench_config(CONFIG + "train: {epochs: 2}\n"))
    adam = expand_grid(parse_bench_config(CONFIG + "train: {epochs: 2, optimizer: adam}\n"))
    adadelta = expand_grid(parse_bench_config(CONFIG + "train: {epochs: 2, optimizer: adadelta}\n"))
    assert {r.train["optimizer"] for r in implicit} == {"adam"}
    assert [r.run_id for r in implicit] == [r.run_id for r in adam]
    assert not {r.run_id for r in implicit} & {r.run_id for r in adadelta}


def test_a_dataset_can_override_training_settings():
    config = CONFIG.replace("[mr, sst2]", "[mr, {name: sst2, train: {epochs: 25, patience: 5}}]")
    config += "train: {epochs: 15, optimizer: adam, patience: 3}\n"
    runs = expand_grid(parse_bench_config(config))
    trains = {r.dataset["name"]: r.train for r in runs}
    assert trains["mr"] == {"epochs": 15, "optimizer": "adam", "patience": 3}
    assert trains["sst2"] == {"epochs": 25, "optimizer": "adam", "patience": 5}
    assert all("train" not in r.dataset for r in runs)  # not passed on to load_dataset
    # the other datasets' runs keep their ids, so a resumed grid reruns only what changed
    plain = expand_grid(
        parse_bench_config(CONFIG + "train: {epochs: 15, optimizer: adam, patience: 3}\n")
    )
    ids = {r.run_id for r in plain}
    assert {r.run_id for r in runs if r.dataset["name"] == "mr"} <= ids
    assert not {r.run_id for r in runs if r.dataset["name"] == "sst2"} & ids


def test_mode_variants_run_their_mode_with_their_options_and_keep_plain_ids():
    plain = expand_grid(parse_bench_config(CONFIG))
    config = CONFIG.replace(
        "modes: [random, frozen, finetune]",
        "modes: [random, frozen, finetune, {name: gradual, mode: finetune, "
        "embedding: {unfreeze_at: 2}}]",
    )
    runs = expand_grid(parse_bench_config(config + "embedding: {oov: zero}\n"))
    gradual = [r for r in runs if r.variant == "gradual"]
    assert len(gradual) == 3 * 2 + 2 * 2  # mr: 3 folds x 2 vectors; sst2: 2 seeds x 2 vectors
    assert {r.mode for r in gradual} == {"finetune"} and {r.arm for r in gradual} == {"gradual"}
    assert all(r.embedding == {"oov": "zero", "unfreeze_at": 2} for r in gradual)
    assert "gradual" in gradual[0].label()
    # a plain finetune run and the variant differ, and adding a variant leaves plain ids alone
    again = expand_grid(parse_bench_config(config))
    assert {r.run_id for r in plain} <= {r.run_id for r in again}
    assert len({r.run_id for r in again}) == len(again) == len(plain) + len(gradual)


def test_select_runs_narrows_by_every_filter():
    config = CONFIG.replace(
        "modes: [random, frozen, finetune]",
        "modes: [random, frozen, {name: gradual, mode: finetune, embedding: {unfreeze_at: 2}}]",
    )
    runs = expand_grid(parse_bench_config(config))
    chosen = select_runs(runs, ["dataset=sst2", "mode=frozen,gradual", "vectors=b.txt"])
    assert sorted((r.arm, r.seed) for r in chosen) == [
        ("frozen", 0),
        ("frozen", 1),
        ("gradual", 0),
        ("gradual", 1),
    ]
    # a variant is also found by its embedding mode; folds and seeds are read as text
    assert {r.arm for r in select_runs(runs, ["mode=finetune"])} == {"gradual"}
    assert {r.fold for r in select_runs(runs, ["fold=2"])} == {2}
    assert select_runs(runs, []) == runs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model=bilstm,nbow", "matches no run; the grid's model values: cnn"),
        ("seed=7", "the grid's seed values: 0, 1, 2"),
        ("colour=red", "KEY one of dataset, vectors, model, mode, seed, fold, fraction"),
        ("dataset", "expected KEY=VALUE"),
        ("dataset=", "expected KEY=VALUE"),
    ],
)
def test_select_runs_errors_name_what_the_grid_has(text, message):
    runs = expand_grid(parse_bench_config(CONFIG))
    with pytest.raises(ValueError, match=message):
        select_runs(runs, [text])


def test_selector_keys_are_the_selectors():
    """The torch-free list the command line's help shows is what select_runs understands."""
    assert tuple(SELECTORS) == SELECTOR_KEYS
