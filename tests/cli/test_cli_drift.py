"""`nlptransfer drift RUN` on a real fine-tuned classifier (SST-2 sentences, GloVe 50d)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nlptransfer.cli.main import app
from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "safetensors")

runner = CliRunner()


@pytest.fixture(scope="module")
def tuned(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift")
    lines = (shared_data / "kim2014/stsa.binary.train").read_text(encoding="utf-8").splitlines()
    (folder / "train.txt").write_text("\n".join(lines[:800]) + "\n", encoding="utf-8")
    out = folder / "compare" / "model"  # as `compare` leaves it: OUT/model
    args = "--quiet train --model nbow --mode finetune --epochs 2 --lr 0.01 --tokenizer whitespace"
    result = runner.invoke(
        app, [*args.split(), "--train-file", str(folder / "train.txt"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_drift_prints_kims_table_for_the_words_asked(tuned):
    result = runner.invoke(
        app, ["drift", str(tuned), "-k", "3", "--words", "bad,good", "--top", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "# What fine-tuning changed" in result.output
    assert "| `bad` |" in result.output and "| `good` |" in result.output
    assert "| `,` |" not in result.output  # only the words asked for


def test_drift_of_a_compare_folder_reads_its_model_and_json_is_json(tuned):
    result = runner.invoke(app, ["drift", str(tuned.parent), "--json", "--top", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["moved_most"]) == 3 and data["pretrained_rows"] > 100


def test_drift_of_something_else_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["drift", str(tmp_path)])
    assert result.exit_code != 0
    assert "expected a model folder" in result.output
