"""The file options on the command line: what users have, read right or refused in one line.

Files are written as published (real SST-2 rows): a Kim ``.all`` file with label-only lines and
a headerless ``sentence<TAB>label`` ``.txt``.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from nlptransfer.cli.data_options import FORMATS, load_dataset_options
from nlptransfer.cli.main import app
from nlptransfer.data.readers import FILE_FORMATS
from tests.conftest import skip_unless_installed

runner = CliRunner()


def test_formats_are_the_readers():
    assert FORMATS == FILE_FORMATS


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ({"format": "xlsx"}, "--format"),
        ({"columns": "text"}, "--columns"),
        ({"columns": "text,label", "header": True}, "--columns"),
        ({"on_bad_rows": "ignore"}, "--on-bad-rows"),
        ({"label_names": "pos,pos"}, "--label-names"),
    ],
)
def test_bad_option_values_name_their_flag(options, hint):
    with pytest.raises(typer.BadParameter) as error:
        load_dataset_options(**options)
    assert error.value.param_hint == hint


def test_options_become_load_dataset_arguments():
    assert load_dataset_options() == {"on_bad_rows": "error"}
    assert load_dataset_options(
        text_column=["Title", "Description"],
        label_column="Class Index",
        format="CSV",
        label_names="World,Sports",
        on_bad_rows="warn",
    ) == {
        "text_column": ["Title", "Description"],
        "label_column": "Class Index",
        "format": "csv",
        "label_names": ["World", "Sports"],
        "on_bad_rows": "warn",
    }


@pytest.fixture
def sst_lines(shared_file):
    path = shared_file("kim2014/stsa.binary.train")
    return path.read_text(encoding="utf-8").splitlines()[:400]


def _train(*args):
    return [
        "train",
        "--vectors",
        "glove-6b-50d",
        "--model",
        "nbow",
        "--mode",
        "frozen",
        "--epochs",
        "1",
        "--tokenizer",
        "whitespace",
        *args,
    ]


def test_kim_file_with_label_only_lines_names_the_cli_flag_then_trains(
    sst_lines, tmp_path, monkeypatch
):
    skip_unless_installed("torch", "datasets")
    monkeypatch.delenv("NLPTRANSFER_QUIET", raising=False)  # another test's --quiet
    lines = list(sst_lines)
    for at in (3, 90, 91, 300):
        lines[at] = lines[at].split(" ", 1)[0]
    path = tmp_path / "reviews.all"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    result = runner.invoke(app, _train("--train-file", str(path), "--out", str(out)))
    assert result.exit_code != 0
    assert "4 bad rows" in result.stderr and "--on-bad-rows warn" in result.stderr
    assert not out.exists()
    result = runner.invoke(
        app, _train("--train-file", str(path), "--out", str(out), "--on-bad-rows", "warn")
    )
    assert result.exit_code == 0, result.output
    assert "396 rows" in result.stdout and "tokens per text" in result.stdout  # the summary
    summary = json.loads((out / "data-summary.json").read_text())
    assert sum(summary["rows"].values()) == 396
    assert summary["coverage"]["vectors"] == "glove-6b-50d"


def test_headerless_tsv_named_txt_is_refused_then_read_with_the_options(sst_lines, tmp_path):
    skip_unless_installed("torch", "datasets")
    path = tmp_path / "reviews.txt"
    path.write_text(
        "".join(f"{line.split(' ', 1)[1]}\t{line.split(' ', 1)[0]}\n" for line in sst_lines),
        encoding="utf-8",
    )
    out = tmp_path / "model"
    result = runner.invoke(app, _train("--train-file", str(path), "--out", str(out)))
    assert result.exit_code != 0
    assert "--format tsv" in result.stderr and "--no-header" in result.stderr
    options = ["--format", "tsv", "--no-header", "--columns", "text,label"]
    result = runner.invoke(app, _train("--train-file", str(path), "--out", str(out), *options))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "data-summary.json").read_text())
    assert summary["label_names"] == ["0", "1"] and sum(summary["rows"].values()) == 400
    result = runner.invoke(
        app, ["evaluate", str(out), "--test-file", str(path), "--json", *options]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["examples"] == 400
