"""`nlptransfer export` as a user runs it, on a classifier trained on Kim's SST-2 sentences."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nlptransfer.cli.main import app
from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "safetensors", "onnx", "onnxruntime")

from nlptransfer import load_classifier  # noqa: E402
from nlptransfer.deploy.onnx_card import update_model_card  # noqa: E402
from tests.deploy.sst2_models import trained_folder  # noqa: E402

runner = CliRunner()


@pytest.fixture
def folder(tmp_path_factory, tmp_path):
    """A copy of the trained NBoW folder without its ONNX files."""
    import shutil

    copy = shutil.copytree(trained_folder("nbow", tmp_path_factory), tmp_path / "run")
    for name in ("model.onnx", "model.int8.onnx"):
        (copy / name).unlink()
    update_model_card(copy)  # no ONNX file left: the section goes
    assert "## ONNX" not in (copy / "README.md").read_text()
    return copy


def test_export_writes_the_files_into_the_model_folder(folder):
    result = runner.invoke(app, ["export", str(folder), "--to", "onnx"])
    assert result.exit_code == 0, result.output
    assert f"wrote {folder / 'model.onnx'}" in result.output and "float32" in result.output
    result = runner.invoke(app, ["export", str(folder), "--quantize", "int8"])
    assert result.exit_code == 0, result.output
    assert (folder / "model.int8.onnx").is_file()
    card = (folder / "README.md").read_text()
    assert card.count("## ONNX") == 1 and "model.int8.onnx" in card
    texts = ["a wonderful , moving film", "tedious"]
    assert [p.label for p in load_classifier(folder, backend="onnx").predict(texts)] == [
        p.label for p in load_classifier(folder).predict(texts)
    ]


def test_out_names_the_file(folder, tmp_path):
    out = tmp_path / "elsewhere" / "sentiment.onnx"
    result = runner.invoke(app, ["export", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and not (folder / "model.onnx").exists()
    assert "## ONNX" not in (folder / "README.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--to", "coreml"], "expected one of onnx"), (["--quantize", "int4"], "expected int8")],
)
def test_usage_errors(folder, args, message):
    result = runner.invoke(app, ["export", str(folder), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (folder / "model.onnx").exists()


def test_a_folder_that_is_not_a_model_is_one_line(tmp_path):
    result = runner.invoke(app, ["export", str(tmp_path)])
    assert result.exit_code == 1
    assert "expected a model folder with config.json" in result.output
