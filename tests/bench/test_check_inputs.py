"""``bench --dry-run`` refuses what the first run would refuse, and a worker's error keeps its message.

Each grid below passed the dry run before these checks (it validated the YAML's shape, the
vectors and that dataset files exist) and then failed at the first run, hours later in a big grid
or as a ``BrokenProcessPool`` with ``--jobs 2``. The data is real SST-2 rows.
"""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from nlptransfer.bench.grid import RunSpec
from nlptransfer.bench.runner import _run_pool
from nlptransfer.cli.main import app
from nlptransfer.errors import BadRowsError

runner = CliRunner()

GRID = """\
name: checked
datasets:
  - {dataset}
vectors: [glove-6b-50d]
models: [nbow]
modes: [frozen]
seeds: [0]
max_train_examples: 100
train: {{epochs: 1, batch_size: 50}}
tokenizer: {tokenizer}
"""


@pytest.fixture
def reviews(shared_file, tmp_path):
    """A CSV of 300 real SST-2 rows, its own column names (sentence, polarity)."""
    lines = shared_file("kim2014/stsa.binary.train").read_text(encoding="utf-8").splitlines()
    rows = [line.split(" ", 1) for line in lines[:300]]
    path = tmp_path / "reviews.csv"
    path.write_text(
        "polarity,sentence\n" + "".join(f'{label},"{text}"\n' for label, text in rows),
        encoding="utf-8",
    )
    return path


def _grid(tmp_path, reviews, extra="", dataset=None, tokenizer="{name: whitespace}"):
    dataset = dataset or f"{{name: reviews, train_file: {reviews}}}"
    config = tmp_path / "grid.yaml"
    config.write_text(GRID.format(dataset=dataset, tokenizer=tokenizer) + extra, encoding="utf-8")
    return config


def _dry_run(config, tmp_path, *options):
    out = tmp_path / "out"
    result = runner.invoke(app, ["bench", str(config), "--out", str(out), "--dry-run", *options])
    assert not out.exists()
    return result


def test_a_good_grid_passes_and_shows_each_dataset(tmp_path, reviews):
    result = _dry_run(_grid(tmp_path, reviews), tmp_path)
    assert result.exit_code == 0, result.output
    assert "reviews.csv: 300 rows (train 243, dev 27, test 30), 2 classes" in result.stdout


@pytest.mark.parametrize(
    ("extra", "tokenizer", "expected"),
    [
        (
            "model_options: {nbow: {hidden_size: 50}}\n",
            "{name: whitespace}",
            "the grid's 'model_options' of 'nbow' would be refused: bad options for classifier",
        ),
        ("", "{name: regex, pattern: '(unclosed'}", "the grid's 'tokenizer' would be refused"),
        ("", "{name: whitespace, max_tokens: 0}", "max_tokens must be >= 1"),
        ("embedding: {oov: gaussian}\n", "{name: whitespace}", "'embedding' options"),
        ("vocab: {min_freq: two}\n", "{name: whitespace}", "min_freq: expected a whole number"),
    ],
    ids=["model option", "regex", "tokenizer option", "oov policy", "vocab option"],
)
def test_an_arm_that_the_run_would_refuse_fails_the_dry_run(
    tmp_path, reviews, extra, tokenizer, expected
):
    result = _dry_run(_grid(tmp_path, reviews, extra, tokenizer=tokenizer), tmp_path)
    assert result.exit_code == 1, result.output
    assert "run reviews nbow frozen seed 0" in result.stderr
    assert expected in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ("{name: nosuch}", "'nosuch' is neither an existing file or folder"),
        ("{name: r, train_file: REVIEWS, text_column: review}", "no column 'review'"),
        ("{name: r, train_file: REVIEWS, format: xlsx}", "unknown format 'xlsx'"),
        ("{name: r, train_file: REVIEWS, format: tsv}", "cannot tell which column holds"),
    ],
    ids=["dataset name", "text column", "format", "wrong format"],
)
def test_a_dataset_that_the_run_would_refuse_fails_the_dry_run(
    tmp_path, reviews, dataset, expected
):
    config = _grid(tmp_path, reviews, dataset=dataset.replace("REVIEWS", str(reviews)))
    result = _dry_run(config, tmp_path)
    assert result.exit_code == 1, result.output
    assert expected in " ".join(result.stderr.split())


