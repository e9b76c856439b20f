"""Benchmark configs: valid grids parse; every kind of mistake names its line and key."""

from __future__ import annotations

import pytest

from nlptransfer.bench.schema import BenchConfigError, load_bench_config, parse_bench_config
from tests.conftest import REPO

GOOD = """\
name: kim2014
datasets: [mr, {name: mine, train_file: "${HOME}/train.txt", format: kim}]
vectors: ["${HOME}/glove.txt.gz", glove-6b-50d]
models: [cnn, nbow]
modes: [random, frozen, finetune, multichannel]
seeds: [0, 1, 2]
train_fraction: [0.1, 1.0]
train: {epochs: 3, optimizer: adam, batch_size: 32}
model_options: {cnn: {filters: 50}}
embedding: {oov: zero}
tokenizer: {name: whitespace, lowercase: true}
"""


def test_a_full_config(monkeypatch):
    monkeypatch.setenv("HOME", "/data")
    cfg = parse_bench_config(GOOD, "grid.yaml")
    assert cfg.vectors == ["/data/glove.txt.gz", "glove-6b-50d"]
    assert cfg.datasets[1].train_file == "/data/train.txt" and cfg.datasets[1].format == "kim"
    assert cfg.train == {"epochs": 3, "optimizer": "adam", "batch_size": 32}
    assert cfg.model_options == {"cnn": {"filters": 50}}
    assert cfg.train_fraction == [0.1, 1.0]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            ("models: [cnn, nbow]", "models: [cnn, transformer]"),
            4,
            "unknown value 'transformer' in 'models'",
        ),
        (
            ("models: [cnn, nbow]", "models: [cnn, nbw]"),
            4,
            "unknown model 'nbw'; did you mean 'nbow'?",
        ),
        (
            ("datasets: [mr,", "datasets: [trek,"),
            2,
            "unknown value 'trek' in 'datasets': unknown dataset 'trek'; did you mean 'trec'?",
        ),
        (
            ("name: whitespace", "name: whitespce"),
            11,
            "unknown tokenizer 'whitespce'; did you mean 'whitespace'?",
        ),
        (("modes: [random,", "modes: [static,"), 5, "unknown value 'static' in 'modes'"),
        (
            (
                'datasets: [mr, {name: mine, train_file: "${HOME}/train.txt", format: kim}]',
                "datasets: []",
            ),
            2,
            "'datasets' must not be empty",
        ),
        (("models: [cnn, nbow]", "models: []"), 4, "'models' must not be empty"),
        (("seeds: [0, 1, 2]", "seeds: [0, one]"), 6, "list of integers for 'seeds'"),
        (("train_fraction: [0.1, 1.0]", "train_fraction: [0, 1.5]"), 7, "fractions in (0, 1]"),
        (("batch_size: 32", "batchsize: 32"), 8, "unknown key 'batchsize' in 'train'"),
        (("optimizer: adam", "optimizer: lbfgs"), 8, "unknown optimizer 'lbfgs'"),
        (("cnn: {filters: 50}", "lstm: {filters: 50}"), 9, "unknown key 'lstm' in 'model_options'"),
        (("tokenizer:", "tokeniser:"), 11, "unknown key 'tokeniser' in the config"),
        (("format: kim}", "fmt: kim}"), 2, "unknown key 'fmt' in a dataset"),
        (
            ("format: kim}", "format: kim, train: {epoch: 9}}"),
            2,
            "unknown key 'epoch' in the 'train' of dataset 'mine'",
        ),
        (
            ("format: kim}", "format: kim, train: {optimizer: lbfgs}}"),
            2,
            "unknown optimizer 'lbfgs'",
        ),
    ],
)
def test_mistakes_name_the_line_and_key(monkeypatch, change, line, message):
    monkeypatch.setenv("HOME", "/data")
    bad = GOOD.replace(*change)
    assert bad != GOOD
    with pytest.raises(BenchConfigError) as info:
        parse_bench_config(bad, "grid.yaml")
    assert f"grid.yaml, line {line}:" in str(info.value)
    assert message in str(info.value)


