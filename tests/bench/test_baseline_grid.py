"""Baselines in a grid: named beside the neural models, expanded to the modes each takes."""

from __future__ import annotations

from collections import Counter

import pytest

from nlptransfer.bench.grid import expand_grid, select_runs
from nlptransfer.bench.schema import BenchConfigError, parse_bench_config

GRID = """\
name: g
datasets: [sst2]
vectors: [glove-6b-50d, /data/glove.6B.100d.txt.gz]
models: [cnn, tfidf-lr, fasttext, vectors-lr]
modes: [random, frozen, finetune]
seeds: [0, 1]
train_fraction: [0.5, 1.0]
model_options: {fasttext: {epoch: 5}}
"""


def _grid(text=GRID, **replace):
    for key, value in replace.items():
        text = "\n".join(
            f"{key}: {value}" if line.startswith(f"{key}:") else line for line in text.splitlines()
        )
    return parse_bench_config(text)


def test_each_model_runs_in_the_modes_it_takes_and_once_without_vectors():
    runs = expand_grid(_grid())
    count = Counter((r.model, r.mode, r.vectors) for r in runs)
    small, large = "glove-6b-50d", "/data/glove.6B.100d.txt.gz"
    per_cell = 4  # 2 seeds x 2 training fractions
    assert count == {
        **{
            ("cnn", mode, v): per_cell
            for mode in ("random", "frozen", "finetune")
            for v in (small, large)
        },
        ("tfidf-lr", "none", None): per_cell,
        ("fasttext", "random", None): per_cell,
        ("fasttext", "finetune", small): per_cell,
        ("fasttext", "finetune", large): per_cell,
        ("vectors-lr", "frozen", small): per_cell,
        ("vectors-lr", "frozen", large): per_cell,
    }
    assert len(runs) == 24 + 4 + 12 + 8 == len({r.run_id for r in runs})
    assert {r.system for r in runs} == {
        "cnn-random", "cnn-frozen", "cnn-finetune", "tfidf-lr", "fasttext", "fasttext-vectors",
        "vectors-lr",
    }  # fmt: skip
    tfidf = [r for r in runs if r.model == "tfidf-lr"]
    assert {(r.seed, r.train_fraction) for r in tfidf} == {(0, 0.5), (0, 1.0), (1, 0.5), (1, 1.0)}
    # a baseline's settings are its own options: the neural models' training settings, and the
    # tokenizer where it has its own, are not part of its run (nor of its id)
    assert all(r.train == {} and r.tokenizer == {} for r in tfidf)
    fasttext = [r for r in runs if r.model == "fasttext"]
    assert all(
        r.model_options == {"epoch": 5} and r.tokenizer == {"name": "spacy"} for r in fasttext
    )
    assert {r.system for r in select_runs(runs, ["vectors=none"])} == {"tfidf-lr", "fasttext"}
    assert [r.label() for r in select_runs(runs, ["model=tfidf-lr", "seed=1", "fraction=1"])] == [
        "sst2 tfidf-lr seed 1"
    ]


def test_a_grid_of_one_mode_runs_the_baselines_that_take_it():
    runs = expand_grid(_grid(modes="[frozen]", models="[tfidf-lr, vectors-lr]", seeds="[0]"))
    assert Counter((r.model, r.mode) for r in runs) == {
        ("tfidf-lr", "none"): 2,
        ("vectors-lr", "frozen"): 4,
    }


@pytest.mark.parametrize(
    ("models", "modes", "message"),
    [
        (
            "[cnn, fasttext]",
            "[frozen]",
            "the baseline 'fasttext' runs in none of the grid's modes "
            "(frozen): fasttext does not run in mode 'frozen': fastText always updates its word vectors",
        ),
        (
            "[vectors-lr]",
            "[random, finetune]",
            "the baseline 'vectors-lr' runs in none of the grid's modes (random, finetune)",
        ),
        ("[fasttext]", "[multichannel]", "Add one of random, finetune to 'modes'"),
    ],
)
def test_a_grid_asking_only_for_modes_a_baseline_cannot_take_is_an_error(models, modes, message):
    with pytest.raises(BenchConfigError, match=r"^<config>: ") as raised:
        expand_grid(_grid(models=models, modes=modes))
    assert message in str(raised.value)


def test_mode_variants_are_the_neural_models_own():
    text = GRID.replace(
        "modes: [random, frozen, finetune]",
        "modes: [frozen, {name: gradual, mode: finetune, embedding: {unfreeze_at: 2}}]",
    ).replace("tfidf-lr, fasttext, vectors-lr", "tfidf-lr, vectors-lr")
    runs = expand_grid(parse_bench_config(text))
    assert {r.arm for r in runs if r.model == "cnn"} == {"frozen", "gradual"}
    assert {r.arm for r in runs if r.model == "vectors-lr"} == {"frozen"}
    with pytest.raises(BenchConfigError, match="'gradual' is a variant of the neural models"):
        expand_grid(parse_bench_config(text.replace("tfidf-lr, vectors-lr", "fasttext")))


def test_the_schema_names_baselines_and_their_options_and_catches_typos():
    cfg = _grid(models="[CNN, TFIDF-LR]")
    assert cfg.models == ["cnn", "tfidf-lr"] and cfg.model_options == {"fasttext": {"epoch": 5}}
    with pytest.raises(
        BenchConfigError,
        match=r"line 4: unknown value 'tfidf' in 'models': "
        r"unknown model 'tfidf'; did you mean 'tfidf-lr'\?",
    ):
        _grid(models="[cnn, tfidf]")
    with pytest.raises(BenchConfigError, match="unknown key 'fastext' in 'model_options'"):
        _grid(model_options="{fastext: {epoch: 5}}")
