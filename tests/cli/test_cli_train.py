"""`nlptransfer train | predict | evaluate` as a user runs them, on Kim's SST-2 files."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from nlptransfer.cli.main import app
from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "safetensors")

runner = CliRunner()


@pytest.fixture(scope="module")
def small_sst2(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sst2")
    for split, n in (("train", 600), ("dev", 200), ("test", 200)):
        lines = (
            (shared_data / f"kim2014/stsa.binary.{split}").read_text(encoding="utf-8").splitlines()
        )
        (folder / f"{split}.txt").write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def model_folder(small_sst2, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "sst2"
    result = runner.invoke(
        app,
        [
            "--quiet",
            "train",
            "--train-file",
            str(small_sst2 / "train.txt"),
            "--dev-file",
            str(small_sst2 / "dev.txt"),
            "--test-file",
            str(small_sst2 / "test.txt"),
            "--vectors",
            "glove-6b-50d",
            "--model",
            "nbow",
            "--mode",
            "frozen",
            "--epochs",
            "3",
            "--optimizer",
            "adam",
            "--tokenizer",
            "whitespace",
            "--track-test",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test: accuracy" in result.output
    return out


def test_train_writes_a_model_folder(model_folder):
    metrics = json.loads((model_folder / "metrics.json").read_text())
    assert 0.5 <= metrics["test"]["accuracy"] <= 1.0
    config = json.loads((model_folder / "config.json").read_text())
    assert config["embedding"]["mode"] == "frozen" and config["classifier"]["name"] == "nbow"
    # --track-test: every epoch's test score, and the kept epoch's is the one reported
    history = metrics["history"]
    assert len(history) == 3 and all("test_accuracy" in h for h in history)
    assert history[metrics["best_epoch"] - 1]["test_accuracy"] == metrics["test"]["accuracy"]


def test_predict_text_and_file(model_folder, tmp_path):
    result = runner.invoke(
        app, ["predict", str(model_folder), "--text", "a wonderful , moving film", "--json"]
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[0])
    assert line["label"] in ("0", "1") and abs(sum(line["probabilities"].values()) - 1) < 1e-4
    texts = tmp_path / "texts.txt"
    texts.write_text("dull and tedious\n\nbrilliant\n")
    result = runner.invoke(app, ["predict", str(model_folder), "--file", str(texts)])
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 2


def test_evaluate_on_a_file_matches_training_metrics(model_folder, small_sst2):
    result = runner.invoke(
        app, ["evaluate", str(model_folder), "--test-file", str(small_sst2 / "test.txt"), "--json"]
    )
    assert result.exit_code == 0, result.output
    trained = json.loads((model_folder / "metrics.json").read_text())["test"]
    assert json.loads(result.stdout)["accuracy"] == pytest.approx(trained["accuracy"])


def test_usage_errors(model_folder):
    assert runner.invoke(app, ["predict", str(model_folder)]).exit_code != 0
    assert runner.invoke(app, ["train", "--out", "x", "--model", "gpt"]).exit_code != 0


def test_train_on_token_vectors_uses_their_tokenizer(small_sst2, tmp_path, caplog):
    """``--vectors wordllama-l2-256`` with no ``--tokenizer``: WordLlama's own, said in the log,
    saved in the model folder, and used by ``predict``."""
    from tests.static_models import wordllama_files

    wordllama_files()  # skips without the wordllama extra
    out = tmp_path / "wordllama-model"
    args = ["train", "--train-file", str(small_sst2 / "train.txt"), "--dev-file"]
    args += [str(small_sst2 / "dev.txt"), "--vectors", "wordllama-l2-256", "--model", "nbow"]
    args += ["--mode", "frozen", "--epochs", "1", "--out", str(out)]
    with caplog.at_level(logging.INFO, logger="nlptransfer.train.classify"):
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "tokenizing with the tokenizer that comes with the vectors wordllama-l2-256" in (
        caplog.text
    )
    config = json.loads((out / "config.json").read_text())
    assert config["tokenizer"]["name"] == "hf" and (out / "tokenizer.json").is_file()
    assert config["vectors"]["source"] == "wordllama-l2-256"
    result = runner.invoke(app, ["predict", str(out), "--text", "a gorgeous, witty film"])
    assert result.exit_code == 0, result.output


def test_lowercase_with_token_vectors_own_tokenizer_is_refused(small_sst2, tmp_path):
    """Their tokenizer decides case itself: --lowercase would be silently ignored."""
    from tests.static_models import wordllama_files

    wordllama_files()  # skips without the wordllama extra
    args = ["train", "--train-file", str(small_sst2 / "train.txt"), "--dev-file"]
    args += [str(small_sst2 / "dev.txt"), "--vectors", "wordllama-l2-256", "--lowercase"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "drop --lowercase, or name a tokenizer with --tokenizer" in result.stderr
    assert not (tmp_path / "m").exists()