def test_registered_names_are_taken_in_any_case_and_datasets_by_path_too(monkeypatch):
    monkeypatch.setenv("HOME", "/data")
    text = GOOD.replace("models: [cnn, nbow]", "models: [CNN, NBoW]").replace(
        "name: whitespace", "name: Whitespace"
    )
    text = text.replace("datasets: [mr,", "datasets: [SST-2, data/reviews.csv,")
    cfg = parse_bench_config(text, "grid.yaml")
    assert cfg.models == ["cnn", "nbow"] and cfg.tokenizer["name"] == "whitespace"
    # dataset names stay as given (run ids depend on them): an alias, or a path to load
    assert [d.name for d in cfg.datasets] == ["SST-2", "data/reviews.csv", "mine"]


VARIANTS = """\
name: strategies
datasets: [sst2]
vectors: [glove-6b-50d]
modes:
  - frozen
  - finetune
  - {name: gradual, mode: finetune, embedding: {unfreeze_at: 2}}
  - {name: slow, mode: finetune, embedding: {lr_scale: 0.1, oov: zero}}
embedding: {oov: {name: uniform, scale: 0.25}, l2_to_pretrained: 0.001}
"""


def test_mode_variants():
    cfg = parse_bench_config(VARIANTS)
    assert cfg.modes == ["frozen", "finetune", "gradual", "slow"]
    assert cfg.variants["gradual"].mode == "finetune"
    assert cfg.variants["gradual"].embedding == {"unfreeze_at": 2}
    assert cfg.variants["slow"].embedding == {"lr_scale": 0.1, "oov": "zero"}
    assert set(cfg.variants) == {"gradual", "slow"}


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            ("mode: finetune, embedding: {unfreeze", "mode: tuned, embedding: {unfreeze"),
            7,
            "unknown value 'tuned' in 'mode'",
        ),
        (("{name: gradual, ", "{"), 7, "a mode variant needs a 'name'"),
        (("name: gradual", "name: frozen"), 7, "must not be a mode's: 'frozen'"),
        (("name: slow", "name: gradual"), 8, "mode 'gradual' is listed twice"),
        (
            ("lr_scale: 0.1", "lr_sacle: 0.1"),
            8,
            "unknown key 'lr_sacle' in the 'embedding' of mode 'slow'",
        ),
        (
            ("embedding: {unfreeze_at: 2}}", "embedding: {unfreeze_at: 2}, lr: 1}"),
            7,
            "unknown key 'lr' in a mode variant",
        ),
        # every arm's options are checked, the grid's embedding section under a variant's own
        (
            ("mode: finetune, embedding: {unfreeze", "mode: frozen, embedding: {unfreeze"),
            7,
            "mode 'gradual': unfreeze_at applies to mode 'finetune' only",
        ),
        (
            ("l2_to_pretrained: 0.001", "l2_to_pretrained: -1"),
            9,
            "mode 'frozen': l2_to_pretrained must be a number >= 0",
        ),
    ],
)
def test_mode_variant_mistakes_name_the_line(change, line, message):
    bad = VARIANTS.replace(*change)
    assert bad != VARIANTS
    with pytest.raises(BenchConfigError) as info:
        parse_bench_config(bad, "grid.yaml")
    assert f"grid.yaml, line {line}:" in str(info.value)
    assert message in str(info.value)


def test_unset_variable(monkeypatch):
    monkeypatch.delenv("NLPTRANSFER_NOPE", raising=False)
    text = "name: x\ndatasets: [sst2]\nvectors: ['${NLPTRANSFER_NOPE}/v.txt']\n"
    with pytest.raises(BenchConfigError, match=r"line 3: \$\{NLPTRANSFER_NOPE\} is used but"):
        parse_bench_config(text)


def test_missing_required_and_broken_yaml():
    with pytest.raises(BenchConfigError, match="missing required key 'vectors'"):
        parse_bench_config("name: x\ndatasets: [sst2]\n")
    with pytest.raises(BenchConfigError, match="line 3: invalid YAML"):
        parse_bench_config("name: x\ndatasets: [sst2\nvectors: [a]\n")


@pytest.mark.parametrize("path", sorted((REPO / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_are_valid(path, monkeypatch, shared_data):
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    cfg = load_bench_config(path)
    assert cfg.name and cfg.datasets and cfg.vectors
