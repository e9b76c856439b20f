"""The ONNX predictor: PyTorch's answers from onnxruntime and numpy, in a process without torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "safetensors", "onnx", "onnxruntime")

from nlptransfer import Prediction, load_classifier  # noqa: E402
from nlptransfer.deploy.onnx_export import TOLERANCE  # noqa: E402
from nlptransfer.deploy.onnx_predictor import (  # noqa: E402
    INT8_FILE,
    ONNX_FILE,
    OnnxClassifier,
    load_onnx_classifier,
)
from nlptransfer.errors import DatasetError, NLPTransferError, UnknownNameError  # noqa: E402
from tests.deploy.sst2_models import LABELS, sst2_test, trained_folder  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["a gorgeous , witty , seductive movie .", "dull and lifeless", "", "the the the"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return trained_folder("cnn", tmp_path_factory)


@pytest.fixture
def copied(folder, tmp_path):
    """A copy of the trained folder that a test may break."""
    return Path(shutil.copytree(folder, tmp_path / "model"))


#: Prepended for an install without PyTorch: importing torch (or safetensors) then fails.
BLOCK_TORCH = """
import sys
sys.modules["torch"] = None
sys.modules["safetensors"] = None
"""
PREDICT_WITHOUT_TORCH = """
import json, sys
import nlptransfer
model = nlptransfer.load_classifier(sys.argv[1], backend=sys.argv[2])
texts = json.loads(sys.argv[3])
out = {
    "labels": [p.label for p in model.predict(texts)],
    "proba": model.predict_proba(texts).tolist(),
    "label_names": model.label_names,
    "type": type(model).__name__,
    "torch_loaded": sys.modules.get("torch") is not None,
    "loaded": sorted(
        m for m in ("torch", "safetensors", "onnx", "datasets") if sys.modules.get(m) is not None
    ),
}
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    ("backend", "blocked"), [("onnx", False), ("onnx-int8", False), ("onnx", True)]
)
def test_a_process_predicts_without_ever_importing_torch(folder, backend, blocked):
    """Without importing torch, and (blocked) where torch cannot be imported at all."""
    code = (BLOCK_TORCH if blocked else "") + PREDICT_WITHOUT_TORCH
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), backend, json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["torch_loaded"] is False and out["loaded"] == []
    assert out["type"] == "OnnxClassifier" and out["label_names"] == LABELS
    torch_model = load_classifier(folder)  # here, in the parent: PyTorch's answers
    expected = torch_model.predict_proba(TEXTS)
    if backend == "onnx":
        np.testing.assert_allclose(np.array(out["proba"]), expected, rtol=0, atol=TOLERANCE)
        assert out["labels"] == [p.label for p in torch_model.predict(TEXTS)]
    else:
        np.testing.assert_allclose(np.array(out["proba"]), expected, rtol=0, atol=0.05)


def test_it_answers_as_the_pytorch_pipeline_does(folder):
    torch_model = load_classifier(folder)
    onnx_model = load_classifier(folder, backend="onnx")
    assert isinstance(onnx_model, OnnxClassifier) and onnx_model.label_names == LABELS
    assert onnx_model.info == torch_model.info and onnx_model.metrics == torch_model.metrics
    mine, theirs = onnx_model.predict(TEXTS[0])[0], torch_model.predict(TEXTS[0])[0]
    assert isinstance(mine, Prediction) and mine.label == theirs.label
    assert mine.probability == pytest.approx(theirs.probability, abs=TOLERANCE)
    assert mine.probabilities.keys() == theirs.probabilities.keys()
    texts, gold = sst2_test()
    scores = onnx_model.evaluate(texts, gold)
    assert scores == torch_model.evaluate(texts, gold)
    assert scores["examples"] == len(texts) == 1821
    assert onnx_model.predict_proba([]).shape == (0, 2)
    with pytest.raises(DatasetError, match="'neutral' is not one of the model's labels"):
        onnx_model.evaluate(["good"], ["neutral"])


def test_batches_change_nothing(folder):
    model = load_classifier(folder, backend="onnx")
    texts = sst2_test()[0][:300]
    np.testing.assert_allclose(
        model.predict_proba(texts, batch_size=7), model.predict_proba(texts), rtol=0, atol=1e-6
    )


def test_a_folder_without_the_file_says_how_to_write_it(copied):
    (copied / INT8_FILE).unlink()
    with pytest.raises(NLPTransferError, match=r"--to onnx --quantize int8`"):
        load_classifier(copied, backend="onnx-int8")
    (copied / ONNX_FILE).unlink()
    with pytest.raises(NLPTransferError, match=r"model.onnx: expected an ONNX file, found none"):
        load_classifier(copied, backend="onnx")


def test_a_file_of_another_model_is_refused(copied, tmp_path_factory):
    other = trained_folder("nbow", tmp_path_factory)
    shutil.copy(other / ONNX_FILE, copied / ONNX_FILE)  # same data, labels, vocabulary size
    with pytest.raises(NLPTransferError, match="expected the classifier of this folder"):
        load_classifier(copied, backend="onnx")
    original_vocab = (copied / "vocab.json").read_text()
    vocab = json.loads(original_vocab)
    vocab["tokens"][5], vocab["tokens"][6] = vocab["tokens"][6], vocab["tokens"][5]
    (copied / "vocab.json").write_text(json.dumps(vocab))  # two tokens swap rows
    # refused by the folder's own vocabulary digest (config.json), before the ONNX file's
    with pytest.raises(NLPTransferError, match="expected the vocabulary"):
        load_classifier(copied, backend="onnx-int8")
    (copied / "vocab.json").write_text(original_vocab)
    config = json.loads((copied / "config.json").read_text())
    config["labels"] = ["bad", "good"]
    (copied / "config.json").write_text(json.dumps(config))
    with pytest.raises(NLPTransferError, match=r"expected the labels of this folder \(\['bad'"):
        load_classifier(copied, backend="onnx-int8")


def test_a_broken_folder_is_refused_as_the_pytorch_loader_refuses_it(copied):
    path = copied / "vocab.json"
    data = json.loads(path.read_text())
    data["tokens"].pop()
    path.write_text(json.dumps(data))
    for backend in ("torch", "onnx"):
        with pytest.raises(NLPTransferError, match="one per embedding row"):
            load_classifier(copied, backend=backend)


def test_unknown_backends_and_devices_are_refused(folder):
    with pytest.raises(UnknownNameError, match="did you mean 'onnx'"):
        load_classifier(folder, backend="onxx")
    with pytest.raises(ValueError, match="device must be one of cpu, cuda"):
        load_onnx_classifier(folder, device="tpu")


def test_threads_can_be_set(folder):
    model = load_onnx_classifier(folder, threads=1)
    assert model.predict(["fine"])[0].label in LABELS