def _with_bad_rows(reviews):
    lines = reviews.read_text(encoding="utf-8").splitlines()
    lines[10] = "1,"  # a label and no text
    lines[20] = ',"a review without its label"'
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_rows_fail_the_dry_run_naming_the_grid_key_then_warn_passes(tmp_path, reviews):
    _with_bad_rows(reviews)
    result = _dry_run(_grid(tmp_path, reviews), tmp_path)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "2 bad rows in" in message and "on_bad_rows: warn in a grid's dataset" in message
    dataset = f"{{name: reviews, train_file: {reviews}, on_bad_rows: warn}}"
    result = _dry_run(_grid(tmp_path, reviews, dataset=dataset), tmp_path)
    assert result.exit_code == 0, result.output


def test_a_grid_run_keeps_its_data_summary(tmp_path, reviews):
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["--quiet", "bench", str(_grid(tmp_path, reviews)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "data-summary.json").read_text())
    assert summary["reviews"]["rows"] == {"train": 243, "dev": 27, "test": 30}


def test_bench_jobs_2_with_bad_rows_shows_the_message_not_a_broken_pool(tmp_path, reviews):
    _with_bad_rows(reviews)
    config = _grid(tmp_path, reviews).read_text().replace("seeds: [0]", "seeds: [0, 1]")
    (tmp_path / "grid.yaml").write_text(config)
    result = runner.invoke(
        app,
        [
            "--quiet",
            "bench",
            str(tmp_path / "grid.yaml"),
            "--jobs",
            "2",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1
    assert "2 bad rows in" in result.stderr and "BrokenProcessPool" not in result.stderr


def test_a_worker_error_reaches_the_parent_through_the_pool(tmp_path, reviews, caplog):
    """Past the checks (a file changed after them): the pool hands the worker's error back."""
    _with_bad_rows(reviews)
    spec = RunSpec(
        dataset={"name": "reviews", "train_file": str(reviews)},
        vectors="glove-6b-50d",
        model="nbow",
        mode="frozen",
        seed=0,
        fold=None,
        n_folds=None,
        train_fraction=1.0,
        max_train_examples=100,
        train={"epochs": 1},
        tokenizer={"name": "whitespace"},
    )
    with caplog.at_level(logging.ERROR), pytest.raises(BadRowsError) as error:
        _run_pool([spec, spec], 2, lambda record, running: None)
    assert "2 bad rows in" in str(error.value) and len(error.value.rows) == 2


def test_grid_formats_are_the_readers():
    from nlptransfer.bench.schema import _FORMATS
    from nlptransfer.data.readers import FILE_FORMATS

    assert _FORMATS == FILE_FORMATS


def test_grid_dataset_file_options_are_typed(tmp_path, reviews):
    from nlptransfer.bench.schema import BenchConfigError, parse_bench_config

    base = GRID.format(dataset="DATASET", tokenizer="{name: whitespace}")
    good = (
        "{name: r, train_file: f.tsv, header: false, columns: 'text,label', label_names: 'neg,pos'}"
    )
    spec = parse_bench_config(base.replace("DATASET", good)).datasets[0]
    assert spec.header is False and spec.columns == ["text", "label"]
    assert spec.label_names == ["neg", "pos"]
    multi = "{name: r, train_file: f.csv, text_column: [title, description]}"
    assert parse_bench_config(base.replace("DATASET", multi)).datasets[0].text_column == [
        "title",
        "description",
    ]
    for bad, message in [
        ("{name: r, train_file: f.tsv, header: no_thanks}", "expected true or false for 'header'"),
        ("{name: r, train_file: f.tsv, columns: 'text,label'}", "add 'header: false'"),
        ("{name: r, train_file: f.tsv, on_bad_rows: skip}", "expected error or warn"),
    ]:
        with pytest.raises(BenchConfigError, match=message):
            parse_bench_config(base.replace("DATASET", bad), "grid.yaml")
