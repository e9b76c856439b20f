"""Small classifiers trained on Kim's SST-2 sentences (../shared/data), one of each kind, for the
export and predictor tests, with their ONNX files (float32 and int8) exported into the folder.

Each is trained once per test session, whichever test module asks first (:func:`trained_folder`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import read_kim, shared_data_dir

#: The classifier of each kind: (model, embedding mode, options). A mode each, multichannel
#: included; small enough to train in seconds, trained enough to be confident.
KINDS = {
    "nbow": ("nbow", "frozen", {}),
    "cnn": ("cnn", "multichannel", {"filters": 50}),
    "bilstm": ("bilstm", "finetune", {"hidden": 50}),
}
TRAIN_SENTENCES = 3000
LABELS = ["negative", "positive"]

_folders: dict[str, Path] = {}


def sst2_file(split: str) -> Path:
    path = shared_data_dir() / "kim2014" / f"stsa.binary.{split}"
    if not path.is_file():
        pytest.skip(f"shared data file not found: {path}")
    return path


def sst2_test() -> tuple[list[str], list[int]]:
    """SST-2's whole test set (1,821 sentences)."""
    return read_kim(sst2_file("test"))


def trained_folder(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model folder of ``kind`` (a key of :data:`KINDS`), trained on the first
    :data:`TRAIN_SENTENCES` of SST-2's training set, with ``model.onnx`` and ``model.int8.onnx``."""
    if kind not in _folders:
        from nlptransfer import load_vectors
        from nlptransfer.train.classify import train_classifier
        from nlptransfer.train.trainer import TrainConfig

        model, mode, options = KINDS[kind]
        folder = tmp_path_factory.mktemp("sst2-models") / kind
        run = train_classifier(
            read_kim(sst2_file("train"), TRAIN_SENTENCES),
            label_names=LABELS,
            vectors=load_vectors("glove-6b-50d"),
            test=sst2_test(),
            model=model,
            mode=mode,
            tokenizer="whitespace",
            model_options=options,
            train_config=TrainConfig(epochs=3, optimizer="adam", lr=3e-3, seed=0, progress=False),
            out=folder,
            info={"dataset": {"name": f"sst2 (first {TRAIN_SENTENCES} training sentences)"}},
        )
        run.pipeline.export_onnx(folder)
        run.pipeline.export_onnx(folder, quantize="int8")
        _folders[kind] = folder
    return _folders[kind]
